"""``python musicdb.py database import|remove|check``: the command line end to end."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from musicdb.demo.library import generate_library, make_broken_file
from musicdb.lib import importer
from tests.support import run_cli
from tests.support import ROOT, Client, ServerProcess, free_port, poll, write_config


def count(library, sql):
    database = library.database()
    try:
        return database.value(sql)
    finally:
        database.close()


def test_import_prints_the_summary_and_a_rerun_reports_unchanged(library_home):
    """The CLI imports the whole music directory; a second run adds nothing."""
    library = library_home(imported=False)
    total = len(library.songs)
    first = library.cli("database", "import")
    assert first.returncode == 0, first.stderr
    assert f"Import: {total} added, 0 updated, 0 unchanged, 0 failed" in first.stdout
    second = library.cli("database", "import")
    assert f"Import: 0 added, 0 updated, {total} unchanged, 0 failed" in second.stdout
    assert count(library, "SELECT count(*) FROM songs") == total


def test_import_lists_broken_files_and_fails_only_when_nothing_imports(tmp_path):
    """A broken file is named on stderr; exit code 1 only if no song could be imported."""
    home = tmp_path / "home"
    config = write_config(str(home), free_port())
    make_broken_file(home / "music" / "Band" / "2000 - Album" / "01 Broken.mp3")
    result = run_cli(config, "database", "import")
    assert result.returncode == 1
    assert "failed: Band/2000 - Album/01 Broken.mp3:" in result.stderr
    assert "0 added, 0 updated, 0 unchanged, 1 failed" in result.stdout
    generate_library(home / "music", songs=3, formats=("mp3",))
    result = run_cli(config, "database", "import")
    assert result.returncode == 0 and "3 added" in result.stdout and "1 failed" in result.stdout


def test_import_of_a_path_relative_to_the_music_directory(library_home):
    """``database import Artist`` imports one artist; the path is taken relative to the root."""
    library = library_home(imported=False)
    artist = library.songs[0]["artist"]
    result = library.cli("database", "import", artist)
    assert result.returncode == 0, result.stderr
    assert count(library, "SELECT count(*) FROM songs") == \
        sum(song["artist"] == artist for song in library.songs)


def test_import_lists_missing_songs_and_removes_them_only_when_asked(library_home):
    """A deleted file is listed as missing and kept; --remove-missing removes it and its album."""
    library = library_home()
    song = library.songs[0]["path"]
    album = song.rsplit("/", 1)[0]
    shutil.rmtree(library.music / album)
    listed = library.cli("database", "import")
    assert listed.returncode == 0, listed.stderr
    assert f"missing: {song}" in listed.stderr and "--remove-missing" in listed.stdout
    assert count(library, f"SELECT count(*) FROM songs WHERE path = '{song}'") == 1
    removed = library.cli("database", "import", "--remove-missing")
    assert removed.returncode == 0, removed.stderr
    assert "Removed" in removed.stdout and "missing songs" in removed.stdout
    assert count(library, f"SELECT count(*) FROM songs WHERE path = '{song}'") == 0
    assert count(library, f"SELECT count(*) FROM albums WHERE path = '{album}'") == 0
    assert ", 0 missing" in library.cli("database", "import").stdout


def test_import_on_a_pipe_prints_no_progress_bar(library_home):
    """stdout and stderr to a pipe or log file: no tqdm carriage returns, just the summary."""
    library = library_home(imported=False)
    result = library.cli("-q", "database", "import")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout + result.stderr and "song/s" not in result.stderr
    assert result.stdout.startswith("Import: ")


@pytest.mark.parametrize("stderr_too", [True, False], ids=["terminal", "stderr-to-a-log"])
def test_import_on_a_terminal_shows_a_progress_bar(library_home, stderr_too):
    """On a terminal (also one reporting no size) the bar shows the count and songs/s,
    also when stderr goes to a log file (``2>errors.log``) and only stdout is the terminal."""
    library = library_home(imported=False)
    output = run_on_terminal([sys.executable, os.path.join(ROOT, "musicdb.py"), "-q",
                              "--config", library.config, "database", "import"], stderr_too)
    total = len(library.songs)
    assert f"{total}/{total}" in output and "song/s" in output
    assert f"Import: {total} added" in output


def run_on_terminal(command, stderr_too=True, timeout=120):
    """Run ``command`` with stdout (and stderr) on a new pseudo-terminal; returns what
    it wrote there."""
    import pty
    master, slave = pty.openpty()
    stderr = slave if stderr_too else subprocess.DEVNULL
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=stderr)
    os.close(slave)
    output = b""
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not data:
                break
            output += data
        process.wait(timeout)
    finally:
        os.close(master)
        process.kill()
    return output.decode("utf-8", "replace")


def test_second_import_at_the_same_time_is_refused(library_home):
    """While one import runs (holds import.lock) another one stops at once, adding nothing."""
    from musicdb.lib.importer import exclusive_import
    library = library_home(imported=False)
    with exclusive_import(library.data):
        result = library.cli("database", "import")
    assert result.returncode == 1 and "another import" in result.stderr
    assert count(library, "SELECT count(*) FROM songs") == 0
    assert library.cli("database", "import").returncode == 0


def test_import_refuses_a_path_outside_the_music_directory(library_home, tmp_path):
    library = library_home(imported=False)
    result = library.cli("database", "import", str(tmp_path))
    assert result.returncode == 1 and "not inside the music directory" in result.stderr


def test_remove_deletes_an_album_from_the_database_but_not_its_files(library_home):
    """``database remove <album>`` drops the rows; the directory stays on disk."""
    library = library_home()
    album = library.songs[0]["path"].rsplit("/", 1)[0]
    result = library.cli("database", "remove", album)
    assert result.returncode == 0, result.stderr
    assert "kill -USR1" in result.stdout  # a running server needs to reload its caches
    assert count(library, f"SELECT count(*) FROM albums WHERE path = '{album}'") == 0
    assert count(library, f"SELECT count(*) FROM songs WHERE path LIKE '{album}/%'") == 0
    assert (library.music / library.songs[0]["path"]).is_file()
    assert library.cli("database", "remove", album).returncode == 1  # gone already


def test_check_accepts_a_valid_album_and_names_every_problem(library_home):
    """check: exit 0 for a valid album; badly named and broken files are listed, exit 1."""
    library = library_home(imported=False)
    album = library.songs[0]["path"].rsplit("/", 1)[0]
    good = library.cli("database", "check", album)
    assert good.returncode == 0 and "valid album path" in good.stdout
    make_broken_file(library.music / "Band" / "Untitled" / "Intro.mp3")
    bad = library.cli("database", "check", "Band/Untitled")
    assert bad.returncode == 1
    assert "Band/Untitled: album directory does not follow 'YYYY - Album'" in bad.stdout
    assert "Band/Untitled/Intro.mp3: file name does not follow" in bad.stdout
    assert bad.stdout.count("Band/Untitled/Intro.mp3") == 2  # naming and unreadable
    make_broken_file(library.music / "Band" / "2001 - Box" / "CD1" / "01 Deep.mp3")
    nested = library.cli("database", "check", "Band/2001 - Box")
    assert nested.returncode == 1 and "Band/2001 - Box/CD1/01 Deep.mp3: songs in a " \
        "sub-directory of an album are not imported" in nested.stdout


def test_names_that_are_not_utf8_are_listed_by_import_and_check(library_home):
    """import and check name Latin-1 paths readably (\\xe9) on a pipe and exit as usual."""
    from tests.lib.test_importer import add_latin1_names
    library = library_home(imported=False)
    add_latin1_names(library)
    result = library.cli("database", "import")
    assert result.returncode == 0, result.stderr
    assert "failed: Band/2000 - Caf\\xe9/01 Song.mp3: the file or directory name is not valid " \
        "UTF-8" in result.stderr
    assert f"{len(library.songs)} added, 0 updated, 0 unchanged, 2 failed" in result.stdout
    check = library.cli("database", "check", "Band")
    assert check.returncode == 1
    assert "Band/2000 - Caf\\xe9/01 Song.mp3: the file or directory name is not valid UTF-8" \
        in check.stdout
    refused = library.cli("database", "remove", os.fsdecode(b"Band/2000 - Caf\xe9"))
    assert refused.returncode == 1 and "not valid UTF-8" in refused.stderr


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT])
def test_killed_import_leaves_whole_albums_and_a_rerun_completes(tmp_path, signum):
    """SIGKILL or Ctrl-C during an import leaves only complete albums; the next run adds the
    rest once.  Ctrl-C ends with a one-line message and exit code 130, no traceback."""
    home = tmp_path / "home"
    config = write_config(str(home), free_port())
    songs = generate_library(home / "music", songs=24, seconds=1, formats=("mp3", "flac"))
    paused = tmp_path / "paused"
    # The importer's test hook stops it inside the transaction of its third album.
    env = dict(os.environ, **{importer.PAUSE_HOOK: f"3:{paused}"})
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "-q", "--config", config,
               "database", "import", "--workers", "1"]
    # Ctrl-C as at a terminal, also where the suite runs as a background job (a shell
    # starts those with SIGINT ignored, and a child would inherit that).
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=env, preexec_fn=_default_sigint)
    try:
        assert poll(lambda: paused.exists() or process.poll() is not None, timeout=120)
        assert paused.exists(), process.communicate()[1]
        process.send_signal(signum)
        stderr = process.communicate(timeout=60)[1]
    finally:
        process.kill()
        process.wait(10)
    if signum == signal.SIGINT:
        assert process.returncode == 130 and "Traceback" not in stderr
        assert "interrupted" in stderr
    assert_whole_albums(home)
    assert count_albums(home) == 2 < len({song["path"].rsplit("/", 1)[0] for song in songs})
    rerun = run_cli(config, "database", "import")
    assert rerun.returncode == 0, rerun.stderr
    assert_whole_albums(home)
    database = sqlite3.connect(home / "data" / "music.db")
    paths = [row[0] for row in database.execute("SELECT path FROM songs")]
    database.close()
    assert sorted(paths) == sorted(song["path"] for song in songs)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def count_albums(home):
    database = sqlite3.connect(home / "data" / "music.db")
    try:
        return database.execute("SELECT count(*) FROM albums").fetchone()[0]
    finally:
        database.close()


def assert_whole_albums(home):
    database = sqlite3.connect(home / "data" / "music.db")
    albums = database.execute("SELECT albumid, path, numofsongs FROM albums").fetchall()
    for albumid, path, numofsongs in albums:
        stored = database.execute("SELECT count(*) FROM songs WHERE albumid = ?",
                                  (albumid,)).fetchone()[0]
        files = len(os.listdir(home / "music" / path))
        assert stored == numofsongs == files, path
    orphans = database.execute("SELECT count(*) FROM songs WHERE albumid NOT IN "
                               "(SELECT albumid FROM albums)").fetchone()[0]
    database.close()
    assert orphans == 0


def test_running_server_shows_a_cli_import_after_sigusr1(library_home):
    """Import while the server runs, send SIGUSR1: clients get sys:refresh and see the artists."""
    library = library_home(imported=False)
    server = ServerProcess(library.home)
    client = Client(server, timeout=15)
    try:
        assert client.request("GetArtists") == []
        result = run_cli(server.config, "database", "import")
        assert result.returncode == 0, result.stderr
        server.signal(signal.SIGUSR1)
        client.wait_for(lambda packet: packet.get("fncname") == "sys:refresh")
        names = {artist["name"] for artist in client.request("GetArtists")}
        assert names == {song["artist"] for song in library.songs}
    finally:
        client.close()
        server.stop()


def add_load_library(library, songs):
    """Generate ``songs`` more files into the home's music directory under new artist names."""
    source = library.home / "load-source"
    generated = generate_library(source, songs=songs, seconds=1, formats=("mp3", "flac"), seed=7)
    for artist in os.listdir(source):
        os.rename(source / artist, library.music / f"Load {artist}")
    return len(generated)


