"""Playlists, the song queue's playlist, the saved play queue and users over a real server."""

import json
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import pytest

from tests.support import TEST_USER, Client, create_account, make_library_home, poll
from tests.mdbapi.subsonic.schemas import schema_registry, validate_answer
from tests.mdbapi.subsonic.support import (call, error_code, json_plain, ok, set_app_password,
                                           token_auth, xml_plain)

OTHER = "otheruser"


@pytest.fixture(scope="module")
def home(tmp_path_factory, demo_library):
    home = make_library_home(tmp_path_factory.mktemp("playlists") / "home", demo_library)
    set_app_password(home)
    create_account(home.home, OTHER, "long-enough-password")
    set_app_password(home, OTHER)
    return home


@pytest.fixture(scope="module")
def songs(server):
    """Three song IDs of the library, from a full search."""
    found = ok(server, "search3", {"query": "", "songCount": 3, "albumCount": 0,
                                   "artistCount": 0})["searchResult3"]["song"]
    assert len(found) == 3
    return [song["id"] for song in found]


def _other():
    return token_auth(user=OTHER)


def test_a_created_playlist_lists_its_songs_in_order(server, songs):
    made = ok(server, "createPlaylist", {"name": "Road trip", "songId": [songs[2], songs[0]]})
    playlist = made["playlist"]
    assert playlist["id"].startswith("pl-") and playlist["owner"] == TEST_USER
    assert [s["id"] for s in playlist["entry"]] == [songs[2], songs[0]]
    assert playlist["songCount"] == 2 and playlist["readonly"] is False
    again = ok(server, "getPlaylist", {"id": playlist["id"]})["playlist"]
    assert [s["id"] for s in again["entry"]] == [songs[2], songs[0]]
    listed = ok(server, "getPlaylists")["playlists"]["playlist"]
    assert playlist["id"] in [p["id"] for p in listed]


def test_update_renames_removes_by_index_and_appends(server, songs):
    made = ok(server, "createPlaylist", {"name": "Mix", "songId": songs})["playlist"]
    ok(server, "updatePlaylist", {"playlistId": made["id"], "name": "Mix 2", "comment": "hi",
                                  "public": "true", "songIndexToRemove": ["0", "2"],
                                  "songIdToAdd": songs[0]})
    found = ok(server, "getPlaylist", {"id": made["id"]})["playlist"]
    assert found["name"] == "Mix 2" and found["comment"] == "hi" and found["public"] is True
    assert [s["id"] for s in found["entry"]] == [songs[1], songs[0]]


def test_create_with_playlist_id_replaces_the_songs(server, songs):
    made = ok(server, "createPlaylist", {"name": "Swap", "songId": songs[0]})["playlist"]
    replaced = ok(server, "createPlaylist", {"playlistId": made["id"], "songId": songs[1]})
    assert replaced["playlist"]["id"] == made["id"]
    assert [s["id"] for s in replaced["playlist"]["entry"]] == [songs[1]]


def test_delete_removes_the_playlist(server, songs):
    made = ok(server, "createPlaylist", {"name": "Gone", "songId": songs[0]})["playlist"]
    ok(server, "deletePlaylist", {"id": made["id"]})
    assert error_code(server, "getPlaylist", {"id": made["id"]}) == 70
    assert made["id"] not in [p["id"] for p in ok(server, "getPlaylists")["playlists"]["playlist"]]


def test_a_bad_song_id_stores_nothing(server, songs):
    before = ok(server, "getPlaylists")["playlists"]["playlist"]
    assert error_code(server, "createPlaylist", {"name": "Bad", "songId": [songs[0], "tr-999999"]}) == 70
    assert error_code(server, "createPlaylist", {"name": "Bad", "songId": "../etc"}) == 70
    assert ok(server, "getPlaylists")["playlists"]["playlist"] == before
    assert error_code(server, "createPlaylist", {}) == 10


