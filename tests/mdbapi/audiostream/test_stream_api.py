"""Audio stream calls and the stream endpoint's access rules against the real server."""

import http.client
import time

from tests.support.stream import basic_auth
from tests.support import auth_headers

SONG_KEYS = ["isconnected", "isplaying", "song", "album", "artist", "songtags", "albumtags",
             "hasqueue"]


def status(server, path="/stream", headers=None, method="GET"):
    """The HTTP status of a stream request (the connection is closed right away)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers=auth_headers(server) if headers is None
                           else headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def test_state_without_a_song_has_no_song_keys(stream_server, connect):
    server = stream_server()
    client = connect(server)
    state = client.request("GetAudioStreamState")
    assert list(state) == ["isconnected", "isplaying", "hasqueue"]
    assert state == {"isconnected": True, "isplaying": False, "hasqueue": False}
    assert client.request("GetStreamState") == state


def test_state_with_a_song_names_song_album_artist_and_tags(stream_home, stream_server,
                                                            connect):
    server = stream_server()
    client = connect(server)
    client.request("AddSongToQueue", {"songid": stream_home.songs["High"], "position": "last"})
    state = client.request("GetAudioStreamState")
    assert list(state) == SONG_KEYS
    assert state["song"]["id"] == stream_home.songs["High"]
    assert state["album"]["name"] == "Tones" and state["artist"]["name"] == "Sine Band"
    assert state["songtags"] == {"songid": state["song"]["id"], "genres": [], "subgenres": [],
                                 "moods": []}
    assert state["albumtags"]["albumid"] == state["album"]["id"]


def test_play_next_song_announces_the_new_head_and_skips_untracked(stream_home, stream_server,
                                                                   connect):
    server = stream_server()
    client = connect(server)
    for name in ("Low", "High"):
        client.request("AddSongToQueue", {"songid": stream_home.songs[name], "position": "last"})
    client.send("call", "PlayNextSong")
    client.wait_for(lambda p: p.get("fncsig") == "onSongChanged")
    state = client.request("GetAudioStreamState")
    assert state["song"]["name"] == "High" and state["isplaying"] is False
    assert client.request("GetSongRelationship", {"songid": stream_home.songs["Low"]})["songs"] == []


def test_every_play_command_is_answered_by_on_status_changed(stream_server, connect):
    """Even a command that changes nothing is announced: the WebUI waits for it."""
    server = stream_server()
    client = connect(server)
    for state, playing in (("pause", False), ("play", True), ("play", True),
                           ("playpause", False)):
        start = time.monotonic()
        client.send("call", "SetAudioStreamState", {"state": state})
        client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged", timeout=1)
        assert time.monotonic() - start < 0.5
        assert client.request("GetAudioStreamState")["isplaying"] is playing
    client.send("call", "SetStreamState", {"state": "play"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged", timeout=1)


def test_more_listeners_than_maxlisteners_are_refused(stream_server, listen):
    server = stream_server("[Icecast]\nmaxlisteners = 2\n")
    first, second = listen(server), listen(server)
    assert (first.response.status, second.response.status) == (200, 200)
    assert status(server)[0] == 503
    first.close()
    deadline = time.monotonic() + 5
    while status(server)[0] != 200:
        assert time.monotonic() < deadline, "a freed place is not given to the next listener"


def test_a_password_protects_the_stream(stream_server):
    server = stream_server("[Icecast]\npassword = hörbar\n")
    code, headers = status(server, headers={})  # no session either
    assert code == 401 and headers["WWW-Authenticate"].startswith("Basic")
    assert status(server, headers=basic_auth("wrong"))[0] == 401
    code, headers = status(server, headers=basic_auth("hörbar", user="me"))
    assert code == 200 and headers["Content-Type"] == "audio/mpeg"
    assert status(server, "/stream?password=h%C3%B6rbar")[0] == 200


def test_only_allowed_addresses_may_listen(stream_server):
    server = stream_server("[Icecast]\nallow = 10.0.0.0/8, 192.168.0.0/16\n")
    assert status(server)[0] == 403


def test_the_stream_answers_at_the_configured_mount_with_icecast_headers(stream_server, listen):
    server = stream_server("[Icecast]\nmountname = radio.mp3\nbitrate = 192\n")
    assert status(server)[0] == 404
    assert status(server, "/radio.mp3", method="HEAD")[0] == 200
    response = listen(server, path="/radio.mp3").response
    assert response.status == 200
    headers = dict(response.getheaders())
    assert headers["icy-br"] == "192" and headers["icy-name"] == "MusicDB Stream"
    assert headers["Cache-Control"] == "no-cache" and "Content-Length" not in headers
    assert "icy-metaint" not in headers


def test_disableicecast_sends_only_the_heartbeat(stream_server, connect):
    server = stream_server("[debug]\ndisableicecast = True\n")
    client = connect(server)
    assert status(server)[0] == 503
    client.send("call", "SetAudioStreamState", {"state": "play"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged", timeout=1)
    state = client.request("GetAudioStreamState")
    assert (state["isconnected"], state["isplaying"]) == (False, False)
    beats = [client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged", timeout=2.1)
             for _ in range(2)]
    assert [b["arguments"] for b in beats] == [0, 0]


def test_heartbeat_without_any_song_in_the_database(server_factory, connect):
    """An empty library: MusicDB 8 needed a restart after the first import; the beat goes on."""
    server = server_factory()
    client = connect(server)
    stamps = []
    for _ in range(3):
        packet = client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged", timeout=2.1)
        assert packet["arguments"] == 0
        stamps.append(time.monotonic())
    assert max(b - a for a, b in zip(stamps, stamps[1:])) < 1.5