class LoadClient(threading.Thread):
    """A client that sends ``calls`` in a loop until stopped; keeps answer times and errors."""

    def __init__(self, server, calls):
        super().__init__(daemon=True)
        self.client = Client(server, timeout=10)
        self.calls = calls
        self.stopped = threading.Event()
        self.answered, self.errors = [], []  # answered: monotonic times

    def run(self):
        number = 0
        while not self.stopped.is_set():
            fncname, arguments = self.calls[number % len(self.calls)]
            number += 1
            self.call(fncname, arguments, f"load-{number}")
        self.client.close()

    def call(self, fncname, arguments, fncsig):
        self.client.send("request", fncname, arguments, fncsig)
        try:
            packet = self.client.wait_for(lambda p: p.get("fncsig") == fncsig and p.get(
                "method") in ("response", "broadcast") or p.get("fncname") == "MusicDB:Error")
        except TimeoutError as error:
            self.errors.append(f"{fncname}: {error}")
            return
        if packet.get("fncname") == "MusicDB:Error":
            self.errors.append(f"{fncname}: {packet['arguments']}")
        self.answered.append(time.monotonic())


class LockProbe(threading.Thread):
    """A third writer on music.db that keeps how long each of its write transactions waited."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.stopped = threading.Event()
        self.waits = []  # (monotonic time, seconds until the write lock was held)

    def run(self):
        database = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        while not self.stopped.is_set():
            started = time.monotonic()
            database.execute("BEGIN IMMEDIATE")
            self.waits.append((started, time.monotonic() - started))
            database.execute("UPDATE albums SET hidden = hidden WHERE albumid = 1")
            database.execute("COMMIT")
            time.sleep(0.001)  # let the others have the lock
        database.close()


def test_cli_import_while_the_server_serves_readers_and_writers(library_home):
    """A CLI import of 2,000 songs beside a server under read and write load: no locked
    database on either side, no blocked event loop, only short write transactions."""
    library = library_home()
    added = add_load_library(library, 2000)
    # The import competes with the server for this 2-core machine (and other test runs),
    # so the loop may stall a little longer than 0.1 s without a lock being involved.
    server = ServerProcess(library.home, env={"GEVENT_MAX_BLOCKING_TIME": "1.0"})
    songid = count(library, "SELECT min(songid) FROM songs")
    readers = LoadClient(server, [("GetFilteredArtistsWithAlbums", None),
                                  ("GetAlbum", {"albumid": 1}),
                                  ("Find", {"searchstring": "Road", "limit": 5})])
    writer = LoadClient(server, [("UpdateSongStatistic", {"songid": songid, "statistic": "likes",
                                                         "modifier": "inc"})])
    probe = LockProbe(library.data / "music.db")
    try:
        for load in (readers, writer, probe):
            load.start()
        result = run_cli(server.config, "database", "import", "--workers", "1", timeout=300)
        ended = time.monotonic()
    finally:
        for load in (readers, writer, probe):
            load.stopped.set()
            load.join(30)
        log = server.log()
        server.stop()
    assert result.returncode == 0, result.stderr
    assert f"Import: {added} added, 0 updated" in result.stdout
    assert "locked" not in result.stderr + log
    assert readers.errors == [] and writer.errors == []
    seconds = float(re.search(r"songs in ([0-9.]+) s", result.stdout).group(1))
    assert len([t for t in writer.answered if t >= ended - seconds]) > 10
    waits = [wait for started, wait in probe.waits if started >= ended - seconds]
    assert len(waits) > 10 and max(waits) < 0.3
    assert count(library, f"SELECT likes FROM songs WHERE songid = {songid}") == \
        len(writer.answered)
