"""A full disk, a read-only data directory and a second server, produced for real.

Every refused change is checked three ways: the caller gets a
``StorageError`` that names the cause, a second client hears of nothing,
and after a restart the server shows the last acknowledged state.
"""

import os
import sqlite3
import subprocess
import sys

import pytest

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.trackerdb import TrackerDatabase
from tests.faults import fill_up, read_only, tmpfs
from tests.support import ROOT, Client, ServerProcess, free_port, write_config

DEBUG = "[debug]\ndisableicecast = True\n"
QUIET = {"onTimeChanged"}  # the heartbeat, sent every second whatever happens
STARTED = []   # every server of the running test, killed at its end (stop() ran unless it failed)


@pytest.fixture(autouse=True)
def no_server_survives():
    yield
    while STARTED:
        STARTED.pop().kill()


def start_server(home):
    server = ServerProcess(home, extra=DEBUG)
    STARTED.append(server)
    return server


def add_songs(datadir, count=6):
    """Rows of a small library (no audio files: the stream is off); returns the song IDs."""
    database = MusicDatabase(os.path.join(datadir, "music.db"))
    try:
        artist = database.execute("INSERT INTO artists (name, path) VALUES ('Bänd', 'Bänd')")
        album = database.execute(
            "INSERT INTO albums (artistid, name, path, numofsongs, numofcds, origin, release, "
            "added, hidden) VALUES (?, 'Älbum', 'Bänd/2011 - Älbum', 0, 1, 'CD', 2011, "
            "1650000000, 0)", (artist.lastrowid,)).lastrowid
        return [database.execute(
            "INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, playtime, "
            "bitrate) VALUES (?, ?, ?, ?, ?, 1, 0, 200, 320000)",
            (album, artist.lastrowid, f"Söng {n}", f"Bänd/2011 - Älbum/{n:02d} Söng.mp3",
             n)).lastrowid for n in range(1, count + 1)]
    finally:
        database.close()


def error_of(client, fncname, arguments):
    """Send a request; returns the ``MusicDB:Error`` arguments it got (fails on an answer)."""
    client.send("request", fncname, arguments, fncsig=f"fault-{fncname}")
    packet = client.wait_for(lambda p: p.get("fncname") == "MusicDB:Error"
                             or p.get("fncsig") == f"fault-{fncname}")
    assert packet["fncname"] == "MusicDB:Error", f"{fncname} was answered: {packet}"
    return packet["arguments"]


def heard(client):
    """What ``client`` received before the answer to a Bounce it sends now (heartbeats aside)."""
    client.send("request", "Bounce", {"mark": 1}, fncsig="fault-mark")
    packets = []
    while True:
        packet = client.receive()
        if packet.get("fncsig") == "fault-mark":
            return packets
        if packet.get("fncsig") not in QUIET:
            packets.append(packet)


def changes(client, songid, queue):
    """Every state-changing call with arguments that would change something."""
    entryid, head = queue[-1]["entryid"], queue[0]["entryid"]
    webui = client.request("LoadWebUIConfiguration")
    webui["WebUI"]["lyrics"] = "disabled"
    randy = client.request("LoadRandyConfiguration")
    randy["Constraints"]["MinSongLength"] = 7
    return [("AddSongToQueue", {"songid": songid, "position": "last"}),
            ("AddAlbumToQueue", {"albumid": 1, "position": "next"}),
            ("MoveSongInQueue", {"entryid": entryid, "afterid": head}),
            ("RemoveSongFromQueue", {"entryid": entryid}),
            ("SetMDBState", {"category": "MusicDB", "name": "uimode", "value": "video"}),
            ("SaveWebUIConfiguration", {"config": webui}),
            ("SaveRandyConfiguration", {"config": randy})]


def snapshot(client):
    """What the changes touch; the stream URL names the port the client used, so it goes."""
    state = {name: client.request(name) for name in
             ("GetSongQueue", "LoadWebUIConfiguration", "LoadRandyConfiguration")}
    del state["LoadWebUIConfiguration"]["Stream"]["url"]
    return state | {"uimode": client.request("GetMDBState")["MusicDB"]["uimode"]}


