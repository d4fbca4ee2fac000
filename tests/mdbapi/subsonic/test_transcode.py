"""Stream transcoding: only when asked, at ladder bitrates, limited; ffmpeg dies with the client."""

import io
import os
import socket
import subprocess
import tempfile
from urllib.parse import urlencode

import mutagen.mp3
import pytest

from musicdb.lib.media.transcoder import find_ffmpeg
from musicdb.mdbapi.subsonic import transcode
from tests.mdbapi.subsonic.support import call, error_code, ok, set_app_password, token_auth
from tests.support import ServerProcess, make_library_home, poll
from tests.support.library import Library

needs_ffmpeg = pytest.mark.skipif(not find_ffmpeg(), reason="ffmpeg is not installed")
LONG_SECONDS = 600  # ffmpeg needs seconds for it: long enough to disconnect mid-stream


# -- the plan -----------------------------------------------------------------------------

def _song(path="a/b.flac", bitrate=900000, playtime=200):
    return {"path": path, "bitrate": bitrate, "playtime": playtime}


def test_bitrates_snap_down_to_the_ladder():
    assert [transcode.snap(k) for k in (1, 64, 100, 128, 200, 319, 320, 5000)] == \
        [64, 64, 96, 128, 192, 256, 320, 320]


@pytest.mark.parametrize("fmt, max_bitrate, expected", [
    ("", 0, None), ("raw", 0, None), ("flac", 0, None), ("wav", 128, ("mp3", 128)),
    ("mp3", 0, ("mp3", 192)), ("opus", 100, ("opus", 96)), ("aac", 320, ("aac", 320)),
    ("", 128, ("mp3", 128))])
def test_a_flac_is_transcoded_only_when_asked(fmt, max_bitrate, expected):
    found = transcode.plan(_song(), fmt, max_bitrate, 0)
    assert (found and (found.fmt, found.bitrate)) == (expected or None)


def test_an_mp3_keeps_its_format_unless_the_bitrate_must_drop():
    mp3 = _song("x.mp3", 192000)
    assert transcode.plan(mp3, "mp3", 0, 0) is None
    assert transcode.plan(mp3, "mp3", 320, 0) is None
    lower = transcode.plan(mp3, "", 130, 0)
    assert (lower.fmt, lower.bitrate) == ("mp3", 128)
    assert transcode.plan(mp3, "opus", 0, 0).bitrate == 192  # never above the source


def test_the_estimated_length_is_the_rest_of_the_duration_times_the_bitrate():
    found = transcode.plan(_song(playtime=200), "mp3", 128, 50)
    assert found.offset == 50 and found.length == 150 * 128000 // 8


# -- a real server ------------------------------------------------------------------------

