"""The catalog snapshot is built off the event loop, once for all callers that wait for it."""

import os
import threading

import gevent
import gevent.event

from musicdb.mdbapi.catalog import SharedBuild, build_in_thread
from tests.mdbapi.subsonic.support import ok, set_app_password
from tests.support import ServerProcess, create_account
from tests.support.library import Library

SONGS = 20000


def _big_library(path, songs=SONGS):
    library = Library(path)
    try:
        with library.db.transaction():
            for artist in range(songs // 100):
                artistid = library.add_artist("Ärtist %d" % artist)
                for album in range(10):
                    albumid = library.add_album(artistid, "Älbum %d %d" % (artist, album))
                    for number in range(1, 11):  # many distinct words, as real names have
                        serial = (artist * 10 + album) * 10 + number
                        library.add_song(albumid, "Sòng %d Wörd%d Länge%d" % (
                            serial, serial % 997, serial * 7 % 4999), number, recount=False)
    finally:
        library.close()


def test_concurrent_callers_wait_for_one_build():
    started, release, builds = gevent.event.Event(), gevent.event.Event(), []

    def build():
        builds.append(1)
        started.set()
        release.wait()
        return len(builds)

    shared = SharedBuild(build)
    first = gevent.spawn(shared, 0)
    started.wait(5)
    others = [gevent.spawn(shared, 0) for _ in range(3)]
    gevent.sleep(0)
    release.set()
    gevent.joinall([first] + others, timeout=5)
    assert [g.value for g in [first] + others] == [1, 1, 1, 1] and builds == [1]
    assert shared(0) == 2  # the finished build is not reused: the cache keeps results


def test_a_new_token_does_not_join_a_build_of_older_data():
    release, values = gevent.event.Event(), iter(["old", "new"])

    def build():
        value = next(values)
        if value == "old":
            release.wait()
        return value

    shared = SharedBuild(build)
    old = gevent.spawn(shared, 1)
    gevent.sleep(0)
    assert shared(2) == "new"
    release.set()
    assert old.get(timeout=5) == "old"


def test_the_catalog_is_read_in_a_worker_thread_on_its_own_connection(tmp_path, monkeypatch):
    _big_library(str(tmp_path / "music.db"), songs=200)
    from musicdb.lib.db.musicdb import MusicDatabase
    from musicdb.mdbapi import catalog as catalog_module
    threads = []
    original = catalog_module.Catalog.__init__

    def spy(self, database):
        threads.append((threading.get_ident(), database))
        original(self, database)

    monkeypatch.setattr(catalog_module.Catalog, "__init__", spy)
    database = MusicDatabase(str(tmp_path / "music.db"))
    try:
        built = build_in_thread(database)
    finally:
        database.close()
    assert len(built.songs) == 200 and built.built > 0
    (ident, reader), = threads
    assert ident != threading.get_ident() and reader is not database


def test_building_the_catalog_of_20000_songs_does_not_block_the_server(tmp_path):
    """On the hub the build takes 0.3-0.7 s here; stop() fails on an "Event loop blocked"."""
    home = tmp_path / "home"
    os.makedirs(home / "data")
    os.makedirs(home / "music")
    _big_library(str(home / "data" / "music.db"))
    create_account(home)
    set_app_password(type("Home", (), {"data": home / "data"}))
    server = ServerProcess(home)
    try:
        artists = ok(server, "getArtists")["artists"]["index"]  # builds the catalog
        assert sum(len(group["artist"]) for group in artists) == SONGS // 100
        assert ok(server, "search3", {"query": "Sòng 1234", "songCount": 500})[
            "searchResult3"]["song"]
    finally:
        server.stop()
