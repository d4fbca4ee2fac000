"""Every JSON answer fits the OpenSubsonic OpenAPI schemas, and XML carries what JSON carries.

The /rest/ app runs in-process on a small library where every list has entries
(genres, stars, ratings, plays, similar songs, lyrics, a song playing on the
live stream), so the schemas check real objects, not empty arrays.
"""

import json
import xml.etree.ElementTree as ElementTree

import pytest

from tests.mdbapi.subsonic.support import (create_apikey, json_plain, schema_registry,
                                           validate_answer, xml_plain)
from tests.mdbapi.subsonic.conftest import Home


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
            "playing": "tr-%d" % songs[1]}
    assert rest("star", id=made["song"])["status"] == "ok"
    assert rest("star", albumId=made["album"], artistId=made["artist"])["status"] == "ok"
    assert rest("setRating", id=made["album"], rating=4)["status"] == "ok"
    assert rest("setRating", id=made["artist"], rating=3)["status"] == "ok"
    assert rest("scrobble", id=made["song"], time=str(1700000000 * 1000))["status"] == "ok"
    app.library.watch()  # as in the server: one catalog (one lastModified) until a change
    return made


LIST_TYPES = ("random", "newest", "highest", "frequent", "recent", "alphabeticalByName",
              "alphabeticalByArtist", "starred", "byYear", "byGenre")
LIST_PARAMS = {"size": 5, "fromYear": 1900, "toYear": 2100, "genre": "Rock"}


def reading_calls(ids):
    """``(endpoint, params, key, schema)`` of every endpoint that only reads."""
    calls = [
        ("ping", {}, None, None),
        ("getLicense", {}, "license", "License.json"),
        ("getOpenSubsonicExtensions", {}, "openSubsonicExtensions",
         "OpenSubsonicExtension.json[]"),
        ("getMusicFolders", {}, "musicFolders", "MusicFolders.json"),
        ("getIndexes", {}, "indexes", "Indexes.json"),
        ("getMusicDirectory", {"id": ids["artist"]}, "directory", "Directory.json"),
        ("getMusicDirectory", {"id": ids["album"]}, "directory", "Directory.json"),
        ("getGenres", {}, "genres", "Genres.json"),
        ("getArtists", {}, "artists", "ArtistsID3.json"),
        ("getArtist", {"id": ids["artist"]}, "artist", "ArtistWithAlbumsID3.json"),
        ("getAlbum", {"id": ids["album"]}, "album", "AlbumID3WithSongs.json"),
        ("getSong", {"id": ids["song"]}, "song", "Child.json"),
        ("getArtistInfo", {"id": ids["artist"]}, "artistInfo", "ArtistInfo.json"),
        ("getArtistInfo2", {"id": ids["artist"]}, "artistInfo2", "ArtistInfo2.json"),
        ("getAlbumInfo", {"id": ids["album"]}, "albumInfo", "AlbumInfo.json"),
        ("getAlbumInfo2", {"id": ids["album"]}, "albumInfo", "AlbumInfo.json"),
        ("getSimilarSongs", {"id": ids["song"]}, "similarSongs", "SimilarSongs.json"),
        ("getSimilarSongs2", {"id": ids["artist"]}, "similarSongs2", "SimilarSongs2.json"),
        ("getTopSongs", {"artist": "Ärtist <One>"}, "topSongs", "TopSongs.json"),
        ("getRandomSongs", {"size": 50}, "randomSongs", "Songs.json"),
        ("getSongsByGenre", {"genre": "Rock", "count": 50}, "songsByGenre", "Songs.json"),
        ("getStarred", {}, "starred", "Starred.json"),
        ("getStarred2", {}, "starred2", "Starred2.json"),
        ("getNowPlaying", {}, "nowPlaying", "NowPlaying.json"),
        ("search2", {"query": ""}, "searchResult2", "SearchResult2.json"),
        ("search3", {"query": ""}, "searchResult3", "SearchResult3.json"),
        ("search3", {"query": "song"}, "searchResult3", "SearchResult3.json"),
        ("getLyrics", {"artist": "Ärtist <One>", "title": "Song 1 of 1"}, "lyrics",
         "Lyrics.json"),
        ("getLyrics", {"artist": "nobody", "title": "nothing"}, "lyrics", "Lyrics.json"),
        ("getLyricsBySongId", {"id": ids["song"]}, "lyricsList", "LyricsList.json"),
        ("getLyricsBySongId", {"id": ids["playing"]}, "lyricsList", "LyricsList.json"),
        ("getSong", {"id": "tr-999999"}, "error", None),
        ("getAlbum", {"id": "../etc"}, "error", None),
        ("getAlbumList2", {"type": "random", "size": -1}, "error", None),
    ]
    for kind in LIST_TYPES:
        calls.append(("getAlbumList", dict(LIST_PARAMS, type=kind), "albumList",
                      "AlbumList.json"))
        calls.append(("getAlbumList2", dict(LIST_PARAMS, type=kind), "albumList2",
                      "AlbumList2.json"))
    return calls


