"""The Subsonic API of a real server over HTTP: both formats, auth, errors, media, annotations."""

import json
import os
import time
import xml.etree.ElementTree as ElementTree

import pytest

from tests.support import TEST_USER, Client, create_account, make_library_home
from tests.mdbapi.subsonic.support import (APP_PASSWORD, NS, answer, call, create_apikey,
                                           error_code, json_plain, ok, raw, set_app_password,
                                           token_auth, xml_plain)


@pytest.fixture(scope="module")
def home(tmp_path_factory, demo_library):
    home = make_library_home(tmp_path_factory.mktemp("subsonic") / "home", demo_library)
    set_app_password(home)
    database = home.database()
    try:  # a genre on every album, a sub-genre on one, another genre on one song
        rock, jazz = database.add_tag("Rock", 1), database.add_tag("Jazz", 1)
        for album in database.get_albums():
            database.set_tag_mapping("album", album["id"], rock, 1.0, 1)
        database.set_tag_mapping("song", database.get_table("songs")[0]["id"], jazz, 1.0, 1)
    finally:
        database.close()
    return home


def first_album(server):
    return ok(server, "getAlbumList2", {"type": "alphabeticalByName", "size": 1})[
        "albumList2"]["album"][0]


def first_song(server):
    return ok(server, "getAlbum", {"id": first_album(server)["id"]})["album"]["song"][0]


# -- the envelope and both formats --------------------------------------------------------

def test_ping_answers_the_opensubsonic_envelope(server):
    response = ok(server, "ping")
    assert response["version"] == "1.16.1" and response["type"] == "musicdb"
    assert response["openSubsonic"] is True and response["serverVersion"]


def test_view_suffix_and_form_post_reach_the_same_endpoint(server):
    assert ok(server, "ping.view")["status"] == "ok"
    assert ok(server, "getLicense", method="POST")["license"]["valid"] is True


def test_xml_is_the_default_format(server):
    status, headers, body = call(server, "ping", fmt=None)
    assert status == 200 and headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(body)
    assert root.tag == NS + "subsonic-response" and root.get("status") == "ok"
    assert root.get("openSubsonic") == "true"


@pytest.mark.parametrize("name,params", [
    ("getArtists", {}), ("getIndexes", {}), ("getGenres", {}), ("getMusicFolders", {}),
    ("getAlbumList2", {"type": "alphabeticalByArtist", "size": 500}),
    ("getAlbumList", {"type": "newest"}), ("search3", {"query": ""}), ("search2", {"query": ""}),
    ("getOpenSubsonicExtensions", {}), ("getStarred2", {}), ("getUser", {}),
    ("getArtistInfo2", {"id": "ar-1"}), ("getAlbumInfo2", {"id": "al-1"})])
def test_xml_parses_strictly_and_carries_what_json_carries(server, name, params):
    _, _, xml_body = call(server, name, params, fmt="xml")
    _, _, json_body = call(server, name, params, fmt="json")
    root = ElementTree.fromstring(xml_body)
    from_json = json.loads(json_body)["subsonic-response"]
    assert xml_plain(root) == json_plain(from_json)


def test_album_and_song_xml_match_json(server):
    album = first_album(server)
    for name, params in (("getAlbum", {"id": album["id"]}),
                         ("getArtist", {"id": album["artistId"]}),
                         ("getMusicDirectory", {"id": album["id"]}),
                         ("getSong", {"id": first_song(server)["id"]})):
        _, _, xml_body = call(server, name, params, fmt="xml")
        _, _, json_body = call(server, name, params, fmt="json")
        assert xml_plain(ElementTree.fromstring(xml_body)) == \
            json_plain(json.loads(json_body)["subsonic-response"])


def test_lists_are_arrays_even_with_one_entry(server):
    answer_ = ok(server, "getAlbumList2", {"type": "newest", "size": 1})
    assert isinstance(answer_["albumList2"]["album"], list)
    empty = ok(server, "search3", {"query": "zzzznothing"})["searchResult3"]
    assert empty == {"artist": [], "album": [], "song": []}


