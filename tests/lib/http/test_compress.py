"""gzip of text files (musicdb/lib/http/compress.py through files.serve_file)."""

import gzip

import pytest

from musicdb.lib.http import compress
from tests.lib.http.test_files import certpair, fetch, server  # noqa: F401 (fixtures)

SCRIPT = ("export function greet(name) { return 'Grüße, ' + name; }\n" * 40).encode("utf-8")


@pytest.fixture
def root(tmp_path):
    served = tmp_path / "root"
    served.mkdir()
    (served / "app.js").write_bytes(SCRIPT)
    (served / "tiny.css").write_text("a { color: red; }")
    (served / "song.mp3").write_bytes(b"\xff\xfb" * 2000)
    return served


def test_a_text_file_goes_out_gzipped_to_a_browser_that_accepts_it(server):
    response = fetch(server, "/files/app.js", Accept_Encoding="gzip, deflate, br")
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(response.body) < len(SCRIPT) / 4
    assert gzip.decompress(response.body) == SCRIPT


def test_the_gzip_variant_has_its_own_etag_and_revalidates(server):
    plain = fetch(server, "/files/app.js")
    packed = fetch(server, "/files/app.js", Accept_Encoding="gzip")
    assert plain.headers.get("Content-Encoding") is None and plain.body == SCRIPT
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = fetch(server, "/files/app.js", Accept_Encoding="gzip",
                  If_None_Match=packed.headers["ETag"])
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == packed.headers["ETag"]


@pytest.mark.parametrize("path, headers", [
    ("/files/app.js", {"Accept_Encoding": "gzip;q=0"}),
    ("/files/app.js", {"Accept_Encoding": "br"}),
    ("/files/app.js", {"Accept_Encoding": "gzip", "Range": "bytes=0-9"}),
    ("/files/tiny.css", {"Accept_Encoding": "gzip"}),     # too small to gain anything
    ("/files/song.mp3", {"Accept_Encoding": "gzip"}),     # media is compressed already
])
def test_plain_bytes_when_gzip_is_refused_useless_or_a_range_is_asked(server, path, headers):
    response = fetch(server, path, **headers)
    assert response.status in (200, 206)
    assert response.headers.get("Content-Encoding") is None


def test_the_compressed_bytes_are_kept_per_file_version(tmp_path):
    path = tmp_path / "a.js"
    path.write_bytes(SCRIPT)
    with open(path, "rb") as one:
        first = compress.compressed(str(path), '"1"', one)
    with open(path, "rb") as two:
        assert compress.compressed(str(path), '"1"', two) is first
    with open(path, "rb") as three:
        assert compress.compressed(str(path), '"2"', three) is not first