def changing_calls(ids):
    """Calls that change state (and answer no body)."""
    return [("star", {"id": ids["playing"]}, None, None),
            ("unstar", {"id": ids["playing"]}, None, None),
            ("setRating", {"id": ids["song"], "rating": 5}, None, None),
            ("setRating", {"id": ids["song"], "rating": 0}, None, None),
            ("scrobble", {"id": ids["song"], "submission": "false"}, None, None),
            ("scrobble", {"id": ids["song"]}, None, None)]


@pytest.fixture(scope="module")
def registry():
    pytest.importorskip("jsonschema")
    return schema_registry()


def _check(registry, body, name, key, schema):
    answer = json.loads(body)
    status = answer["subsonic-response"]["status"]
    assert status == ("failed" if key == "error" else "ok"), (name, answer)
    validate_answer(registry, answer, key, schema)


def _check_all(registry, rest_raw, calls):
    """Check every call, then fail with all misfits at once."""
    import jsonschema
    misfits = []
    for name, params, key, schema in calls:
        try:
            _check(registry, rest_raw(name, **params), name, key, schema)
        except (AssertionError, jsonschema.ValidationError) as error:
            misfits.append("%s %s: %s" % (name, params, str(error).splitlines()[0]))
    assert not misfits, "\n".join(misfits)


def test_every_reading_answer_fits_the_opensubsonic_schemas(rest_raw, stocked, registry):
    _check_all(registry, rest_raw, reading_calls(stocked))


def test_every_changing_answer_fits_the_opensubsonic_schemas(rest_raw, stocked, registry):
    _check_all(registry, rest_raw, changing_calls(stocked))


def test_token_info_fits_the_schema(rest_raw, datadir, stocked, registry):
    key = create_apikey(Home(datadir), "phone")
    body = rest_raw("tokenInfo", auth={"apiKey": key, "v": "1.16.1", "c": "tests"})
    _check(registry, body, "tokenInfo", "tokenInfo", "TokenInfo.json")


def test_the_lists_under_test_are_not_empty(rest, stocked):
    """The schema checks above see real entries, not only empty arrays."""
    assert rest("getNowPlaying")["nowPlaying"]["entry"]
    assert rest("getSimilarSongs", id=stocked["song"])["similarSongs"]["song"]
    starred = rest("getStarred2")["starred2"]
    assert starred["artist"] and starred["album"] and starred["song"]
    assert rest("getLyricsBySongId", id=stocked["song"])["lyricsList"]["structuredLyrics"]
    for kind in LIST_TYPES:
        assert rest("getAlbumList2", type=kind, **LIST_PARAMS)["albumList2"]["album"], kind


def _random_free(name, params):
    return not (name == "getRandomSongs" or params.get("type") == "random")


def test_xml_answers_carry_what_the_json_answers_carry(rest_raw, stocked):
    for name, params, _, _ in reading_calls(stocked) + changing_calls(stocked)[4:]:
        if not _random_free(name, params):
            continue
        from_xml = xml_plain(ElementTree.fromstring(rest_raw(name, fmt="xml", **params)))
        from_json = json_plain(json.loads(rest_raw(name, **params))["subsonic-response"])
        assert from_xml == from_json, name


def test_random_lists_carry_the_same_in_both_formats(rest_raw, stocked):
    """One album or song at a time, so both formats must pick the same one."""
    for name, params in (("getRandomSongs", {"size": 1, "genre": "Jazz"}),
                         ("getAlbumList2", {"type": "random", "size": 1, "offset": 0,
                                            "genre": "Rock"})):
        answers = {fmt: rest_raw(name, fmt=fmt, **params) for fmt in ("xml", "json")}
        from_xml = xml_plain(ElementTree.fromstring(answers["xml"]))
        from_json = json_plain(json.loads(answers["json"])["subsonic-response"])
        if name == "getAlbumList2":  # three albums: compare the shape, not the pick
            from_xml["albumList2"][0].pop("album")
            from_json["albumList2"][0].pop("album")
        assert from_xml == from_json, name
