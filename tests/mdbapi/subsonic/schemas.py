"""The OpenSubsonic schema checks, shared by the in-process and the real-server tests.

* :func:`schema_registry`, :func:`validate_answer`: the OpenSubsonic project's
  OpenAPI schemas (carried in ``tests/data/opensubsonic-openapi``, no network).
* :func:`reading_calls`, :func:`changing_calls`: every endpoint the checks
  cover, as ``(endpoint, params, key, schema)``, on the IDs and names of a
  stocked library (``artist``, ``album``, ``song``, ``playing``,
  ``artist_name``, ``song_title``).
* :func:`check_answers`, :func:`formats_agree`, :func:`random_lists_agree`:
  the checks, on ``fetch(name, params, fmt)`` -> the body bytes of one call
  (HTTP 200), in-process or over HTTP.
"""

import json
import os
import xml.etree.ElementTree as ElementTree

from tests.mdbapi.subsonic.support import json_plain, xml_plain

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
        ("getTopSongs", {"artist": ids["artist_name"]}, "topSongs", "TopSongs.json"),
        ("getRandomSongs", {"size": 50}, "randomSongs", "Songs.json"),
        ("getSongsByGenre", {"genre": "Rock", "count": 50}, "songsByGenre", "Songs.json"),
        ("getStarred", {}, "starred", "Starred.json"),
        ("getStarred2", {}, "starred2", "Starred2.json"),
        ("getNowPlaying", {}, "nowPlaying", "NowPlaying.json"),
        ("search2", {"query": ""}, "searchResult2", "SearchResult2.json"),
        ("search3", {"query": ""}, "searchResult3", "SearchResult3.json"),
        ("search3", {"query": "song"}, "searchResult3", "SearchResult3.json"),
        ("getLyrics", {"artist": ids["artist_name"], "title": ids["song_title"]}, "lyrics",
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
    """Calls that change state (and answer no body); the last two can be repeated."""
    return [("star", {"id": ids["playing"]}, None, None),
            ("unstar", {"id": ids["playing"]}, None, None),
            ("setRating", {"id": ids["song"], "rating": 5}, None, None),
            ("setRating", {"id": ids["song"], "rating": 0}, None, None),
            ("scrobble", {"id": ids["song"], "submission": "false"}, None, None),
            ("scrobble", {"id": ids["song"]}, None, None)]


def check_answers(registry, fetch, calls):
    """Validate the JSON answer of every call, then fail with all misfits at once."""
    import jsonschema
    misfits = []
    for name, params, key, schema in calls:
        try:
            check_answer(registry, fetch(name, params, "json"), name, key, schema)
        except (AssertionError, jsonschema.ValidationError) as error:
            misfits.append("%s %s: %s" % (name, params, str(error).splitlines()[0]))
    assert not misfits, "\n".join(misfits)


def check_answer(registry, body, name, key, schema):
    """One JSON answer: failed for ``key`` "error", else ok; and it fits the schema."""
    answer = json.loads(body)
    status = answer["subsonic-response"]["status"]
    assert status == ("failed" if key == "error" else "ok"), (name, answer)
    validate_answer(registry, answer, key, schema)


def random_free(name, params):
    """False for calls that pick at random (two calls need not answer the same)."""
    return not (name == "getRandomSongs" or params.get("type") == "random")


def formats_agree(fetch, calls):
    """The XML answer, parsed strictly, carries what the JSON answer carries, for every
    call that does not pick at random.  XML is fetched once more when it differs, as an
    answer may change between two calls (the live stream's ``minutesAgo`` ticks): JSON must
    equal the XML answer just before or just after it."""
    for name, params, _, _ in calls:
        if not random_free(name, params):
            continue
        before = _xml(fetch, name, params)
        from_json = json_plain(json.loads(fetch(name, params, "json"))["subsonic-response"])
        if before != from_json:
            assert _xml(fetch, name, params) == from_json, name


def random_lists_agree(fetch):
    """One song of the only Jazz song, one album of a list of Rock albums: both formats must
    carry the same (for the album list, the same shape)."""
    for name, params in (("getRandomSongs", {"size": 1, "genre": "Jazz"}),
                         ("getAlbumList2", {"type": "random", "size": 1, "offset": 0,
                                            "genre": "Rock"})):
        from_xml = _xml(fetch, name, params)
        from_json = json_plain(json.loads(fetch(name, params, "json"))["subsonic-response"])
        if name == "getAlbumList2":  # several albums: compare the shape, not the pick
            from_xml["albumList2"][0].pop("album")
            from_json["albumList2"][0].pop("album")
        assert from_xml == from_json, name


def _xml(fetch, name, params):
    return xml_plain(ElementTree.fromstring(fetch(name, params, "xml")))


SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
                          "data", "opensubsonic-openapi")
SCHEMA_BASE = "https://opensubsonic.invalid/"


def schema_registry():
    """A ``referencing`` registry of the carried OpenSubsonic schemas (no network)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
    resources = []
    for folder, _, names in os.walk(SCHEMA_DIR):
        for name in names:
            if name.endswith(".json"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as handle:
                    contents = json.load(handle)
                uri = SCHEMA_BASE + os.path.relpath(path, SCHEMA_DIR).replace(os.sep, "/")
                resources.append((uri, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def _schema_ref(schema):
    if schema.endswith("[]"):
        return {"type": "array", "items": _schema_ref(schema[:-2])}
    return {"$ref": SCHEMA_BASE + "schemas/" + schema}


def validate_answer(registry, answer_json, key=None, schema=None):
    """Validate a whole JSON answer: a success with ``key`` of ``schema`` (e.g.
    ``"Playlist.json"``, or ``"Playlist.json[]"`` for an array of them), a success without
    body (``key`` None), or a failure (``key`` "error").

    Raises:
        jsonschema.ValidationError: the answer does not fit.
    """
    import jsonschema
    if key == "error":
        inner = {"$ref": SCHEMA_BASE + "schemas/SubsonicResponse/SubsonicFailureResponse.json"}
    else:
        inner = {"allOf": [{"$ref": SCHEMA_BASE +
                            "schemas/SubsonicResponse/SubsonicSuccessResponse.json"}]}
        if key is not None:
            inner["allOf"].append({"type": "object", "required": [key], "properties": {
                key: _schema_ref(schema)}})
    whole = {"type": "object", "required": ["subsonic-response"],
             "properties": {"subsonic-response": inner}}
    jsonschema.Draft202012Validator(whole, registry=registry,
                                    format_checker=_format_checker()).validate(answer_json)


def _format_checker():
    """jsonschema's checker, with ``date-time`` (RFC 3339) checked even where the optional
    package it uses for that is not installed."""
    import datetime
    import re
    import jsonschema
    checker = jsonschema.FormatChecker()
    pattern = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")

    @checker.checks("date-time", raises=ValueError)
    def date_time(value):
        if not isinstance(value, str):
            return True
        if not pattern.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    return checker