def ffmpeg_children(pid):
    """PIDs of the ``ffmpeg`` processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if name == "ffmpeg" and int(rest.split()[1]) == pid:
            found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def home(tmp_path_factory, demo_library):
    if not find_ffmpeg():
        pytest.skip("ffmpeg is not installed")
    home = make_library_home(tmp_path_factory.mktemp("transcode") / "home", demo_library)
    set_app_password(home)
    folder = home.music / "Lóng Artist" / "2020 - Lóng Album"
    folder.mkdir(parents=True)
    subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=%d:sample_rate=22050" % LONG_SECONDS,
                    "-ac", "1", str(folder / "01 Lóng.flac")], check=True, timeout=120)
    library = Library(str(home.data / "music.db"))
    try:
        artist = library.add_artist("Lóng Artist")
        album = library.add_album(artist, "Lóng Album", release=2020)
        home.long_song = "tr-%d" % library.add_song(
            album, "Lóng", path="Lóng Artist/2020 - Lóng Album/01 Lóng.flac",
            playtime=LONG_SECONDS, bitrate=100000 * 8 // 10)
    finally:
        library.close()
    return home


@pytest.fixture(scope="module")
def server(home):
    server = ServerProcess(home.home, extra="[subsonic]\nmaxtranscodes = 1\n")
    try:
        yield server
    finally:
        server.stop()


def _flac_song(server):
    songs = ok(server, "search3", {"query": "", "songCount": 500})["searchResult3"]["song"]
    return next(s for s in songs if s["suffix"] == "flac" and s["title"] != "Lóng")


def _open_stream(server, params):
    """A raw socket that sent a stream request and read the response head."""
    query = urlencode(dict(token_auth(), **params))
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    sock.sendall(("GET /rest/stream?%s HTTP/1.1\r\nHost: x\r\n\r\n" % query).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    return sock, head


@needs_ffmpeg
def test_a_flac_streams_as_a_128_kbits_mp3(server, home):
    song = _flac_song(server)
    status, headers, body = call(server, "stream", {"id": song["id"], "format": "mp3",
                                                    "maxBitRate": 128}, fmt=None)
    assert status == 200 and headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "none" and "content-range" not in headers
    with tempfile.NamedTemporaryFile(suffix=".mp3") as handle:
        handle.write(body)
        handle.flush()
        info = mutagen.mp3.MP3(handle.name).info
    assert abs(info.bitrate - 128000) <= 2000 and abs(info.length - song["duration"]) < 1.5


@needs_ffmpeg
def test_estimate_content_length_and_time_offset(server, home):
    status, headers, body = call(server, "stream", {
        "id": home.long_song, "format": "mp3", "maxBitRate": 96, "timeOffset": 590,
        "estimateContentLength": "true"}, fmt=None)
    assert status == 200 and headers["content-length"] == str(10 * 96000 // 8) == str(len(body))


@needs_ffmpeg
def test_download_and_raw_stay_the_original(server, home):
    song = _flac_song(server)
    with open(os.path.join(str(home.music), song["path"]), "rb") as handle:
        original = handle.read()
    assert call(server, "download", {"id": song["id"], "format": "mp3"}, fmt=None)[2] == original
    assert call(server, "stream", {"id": song["id"], "format": "raw"}, fmt=None)[2] == original


@needs_ffmpeg
def test_ffmpeg_dies_when_the_client_disconnects_mid_stream(server, home):
    sock, head = _open_stream(server, {"id": home.long_song, "format": "mp3"})
    try:
        assert b"200 OK" in head and b"audio/mpeg" in head
        assert len(sock.recv(4096)) > 0
        assert ffmpeg_children(server.proc.pid)
    finally:
        sock.close()
    assert poll(lambda: not ffmpeg_children(server.proc.pid), timeout=10)


@needs_ffmpeg
def test_one_transcode_too_many_fails_at_once_and_head_starts_none(server, home):
    sock, head = _open_stream(server, {"id": home.long_song, "format": "opus"})
    try:
        assert b"audio/ogg" in head
        song = _flac_song(server)
        assert error_code(server, "stream", {"id": song["id"], "format": "mp3"}) == 0
        status, headers, body = call(server, "stream", {
            "id": song["id"], "format": "mp3", "estimateContentLength": "true"},
            fmt=None, method="HEAD")
        assert status == 200 and body == b"" and headers["content-type"] == "audio/mpeg"
        assert int(headers["content-length"]) > 0
        assert len(ffmpeg_children(server.proc.pid)) == 1
    finally:
        sock.close()
    assert poll(lambda: call(server, "stream", {"id": song["id"], "format": "mp3"}, fmt=None)[
        1]["content-type"] == "audio/mpeg", timeout=10)


def test_without_ffmpeg_the_original_is_sent(tmp_path, monkeypatch):
    from musicdb.mdbapi.subsonic import media
    from musicdb.mdbapi.subsonic.api import Media
    from musicdb.mdbapi.subsonic.params import Params
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "s.flac").write_bytes(b"fLaC-original")

    class Ctx:
        environ = {"REQUEST_METHOD": "GET"}
        transcoding = transcode.Transcoding(None)

    Ctx.app = type("App", (), {"cfg": type("Cfg", (), {
        "directories": type("Dirs", (), {"music": str(tmp_path)})})})
    monkeypatch.setattr(media, "_song", lambda ctx, text: _song("a/s.flac"))
    answer = media.stream(Params({"id": ["tr-1"], "format": ["mp3"]}), Ctx)
    seen = []
    body = b"".join(answer.app({"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()},
                               lambda status, headers: seen.append(status)))
    assert isinstance(answer, Media) and body == b"fLaC-original" and seen[0].startswith("200")
