"""The stream and the music files share one address rule, against the real server.

Every request but the player's own credentials carries the test account's session,
so what is refused is refused by the address rule, not by the login.
"""

import base64
import http.client

import pytest

from tests.support import ServerProcess, auth_headers

SONG = "/musicdb/music/Artist/song.mp3"


def status(server, path, headers=None, session=True):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {**(auth_headers(server) if session else {}), **(headers or {})}
    try:
        connection.request("HEAD", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def basic(password):
    return {"Authorization": "Basic " + base64.b64encode(f"me:{password}".encode()).decode()}


@pytest.fixture
def start(tmp_path):
    servers = []

    def start(extra):
        (tmp_path / "music" / "Artist").mkdir(parents=True, exist_ok=True)
        (tmp_path / "music" / "Artist" / "song.mp3").write_bytes(b"ID3" + bytes(1000))
        server = ServerProcess(tmp_path, extra=extra)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()


def test_an_address_outside_the_networks_gets_neither_stream_nor_music(start):
    """127.0.0.1 is not admitted by 127.0.0.10 (as text, one is a prefix of the other)."""
    server = start("[Icecast]\nallow = 10.0.0.0/8, 127.0.0.10\n")
    assert status(server, "/stream") == 403
    assert status(server, SONG) == 403
    assert status(server, "/musicdb/webdata/config.js") == 200


def test_the_stream_password_lets_a_player_in_but_not_to_the_music(start):
    """A player without a session may use the MusicDB 8 stream password; the music files
    need a session (or an account), and a logged-in browser needs no stream password."""
    server = start("[Icecast]\nallow = 127.0.0.0/8, ::1\npassword = leise\n")
    assert status(server, "/stream", session=False) == 401
    assert status(server, "/stream", basic("falsch"), session=False) == 401
    assert status(server, "/stream", basic("leise"), session=False) == 200
    assert status(server, SONG, basic("leise"), session=False) == 401
    assert status(server, SONG) == 200 and status(server, "/stream") == 200


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(start):
    allowed = {"X-Forwarded-For": "198.51.100.9"}
    server = start("[Icecast]\nallow = 198.51.100.0/24\n")
    assert status(server, SONG, allowed) == 403
    server.stop()
    server = start("[Icecast]\nallow = 198.51.100.0/24\n[websocket]\ntrustedproxies = 127.0.0.1\n")
    assert status(server, SONG, allowed) == 200
    assert status(server, "/stream", allowed) == 200
    assert status(server, SONG) == 403
    assert status(server, SONG, {"X-Forwarded-For": "198.51.100.9, 203.0.113.1"}) == 403