def test_others_see_public_playlists_only_and_cannot_change_them(server, songs):
    private = ok(server, "createPlaylist", {"name": "Mine", "songId": songs[0]})["playlist"]
    public = ok(server, "createPlaylist", {"name": "Ours", "songId": songs[0]})["playlist"]
    ok(server, "updatePlaylist", {"playlistId": public["id"], "public": "true"})
    assert error_code(server, "getPlaylist", {"id": private["id"]}, auth=_other()) == 70
    seen = ok(server, "getPlaylist", {"id": public["id"]}, auth=_other())["playlist"]
    assert seen["readonly"] is True and seen["owner"] == TEST_USER
    listed = [p["id"] for p in ok(server, "getPlaylists", auth=_other())["playlists"]["playlist"]]
    assert public["id"] in listed and private["id"] not in listed
    for name, params in (("updatePlaylist", {"playlistId": public["id"], "name": "x"}),
                         ("deletePlaylist", {"id": public["id"]})):
        assert error_code(server, name, params, auth=_other()) == 50
    assert error_code(server, "getPlaylists", {"username": TEST_USER}, auth=_other()) == 50


def _websocket_queue(server, add=None):
    """The song IDs of the live queue as the WebSocket API tells them (after adding ``add``)."""
    client = Client(server)
    try:
        if add is not None:
            client.request("AddSongToQueue", {"songid": add, "position": "last"})
        return ["tr-%d" % entry["song"]["id"] for entry in client.request("GetSongQueue")]
    finally:
        client.close()


def test_the_song_queue_is_a_read_only_playlist(server, songs):
    live = _websocket_queue(server, add=int(songs[2][3:]))
    listed = ok(server, "getPlaylists")["playlists"]["playlist"]
    queue = [p for p in listed if p["id"] == "pl-0"]
    assert queue and queue[0]["readonly"] is True
    found = ok(server, "getPlaylist", {"id": "pl-0"})["playlist"]
    assert [entry["id"] for entry in found["entry"]] == live == _websocket_queue(server)
    assert found["songCount"] == len(live) and live[-1] == songs[2]
    assert error_code(server, "updatePlaylist", {"playlistId": "pl-0", "name": "x"}) == 50
    assert error_code(server, "deletePlaylist", {"id": "pl-0"}) == 50
    assert error_code(server, "createPlaylist", {"playlistId": "pl-0", "songId": "tr-1"}) in (50, 70)


def test_the_song_queue_playlist_changes_when_the_queue_does_and_only_then(server, songs):
    """A client re-reads a playlist whose ``changed`` moved; pl-0's must not move by itself."""
    def queue_playlist():
        listed = ok(server, "getPlaylists")["playlists"]["playlist"]
        return next(p for p in listed if p["id"] == "pl-0")

    before = queue_playlist()
    stamp = datetime.fromisoformat(before["changed"].replace("Z", "+00:00")).timestamp()
    assert poll(lambda: time.time() >= stamp + 1.2, timeout=5)  # a later second on the clock
    assert queue_playlist() == before
    _websocket_queue(server, add=int(songs[0][3:]))
    after = queue_playlist()
    assert after["changed"] > before["changed"] and after["songCount"] == before["songCount"] + 1


@pytest.mark.parametrize("bad", ["pl-00", "pl-x", "pl--1", "pl-1-2", "al-1", "pl-99999999"])
def test_malformed_or_unknown_playlist_ids_are_70(server, bad):
    assert error_code(server, "getPlaylist", {"id": bad}) == 70
    assert error_code(server, "deletePlaylist", {"id": bad}) == 70


def test_play_queue_is_saved_per_user_and_read_both_ways(server, songs):
    assert "playQueue" not in ok(server, "getPlayQueue", auth=_other())
    ok(server, "savePlayQueue", {"id": songs, "current": songs[1], "position": 4200})
    queue = ok(server, "getPlayQueue")["playQueue"]
    assert [s["id"] for s in queue["entry"]] == songs
    assert queue["current"] == songs[1] and queue["position"] == 4200
    assert queue["username"] == TEST_USER and queue["changedBy"] == "tests"
    by_index = ok(server, "getPlayQueueByIndex")["playQueueByIndex"]
    assert by_index["currentIndex"] == 1 and [s["id"] for s in by_index["entry"]] == songs
    ok(server, "savePlayQueueByIndex", {"id": [songs[0], songs[0]], "currentIndex": 1})
    by_index = ok(server, "getPlayQueueByIndex")["playQueueByIndex"]
    assert by_index["currentIndex"] == 1 and by_index["position"] == 0
    assert "playQueue" not in ok(server, "getPlayQueue", auth=_other())
    ok(server, "savePlayQueue")
    assert "playQueue" not in ok(server, "getPlayQueue")