def acknowledged_state(home):
    """A server on ``home`` with three queued songs: ``(server, caller, listener, songs)``."""
    os.makedirs(os.path.join(home, "data"), exist_ok=True)
    songs = add_songs(os.path.join(home, "data"))
    server = start_server(home)
    caller, listener = Client(server), Client(server)
    for songid in songs[:3]:
        caller.request("AddSongToQueue", {"songid": songid, "position": "last"})
    return server, caller, listener, songs


def check_refusals(server, caller, listener, songs, cause):
    before = snapshot(caller)
    heard(listener)
    for fncname, arguments in changes(caller, songs[4], before["GetSongQueue"]):
        error = error_of(caller, fncname, arguments)
        assert error["code"] == "StorageError", (fncname, error)
        assert cause in error["message"], (fncname, error)
        assert heard(listener) == [], fncname
    assert snapshot(caller) == before
    return before


def restarted_state(server, home):
    server.stop()
    again = start_server(home)
    client = Client(again)
    try:
        return snapshot(client)
    finally:
        client.close()
        again.stop()


def test_a_full_disk_refuses_every_change_and_a_restart_shows_the_acknowledged_state(tmp_path):
    """Disk full: each change is refused as "disk is full", nobody hears of it, nothing is lost."""
    home = tmp_path / "home"
    with tmpfs(home / "data", size="1m"):
        server, caller, listener, songs = acknowledged_state(home)
        filler = fill_up(home / "data")
        try:
            before = check_refusals(server, caller, listener, songs, "disk is full")
        finally:
            caller.close(), listener.close()
            os.remove(filler)
        assert "disk is full" in server.log()
        assert restarted_state(server, home) == before


def test_a_read_only_state_and_config_directory_refuses_changes(tmp_path):
    """Made read-only while the server runs: refused as "read-only", nothing announced or lost."""
    home = tmp_path / "home"
    server, caller, listener, songs = acknowledged_state(home)
    try:
        with read_only(home / "data" / "state"), read_only(home / "data" / "config"):
            before = check_refusals(server, caller, listener, songs, "read-only")
    finally:
        caller.close(), listener.close()
    assert restarted_state(server, home) == before


def add_related_media(datadir, songs):
    """Two videos, and relations between the first two songs and between the videos;
    returns the video IDs."""
    database = MusicDatabase(os.path.join(datadir, "music.db"))
    try:
        videos = [database.execute(
            "INSERT INTO videos (artistid, name, path, playtime, release, added) "
            "VALUES (1, ?, ?, 200, 2011, 1650000000)",
            (f"Vîdeo {n}", f"Bänd/Vîdeo {n}.mp4")).lastrowid for n in (1, 2)]
    finally:
        database.close()
    tracker = TrackerDatabase(os.path.join(datadir, "tracker.db"))
    try:
        tracker.add_relation("song", songs[0], songs[1])
        tracker.add_relation("video", *videos)
    finally:
        tracker.close()
    return videos


def statistics(client, songid, videoid):
    """The song's statistics and the relations of the song and the video."""
    song = client.request("GetSong", {"songid": songid})["song"]
    return {"song": {name: song[name] for name in ("likes", "dislikes", "favorite")},
            "songs": [(entry["song"]["id"], entry["weight"]) for entry in
                      client.request("GetSongRelationship", {"songid": songid})["songs"]],
            "videos": [(entry["video"]["id"], entry["weight"]) for entry in
                       client.request("GetVideoRelationship", {"videoid": videoid})["videos"]]}


def truncate_wals(datadir):
    """Checkpoint both databases and cut their write-ahead logs to nothing, so the
    server's next write must take new space (a WAL reuses its pages otherwise)."""
    for name in ("music.db", "tracker.db"):
        connection = sqlite3.connect(os.path.join(datadir, name))
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        assert busy == 0, f"{name} was busy at the checkpoint"
        assert os.path.getsize(os.path.join(datadir, name + "-wal")) == 0, name


