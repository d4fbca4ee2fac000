"""Uploads through a real WebSocket: chunks, integration, import, artwork (api-uploads.md §10, §11)."""

import io
import json
import os
import sqlite3

import pytest

from musicdb.demo.library import generate_library
from tests.support.client import Client
from tests.support.media import needs_ffmpeg
from tests.support.server import ServerProcess, poll
from tests.support.uploads import (
    TASK, plant_integrating_task, send_chunks, sha1, start_upload, state_of, task_packet, upload,
    zip_directory)

SCALES = (150, 200, 500, 1000)


@pytest.fixture(scope="module")
def album_source(tmp_path_factory):
    """One generated album of three MP3s (with embedded artwork): its directory and files."""
    root = tmp_path_factory.mktemp("upload-source")
    songs = generate_library(root, songs=3, formats=("mp3",), seconds=1)
    albumpath = songs[0]["path"].rsplit("/", 1)[0]
    return root, albumpath, [song["path"] for song in songs]


@pytest.fixture
def server(tmp_path):
    server = ServerProcess(tmp_path / "home")
    yield server
    server.stop()


@pytest.fixture
def client(server):
    client = Client(server, timeout=30)
    yield client
    client.close()


def album_row(server, albumpath):
    with sqlite3.connect(os.path.join(server.home, "data", "music.db")) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM albums WHERE path = ?", (albumpath,)).fetchone()
        return dict(row) if row else None


def import_album(client, albumpath, firstsong):
    """The WebUI's import layer: InitiateMusicImport, then InitiateArtworkImport."""
    taskid = client.request("InitiateMusicImport", {"contenttype": "album",
                                                    "contentpath": albumpath})
    assert state_of(client, taskid, ("importcomplete", "importfailed"))["arguments"]["state"] \
        == "importcomplete"
    client.wait_for(lambda p: p.get("fncname") == "sys:refresh")
    taskid = client.request("InitiateArtworkImport", {"sourcepath": firstsong,
                                                      "targetpath": albumpath})
    assert taskid is not None
    assert state_of(client, taskid, ("importcomplete", "importfailed"))["arguments"]["state"] \
        == "importcomplete"


def assert_album_shown(server, client, albumpath, songs):
    row = album_row(server, albumpath)
    assert row is not None
    album = client.request("GetAlbum", {"albumid": row["albumid"]})
    names = [entry["song"]["path"] for cd in album["cds"] for entry in cd]
    assert sorted(names) == sorted(songs)
    artwork = os.path.join(server.home, "data", "webdata", "artwork")
    assert os.path.isfile(os.path.join(artwork, row["artworkpath"]))
    for scale in SCALES:
        assert os.path.isfile(os.path.join(artwork, f"{scale}x{scale}", row["artworkpath"]))


@needs_ffmpeg
def test_an_album_uploaded_file_by_file_is_integrated_imported_and_shown(
        server, client, album_source):
    """Every file in chunks, annotated with its tags, integrated, imported; GetAlbum shows it."""
    root, albumpath, songs = album_source
    for path in songs:
        data = (root / path).read_bytes()
        end = upload(client, data, path.rsplit("/", 1)[1])
        assert end["arguments"]["state"] == "readyforintegration"
        task = end["arguments"]["task"]
        assert task["annotations"]["artist"] and task["annotations"]["album"]
        assert "tasklist" in end["arguments"]
        started = client.request("InitiateContentIntegration",
                                 {"taskid": task["id"], "musicpath": path})
        assert started == task["id"]
        assert state_of(client, task["id"], ("readyforimport", "integrationfailed"))[
            "arguments"]["state"] == "readyforimport"
        client.wait_for(task_packet(task["id"], lambda p: p["arguments"]["state"] == "remove"))
        assert (server_music(server) / path).read_bytes() == data
    import_album(client, albumpath, songs[0])
    assert_album_shown(server, client, albumpath, songs)
    assert os.listdir(os.path.join(server.home, "data", "uploads")) == []