def test_required_fields_are_present(server):
    for artist in ok(server, "getArtists")["artists"]["index"][0]["artist"]:
        assert {"id", "name", "albumCount"} <= set(artist)
    album = ok(server, "getAlbum", {"id": first_album(server)["id"]})["album"]
    assert {"id", "name", "songCount", "duration", "created"} <= set(album)
    assert album["songCount"] == len(album["song"]) > 0
    for song in album["song"]:
        assert {"id", "isDir", "title"} <= set(song) and song["isDir"] is False
        assert song["id"].startswith("tr-") and song["albumId"] == album["id"]


# -- authentication ------------------------------------------------------------------------

def test_password_in_clear_and_hex_encoded_in_any_case(server):
    base = {"u": TEST_USER, "v": "1.16.1", "c": "tests"}
    encoded = APP_PASSWORD.encode("utf-8").hex()
    for password in (APP_PASSWORD, "enc:" + encoded, "enc:" + encoded.upper()):
        assert ok(server, "ping", auth=dict(base, p=password))


def test_wrong_password_and_unknown_user_are_the_same_error_40(server):
    wrong = error_code(server, "ping", auth=token_auth(password="wrong-password"))
    unknown = error_code(server, "ping", auth=token_auth(user="nobody"))
    plain = error_code(server, "ping", auth={"u": TEST_USER, "p": "nope", "v": "1", "c": "x"})
    assert wrong == unknown == plain == 40
    body = [call(server, "ping", auth=auth)[2] for auth in (
        token_auth(password="wrong-password"), token_auth(user="nobody"))]
    assert body[0] == body[1]


def test_the_login_password_is_not_an_app_password(server):
    from tests.support import TEST_PASSWORD
    assert error_code(server, "ping", auth=token_auth(password=TEST_PASSWORD)) == 40


@pytest.mark.parametrize("missing", ["u", "v", "c"])
def test_missing_u_v_or_c_is_error_10(server, missing):
    auth = token_auth()
    del auth[missing]
    assert error_code(server, "ping", auth=auth) == 10
    assert error_code(server, "ping", auth=auth, fmt="xml") == 10


def test_api_key_authenticates_and_token_info_names_the_user(server, home):
    key = create_apikey(home, "phone")
    auth = {"apiKey": key, "v": "1.16.1", "c": "tests"}
    assert ok(server, "tokenInfo", auth=auth)["tokenInfo"]["username"] == TEST_USER
    assert error_code(server, "ping", auth=dict(auth, u=TEST_USER)) == 43
    assert error_code(server, "ping", auth=dict(auth, apiKey="unknown-key")) == 44


def test_an_account_without_app_password_gets_40_and_the_log_says_how_to_set_it(server, home):
    create_account(home.home, "nopass", "long-enough-password")
    assert error_code(server, "ping", auth=token_auth(user="nopass")) == 40
    assert "musicdb subsonic password nopass" in server.log()


def test_extensions_answer_without_authentication(server):
    response = ok(server, "getOpenSubsonicExtensions", auth={})
    names = {entry["name"] for entry in response["openSubsonicExtensions"]}
    assert {"apiKeyAuthentication", "formPost"} <= names


def test_rest_needs_no_session_but_other_routes_still_do(server):
    status, _, _ = raw(server, "GET", "/musicdb/webdata/config.js")
    assert status == 401


# -- errors and hostile input --------------------------------------------------------------

@pytest.mark.parametrize("bad", ["", "tr-0", "tr-01", "al-x", "tr-99999999999999999999",
                                 "../../etc/passwd", "tr-1\x00", "TR-1", "tr-1-xyz", "al-1-", "1"])
def test_malformed_or_unknown_ids_are_error_70_or_10(server, bad):
    expected = 10 if bad == "" else 70
    for name in ("getSong", "stream", "download", "getAlbum", "getCoverArt"):
        assert error_code(server, name, {"id": bad}) == expected, name