def test_a_full_disk_refuses_statistics_and_cut_relationships(tmp_path):
    """A full disk after a checkpoint: each call is refused as "disk is full", nobody hears of
    it, and after a restart the statistics and relations are as last acknowledged."""
    home = tmp_path / "home"
    data = home / "data"
    with tmpfs(data, size="2m"):
        songs = add_songs(data)
        videos = add_related_media(data, songs)
        server = start_server(home)
        caller, listener = Client(server), Client(server)
        caller.send("request", "UpdateSongStatistic",
                    {"songid": songs[0], "statistic": "likes", "modifier": "inc"}, "fault-like")
        caller.answer("fault-like")   # acknowledged: the forced broadcast of GetSong
        before = statistics(caller, songs[0], videos[0])
        assert before["song"]["likes"] == 1 and before["songs"] and before["videos"]
        heard(listener)
        truncate_wals(data)
        filler = fill_up(data)
        try:
            for fncname, arguments in [
                    ("UpdateSongStatistic", {"songid": songs[0], "statistic": "likes",
                                             "modifier": "inc"}),
                    ("UpdateSongStatistic", {"songid": songs[0], "statistic": "favorite",
                                             "modifier": "love"}),
                    ("CutSongRelationship", {"songid": songs[0], "relatedsongid": songs[1]}),
                    ("CutVideoRelationship", {"videoid": videos[0],
                                              "relatedvideoid": videos[1]})]:
                error = error_of(caller, fncname, arguments)
                assert error["code"] == "StorageError", (fncname, error)
                assert "disk is full" in error["message"], (fncname, error)
                assert heard(listener) == [], fncname
            assert statistics(caller, songs[0], videos[0]) == before
        finally:
            caller.close(), listener.close()
            os.remove(filler)
        assert "Rejected request CutVideoRelationship" in server.log()
        server.stop()
        again = start_server(home)
        client = Client(again)
        try:
            assert statistics(client, songs[0], videos[0]) == before
        finally:
            client.close()
            again.stop()


def start_refusal(home, port=None):
    """Run ``musicdb server`` on ``home`` expecting it to refuse; returns its output."""
    config = write_config(str(home), port or free_port(), extra=DEBUG)
    result = subprocess.run([sys.executable, os.path.join(ROOT, "musicdb.py"), "--config",
                             config, "server"], capture_output=True, text=True, timeout=60,
                            cwd=str(home))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "MusicDB is running" not in output
    return output


def test_a_server_does_not_start_on_a_read_only_data_directory(tmp_path):
    """One line naming the directory and exit code 1, before anything listens."""
    home = tmp_path / "home"
    start_server(home).stop()   # a complete data directory
    with read_only(home / "data"):
        output = start_refusal(home)
    assert f"the data directory is read-only ({home / 'data'}" in output
    assert len([line for line in output.splitlines() if "musicdb:" in line]) == 1


def test_a_second_server_on_the_same_data_directory_is_refused_naming_the_first(tmp_path):
    """Different ports, one data directory: the second says which PID has it and exits."""
    home = tmp_path / "home"
    first = start_server(home)
    try:
        output = start_refusal(home)
        assert f"another MusicDB server (PID {first.proc.pid}) already uses" in output
        client = Client(first)
        assert client.request("Bounce", {"alive": True}) == {"alive": True}
        client.close()
    finally:
        first.stop()
    start_server(home).stop()   # the lock went with the first server


def test_a_killed_servers_temporary_file_is_removed_at_the_next_start(tmp_path):
    """A ``kill -9`` during a save leaves ``songqueue.csv.<pid>.<x>.musicdb-tmp``; it goes."""
    home = tmp_path / "home"
    start_server(home).stop()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    leftover = home / "data" / "state" / f"songqueue.csv.{dead}.k2j4x.musicdb-tmp"
    leftover.write_text("EntryID,SongID,IsRandom\r\n")
    server = start_server(home)
    server.stop()
    assert not leftover.exists()
    assert f"Removed {leftover}" in server.log()


@pytest.mark.parametrize("size", ["1m"])
def test_a_full_disk_at_start_is_one_clear_warning_not_a_refusal(tmp_path, size):
    """The library can still be played from a full disk; the log says why changes fail."""
    home = tmp_path / "home"
    with tmpfs(home / "data", size=size):
        start_server(home).stop()
        filler = fill_up(home / "data")
        try:
            server = start_server(home)
            server.stop()
        finally:
            os.remove(filler)
    warnings = [line for line in server.log().splitlines()
                if "disk is full" in line and "changes are refused" in line]
    assert len(warnings) == 1, server.log()