def server_music(server):
    from pathlib import Path
    return Path(server.home) / "music"


@needs_ffmpeg
def test_a_zipped_album_is_unpacked_integrated_and_imported(server, client, album_source):
    root, albumpath, songs = album_source
    data = zip_directory(root / albumpath, prefix="Album/")
    end = upload(client, data, "album.zip", mimetype="application/zip")
    assert end["arguments"]["state"] == "readyforintegration"
    task = end["arguments"]["task"]
    assert sorted(task["annotations"]["files"]) == sorted(
        "Album/" + path.rsplit("/", 1)[1] for path in songs)
    client.request("InitiateContentIntegration",
                   {"taskid": task["id"], "musicpath": albumpath + "/album.zip"})
    assert state_of(client, task["id"], ("readyforimport", "integrationfailed"))[
        "arguments"]["state"] == "readyforimport"
    import_album(client, albumpath, songs[0])
    assert_album_shown(server, client, albumpath, songs)


def test_a_wrong_checksum_fails_the_upload_and_nothing_is_integrated(server, client):
    data = os.urandom(1_000_000)
    taskid = start_upload(client, data, "01 Song.mp3", checksum="0" * 40)
    end = send_chunks(client, data, taskid)
    assert end["fncsig"] == "InternalError"
    assert end["arguments"]["state"] == "uploadfailed"
    assert end["arguments"]["message"] == "Checksum mismatch"
    client.wait_for(task_packet(taskid, lambda p: p["arguments"]["state"] == "remove"))
    assert client.request("InitiateContentIntegration",
                          {"taskid": taskid, "musicpath": "A/2000 - B/01 Song.mp3"}) in (None, False)
    assert os.listdir(server_music(server)) == []


def test_two_uploads_at_once_are_both_complete(server, client):
    first, second = os.urandom(900_000), os.urandom(1_300_000)
    one = start_upload(client, first, "01 One.flac")
    two = start_upload(client, second, "02 Two.flac")
    pending, ended = {one: first, two: second}, {}
    while len(ended) < 2:
        packet = client.wait_for(lambda p: p.get("fncname") == TASK)
        arguments = packet["arguments"]
        data = pending[arguments["taskid"]]
        if packet["fncsig"] == "ChunkRequest":
            offset = arguments["offset"]
            client.send("call", "UploadChunk", {"taskid": arguments["taskid"], "chunkdata":
                                                data[offset:offset + 409600].hex()})
        elif arguments["state"] == "readyforintegration":
            ended[arguments["taskid"]] = arguments["task"]
    uploads = os.path.join(server.home, "data", "uploads")
    for taskid, data in pending.items():
        with open(os.path.join(uploads, ended[taskid]["uploadpath"]), "rb") as handle:
            assert handle.read() == data


@pytest.mark.parametrize("taskid", ["../../etc/passwd", "a/b", "x" * 40, "..", ""])
def test_hostile_task_ids_never_become_files(server, client, taskid):
    data = b"payload"
    tasks = os.path.join(server.home, "data", "tasks")
    client.send("request", "InitiateUpload", {
        "taskid": taskid, "mimetype": "", "contenttype": "albumfile", "filesize": len(data),
        "checksum": sha1(data), "filename": "x.mp3"}, "UploadingContent")
    assert client.error()["fncname"] == "MusicDB:Error"
    assert os.listdir(os.path.join(server.home, "data", "uploads")) == []
    for name in os.listdir(tasks):   # only the server's own tasks (artwork scales at start)
        if name.endswith(".json"):
            with open(os.path.join(tasks, name)) as handle:
                assert json.load(handle)["type"] != "upload"
    assert sorted(os.listdir(server.home)) == ["data", "music", "musicdb.ini", "server.log"]


