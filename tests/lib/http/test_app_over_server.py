"""Every HTTP route of the one server port, with real HTTPS requests against the real server.

The URL layout follows MusicDB 8's Apache set-up (foundations.md §5); here
one process serves it, over the TLS pair it created itself.
"""

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support import LEGACY_WEBUI, ServerProcess, needs_legacy_webui
from tests.support.http import fetch
from tests.support.webhome import (ARTWORK_NAME, FRAME_NAME, FRAMES_DIR, SECRET, SONG_BYTES,
                                   SONG_PATH, VIDEO_PATH, populate)

pytestmark = needs_legacy_webui

WEBUI = Path(LEGACY_WEBUI)
SIZE = len(SONG_BYTES)
SONG_URL = "/musicdb/music/" + quote(SONG_PATH)



@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """One TLS server (self-signed pair created at its first start) for a test module."""
    home = tmp_path_factory.mktemp("web")
    populate(home)
    server = ServerProcess(home, tls=True)
    yield server
    server.stop()


def config_constants(text):
    """The ``const NAME = value;`` lines of config.js as a dict of raw value texts."""
    return dict(re.findall(r"^\s*const\s+(\w+)\s*=\s*(.+?);\s*$", text, re.MULTILINE))


# --- the WebUI ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/musicdb/", "/musicdb/index.html"])
def test_webui_index_is_served_as_html(web_server, path):
    """The WebUI's index.html comes from ``[webui] directory``, unchanged, as HTML."""
    response = fetch(web_server, path)
    assert response.status == 200
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert response.body == (WEBUI / "index.html").read_bytes()


@pytest.mark.parametrize("name, ctype", [
    ("WebUI.js", "text/javascript; charset=utf-8"),
    ("ApplicationLoader.js", "text/javascript; charset=utf-8"),
    ("WebUI.css", "text/css; charset=utf-8"),
    ("Icons.json", "application/json"),
    ("img/mdblogo-dark.svg", "image/svg+xml"),
    ("img/TouchIcon.png", "image/png"),
    ("fonts/SourceSansPro-Regular.otf.woff", "font/woff"),
    ("fonts/DejaVuSans.ttf", "font/ttf"),
])
def test_webui_files_have_their_mime_types(web_server, name, ctype):
    """Scripts, styles, icons and fonts arrive whole with the type a browser accepts."""
    response = fetch(web_server, "/musicdb/" + name)
    assert response.status == 200
    assert response.header("Content-Type") == ctype
    assert response.body == (WEBUI / name).read_bytes()
    assert int(response.header("Content-Length")) == len(response.body)


def test_musicdb_without_slash_redirects(web_server):
    """``/musicdb`` redirects to ``/musicdb/`` so the WebUI's relative links resolve there."""
    response = fetch(web_server, "/musicdb")
    assert response.status == 301
    assert response.header("Location") == "/musicdb/"


