"""Music videos: ``database import`` stores them as MusicDB 8 does and makes their frames,
which the web server publishes where the WebUI's video views load them."""

from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

from musicdb.lib.media import frames
from musicdb.lib.videoimport import frames_directory, name_and_release
from tests.support import ServerProcess
from tests.support.homes import LibraryHome
from tests.support.media import make_video, needs_ffmpeg
from tests.support.http import videoframe_url
from tests.support.server import free_port, write_config

pytestmark = needs_ffmpeg

ARTIST = "Sömé Bänd"
VIDEO = f"{ARTIST}/2019 - Clip (Live).mp4"
VIDEOS_ON = "[debug]\ndisablevideos = False\n"
FRAME_FILES = [f"frame-{n:02d}.jpg" for n in range(1, 6)]
SCALED = [f"frame-{n:02d} ({size}).jpg" for n in range(1, 6) for size in ("50×27", "150×83")]
PREVIEWS = ["preview.webp", "preview (50×27).webp", "preview (150×83).webp"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("clip") / "clip.mp4")


@pytest.fixture
def video_home(tmp_path, clip):
    """A home whose music directory holds one video; videos enabled."""
    def make(extra=VIDEOS_ON):
        home = tmp_path / "home"
        (home / "music" / ARTIST).mkdir(parents=True)
        (home / "music" / VIDEO).write_bytes(clip.read_bytes())
        write_config(str(home), free_port(), extra=extra)
        return LibraryHome(home, [], extra=extra)
    return make


def video_rows(home):
    database = home.database()
    try:
        return database.get_videos()
    finally:
        database.close()


def test_names_come_from_the_path():
    assert name_and_release(VIDEO) == ("Clip (Live)", 2019)
    assert frames_directory("A/B", "C") == "A∕B/C"


def test_frame_times_are_spread_as_musicdb_8_spreads_them():
    assert frames.frame_times(60, 5) == [5.0, 15.0, 25.0, 35.0, 45.0]


def test_a_video_is_imported_with_ffprobe_values_and_frames(video_home):
    """One row: name and release from the path, playtime, codec and resolution from ffprobe;
    frames, scaled frames and previews exist and the row names them."""
    home = video_home()
    summary = home.import_()
    assert (summary.videos.added, summary.videos.failures) == (1, [])
    [video] = video_rows(home)
    assert (video["name"], video["release"], video["path"]) == ("Clip (Live)", 2019, VIDEO)
    assert (video["playtime"], video["codec"]) == (3, "h264")
    assert (video["xresolution"], video["yresolution"]) == (320, 180)
    assert (video["vbegin"], video["vend"], video["disabled"]) == (0, 3, 0)
    assert len(video["checksum"]) == 64 and video["added"] > 0
    assert video["framesdirectory"] == f"{ARTIST}/Clip (Live)"
    assert (video["thumbnailfile"], video["previewfile"]) == ("frame-01.jpg", "preview.webp")
    directory = home.data / "webdata" / "artwork" / ARTIST / "Clip (Live)"
    assert sorted(p.name for p in directory.iterdir()) == sorted(FRAME_FILES + SCALED + PREVIEWS)
    with Image.open(directory / "frame-01 (150×83).jpg") as small:
        assert small.width <= 150 and small.height <= 83
    with Image.open(directory / "preview (150×83).webp") as preview:
        assert preview.n_frames == 5 and preview.info["loop"] == 0


def test_a_second_import_keeps_the_row_and_the_frames(video_home):
    home = video_home()
    home.import_()
    [first] = video_rows(home)
    summary = home.import_()
    assert (summary.videos.added, summary.videos.unchanged, summary.videos.framed) == (0, 1, 0)
    assert video_rows(home) == [first]


def test_videos_are_not_imported_while_disabled(video_home):
    """The shipped default ``[debug] disablevideos = True`` leaves videos out."""
    home = video_home(extra="[debug]\ndisablevideos = True\n")
    assert home.import_().videos is None
    assert video_rows(home) == []


def test_a_broken_video_is_a_failure_naming_it(video_home):
    home = video_home()
    broken = f"{ARTIST}/2020 - Broken.mp4"
    (home.music / broken).write_bytes(b"\0" * 5000)
    summary = home.import_()
    assert summary.videos.added == 1
    assert [path for path, _ in summary.videos.failures] == [broken]


def play_in_the_video_view(server, video, home):
    """The imported video goes through the video queue and stream state, and its file is
    served at /musicdb/music/ where the WebUI's player loads it."""
    from tests.support import Client
    from tests.support.http import fetch
    client = Client(server)
    try:
        client.send("call", "AddVideoToQueue", {"videoid": video["id"], "position": "last"})
        client.send("call", "SetVideoStreamState", {"state": "play"})
        announced = client.wait_for(lambda p: p["fncsig"] == "onStreamNextVideo")["arguments"]
        assert announced["video"]["id"] == video["id"]
        assert announced["video"]["framesdirectory"] == video["framesdirectory"]
        state = client.request("GetVideoStreamState")
        assert state["isstreaming"] and state["video"]["path"] == VIDEO
    finally:
        client.close()
    response = fetch(server, "/musicdb/" + quote(f"music/{VIDEO}", safe="/-_.!~*'()"))
    assert response.status == 200 and response.body == (home.music / VIDEO).read_bytes()


def test_frames_are_served_where_the_webui_loads_them(video_home):
    """The thumbnail and preview URLs the WebUI builds answer the files, after a login only."""
    home = video_home()
    home.import_()
    [video] = video_rows(home)
    from tests.support.http import fetch
    server = ServerProcess(home.home, tls=True, extra=VIDEOS_ON)
    try:
        directory = Path(home.data, "webdata", "artwork", *video["framesdirectory"].split("/"))
        for name in ("frame-01 (150×83).jpg", "preview (150×83).webp", video["thumbnailfile"]):
            response = fetch(server, videoframe_url(video["framesdirectory"], name))
            assert response.status == 200, name
            assert response.body == (directory / name).read_bytes()
        anonymous = fetch(server, videoframe_url(video["framesdirectory"], "frame-01.jpg"),
                          auth=False)
        assert anonymous.status in (302, 303, 401)
        play_in_the_video_view(server, video, home)
    finally:
        server.stop()


def test_the_database_import_command_imports_videos_with_frames(video_home):
    """The CLI runs under gevent's monkey patch: ffprobe and ffmpeg must still work there."""
    home = video_home()
    done = home.cli("database", "import")
    assert done.returncode == 0, done.stderr
    assert "Videos: 1 added" in done.stdout
    [video] = video_rows(home)
    directory = home.data / "webdata" / "artwork" / video["framesdirectory"]
    assert sorted(p.name for p in directory.iterdir()) == sorted(FRAME_FILES + SCALED + PREVIEWS)