def test_hostile_checksums_and_unknown_tasks_are_refused(server, client):
    data = b"payload"
    client.send("request", "InitiateUpload", {
        "taskid": sha1(data), "mimetype": "", "contenttype": "albumfile",
        "filesize": len(data), "checksum": "../../x", "filename": "x.mp3"}, "UploadingContent")
    assert client.error()["fncname"] == "MusicDB:Error"
    client.send("call", "UploadChunk", {"taskid": "f" * 40, "chunkdata": "00"})
    refusal = client.wait_for(lambda p: p.get("fncname") == TASK)
    assert refusal["fncsig"] == "InternalError"
    assert refusal["arguments"] == {"taskid": None, "offset": None, "chunksize": None,
                                    "state": "notexisting", "task": None,
                                    "message": "Invalid Task ID"}


def test_uploads_of_types_not_allowed_are_refused(tmp_path):
    server = ServerProcess(tmp_path / "home", extra="[uploads]\nallow = artwork\n")
    client = Client(server)
    try:
        data = b"payload"
        taskid = start_upload(client, data, "x.mp3")
        refusal = client.wait_for(lambda p: p.get("fncname") == TASK)
        assert refusal["arguments"]["message"] == "Upload of albumfile not allowed"
        assert client.answer("UploadingContent")["arguments"] == taskid
        assert client.request("GetCurrentTasks")["albumfiles"] == []
    finally:
        client.close()
        server.stop()


def test_an_upload_survives_kill_9_and_resumes_after_the_restart(tmp_path):
    data = os.urandom(3_000_000)
    home = tmp_path / "home"
    server = ServerProcess(home)
    client = Client(server, timeout=30)
    taskid = start_upload(client, data, "01 Song.mp3")
    send_chunks(client, data, taskid, stop_after=len(data) // 2)
    client.close()
    server.kill()
    server = ServerProcess(home)
    client = Client(server, timeout=30)
    try:
        client.send("call", "UploadChunk", {"taskid": taskid, "chunkdata": ""})
        request = client.wait_for(task_packet(taskid))
        assert request["fncsig"] == "ChunkRequest", request
        assert request["arguments"]["offset"] >= len(data) // 2
        client.send("call", "UploadChunk", {"taskid": taskid, "chunkdata": ""})
        end = send_chunks(client, data, taskid)
        assert end["arguments"]["state"] == "readyforintegration"
    finally:
        client.close()
        server.stop()


def test_files_of_no_task_are_removed_at_the_start_after_a_kill_9(tmp_path):
    """kill -9 in the middle of two uploads; one's task file is lost, and a half unpacked
    archive of no task is left: the restart deletes those and says so in the log, and
    keeps the other upload, which then completes."""
    home = tmp_path / "home"
    server = ServerProcess(home)
    client = Client(server, timeout=30)
    kept, lost = os.urandom(2_000_000), os.urandom(1_500_000)
    kept_id = start_upload(client, kept, "01 Kept.mp3")
    send_chunks(client, kept, kept_id, stop_after=800_000)
    lost_id = start_upload(client, lost, "02 Lost.mp3")
    send_chunks(client, lost, lost_id, stop_after=800_000)
    client.close()
    server.kill()
    uploads = home / "data" / "uploads"
    (home / "data" / "tasks" / f"{lost_id}.json").unlink()
    unpacked = uploads / f"albumfile-{'e' * 40}.d" / "Album"
    unpacked.mkdir(parents=True)
    (unpacked / "01 Half.mp3").write_bytes(b"half")
    assert len(os.listdir(uploads)) == 3
    server = ServerProcess(home)
    client = Client(server, timeout=30)
    try:
        assert os.listdir(uploads) == [f"albumfile-{kept_id}.mp3"]
        assert "Removed 2 entries" in server.log() and "belong to no task" in server.log()
        client.send("call", "UploadChunk", {"taskid": kept_id, "chunkdata": ""})
        assert send_chunks(client, kept, kept_id)["arguments"]["state"] == "readyforintegration"
    finally:
        client.close()
        server.stop()


def test_an_integration_killed_midway_is_finished_after_the_restart(tmp_path):
    """A task file left in ``integrating`` with a hidden half copy: the restart completes it."""
    home = tmp_path / "home"
    server = ServerProcess(home)
    server.stop()
    data = os.urandom(500_000)
    taskid = plant_integrating_task(home, data, "Band/2020 - Album/01 A.mp3")
    target = home / "music" / "Band" / "2020 - Album"
    target.mkdir(parents=True)
    (target / f".{taskid}.musicdb-upload").write_bytes(data[:1000])
    server = ServerProcess(home)
    try:
        assert poll(lambda: not (home / "data" / "tasks" / f"{taskid}.json").exists(), 30)
    finally:
        server.stop()
    assert (target / "01 A.mp3").read_bytes() == data
    assert sorted(os.listdir(target)) == ["01 A.mp3"]


@needs_ffmpeg
def test_an_artwork_upload_replaces_the_artwork_of_an_existing_album(
        server, client, album_source):
    from PIL import Image
    import io
    root, albumpath, songs = album_source
    for path in songs:
        target = server_music(server) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((root / path).read_bytes())
    import_album(client, albumpath, songs[0])
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 30, 30)).save(buffer, "PNG")
    data = buffer.getvalue()
    taskid = start_upload(client, data, "cover.png", contenttype="artwork",
                          mimetype="image/png")
    client.send("call", "AnnotateUpload", {"taskid": taskid, "musictype": "album",
                                           "musicpath": albumpath})
    end = send_chunks(client, data, taskid)
    assert end["arguments"]["task"]["annotations"]["musicpath"] == albumpath
    client.send("call", "InitiateContentIntegration",
                {"taskid": taskid, "musicpath": albumpath})
    state_of(client, taskid, ("importingartwork",))
    assert state_of(client, taskid, ("importcomplete", "importfailed"))[
        "arguments"]["state"] == "importcomplete"
    row = album_row(server, albumpath)
    artwork = os.path.join(server.home, "data", "webdata", "artwork")
    with Image.open(os.path.join(artwork, row["artworkpath"])) as image:
        assert image.getpixel((10, 10))[0] > 150
    for scale in SCALES:
        with Image.open(os.path.join(artwork, f"{scale}x{scale}", row["artworkpath"])) as image:
            assert max(image.size) == min(scale, 1200)