def test_root_serves_our_own_page_and_its_files_gzipped(web_server):
    """``/`` is our page (``musicdb/web``); its scripts come from ``/app/``, gzipped on request."""
    response = fetch(web_server, "/")
    assert response.status == 200
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert b'<script type="module" src="app/main.js">' in response.body
    assert "frame-ancestors 'none'" in response.header("Content-Security-Policy")
    script = fetch(web_server, "/app/main.js", headers={"Accept-Encoding": "gzip"})
    assert script.status == 200 and script.header("Content-Encoding") == "gzip"
    assert script.header("ETag") and script.header("Cache-Control") == "no-cache"
    again = fetch(web_server, "/app/main.js", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": script.header("ETag")})
    assert again.status == 304


def test_root_without_a_session_sends_a_browser_to_the_login(web_server):
    """A plain HTTPS GET of ``/`` (users open it to accept the certificate) ends at the login."""
    response = fetch(web_server, "/", headers={"Accept": "text/html"}, auth=False)
    assert response.status == 303
    assert response.header("Location") == "/login?next=%2F"


# --- config.js ------------------------------------------------------------------------------

def test_config_js_points_the_webui_at_this_server(web_server):
    """config.js is generated: the wss URL of this server and the key of wsapikey.txt."""
    response = fetch(web_server, "/musicdb/webdata/config.js")
    assert response.status == 200
    assert response.header("Content-Type") == "text/javascript; charset=utf-8"
    consts = config_constants(response.body.decode("utf-8"))
    assert consts["WEBSOCKET_URL"] == '"wss://127.0.0.1:%d"' % web_server.port
    assert consts["WEBSOCKET_APIKEY"] == '"%s"' % web_server.apikey
    assert consts["CONFIG_VERSION"] == "3"
    assert consts["WATCHDOG_RUN"] == "true"
    assert consts["WATCHDOG_INTERVAL"] == "5000"


@pytest.mark.parametrize("host, expected", [
    ("musicbox.local:{port}", "wss://musicbox.local:{port}"),
    ("192.168.1.20:{port}", "wss://192.168.1.20:{port}"),
    ("[fd00::20]:{port}", "wss://[fd00::20]:{port}"),
    ("MusicBox.Example.ORG", "wss://musicbox.example.org:{port}"),
])
def test_config_js_uses_the_host_the_browser_used(web_server, host, expected):
    """A browser on another machine gets a WebSocket URL with the name it used for the server.

    The port is the server's own: the WebSocket lives on the port that served the page.
    """
    port = web_server.port
    response = fetch(web_server, "/musicdb/webdata/config.js", host=host.format(port=port))
    consts = config_constants(response.body.decode("utf-8"))
    assert consts["WEBSOCKET_URL"] == '"%s"' % expected.format(port=port)


def test_config_js_cannot_be_injected_through_the_host_header(web_server):
    """A hostile Host header never ends up in the script; the server's own name is used."""
    response = fetch(web_server, "/musicdb/webdata/config.js",
                     host='evil";alert(1);//:%d' % web_server.port)
    assert response.status == 200
    assert b"alert" not in response.body
    consts = config_constants(response.body.decode("utf-8"))
    assert re.fullmatch(r'"wss://[\w.\-\[\]:]+:%d"' % web_server.port, consts["WEBSOCKET_URL"])


def test_config_js_is_not_cached(web_server):
    """The key may change between starts, so browsers must not keep config.js."""
    response = fetch(web_server, "/musicdb/webdata/config.js")
    assert response.header("Cache-Control") == "no-store"


# --- artwork and media ----------------------------------------------------------------------

@pytest.mark.parametrize("relpath", [ARTWORK_NAME, "150x150/" + ARTWORK_NAME])
def test_artwork_with_non_ascii_name_is_served(web_server, relpath):
    """Artwork named after a non-ASCII artist is found via its UTF-8 percent-encoded URL."""
    response = fetch(web_server, "/musicdb/webdata/artwork/" + quote(relpath))
    assert response.status == 200
    assert response.header("Content-Type") == "image/jpeg"
    artwork = Path(web_server.home, "data", "webdata", "artwork", relpath)
    assert response.body == artwork.read_bytes()


def test_video_frames_are_served_from_the_artwork_directory(web_server):
    """The WebUI loads video thumbnails from ``videoframes/<framesdirectory>/``; they live
    in the artwork directory (api-editing.md), names with spaces and ``×`` included."""
    response = fetch(web_server, "/musicdb/videoframes/" + quote(FRAMES_DIR + "/" + FRAME_NAME))
    assert response.status == 200
    assert response.header("Content-Type") == "image/jpeg"
    frame = Path(web_server.home, "data", "webdata", "artwork", FRAMES_DIR, FRAME_NAME)
    assert response.body == frame.read_bytes()


def test_default_artwork_exists_on_a_fresh_server(web_server):
    """The WebUI asks for ``artwork/default.jpg`` at once; it is there before any import."""
    response = fetch(web_server, "/musicdb/webdata/artwork/default.jpg")
    assert response.status == 200
    assert response.header("Content-Type") == "image/jpeg"
    assert response.body.startswith(b"\xff\xd8")  # a JPEG, which the browser can draw


def test_music_file_is_served_whole_with_range_support(web_server):
    """A plain GET sends the whole song as audio/mpeg and announces range support."""
    response = fetch(web_server, SONG_URL)
    assert response.status == 200
    assert response.header("Content-Type") == "audio/mpeg"
    assert response.header("Accept-Ranges") == "bytes"
    assert response.body == SONG_BYTES


def test_video_file_is_served_as_mp4(web_server):
    """The video player loads videos from the music directory with their video type."""
    response = fetch(web_server, "/musicdb/music/" + quote(VIDEO_PATH))
    assert response.status == 200
    assert response.header("Content-Type") == "video/mp4"


@pytest.mark.parametrize("spec, first, last", [
    ("bytes=0-99", 0, 99),
    ("bytes=1000-", 1000, SIZE - 1),
    ("bytes=-500", SIZE - 500, SIZE - 1),
    ("bytes=299990-400000", 299990, SIZE - 1),
])
def test_range_request_gets_exactly_those_bytes(web_server, spec, first, last):
    """A seek in the player (Range) answers 206 with the right slice and Content-Range."""
    response = fetch(web_server, SONG_URL, headers={"Range": spec})
    assert response.status == 206
    assert response.header("Content-Range") == "bytes %d-%d/%d" % (first, last, SIZE)
    assert response.body == SONG_BYTES[first:last + 1]
    assert int(response.header("Content-Length")) == last - first + 1


@pytest.mark.parametrize("spec", ["bytes=%d-" % SIZE, "bytes=999999-1000000"])
def test_range_beyond_the_end_is_416(web_server, spec):
    """A range that misses the file answers 416 and tells the real size."""
    response = fetch(web_server, SONG_URL, headers={"Range": spec})
    assert response.status == 416
    assert response.header("Content-Range") == "bytes */%d" % SIZE


def test_range_with_stale_if_range_sends_the_whole_new_file(web_server):
    """If-Range naming an older version of the file gets the full current file, not a slice."""
    response = fetch(web_server, SONG_URL, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert response.status == 200
    assert response.body == SONG_BYTES


def test_etag_revalidation_answers_304(web_server):
    """A browser revalidating its cached copy (ETag or date) gets 304 without a body."""
    first = fetch(web_server, SONG_URL)
    etag, modified = first.header("ETag"), first.header("Last-Modified")
    assert etag and modified
    by_tag = fetch(web_server, SONG_URL, headers={"If-None-Match": etag})
    assert (by_tag.status, by_tag.body, by_tag.header("ETag")) == (304, b"", etag)
    by_date = fetch(web_server, SONG_URL, headers={"If-Modified-Since": modified})
    assert (by_date.status, by_date.body) == (304, b"")
    other = fetch(web_server, SONG_URL, headers={"If-None-Match": '"something-else"'})
    assert other.status == 200 and other.body == SONG_BYTES


def test_changed_file_gets_a_new_etag(web_server):
    """Replacing artwork changes its ETag, so no browser keeps showing the old picture."""
    path = Path(web_server.home, "data", "webdata", "artwork", "changing.jpg")
    path.write_bytes(b"one")
    old = fetch(web_server, "/musicdb/webdata/artwork/changing.jpg")
    path.write_bytes(b"second version")
    new = fetch(web_server, "/musicdb/webdata/artwork/changing.jpg",
                headers={"If-None-Match": old.header("ETag")})
    assert new.status == 200 and new.body == b"second version"
    assert new.header("ETag") != old.header("ETag")


@pytest.mark.parametrize("path", [SONG_URL, "/musicdb/index.html", "/musicdb/webdata/config.js",
                                  "/"])
def test_head_sends_headers_without_body(web_server, path):
    """HEAD announces the same type and length as GET and sends no body."""
    get = fetch(web_server, path)
    head = fetch(web_server, path, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Type") == get.header("Content-Type")
    assert head.header("Content-Length") == str(len(get.body))


def test_head_with_range_sends_partial_headers(web_server):
    """HEAD with a Range tells the slice's length without sending it."""
    head = fetch(web_server, SONG_URL, method="HEAD", headers={"Range": "bytes=10-19"})
    assert head.status == 206 and head.body == b""
    assert head.header("Content-Range") == "bytes 10-19/%d" % SIZE
    assert head.header("Content-Length") == "10"


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", [SONG_URL, "/musicdb/index.html", "/musicdb/webdata/config.js",
                                  "/musicdb/webdata/artwork/" + quote(ARTWORK_NAME), "/"])
def test_writing_methods_are_405(web_server, method, path):
    """Nothing on this port accepts uploads over HTTP: 405 with the Allow header."""
    response = fetch(web_server, path, method=method, headers={"Content-Length": "0"})
    assert response.status == 405
    assert response.header("Allow") == "GET, HEAD"


@pytest.mark.parametrize("path", [
    "/musicdb/nothing.js", "/musicdb/webdata/artwork/missing.jpg",
    "/musicdb/music/" + quote("Nobody/2020 - None/01 Nothing.mp3"), "/elsewhere", "/favicon.ico",
    "/musicdb/index.html/", "/musicdb/music/%ff%fe.mp3", "/musicdb/music/" + "x" * 5000,
])
def test_missing_files_are_404(web_server, path):
    """A missing file is 404, whichever root it was looked for in (odd names included)."""
    assert fetch(web_server, path).status == 404


@pytest.mark.parametrize("path", [
    "/musicdb/music/", "/musicdb/music/" + quote(SONG_PATH.rsplit("/", 1)[0]) + "/",
    "/musicdb/webdata/", "/musicdb/webdata/artwork/", "/musicdb/webdata/artwork/150x150/",
    "/musicdb/videoframes/", "/musicdb/videoframes/" + quote(FRAMES_DIR) + "/",
    "/musicdb/js/", "/musicdb/img/icons/", "/musicdb/css",
])
def test_directories_are_never_listed(web_server, path):
    """A directory without index.html is 404, never a listing of the library's files."""
    response = fetch(web_server, path)
    assert response.status == 404
    assert b"Song.mp3" not in response.body and b".js" not in response.body


def test_symlink_inside_the_root_is_followed(web_server):
    """A symlink that stays within the music directory works (libraries often use them)."""
    response = fetch(web_server, "/musicdb/music/inside-link/01%20Song.mp3")
    assert response.status == 200 and response.body == SONG_BYTES


@pytest.mark.parametrize("path", [
    "/musicdb/music/../../secret.txt",
    "/musicdb/music/%2e%2e/%2e%2e/secret.txt",
    "/musicdb/music/%2E%2E/%2E%2E/secret.txt",
    "/musicdb/music/..%2f..%2fsecret.txt",
    "/musicdb/music/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/musicdb/music/%252e%252e/%252e%252e/secret.txt",
    "/musicdb/music/..%5c..%5csecret.txt",
    "/musicdb/music/..\\..\\secret.txt",
    "/musicdb/music/%2fsecret.txt",
    "/musicdb/music//secret.txt",
    "/musicdb/music/secret.txt%00.mp3",
    "/musicdb/music/out-link/secret.txt",
    "/musicdb/music/" + quote("Ärtist ∕ Ünïcode") + "/leak.mp3",
    "/musicdb/webdata/../../secret.txt",
    "/musicdb/webdata/%2e%2e/%2e%2e/secret.txt",
    "/musicdb/webdata/artwork/../../../secret.txt",
    "/musicdb/videoframes/../../../secret.txt",
    "/musicdb/videoframes/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/musicdb/../secret.txt",
    "/musicdb/%2e%2e/secret.txt",
])
def test_traversal_never_escapes_the_root(web_server, path):
    """``..`` (plain, encoded, double-encoded), separators and symlinks out all end in 404."""
    response = fetch(web_server, path)
    assert response.status == 404
    assert SECRET not in response.body


@pytest.mark.parametrize("path", [
    "/musicdb/webdata/../config/wsapikey.txt",
    "/musicdb/webdata/%2e%2e/config/wsapikey.txt",
    "/musicdb/webdata/..%2fconfig%2fwsapikey.txt",
    "/musicdb/webdata/../music.db",
    "/musicdb/webdata/../websocket.key",
    "/musicdb/videoframes/../../config/wsapikey.txt",
    "/musicdb/videoframes/../../music.db",
])
def test_data_directory_secrets_stay_hidden(web_server, path):
    """The API key, the databases and the TLS key next to webdata/ are never served."""
    response = fetch(web_server, path)
    assert response.status == 404
    assert web_server.apikey.encode() not in response.body
    assert b"PRIVATE KEY" not in response.body


def test_escaping_path_looks_like_a_missing_file(web_server):
    """The 404 for an escaping path is the same as for a missing file: no hint it exists."""
    escaping = fetch(web_server, "/musicdb/music/../../secret.txt")
    missing = fetch(web_server, "/musicdb/music/no-such-file.txt")
    assert escaping.body == missing.body
    assert escaping.header("Last-Modified") is None and escaping.header("ETag") is None
