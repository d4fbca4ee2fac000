"""The /rest/ WSGI app in-process on a small library: visibility, search, limiter, XML safety."""

import os
from types import SimpleNamespace

import pytest

from musicdb.mdbapi.subsonic import api, unsupported
from tests.mdbapi.subsonic.support import APP_PASSWORD, NS, token_auth
from tests.support import TEST_USER


@pytest.fixture
def shelf(library):
    """One artist with a visible and a hidden album; one song of the visible one disabled."""
    artist = library.add_artist("Mötley Çrüe")
    shown = library.add_album(artist, "Dr. Feelgood Ünplugged", release=1989)
    hidden = library.add_album(artist, "Secret Tapes", release=1990, hidden=1)
    songs = {"kept": library.add_song(shown, "Kickstart My Heart", number=1),
             "disabled": library.add_song(shown, "Sticky Sweet", number=2, disabled=1),
             "in_hidden": library.add_song(hidden, "Unreleased Demo", number=1)}
    return {"artist": artist, "shown": shown, "hidden": hidden, **songs}


def test_hidden_albums_and_disabled_songs_stay_out_of_lists_but_resolve(rest, shelf):
    everything = rest("search3", query="", songCount=500, albumCount=500)["searchResult3"]
    assert [s["id"] for s in everything["song"]] == ["tr-%d" % shelf["kept"]]
    assert [a["id"] for a in everything["album"]] == ["al-%d" % shelf["shown"]]
    for kind in ("random", "newest", "alphabeticalByName"):
        listed = rest("getAlbumList2", type=kind)["albumList2"]["album"]
        assert [a["id"] for a in listed] == ["al-%d" % shelf["shown"]]
    assert [s["id"] for s in rest("getRandomSongs", size=50)["randomSongs"]["song"]] == \
        ["tr-%d" % shelf["kept"]]
    assert rest("getArtists")["artists"]["index"][0]["artist"][0]["albumCount"] == 1
    assert rest("getAlbum", id="al-%d" % shelf["hidden"])["album"]["song"][0]["title"] == \
        "Unreleased Demo"
    assert rest("getSong", id="tr-%d" % shelf["disabled"])["song"]["title"] == "Sticky Sweet"


@pytest.mark.parametrize("query", ["kick", "KICKSTART heart", "HEA* kic", "my", '"kick"'])
def test_every_query_word_must_prefix_a_word(rest, shelf, query):
    songs = rest("search3", query=query)["searchResult3"]["song"]
    assert [s["id"] for s in songs] == ["tr-%d" % shelf["kept"]]


@pytest.mark.parametrize("query", ["start", "kick xyz", "heartz"])
def test_words_that_prefix_nothing_find_nothing(rest, shelf, query):
    assert rest("search3", query=query)["searchResult3"]["song"] == []


def test_search_ignores_case_and_accents(rest, shelf):
    assert rest("search3", query="motley crue")["searchResult3"]["artist"][0]["id"] == \
        "ar-%d" % shelf["artist"]
    assert rest("search3", query="unplugged")["searchResult3"]["album"][0]["id"] == \
        "al-%d" % shelf["shown"]


def test_failures_block_the_user_and_address_and_successes_do_not_count(rest, shelf):
    for _ in range(5):
        assert rest("ping")["status"] == "ok"
    for _ in range(3):
        assert rest("ping", auth=token_auth(password="wrong"))["error"]["code"] == 40
    blocked = rest("ping")
    assert blocked["error"]["code"] == 40 and "Try again" in blocked["error"]["message"]
    assert rest("ping", address="10.0.0.2", auth=token_auth(user="other"))["error"]["code"] == 40
    assert rest("ping", address="10.0.0.2", auth=token_auth(password="wrong"))["error"]["code"] == 40


def test_xml_drops_characters_xml_forbids(rest, library, shelf):
    album = library.add_album(shelf["artist"], "Bad\x01Name\x0b\ufffe", release=2000)
    library.add_song(album, "Tab\tand\x02control", number=1)
    root = rest("getAlbum", fmt="xml", id="al-%d" % album)
    element = root.find(NS + "album")
    assert element.get("name") == "BadName"
    assert element.find(NS + "song").get("title") == "Tab\tandcontrol"


def test_the_annotation_database_lives_in_the_data_directory(rest, datadir, shelf):
    rest("setRating", id="al-%d" % shelf["shown"], rating=5)
    assert os.path.exists(os.path.join(datadir, "subsonic.db"))
    listed = rest("getAlbumList2", type="highest")["albumList2"]["album"]
    assert listed[0]["userRating"] == 5


# -- indexes, scrobbles, now playing --------------------------------------------------------