@pytest.mark.parametrize("entry", ["../../../evil.mp3", "/tmp/evil.mp3", "bomb"])
def test_hostile_archives_end_as_invalid_content(server, client, tmp_path, entry):
    """Traversal, absolute names and a zip bomb: invalidcontent, nothing unpacked or integrated."""
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if entry == "bomb":
            archive.writestr("Album/zeros.mp3", b"\0" * (50 << 20))
        else:
            archive.writestr(entry, b"evil")
    end = upload(client, buffer.getvalue(), "album.zip")
    assert end["fncsig"] == "InternalError"
    assert end["arguments"]["state"] == "invalidcontent"
    client.wait_for(task_packet(end["arguments"]["taskid"],
                                lambda p: p["arguments"]["state"] == "remove"))
    assert not os.path.exists(os.path.join(server.home, "evil.mp3"))
    assert not os.path.exists("/tmp/evil.mp3")
    assert os.listdir(server_music(server)) == []


def test_a_chunk_that_cannot_be_stored_is_refused_with_the_cause(tmp_path):
    """A full disk: the upload fails with the reason, and the sender hears the cause."""
    from tests.faults import tmpfs
    home = tmp_path / "home"
    (home / "data" / "uploads").mkdir(parents=True)
    with tmpfs(home / "data" / "uploads", size="1m"):
        server = ServerProcess(home)
        client = Client(server, timeout=30)
        try:
            data = os.urandom(3_000_000)
            end = upload(client, data, "01 Big.mp3")
            assert end["fncsig"] == "InternalError"
            assert end["arguments"]["state"] == "uploadfailed"
            assert end["arguments"]["message"].startswith("Writing data failed with error:")
            assert "full" in end["arguments"]["message"].lower()
            assert "full" in client.error()["arguments"]["message"].lower()
        finally:
            client.close()
            server.stop()


