"""Music videos through the upload API over a real TLS WebSocket: upload, integrate into
MusicDB 8's video layout, import with frames and previews (api-uploads.md §6, §7, §10)."""

import os
import sqlite3
from pathlib import Path

import pytest

from tests.support.client import Client
from tests.support.http import fetch, videoframe_url
from tests.support.media import make_video, needs_ffmpeg
from tests.support.server import ServerProcess
from tests.support.uploads import send_chunks, start_upload, state_of, task_packet, upload

pytestmark = needs_ffmpeg

VIDEOS = "[uploads]\nallow = artwork, albumfile, video\n[debug]\ndisablevideos = False\n"
ARTIST = "Sömé Bänd"
VIDEOFILE = f"{ARTIST}/2019 - Clip ∕ Live.mp4"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("clip") / "clip.mp4").read_bytes()


@pytest.fixture
def server(tmp_path):
    server = ServerProcess(tmp_path / "home", tls=True, extra=VIDEOS)
    yield server
    server.stop()


@pytest.fixture
def client(server):
    client = Client(server, timeout=60)
    yield client
    client.close()


def upload_video(client, data, annotations):
    """InitiateUpload (video) and AnnotateUpload as the WebUI's video form; the chunks."""
    taskid = start_upload(client, data, "clip.mp4", "video", mimetype="video/mp4")
    client.send("call", "AnnotateUpload", dict(annotations, taskid=taskid))
    return send_chunks(client, data, taskid)


def video_row(server, path):
    with sqlite3.connect(os.path.join(server.home, "data", "music.db")) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM videos WHERE path = ?", (path,)).fetchone()
        return dict(row) if row else None


def test_an_uploaded_video_is_integrated_imported_and_shown_with_its_frames(
        server, client, clip):
    """Its place and origin come from the annotations; GetVideo shows it, its frames are
    served."""
    end = upload_video(client, clip, {"name": "Clip / Live", "artistname": ARTIST,
                                      "release": 2019, "origin": "Live recording"})
    assert end["arguments"]["state"] == "readyforintegration", end
    task = end["arguments"]["task"]
    assert task["annotations"]["codec"] == "h264"
    assert (task["annotations"]["xresolution"], task["annotations"]["yresolution"]) == (320, 180)
    assert [t["id"] for t in end["arguments"]["tasklist"]["videos"]] == [task["id"]]
    assert client.request("InitiateContentIntegration",
                          {"taskid": task["id"], "musicpath": ""}) == task["id"]
    ready = state_of(client, task["id"], ("readyforimport", "integrationfailed"))
    assert ready["arguments"]["state"] == "readyforimport"
    assert ready["arguments"]["task"]["videofile"] == VIDEOFILE
    client.wait_for(task_packet(task["id"], lambda p: p["arguments"]["state"] == "remove"))
    music = Path(server.home) / "music"
    assert (music / VIDEOFILE).read_bytes() == clip

    importing = client.request("InitiateMusicImport", {"contenttype": "video",
                                                       "contentpath": VIDEOFILE})
    done = state_of(client, importing, ("importcomplete", "importfailed"), timeout=120)
    assert done["arguments"]["state"] == "importcomplete", done
    client.wait_for(lambda p: p.get("fncname") == "sys:refresh")
    shown = client.request("GetVideo", {"videoid": video_row(server, VIDEOFILE)["videoid"]})
    video = shown["video"]
    assert shown["artist"]["name"] == ARTIST
    assert (video["name"], video["release"], video["path"]) == ("Clip ∕ Live", 2019, VIDEOFILE)
    assert (video["playtime"], video["codec"]) == (3, "h264")
    assert video["origin"] == "Live recording"   # annotated, carried to the import
    assert video["framesdirectory"] == f"{ARTIST}/Clip ∕ Live"
    for name in (video["thumbnailfile"], video["previewfile"], "frame-05 (150×83).jpg"):
        response = fetch(server, videoframe_url(video["framesdirectory"], name))
        assert response.status == 200, name
        assert len(response.body) > 100
    assert os.listdir(os.path.join(server.home, "data", "uploads")) == []


def test_a_video_at_a_given_path_and_one_already_there(server, client, clip):
    """``musicpath`` names the place; a second upload to it fails and keeps the first."""
    end = upload_video(client, clip, {})
    taskid = end["arguments"]["task"]["id"]
    for musicpath in ("../x.mp4", "/tmp/x.mp4", f"{ARTIST}/Clip.mp4", f"{ARTIST}/2019 - Clip.txt",
                      f"{ARTIST}/2019 - Album/2019 - Clip.mp4", ""):
        assert client.request("InitiateContentIntegration",
                              {"taskid": taskid, "musicpath": musicpath}) is None, musicpath
    place = f"{ARTIST}/2020 - Other.mp4"
    (Path(server.home) / "music" / ARTIST).mkdir()
    (Path(server.home) / "music" / place).write_bytes(b"the original")
    assert client.request("InitiateContentIntegration",
                          {"taskid": taskid, "musicpath": place}) == taskid
    failed = client.wait_for(task_packet(taskid, lambda p: p["fncsig"] == "InternalError"))
    assert failed["arguments"]["message"] == "File already exists in the music directory"
    assert state_of(client, taskid, ("integrationfailed",))
    assert (Path(server.home) / "music" / place).read_bytes() == b"the original"


def test_a_file_that_is_no_video_is_invalid_content(server, client):
    end = upload(client, os.urandom(300_000), "clip.mp4", "video")
    assert end["fncsig"] == "InternalError"
    assert end["arguments"]["state"] == "invalidcontent"
    assert "ffprobe" in end["arguments"]["message"]
    end = upload(client, b"not a video", "clip.avi", "video")
    assert end["arguments"]["state"] == "invalidcontent"
    assert "m4v, mp4, webm" in end["arguments"]["message"]


def test_a_video_import_of_a_path_that_is_no_video_fails(server, client):
    taskid = client.request("InitiateMusicImport", {"contenttype": "video",
                                                    "contentpath": "../../etc/passwd"})
    message = client.wait_for(task_packet(taskid, lambda p: p["fncsig"] == "InternalError"))
    assert message["arguments"]["message"] == "Importing video failed"
    assert state_of(client, taskid, ("importfailed",))