def test_get_indexes_honours_if_modified_since(rest, shelf, app):
    app.library.watch()  # the server's library keeps its catalog until a change
    first = rest("getIndexes")["indexes"]
    assert first["lastModified"] > 0 and first["index"]
    same = rest("getIndexes", ifModifiedSince=first["lastModified"])["indexes"]
    assert same == {"ignoredArticles": "", "lastModified": first["lastModified"]}
    assert rest("getIndexes", ifModifiedSince=first["lastModified"] - 1)["indexes"]["index"]
    from musicdb.mdbapi import events
    events.emit(events.LIBRARY_CHANGED)
    newer = rest("getIndexes", ifModifiedSince=first["lastModified"])["indexes"]
    assert newer["lastModified"] > first["lastModified"] and newer["index"]


def test_the_cover_art_id_changes_when_the_artwork_file_does(rest, library, app, datadir):
    """A client caches cover art by its id: the id of an album's cover changes when its
    file is replaced, and stays the same as long as it is not."""
    artist = library.add_artist("Cover Band")
    album = library.add_album(artist, "Sleeve", artworkpath="Cover Band - Sleeve.jpg")
    library.add_song(album, "Front", number=1)
    artwork = os.path.join(datadir, "webdata", "artwork", "Cover Band - Sleeve.jpg")
    os.makedirs(os.path.dirname(artwork), exist_ok=True)
    with open(artwork, "wb") as handle:
        handle.write(b"first")
    os.utime(artwork, ns=(10**18, 10**18))

    def cover():
        return rest("getAlbum", id="al-%d" % album)["album"]["coverArt"]
    first = cover()
    assert first.startswith("al-%d-" % album) and cover() == first
    with open(artwork, "wb") as handle:   # a new upload of the album's artwork
        handle.write(b"second")
    os.utime(artwork, ns=(10**18 + 1, 10**18 + 1))
    second = cover()
    assert second != first and cover() == second
    os.remove(artwork)   # gone: another id again (the default image is served)
    assert cover() not in (first, second)


def test_a_submitted_scrobble_sets_lastplayed_and_never_back(rest, shelf, app):
    songid = shelf["kept"]
    assert rest("scrobble", id="tr-%d" % songid, submission="false")["status"] == "ok"
    assert app.library.song(songid)["song"]["lastplayed"] == 0
    rest("scrobble", id="tr-%d" % songid, time=str(1700000000 * 1000))
    assert app.library.song(songid)["song"]["lastplayed"] == 1700000000
    rest("scrobble", id="tr-%d" % songid, time=str(1600000000 * 1000))
    assert app.library.song(songid)["song"]["lastplayed"] == 1700000000


class PlayingStream:
    def __init__(self, playing):
        self.playing = playing

    def state(self):
        return {"isconnected": True, "isplaying": self.playing}

    def played_time(self):
        return 125.0


def test_now_playing_lists_the_live_streams_current_song(rest, shelf, app):
    assert rest("getNowPlaying")["nowPlaying"]["entry"] == []
    app.songqueue.add(shelf["kept"], "last")
    app.audiostream = PlayingStream(False)
    assert rest("getNowPlaying")["nowPlaying"]["entry"] == []
    app.audiostream = PlayingStream(True)
    entry, = rest("getNowPlaying")["nowPlaying"]["entry"]
    assert entry["id"] == "tr-%d" % shelf["kept"] and entry["title"] == "Kickstart My Heart"
    assert entry["minutesAgo"] == 2 and entry["playerName"] and "username" in entry


def test_the_fed_icecast_mount_is_the_radio_station(rest, app, shelf):
    assert rest("getInternetRadioStations")["internetRadioStations"] == {
        "internetRadioStation": []}
    saved = getattr(app.cfg, "icecastsource", None)
    app.cfg.icecastsource = SimpleNamespace(
        enable=True, host="radio.example", port=8443, mount="/live", tls=True,
        url="https://radio.example/", name="MusicDB Stream")
    try:
        stations = rest("getInternetRadioStations")["internetRadioStations"]
    finally:
        app.cfg.icecastsource = saved
    assert stations["internetRadioStation"] == [{
        "id": "1", "name": "MusicDB Stream", "streamUrl": "https://radio.example:8443/live",
        "homepageUrl": "https://radio.example/"}]


# -- authentication mechanisms turned off --------------------------------------------------

def _plain(password=APP_PASSWORD):
    return {"u": TEST_USER, "p": password, "v": "1.16.1", "c": "tests"}


