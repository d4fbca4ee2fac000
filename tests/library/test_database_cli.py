"""``python musicdb.py database import|remove|check``: the command line end to end."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from musicdb.lib.demolib import generate_library, make_broken_file
from tests.library.fixtures import run_cli
from tests.support import ROOT, Client, ServerProcess, write_config, free_port


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


def test_killed_import_leaves_whole_albums_and_a_rerun_completes(tmp_path):
    """SIGKILL during an import leaves only complete albums; the next run adds the rest once."""
    home = tmp_path / "home"
    config = write_config(str(home), free_port())
    songs = generate_library(home / "music", songs=1500, seconds=1, formats=("mp3", "flac"))
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
               "database", "import", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        albums = poll_albums(home / "data" / "music.db", process)
    finally:
        process.kill()
        process.wait(10)
    assert 0 < albums < len({song["path"].rsplit("/", 1)[0] for song in songs})
    assert_whole_albums(home)
    rerun = run_cli(config, "database", "import")
    assert rerun.returncode == 0, rerun.stderr
    assert_whole_albums(home)
    database = sqlite3.connect(home / "data" / "music.db")
    paths = [row[0] for row in database.execute("SELECT path FROM songs")]
    database.close()
    assert sorted(paths) == sorted(song["path"] for song in songs)


def poll_albums(path, process, timeout=60):
    """The number of albums once the import committed its first one (polls the file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            found = database.execute("SELECT count(*) FROM albums").fetchone()[0]
            database.close()
        except sqlite3.Error:
            found = 0
        if found:
            process.send_signal(signal.SIGKILL)
            return found
        time.sleep(0.002)
    pytest.fail("the import committed no album before it ended")


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