def test_play_queue_refuses_what_it_cannot_store(server, songs):
    ok(server, "savePlayQueue", {"id": songs[0]})
    assert error_code(server, "savePlayQueue", {"id": songs[0], "current": songs[1]}) == 0
    assert error_code(server, "savePlayQueueByIndex", {"id": songs[0], "currentIndex": 5}) == 0
    assert error_code(server, "savePlayQueue", {"id": "tr-999999"}) == 70
    assert error_code(server, "savePlayQueue", {"id": songs[0], "position": "-5"}) == 0
    assert [s["id"] for s in ok(server, "getPlayQueue")["playQueue"]["entry"]] == [songs[0]]


def test_get_users_lists_only_the_caller(server):
    users = ok(server, "getUsers")["users"]["user"]
    assert [user["username"] for user in users] == [TEST_USER]
    assert users[0]["adminRole"] is False


def test_radio_stations_are_empty_while_the_stream_asks_for_a_login(server):
    stations = ok(server, "getInternetRadioStations")["internetRadioStations"]
    assert stations["internetRadioStation"] == []


# -- the answers against the OpenSubsonic schemas, and XML against JSON ---------------------

@pytest.fixture(scope="module")
def registry():
    pytest.importorskip("jsonschema")
    return schema_registry()


def _calls(server, songs):
    """``(endpoint, params, key, schema)`` of every endpoint this file covers."""
    made = ok(server, "createPlaylist", {"name": "Schema <&> \"check\"", "songId": songs})
    playlist = made["playlist"]["id"]
    ok(server, "savePlayQueue", {"id": songs, "current": songs[0], "position": 10})
    return [
        ("getPlaylists", {}, "playlists", "Playlists.json"),
        ("getPlaylist", {"id": playlist}, "playlist", "PlaylistWithSongs.json"),
        ("getPlaylist", {"id": "pl-0"}, "playlist", "PlaylistWithSongs.json"),
        ("createPlaylist", {"name": "Another", "songId": songs[0]}, "playlist",
         "PlaylistWithSongs.json"),
        ("updatePlaylist", {"playlistId": playlist, "comment": "c"}, None, None),
        ("getPlayQueue", {}, "playQueue", "PlayQueue.json"),
        ("getPlayQueueByIndex", {}, "playQueueByIndex", "PlayQueueByIndex.json"),
        ("savePlayQueueByIndex", {"id": songs, "currentIndex": 0}, None, None),
        ("getUsers", {}, "users", "Users.json"),
        ("getUser", {}, "user", "User.json"),
        ("getInternetRadioStations", {}, "internetRadioStations", "InternetRadioStations.json"),
        ("deletePlaylist", {"id": playlist}, None, None),
        ("getPodcasts", {}, "error", None),
        ("getPlaylist", {"id": "pl-x"}, "error", None),
        ("ping", {"v": "2.0.0"}, "error", None),
    ]


def test_json_answers_fit_the_opensubsonic_schemas(server, songs, registry):
    for name, params, key, schema in _calls(server, songs):
        _, _, body = call(server, name, params)
        validate_answer(registry, json.loads(body), key, schema)


def _timeless(plain):
    """``plain`` without ``created``/``changed`` (the song queue's playlist is made per call)."""
    if isinstance(plain, list):
        return [_timeless(item) for item in plain]
    if isinstance(plain, dict):
        return {k: _timeless(v) for k, v in plain.items() if k not in ("created", "changed")}
    return plain


def test_xml_answers_carry_what_the_json_answers_carry(server, songs):
    for name, params, key, _ in _calls(server, songs):
        if name in ("createPlaylist", "deletePlaylist", "updatePlaylist", "savePlayQueueByIndex"):
            continue  # they change state: the two calls would not answer the same
        _, _, xml_body = call(server, name, params, fmt="xml")
        _, _, json_body = call(server, name, params, fmt="json")
        plain = json_plain(json.loads(json_body)["subsonic-response"])
        assert _timeless(xml_plain(ElementTree.fromstring(xml_body))) == _timeless(plain), name