@pytest.mark.parametrize("subsonic_cfg", [{"tokenauth": False}])
def test_token_auth_turned_off_is_41_and_the_password_still_works(rest, shelf, subsonic_cfg):
    for _ in range(5):  # more than the limiter allows: a mechanism turned off is no failure
        assert rest("ping")["error"]["code"] == 41
    assert rest("ping", auth=_plain())["status"] == "ok"
    assert rest("ping", fmt="xml").find(NS + "error").get("code") == "41"


@pytest.mark.parametrize("subsonic_cfg", [{"passwordauth": False}])
def test_password_auth_turned_off_is_42_and_tokens_still_work(rest, shelf, subsonic_cfg):
    for password in (APP_PASSWORD, "enc:" + APP_PASSWORD.encode().hex(), "wrong") * 2:
        assert rest("ping", auth=_plain(password))["error"]["code"] == 42
    assert rest("ping")["status"] == "ok"


def test_enc_passwords_may_be_utf8_or_latin1_hex(rest, shelf):
    """py-opensonic hex-encodes code points (``ä`` as ``E4``), most clients UTF-8 bytes."""
    latin1 = "".join("%02X" % ord(c) for c in APP_PASSWORD)
    for password in ("enc:" + APP_PASSWORD.encode().hex(), "enc:" + latin1):
        assert rest("ping", auth=_plain(password))["status"] == "ok", password
    for password in ("enc:zz", "enc:" + "app".encode().hex(), "enc:"):
        assert rest("ping", auth=_plain(password))["error"]["code"] == 40, password


def test_the_ini_turns_the_mechanisms_off(tmp_path):
    from musicdb.lib.cfg.musicdb import MusicDBConfig
    path = tmp_path / "musicdb.ini"
    path.write_text("[subsonic]\ntokenauth = false\n")
    section = MusicDBConfig(str(path)).subsonic
    assert section.tokenauth is False and section.passwordauth is True


# -- endpoints we do not offer -------------------------------------------------------------

@pytest.mark.parametrize("name", unsupported.NAMES)
def test_every_endpoint_we_do_not_offer_answers_not_supported(rest, name):
    for called in (name, name + ".view"):
        error = rest(called)["error"]
        assert error == {"code": 0, "message": "not supported"}, called
    root = rest(name, fmt="xml")
    assert root.get("status") == "failed" and root.find(NS + "error").get("code") == "0"
    assert rest(name, auth=token_auth(password="wrong"))["error"]["code"] == 40


def test_no_endpoint_is_both_offered_and_not_supported():
    api.load_areas()
    served = {name for name, found in api.TABLE.items()
              if found.function is not unsupported.not_supported}
    assert len(set(unsupported.NAMES)) == len(unsupported.NAMES)
    assert served.isdisjoint(unsupported.NAMES)


# -- hostile IDs never reach the database or the disk ---------------------------------------

class Untouchable:
    """Stands in for the library layer: any use is a test failure (error 0, not 70)."""

    def __getattr__(self, name):
        raise AssertionError("the library was used: %s" % name)


HOSTILE_IDS = ["../../etc/passwd", "tr-1%2F..", "tr-0", "tr-01", "tr--1", "tr-" + "9" * 20,
               "TR-1", "ar-1-x", "tr-1\x00", "%2e%2e", "file:///etc/passwd", "al-1-ZZ",
               "pl-1", "tr-1 ", "\u0663"]


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_hostile_ids_are_70_before_the_library_is_touched(rest, shelf, app, monkeypatch, bad):
    monkeypatch.setattr(app, "library", Untouchable())
    for name in ("getSong", "getAlbum", "getArtist", "getMusicDirectory", "stream", "download",
                 "getCoverArt", "star", "setRating", "scrobble", "getLyricsBySongId",
                 "getSimilarSongs", "getArtistInfo2"):
        error = rest(name, id=bad, rating=3)["error"]
        assert error["code"] == 70, (name, error)
    assert rest("getSong", id="tr-1")["error"]["code"] == 0  # a valid ID does reach it


def test_search_takes_percent_underscore_and_quotes_literally_and_exact_first(rest, library,
                                                                              shelf):
    album = library.add_album(shelf["artist"], "Odds", release=2001)
    long_one = library.add_song(album, "Heartbreaker", number=1)
    exact = library.add_song(album, "Heart", number=2)
    odd = library.add_song(album, "100% Pure_Love 'n' Roll", number=3)
    found = [s["id"] for s in rest("search3", query="heart")["searchResult3"]["song"]]
    assert found.index("tr-%d" % exact) < found.index("tr-%d" % long_one)  # exact word first
    for query, expected in (("100%", [odd]), ("pure_", [odd]), ("'n'", [odd]),
                            ("%", []), ("_", []), ("1%0", [])):
        songs = rest("search3", query=query)["searchResult3"]["song"]
        assert [s["id"] for s in songs] == ["tr-%d" % i for i in expected], query
