"""The OpenSubsonic schemas and XML against JSON, over HTTP on a real server.

The same calls as the in-process check (tests/mdbapi/subsonic/test_schemas.py),
on the demo library of every format with genres, lyrics, a tracker relation,
stars, ratings, plays and a long song playing on the live stream; one server
for the whole module.
"""

from types import SimpleNamespace

import pytest

from musicdb.lib.db.trackerdb import TrackerDatabase
from tests.mdbapi.subsonic.schemas import (LIST_PARAMS, LIST_TYPES, changing_calls,
                                           check_answer, check_answers, formats_agree,
                                           random_lists_agree, reading_calls, schema_registry)
from tests.mdbapi.subsonic.support import call, create_apikey, ok, set_app_password
from tests.support import Client, ServerProcess, make_library_home, poll
from tests.support.media import encode_song, needs_ffmpeg

pytestmark = needs_ffmpeg
LONG_SONG = "Long Band/2021 - Long/01 Long Tone.mp3"


def _stock(home):
    """Genres, lyrics, a relation and a 5 minute song in the database: the names and IDs."""
    encode_song(str(home.music / LONG_SONG), seconds=300, bitrate="32k")
    database = home.database()
    try:
        album = database.get_albums()[0]
        songs = database.get_album_songs(album["id"])
        other = database.get_album_songs(database.get_albums()[1]["id"])[0]
        rock, jazz = database.add_tag("Rock", 1), database.add_tag("Jazz", 1)
        for each in database.get_albums():
            database.set_tag_mapping("album", each["id"], rock, 1.0, 1)
        database.set_tag_mapping("song", songs[0]["id"], jazz, 1.0, 1)
        database.set_lyrics(songs[0]["id"], "first line\nsecond line", 1)
        artist = database.add_artist("Long Band", "Long Band")
        long_album = database.add_album(artist, "Long", "Long Band/2021 - Long", 2021, "CD", 0)
        playing = database.add_song(long_album, artist, "Long Tone", LONG_SONG, 1, 1, 300,
                                    32000, "")
        artist_name = database.get_artist(album["artistid"])["name"]
    finally:
        database.close()
    tracker = TrackerDatabase(str(home.data / "tracker.db"))
    try:
        tracker.add_relation("song", songs[0]["id"], other["id"])
    finally:
        tracker.close()
    return {"artist": "ar-%d" % album["artistid"], "album": "al-%d" % album["id"],
            "song": "tr-%d" % songs[0]["id"], "playing": "tr-%d" % playing,
            "artist_name": artist_name, "song_title": songs[0]["name"]}


def _annotate_and_play(server, ids):
    """Stars, ratings and a play through the API; the long song on the live stream."""
    ok(server, "star", {"id": ids["song"]})
    ok(server, "star", {"albumId": ids["album"], "artistId": ids["artist"]})
    ok(server, "setRating", {"id": ids["album"], "rating": 4})
    ok(server, "setRating", {"id": ids["artist"], "rating": 3})
    ok(server, "scrobble", {"id": ids["song"], "time": str(1700000000 * 1000)})
    control = Client(server)
    try:
        control.request("AddSongToQueue", {"songid": int(ids["playing"][3:]),
                                           "position": "last"})
        control.send("call", "SetAudioStreamState", {"state": "play"})
    finally:
        control.close()

    def playing():
        entries = ok(server, "getNowPlaying")["nowPlaying"]["entry"]
        return [e["id"] for e in entries] == [ids["playing"]]
    assert poll(playing, timeout=20), ok(server, "getNowPlaying")


@pytest.fixture(scope="module")
def stocked(tmp_path_factory, demo_library):
    """The real server of this module (``.server``), its home and the IDs of :func:`_stock`."""
    home = make_library_home(tmp_path_factory.mktemp("schemas") / "home", demo_library)
    set_app_password(home)
    ids = _stock(home)
    server = ServerProcess(home.home)
    try:
        _annotate_and_play(server, ids)
        yield SimpleNamespace(server=server, home=home, ids=ids)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def registry():
    pytest.importorskip("jsonschema")
    return schema_registry()


@pytest.fixture(scope="module")
def fetch(stocked):
    """``fetch(name, params, fmt)`` -> the body of one call over HTTP (status 200)."""
    def get(name, params, fmt):
        status, _, body = call(stocked.server, name, params, fmt)
        assert status == 200, (name, body[:300])
        return body
    return get


def test_the_lists_under_test_are_not_empty(stocked):
    """The checks below see real entries, not only empty arrays."""
    server, ids = stocked.server, stocked.ids
    assert ok(server, "getSimilarSongs", {"id": ids["song"]})["similarSongs"]["song"]
    starred = ok(server, "getStarred2")["starred2"]
    assert starred["artist"] and starred["album"] and starred["song"]
    lyrics = ok(server, "getLyricsBySongId", {"id": ids["song"]})["lyricsList"]
    assert lyrics["structuredLyrics"]
    for kind in LIST_TYPES:
        albums = ok(server, "getAlbumList2", dict(LIST_PARAMS, type=kind))["albumList2"]
        assert albums["album"], kind


def test_every_reading_answer_fits_the_opensubsonic_schemas(stocked, fetch, registry):
    check_answers(registry, fetch, reading_calls(stocked.ids))


def test_every_changing_answer_fits_the_opensubsonic_schemas(stocked, fetch, registry):
    check_answers(registry, fetch, changing_calls(stocked.ids))


def test_token_info_fits_the_schema(stocked, registry):
    key = create_apikey(stocked.home, "schema-check")
    auth = {"apiKey": key, "v": "1.16.1", "c": "tests"}
    _, _, body = call(stocked.server, "tokenInfo", auth=auth)
    check_answer(registry, body, "tokenInfo", "tokenInfo", "TokenInfo.json")


def test_xml_answers_parse_strictly_and_carry_what_the_json_answers_carry(stocked, fetch):
    formats_agree(fetch, reading_calls(stocked.ids) + changing_calls(stocked.ids)[4:])


def test_random_lists_carry_the_same_in_both_formats(fetch):
    random_lists_agree(fetch)


def test_the_server_logged_no_traceback(stocked):
    assert "Traceback" not in stocked.server.log()