def test_ids_that_do_not_exist_are_70(server):
    for name, bad in (("getSong", "tr-999999"), ("getAlbum", "al-999999"),
                      ("getArtist", "ar-999999"), ("stream", "tr-999999"),
                      ("getCoverArt", "al-999999-abcd"), ("star", "tr-999999")):
        assert error_code(server, name, {"id": bad}) == 70, name


def test_binary_endpoints_fail_in_the_requested_format(server):
    assert error_code(server, "stream", {"id": "al-1"}, fmt="xml") == 70
    status, headers, _ = call(server, "stream", {"id": "nope"}, fmt="json")
    assert status == 200 and headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("params", [
    {"size": "-1"}, {"size": "abc"}, {"offset": "-5"}, {"size": "1" * 5000}])
def test_bad_counts_are_error_0(server, params):
    assert error_code(server, "getAlbumList2", dict(params, type="random")) == 0


def test_huge_counts_are_capped_at_500(server):
    songs = ok(server, "search3", {"query": "", "songCount": 10**15})["searchResult3"]["song"]
    assert 0 < len(songs) <= 500
    assert ok(server, "getRandomSongs", {"size": 10**17})["randomSongs"]["song"]


def test_hostile_requests_get_no_500_and_no_traceback(server):
    long_query = "x" * 6000
    for name, params in (("search3", {"query": long_query}), ("getCoverArt", {"size": "9" * 40}),
                         ("getCoverArt", {"id": "al-1", "size": "-3"}),
                         ("getLyrics", {"artist": "\x01\ufffe", "title": "<&>"}),
                         ("getAlbumList2", {"type": "byYear", "fromYear": "x"}),
                         ("getAlbumList2", {"type": "nonsense"}), ("nonexistent", {}),
                         ("scrobble", {"id": "tr-1", "time": "9" * 30})):
        status, _, body = call(server, name, params)
        assert status == 200, (name, body[:200])
        json.loads(body)
    status, _, _ = raw(server, "GET", "/rest/ping?" + "&".join("a%d=1" % i for i in range(2000)))
    assert status in (200, 414)
    status, _, body = raw(server, "GET", "/rest/search3?f=xml&query=%ED%A0%80%01%FF")
    assert status == 200 and ElementTree.fromstring(body) is not None
    status, _, _ = raw(server, "DELETE", "/rest/ping")
    assert status in (200, 405)
    assert "Traceback" not in server.log()


def test_secrets_never_reach_the_log(server, home):
    key = create_apikey(home, "secret-check")
    auth = token_auth(salt="saltsaltsalt")
    ok(server, "ping", auth=auth)
    ok(server, "ping", auth={"u": TEST_USER, "p": APP_PASSWORD, "v": "1", "c": "t"})
    ok(server, "ping", auth={"u": TEST_USER, "p": "enc:" + APP_PASSWORD.encode().hex(),
                             "v": "1", "c": "t"})
    ok(server, "ping", auth={"apiKey": key, "v": "1", "c": "t"})
    error_code(server, "ping", auth=dict(auth, t="f" * 32))
    log = server.log()
    for secret in (auth["t"], auth["s"], APP_PASSWORD, APP_PASSWORD.encode().hex(), key,
                   "f" * 32):
        assert secret not in log
    assert "/rest/ping" in log  # the access log is written, masked


# -- lists, search, browsing ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["random", "newest", "highest", "frequent", "recent",
                                  "alphabeticalByName", "alphabeticalByArtist", "starred",
                                  "byYear", "byGenre"])
def test_every_album_list_type_answers(server, kind):
    params = {"type": kind, "size": 5, "fromYear": 1900, "toYear": 2100, "genre": "Rock"}
    for name, key in (("getAlbumList2", "albumList2"), ("getAlbumList", "albumList")):
        albums = ok(server, name, params)[key]["album"]
        assert isinstance(albums, list) and len(albums) <= 5


def test_album_lists_page_by_offset(server):
    everything = ok(server, "getAlbumList2", {"type": "alphabeticalByName", "size": 500})
    names = [a["id"] for a in everything["albumList2"]["album"]]
    page = ok(server, "getAlbumList2", {"type": "alphabeticalByName", "size": 2, "offset": 1})
    assert [a["id"] for a in page["albumList2"]["album"]] == names[1:3]


