"""Half-copies of integrated uploads in the music directory, with the real server: a
restart removes those a kill -9 left behind, and no scan or import takes one for music."""

import os
import shutil
import sqlite3
import tempfile
import uuid

import pytest

from musicdb.demo.library import generate_library
from musicdb.lib.halfcopies import name_of
from tests.support import run_cli
from tests.support.client import Client
from tests.support.media import needs_ffmpeg
from tests.support.server import ServerProcess, poll
from tests.support.uploads import plant_integrating_task, sha1, state_of, task_packet


@pytest.fixture
def home(tmp_path):
    """A server home whose music directory is on another file system if the machine has
    one (/dev/shm), so a resumed integration really copies through a half-copy."""
    home = tmp_path / "home"
    home.mkdir()
    if os.path.isdir("/dev/shm") and os.stat("/dev/shm").st_dev != os.stat(home).st_dev:
        elsewhere = tempfile.mkdtemp(dir="/dev/shm", prefix="musicdb-test-")
        (home / "music").symlink_to(elsewhere, target_is_directory=True)
        yield home
        shutil.rmtree(elsewhere)
    else:
        yield home


def plant(path, data=b"half"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_restart_removes_the_half_copies_of_no_running_integration(home, tmp_path):
    """kill -9 leftovers: half-copies of a task whose file is gone, of a UUID task, and of
    a task past its integration go; the resumed integration completes; a user's files
    with similar names, a symbolic link and what lies behind a linked directory stay."""
    ServerProcess(home).stop()   # creates the data directory
    music = home / "music"
    album = music / "Band" / "2020 - Album"
    data, waiting = os.urandom(300_000), os.urandom(1000)
    live = plant_integrating_task(home, data, "Band/2020 - Album/01 A.mp3")
    plant(album / name_of(live), data[:1000])
    past = plant_integrating_task(home, waiting, "Band/2019 - Old/01 B.mp3",
                                  state="readyforintegration")
    gone = sha1(b"a task whose file a kill -9 never wrote")
    orphans = [plant(music / "Band" / "2019 - Old" / name_of(past)),
               plant(music / "Other" / "2018 - Gone" / name_of(gone)),
               plant(music / name_of(str(uuid.uuid4())))]
    outside = plant(tmp_path / "outside" / name_of(gone), b"not ours")
    (music / "Other" / "Linked").symlink_to(outside.parent, target_is_directory=True)
    users = [plant(album / f".{gone}.musicdb-upload.bak", b"user"),
             plant(album / f"{gone}.musicdb-upload", b"user"),
             plant(album / f".{gone.upper()}.musicdb-upload", b"user"),
             plant(album / ".notes.musicdb-upload", b"user")]
    (album / name_of("d" * 40)).symlink_to(outside)
    server = ServerProcess(home)
    try:
        assert poll(lambda: not (home / "data" / "tasks" / f"{live}.json").exists(), 30)
        assert not any(path.exists() for path in orphans)
        log = server.log()
        assert f"Removed 3 half-copies of uploads from the music directory {music}" in log
        assert "Other/2018 - Gone/" + name_of(gone) in log
        assert (home / "data" / "tasks" / f"{past}.json").exists()
    finally:
        server.stop()
    assert (album / "01 A.mp3").read_bytes() == data
    assert all(path.read_bytes() == b"user" for path in users)
    assert outside.read_bytes() == b"not ours" and (album / name_of("d" * 40)).is_symlink()
    assert sorted(os.listdir(album)) == sorted(
        ["01 A.mp3", name_of("d" * 40)] + [path.name for path in users])


@pytest.fixture(scope="module")
def album_source(tmp_path_factory):
    root = tmp_path_factory.mktemp("half-copy-source")
    songs = generate_library(root, songs=2, formats=("mp3",), seconds=1)
    return root, [song["path"] for song in songs]


def song_paths(home):
    with sqlite3.connect(os.path.join(home, "data", "music.db")) as db:
        return sorted(row[0] for row in db.execute("SELECT path FROM songs"))


@needs_ffmpeg
def test_scans_and_imports_never_take_a_half_copy_for_music(tmp_path, album_source):
    """A half-copy holding a whole song next to the album's songs: the file-system scan
    does not report it, InitiateMusicImport and ``database import`` do not import it,
    and naming it directly is refused."""
    root, songs = album_source
    home = tmp_path / "home"
    for path in songs:
        plant(home / "music" / path, (root / path).read_bytes())
    albumpath = songs[0].rsplit("/", 1)[0]
    halfcopy = f"{albumpath}/{name_of(sha1(b'x'))}"
    plant(home / "music" / halfcopy, (root / songs[0]).read_bytes())
    server = ServerProcess(home)
    client = Client(server, timeout=30)
    try:
        taskid = client.request("InitiateFilesystemScan")
        done = state_of(client, taskid, ("fsscancomplete", "fsscanfailed"))
        new = done["arguments"]["task"]["annotations"]["newpaths"]
        assert sorted(entry["path"] for entry in new["songs"]) == sorted(songs)
        taskid = client.request("InitiateMusicImport", {"contenttype": "album",
                                                        "contentpath": albumpath})
        assert state_of(client, taskid, ("importcomplete", "importfailed"))[
            "arguments"]["state"] == "importcomplete"
        taskid = client.request("InitiateMusicImport", {"contenttype": "album",
                                                        "contentpath": halfcopy})
        assert client.wait_for(task_packet(taskid, lambda p: p["fncsig"] == "InternalError"))
        assert song_paths(home) == sorted(songs)
        whole, direct = (run_cli(server.config, "database", "import", *path)
                         for path in ((), (halfcopy,)))
        assert whole.returncode == 0, whole.stderr
        assert direct.returncode != 0 and "neither an artist" in direct.stderr
        assert song_paths(home) == sorted(songs)
    finally:
        client.close()
        server.stop()
