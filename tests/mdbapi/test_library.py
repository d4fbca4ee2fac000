"""The cached list answers: encoded once, and never served after a write that changed them.

The cache of the library layer (``Library.answers``) keeps GetArtistsWithAlbums,
GetFilteredArtistsWithAlbums and GetAlbums as encoded JSON.  Its key holds the
genre filter, so a state change answers from a new entry; a library change
(LIBRARY_CHANGED, CACHES_UPDATED after SIGUSR1) empties it.
"""

import dataclasses
import json
import signal

import pytest

from musicdb.lib.ws import protocol
from musicdb.mdbapi import events, handlers
from musicdb.mdbapi.library import AnswerCache, Library

LISTS = [("GetArtistsWithAlbums", {}), ("GetFilteredArtistsWithAlbums", {}),
         ("GetAlbums", {"artistid": 0, "applyfilter": True})]


@pytest.fixture
def bus():
    return events.EventBus()


@pytest.fixture
def cached(app, bus):
    """``app`` with a library whose cache listens to ``bus``, as the server's does."""
    app.library = Library(app.database, app.mdbstate, app.mise)
    app.library.watch(bus)
    return app


def album_names(app, fncname, arguments):
    answer = json.loads(handlers.call(fncname, arguments, app))
    if fncname == "GetAlbums":
        return [entry["album"]["name"] for entry in answer]
    return [entry["album"]["name"] for artist in answer for entry in artist["albums"]]


# -- the cache on its own -------------------------------------------------------------

def test_an_unwatched_cache_builds_every_answer_afresh():
    cache, builds = AnswerCache(), []
    for _ in range(2):
        cache.get("key", lambda: builds.append(1) or "answer")
    assert len(builds) == 2 and len(cache) == 0


def test_a_watched_cache_builds_once_until_the_library_changes(bus):
    cache, builds = AnswerCache(), []
    cache.watch(bus)
    build = lambda: builds.append(1) or "answer"  # noqa: E731
    assert [cache.get("key", build) for _ in range(3)] == ["answer"] * 3 and len(builds) == 1
    bus.emit(events.SONGQUEUE_CHANGED)
    cache.get("key", build)
    assert len(builds) == 1
    for name in (events.LIBRARY_CHANGED, events.CACHES_UPDATED):
        bus.emit(name)
        cache.get("key", build)
    assert len(builds) == 3


def test_the_least_recently_used_answer_is_dropped_beyond_the_size(bus):
    cache = AnswerCache(size=2)
    cache.watch(bus)
    for key in ("a", "b", "a", "c"):
        cache.get(key, lambda key=key: key)
    assert cache.get("b", lambda: "rebuilt") == "rebuilt"
    assert cache.get("a", lambda: "rebuilt") == "rebuilt"  # "b" pushed it out again


def test_answers_beyond_the_character_budget_are_dropped_oldest_first(bus):
    cache = AnswerCache(max_chars=10)
    cache.watch(bus)
    cache.get("a", lambda: "x" * 6)
    cache.get("b", lambda: "y" * 4)
    cache.get("c", lambda: "z" * 3)
    assert len(cache) == 2 and cache.get("a", lambda: "rebuilt") == "rebuilt"
    assert cache.get("too big", lambda: "w" * 11) == "w" * 11 and len(cache) == 0


def test_an_answer_built_while_the_library_changed_is_not_kept(bus):
    cache = AnswerCache()
    cache.watch(bus)

    def build_during_a_change():
        bus.emit(events.LIBRARY_CHANGED)
        return "old"

    assert cache.get("key", build_during_a_change) == "old"
    assert cache.get("key", lambda: "new") == "new"


def test_a_dropped_cache_leaves_the_bus(bus):
    cache = AnswerCache()
    cache.watch(bus)
    del cache
    bus.emit(events.LIBRARY_CHANGED)
    assert bus._subscribers == []


# -- the handlers ---------------------------------------------------------------------