def test_integration_never_replaces_a_file_in_the_music_directory(server, client):
    existing = server_music(server) / "Band" / "2020 - Album" / "01 Song.mp3"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"the original")
    data = os.urandom(10_000)
    end = upload(client, data, "01 Song.mp3")
    taskid = end["arguments"]["taskid"]
    client.request("InitiateContentIntegration",
                   {"taskid": taskid, "musicpath": "Band/2020 - Album/01 Song.mp3"})
    message = client.wait_for(task_packet(taskid, lambda p: p["fncsig"] == "InternalError"))
    assert message["arguments"]["message"] == "File already exists in the music directory"
    assert state_of(client, taskid, ("integrationfailed",))
    assert existing.read_bytes() == b"the original"
    for musicpath in ("../outside.mp3", "/tmp/outside.mp3", "Band/../../outside.mp3"):
        assert client.request("InitiateContentIntegration",
                              {"taskid": taskid, "musicpath": musicpath}) in (None, False)


def test_upload_limits_and_switched_off_uploads_are_refused(tmp_path):
    server = ServerProcess(tmp_path / "home", extra="[uploads]\nmaxfilesize = 1000\n")
    client = Client(server)
    try:
        start_upload(client, os.urandom(2000), "x.mp3")
        assert "1000" in client.error()["arguments"]["message"]
    finally:
        client.close()
        server.stop()
    server = ServerProcess(tmp_path / "home2", extra="[uploads]\nallow = ,\n")
    client = Client(server)
    try:
        start_upload(client, b"x", "x.mp3")
        refusal = client.wait_for(lambda p: p.get("fncname") == TASK)
        assert refusal["arguments"]["message"] == "Uploads deactivated"
    finally:
        client.close()
        server.stop()


def test_imports_of_unknown_or_hostile_paths_fail_cleanly(server, client):
    """A music import of nothing fails with MusicDB 8's message; artwork imports from
    outside the music and uploads directories are not even created."""
    taskid = client.request("InitiateMusicImport", {"contenttype": "album",
                                                    "contentpath": "../../etc"})
    message = client.wait_for(task_packet(taskid, lambda p: p["fncsig"] == "InternalError"))
    assert message["arguments"]["message"] == "Importing album failed"
    assert state_of(client, taskid, ("importfailed",))
    assert client.request("InitiateMusicImport", {"contenttype": "song",
                                                  "contentpath": "A/B"}) is None
    for source in ("/etc/passwd", "../../../etc/passwd", "A/2000 - B/01 C.mp3"):
        assert client.request("InitiateArtworkImport", {"sourcepath": source,
                                                        "targetpath": "A/2000 - B"}) is None


def test_a_file_system_scan_reports_new_and_lost_paths(server, client):
    album = server_music(server) / "Band" / "2020 - Album"
    album.mkdir(parents=True)
    (album / "01 Song.mp3").write_bytes(b"not really music")
    taskid = client.request("InitiateFilesystemScan")
    first = client.wait_for(task_packet(taskid))
    assert first["arguments"]["state"] == "scanningfs"   # startfsscan is silent
    done = state_of(client, taskid, ("fsscancomplete", "fsscanfailed"))
    annotations = done["arguments"]["task"]["annotations"]
    assert annotations["lostpaths"] == {"artists": [], "albums": [], "songs": [], "videos": []}
    new = annotations["newpaths"]
    assert new["artists"] == [{"path": "Band"}]
    assert new["albums"] == [{"path": "Band/2020 - Album"}]
    assert [entry["path"] for entry in new["songs"]] == ["Band/2020 - Album/01 Song.mp3"]
    assert len(new["songs"][0]["checksum"]) == 64
    assert new["filteredsongs"] == []
    assert done["arguments"]["tasklist"]["any"][0]["id"] == taskid
