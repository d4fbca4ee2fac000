"""Every JSON answer fits the OpenSubsonic OpenAPI schemas, and XML carries what JSON carries.

The /rest/ app runs in-process on a small library where every list has entries
(genres, stars, ratings, plays, similar songs, lyrics, a song playing on the
live stream), so the schemas check real objects, not empty arrays.
"""

import pytest

from tests.mdbapi.subsonic.conftest import Home
from tests.mdbapi.subsonic.schemas import (LIST_PARAMS, LIST_TYPES, changing_calls,
                                           check_answer, check_answers, formats_agree,
                                           random_lists_agree, reading_calls, schema_registry)
from tests.mdbapi.subsonic.support import create_apikey


class PlayingStream:
    def state(self):
        return {"isconnected": True, "isplaying": True}

    def played_time(self):
        return 61.0


@pytest.fixture
def stocked(library, app, trackerdb, rest):
    """Two artists, three albums; genres, lyrics, a relation, stars, a rating, plays, a
    song on the live stream.  Returns the IDs as the API writes them."""
    first, second = library.add_artist("Ärtist <One>"), library.add_artist("Zed & Co")
    albums = [library.add_album(first, "Fïrst \"Album\"", release=1999),
              library.add_album(first, "Second", release=2005),
              library.add_album(second, "Third", release=2020)]
    songs = [library.add_song(album, "Song %d of %d" % (n, album), number=n)
             for album in albums for n in (1, 2)]
    rock, jazz = library.add_tag("Rock"), library.add_tag("Jazz")
    for album in albums:
        library.tag("album", album, rock)
    library.tag("song", songs[0], jazz)
    library.add_lyrics(songs[0], "first line\nsecond line")
    trackerdb.add_relation("song", songs[0], songs[4])
    app.songqueue.add(songs[1], "last")
    app.audiostream = PlayingStream()
    made = {"artist": "ar-%d" % first, "other_artist": "ar-%d" % second,
            "album": "al-%d" % albums[0], "song": "tr-%d" % songs[0],
            "playing": "tr-%d" % songs[1], "artist_name": "Ärtist <One>",
            "song_title": "Song 1 of %d" % albums[0]}
    assert rest("star", id=made["song"])["status"] == "ok"
    assert rest("star", albumId=made["album"], artistId=made["artist"])["status"] == "ok"
    assert rest("setRating", id=made["album"], rating=4)["status"] == "ok"
    assert rest("setRating", id=made["artist"], rating=3)["status"] == "ok"
    assert rest("scrobble", id=made["song"], time=str(1700000000 * 1000))["status"] == "ok"
    app.library.watch()  # as in the server: one catalog (one lastModified) until a change
    return made


@pytest.fixture(scope="module")
def registry():
    pytest.importorskip("jsonschema")
    return schema_registry()


@pytest.fixture
def fetch(rest_raw):
    """``fetch(name, params, fmt)`` -> the body of one in-process call."""
    return lambda name, params, fmt: rest_raw(name, fmt=fmt, **params)


def test_every_reading_answer_fits_the_opensubsonic_schemas(fetch, stocked, registry):
    check_answers(registry, fetch, reading_calls(stocked))


def test_every_changing_answer_fits_the_opensubsonic_schemas(fetch, stocked, registry):
    check_answers(registry, fetch, changing_calls(stocked))


def test_token_info_fits_the_schema(rest_raw, datadir, stocked, registry):
    key = create_apikey(Home(datadir), "phone")
    body = rest_raw("tokenInfo", auth={"apiKey": key, "v": "1.16.1", "c": "tests"})
    check_answer(registry, body, "tokenInfo", "tokenInfo", "TokenInfo.json")


def test_the_lists_under_test_are_not_empty(rest, stocked):
    """The schema checks above see real entries, not only empty arrays."""
    assert rest("getNowPlaying")["nowPlaying"]["entry"]
    assert rest("getSimilarSongs", id=stocked["song"])["similarSongs"]["song"]
    starred = rest("getStarred2")["starred2"]
    assert starred["artist"] and starred["album"] and starred["song"]
    assert rest("getLyricsBySongId", id=stocked["song"])["lyricsList"]["structuredLyrics"]
    for kind in LIST_TYPES:
        assert rest("getAlbumList2", type=kind, **LIST_PARAMS)["albumList2"]["album"], kind


def test_xml_answers_carry_what_the_json_answers_carry(fetch, stocked):
    formats_agree(fetch, reading_calls(stocked) + changing_calls(stocked)[4:])


def test_random_lists_carry_the_same_in_both_formats(fetch, stocked):
    random_lists_agree(fetch)