def test_list_answers_are_encoded_json_equal_to_an_uncached_answer(library, app, cached):
    band = library.add_artist("Bänd")
    library.add_album(band, "Röads")
    for fncname, arguments in LISTS:
        answer = handlers.call(fncname, arguments, cached)
        assert isinstance(answer, protocol.RawJSON)
        plain = handlers.call(fncname, arguments, dataclasses.replace(app, library=None))
        assert answer == plain and json.loads(answer)
        assert handlers.call(fncname, arguments, cached) is answer  # from the cache


@pytest.mark.parametrize("fncname, arguments", LISTS)
def test_a_library_changed_event_drops_the_cached_lists(library, cached, bus, fncname,
                                                        arguments):
    band = library.add_artist("Band")
    library.add_album(band, "First", release=2000)
    assert album_names(cached, fncname, arguments) == ["First"]
    library.add_album(band, "Second", release=2001)  # written without telling anyone
    assert album_names(cached, fncname, arguments) == ["First"]
    bus.emit(events.LIBRARY_CHANGED, None)
    assert album_names(cached, fncname, arguments) == ["First", "Second"]


@pytest.mark.parametrize("fncname, arguments", LISTS[1:])
def test_a_genre_filter_change_by_set_mdb_state_is_answered_at_once(library, cached,
                                                                   fncname, arguments):
    band = library.add_artist("Band")
    rock, jazz = library.add_tag("Rock"), library.add_tag("Jazz")
    library.tag("album", library.add_album(band, "Rocking", release=2000), rock)
    library.tag("album", library.add_album(band, "Swinging", release=2001), jazz)
    assert album_names(cached, fncname, arguments) == ["Rocking", "Swinging"]
    handlers.call("SetMDBState", {"category": "GenreFilter", "name": "Jazz", "value": True},
                  cached)
    assert album_names(cached, fncname, arguments) == ["Swinging"]
    handlers.call("SetMDBState", {"category": "GenreFilter", "name": "Jazz", "value": False},
                  cached)
    handlers.call("SetMDBState", {"category": "GenreFilter", "name": "Rock", "value": True},
                  cached)
    assert album_names(cached, fncname, arguments) == ["Rocking"]


def test_an_unfiltered_get_albums_ignores_the_genre_filter(library, cached):
    band = library.add_artist("Band")
    library.tag("album", library.add_album(band, "Rocking"), library.add_tag("Rock"))
    library.add_album(band, "Untagged")
    arguments = {"artistid": band, "applyfilter": False}
    before = album_names(cached, "GetAlbums", arguments)
    handlers.call("SetMDBState", {"category": "GenreFilter", "name": "Rock", "value": True},
                  cached)
    assert album_names(cached, "GetAlbums", arguments) == before == ["Rocking", "Untagged"]


# -- the real server ------------------------------------------------------------------

def request(client, fncname, arguments=None):
    return client.request(fncname, arguments, fncsig="cache")


def shown_albums(client):
    artists = request(client, "GetFilteredArtistsWithAlbums")
    return [album["album"]["name"] for artist in artists for album in artist["albums"]]


def test_the_server_shows_an_import_by_another_process_after_sigusr1(library, library_server,
                                                                     connect):
    band = library.add_artist("Band")
    library.add_album(band, "Old", release=2000)
    server = library_server()
    client = connect(server)
    assert shown_albums(client) == ["Old"]
    library.add_album(band, "Imported", release=2001)  # music.db as a CLI import writes it
    assert shown_albums(client) == ["Old"]               # served from the cache
    server.signal(signal.SIGUSR1)
    client.wait_for(lambda packet: packet.get("fncname") == "sys:refresh")
    assert shown_albums(client) == ["Old", "Imported"]


def test_the_server_applies_a_genre_filter_change_to_the_next_artists_list(
        library, library_server, connect):
    band = library.add_artist("Band")
    rock = library.add_tag("Rock")
    library.tag("album", library.add_album(band, "Rocking", release=2000), rock)
    library.add_album(band, "Untagged", release=2001)
    client = connect(library_server())
    assert shown_albums(client) == ["Rocking", "Untagged"]
    client.send("broadcast", "SetMDBState", {"category": "GenreFilter", "name": "Rock",
                                             "value": True}, fncsig="state")
    client.answer("state")
    assert shown_albums(client) == ["Rocking"]