def test_empty_search_returns_everything_in_a_stable_order(server):
    first = ok(server, "search3", {"query": '""', "songCount": 500})["searchResult3"]
    again = ok(server, "search3", {"query": "", "songCount": 3, "songOffset": 2})["searchResult3"]
    assert [s["id"] for s in again["song"]] == [s["id"] for s in first["song"]][2:5]
    assert len(first["song"]) == len({s["id"] for s in first["song"]}) > 5


def test_search_matches_word_prefixes_ignoring_case_and_accents(server):
    song = first_song(server)
    words = song["title"].split()
    query = " ".join(w[:2].upper() for w in words) + "*"
    found = ok(server, "search3", {"query": query, "songCount": 500})["searchResult3"]["song"]
    assert song["id"] in [s["id"] for s in found]
    nothing = ok(server, "search3", {"query": words[0] + "qqq"})["searchResult3"]["song"]
    assert song["id"] not in [s["id"] for s in nothing]


def test_genres_and_songs_by_genre_agree(server):
    genres = ok(server, "getGenres")["genres"]["genre"]
    assert genres
    genre = genres[0]
    songs = ok(server, "getSongsByGenre", {"genre": genre["value"], "count": 500})
    assert len(songs["songsByGenre"]["song"]) == genre["songCount"]
    assert {g["value"] for g in genres} == {"Rock", "Jazz"}
    assert ok(server, "getAlbumList2", {"type": "byGenre", "genre": "Rock"})["albumList2"]["album"]


def test_directories_lead_from_artist_to_songs(server):
    indexes = ok(server, "getIndexes")["indexes"]["index"]
    artist = indexes[0]["artist"][0]
    directory = ok(server, "getMusicDirectory", {"id": artist["id"]})["directory"]
    album = directory["child"][0]
    assert album["isDir"] is True
    songs = ok(server, "getMusicDirectory", {"id": album["id"]})["directory"]["child"]
    assert songs and all(s["isDir"] is False for s in songs)


def test_similar_songs_come_from_tracker_relations(server, home):
    album = ok(server, "getAlbum", {"id": first_album(server)["id"]})["album"]
    one = int(album["song"][0]["id"][3:])
    other_album = ok(server, "getAlbumList2", {"type": "alphabeticalByName", "size": 2})
    other = ok(server, "getAlbum", {"id": other_album["albumList2"]["album"][1]["id"]})
    two = int(other["album"]["song"][0]["id"][3:])
    from musicdb.lib.db.trackerdb import TrackerDatabase
    tracker = TrackerDatabase(str(home.data / "tracker.db"))
    try:
        tracker.add_relation("song", one, two)
    finally:
        tracker.close()
    similar = ok(server, "getSimilarSongs", {"id": "tr-%d" % one})["similarSongs"]["song"]
    assert [s["id"] for s in similar] == ["tr-%d" % two]
    assert ok(server, "getSimilarSongs2", {"id": album["artistId"]})["similarSongs2"]


# -- media ---------------------------------------------------------------------------------

def _song_file(home, song):
    return os.path.join(str(home.music), song["path"])


def test_stream_and_download_send_the_original_file(server, home):
    song = first_song(server)
    with open(_song_file(home, song), "rb") as handle:
        data = handle.read()
    for name in ("stream", "download"):
        status, headers, body = call(server, name, {"id": song["id"]}, fmt=None)
        assert status == 200 and body == data
        assert headers["content-length"] == str(len(data)) == str(song["size"])
        assert headers["content-type"] == song["contentType"] and headers["etag"]


def test_stream_answers_one_range_416_and_head(server, home):
    song = first_song(server)
    size = os.path.getsize(_song_file(home, song))
    status, headers, body = call(server, "stream", {"id": song["id"]}, fmt=None,
                                 headers={"Range": "bytes=10-19"})
    assert status == 206 and len(body) == 10
    assert headers["content-range"] == "bytes 10-19/%d" % size
    status, headers, _ = call(server, "stream", {"id": song["id"]}, fmt=None,
                              headers={"Range": "bytes=%d-" % (size + 5)})
    assert status == 416
    status, headers, body = call(server, "stream", {"id": song["id"]}, fmt=None, method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(size)


def test_cover_art_is_the_smallest_stored_scale_at_least_the_size(server, home):
    album = first_album(server)
    detail = ok(server, "getAlbum", {"id": album["id"]})["album"]
    assert detail["coverArt"].startswith(album["id"] + "-")
    status, headers, original = call(server, "getCoverArt", {"id": detail["coverArt"]}, fmt=None)
    assert status == 200 and headers["content-type"] == "image/jpeg"
    artwork = home.data / "webdata" / "artwork"
    names = [n for n in os.listdir(artwork / "150x150")] if (artwork / "150x150").is_dir() else []
    status, _, small = call(server, "getCoverArt", {"id": detail["coverArt"], "size": 100},
                            fmt=None)
    assert status == 200
    if names:
        candidates = [(artwork / "150x150" / n).read_bytes() for n in names] + \
            [(artwork / "default.jpg").read_bytes()]
        assert small in candidates
    status, _, huge = call(server, "getCoverArt", {"id": detail["coverArt"], "size": 100000},
                           fmt=None)
    assert huge == original


def test_lyrics_endpoints_answer_even_without_lyrics(server):
    song = first_song(server)
    assert "lyricsList" in ok(server, "getLyricsBySongId", {"id": song["id"]})
    assert "lyrics" in ok(server, "getLyrics", {"artist": song["artist"], "title": song["title"]})


# -- annotations ---------------------------------------------------------------------------

def _websocket_song(server, songid):
    client = Client(server)
    try:
        return client.request("GetSong", {"songid": songid})["song"]
    finally:
        client.close()


def test_starring_a_song_is_the_webui_love_and_unstar_clears_it(server):
    song = first_song(server)
    number = int(song["id"][3:])
    ok(server, "star", {"id": song["id"]})
    assert _websocket_song(server, number)["favorite"] == 1
    assert ok(server, "getSong", {"id": song["id"]})["song"]["starred"]
    starred = ok(server, "getStarred2")["starred2"]["song"]
    assert song["id"] in [s["id"] for s in starred]
    ok(server, "unstar", {"id": song["id"]})
    assert _websocket_song(server, number)["favorite"] == 0
    assert "starred" not in ok(server, "getSong", {"id": song["id"]})["song"]


def test_album_and_artist_stars_ratings_and_scrobbles_feed_the_lists(server):
    album = first_album(server)
    ok(server, "star", {"albumId": album["id"], "artistId": album["artistId"]})
    ok(server, "setRating", {"id": album["id"], "rating": 4})
    song = ok(server, "getAlbum", {"id": album["id"]})["album"]["song"][0]
    later = str((int(time.time()) + 3600) * 1000)  # after any other test's scrobble
    for _ in range(3):
        ok(server, "scrobble", {"id": song["id"], "submission": "true", "time": later})
    starred = ok(server, "getStarred2")["starred2"]
    assert album["id"] in [a["id"] for a in starred["album"]]
    assert album["artistId"] in [a["id"] for a in starred["artist"]]
    for kind in ("starred", "highest", "frequent", "recent"):
        listed = ok(server, "getAlbumList2", {"type": kind})["albumList2"]["album"]
        assert listed[0]["id"] == album["id"], kind
    assert ok(server, "getSong", {"id": song["id"]})["song"]["playCount"] >= 1
    assert error_code(server, "setRating", {"id": album["id"], "rating": 9}) == 0
    ok(server, "unstar", {"albumId": album["id"], "artistId": album["artistId"]})
    assert ok(server, "getStarred2")["starred2"]["album"] == []


# -- protocol versions and endpoints we do not offer -------------------------------------

@pytest.mark.parametrize("version,code", [("0.9.0", 20), ("2.0.0", 30), ("abc", 0),
                                          ("1.16.1.1", 0), ("1.x", 0)])
def test_client_versions_we_cannot_serve_are_refused(server, version, code):
    assert error_code(server, "ping", auth=dict(token_auth(), v=version)) == code
    assert error_code(server, "ping", auth=dict(token_auth(), v=version), fmt="xml") == code


def test_older_and_newer_minor_versions_of_our_major_are_served(server):
    for version in ("1.1.0", "1.13", "1.16.1", "1.99.0"):
        assert ok(server, "ping", auth=dict(token_auth(), v=version))


@pytest.mark.parametrize("name", ["getPodcasts", "getShares", "jukeboxControl", "getBookmarks",
                                  "createUser", "startScan", "getScanStatus", "hls",
                                  "getVideos", "getChatMessages", "search.view"])
def test_endpoints_we_do_not_offer_answer_not_supported_after_auth(server, name):
    response = answer(server, name)
    assert response["status"] == "failed" and response["error"]["code"] == 0
    assert "not supported" in response["error"]["message"]
    assert error_code(server, name, auth=token_auth(password="wrong-password")) == 40


def test_the_extensions_list_what_the_server_does(server):
    names = {e["name"] for e in ok(server, "getOpenSubsonicExtensions",
                                   auth={})["openSubsonicExtensions"]}
    assert names == {"apiKeyAuthentication", "formPost", "indexBasedQueue", "songLyrics",
                     "transcodeOffset"}


# -- media details: every Range form, cover art caching and sizes, streams are no plays -----

def test_stream_answers_suffix_and_open_ranges_byte_exact(server, home):
    song = first_song(server)
    with open(_song_file(home, song), "rb") as handle:
        data = handle.read()
    size = len(data)
    for header, start, end in (("bytes=-7", size - 7, size - 1), ("bytes=%d-" % (size - 9),
                                                                   size - 9, size - 1),
                               ("bytes=0-0", 0, 0)):
        status, headers, body = call(server, "stream", {"id": song["id"]}, fmt=None,
                                     headers={"Range": header})
        assert status == 206 and body == data[start:end + 1], header
        assert headers["content-range"] == "bytes %d-%d/%d" % (start, end, size)
        assert headers["content-length"] == str(end - start + 1)


def test_cover_art_answers_304_to_its_etag_and_any_size_costs_no_file(server, home):
    cover = ok(server, "getAlbum", {"id": first_album(server)["id"]})["album"]["coverArt"]
    status, headers, original = call(server, "getCoverArt", {"id": cover}, fmt=None)
    assert status == 200 and headers["etag"] and headers["cache-control"]
    status, _, body = call(server, "getCoverArt", {"id": cover}, fmt=None,
                           headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    artwork = home.data / "webdata" / "artwork"
    before = sorted(str(p) for p in artwork.rglob("*"))
    for size in ("0", str(10**12)):
        status, headers, body = call(server, "getCoverArt", {"id": cover, "size": size},
                                     fmt=None)
        assert status == 200 and headers["content-type"] == "image/jpeg" and body == original
    for size in ("-1", "big", "9" * 30):
        assert error_code(server, "getCoverArt", {"id": cover, "size": size}) == 0
    assert sorted(str(p) for p in artwork.rglob("*")) == before


def test_streaming_is_no_play_but_a_scrobble_is(server):
    song = ok(server, "getAlbumList2", {"type": "alphabeticalByName", "size": 2})
    album = ok(server, "getAlbum", {"id": song["albumList2"]["album"][-1]["id"]})["album"]
    target = album["song"][-1]
    plays = ok(server, "getSong", {"id": target["id"]})["song"].get("playCount", 0)
    lastplayed = _websocket_song(server, int(target["id"][3:]))["lastplayed"]
    for name in ("stream", "download"):
        status, _, _ = call(server, name, {"id": target["id"]}, fmt=None)
        assert status == 200
    assert ok(server, "getSong", {"id": target["id"]})["song"].get("playCount", 0) == plays
    assert _websocket_song(server, int(target["id"][3:]))["lastplayed"] == lastplayed
    ok(server, "scrobble", {"id": target["id"]})
    assert ok(server, "getSong", {"id": target["id"]})["song"]["playCount"] == plays + 1
