"""The login against the real server: every route and the upgrade, sessions, origins, limiter,
players, secrets in the log, file modes and the bind rules (issue 10)."""

import base64
import http.client
import os
import stat
import subprocess
import sys

import pytest
import websocket

from tests.support import (LEGACY_WEBUI, ROOT, TEST_PASSWORD, TEST_USER, Client, ServerProcess,
                           free_port, login, poll, session_cookie, wait_close, write_config)

MUSICDB = os.path.join(ROOT, "musicdb.py")
ROUTES = ["/", "/app/main.js", "/musicdb/", "/musicdb/index.html",
          "/musicdb/webdata/config.js", "/musicdb/webdata/artwork/a.jpg", "/musicdb/music/Artist/song.mp3",
          "/musicdb/videoframes/a.jpg", "/stream", "/musicdb", "/elsewhere"]


def populate(home):
    (home / "music" / "Artist").mkdir(parents=True)
    (home / "music" / "Artist" / "song.mp3").write_bytes(b"ID3 not really")
    (home / "data" / "webdata" / "artwork").mkdir(parents=True)
    (home / "data" / "webdata" / "artwork" / "a.jpg").write_bytes(b"\xff\xd8 jpeg")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("login")
    populate(home)
    server = ServerProcess(home)
    yield server
    server.stop()


def request(server, path, method="GET", headers=None, body=None):
    """``(status, headers, body)`` of one plain HTTP request."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read(4096) if path != "/stream" or response.status != 200 else b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def upgrade(server, cookie=None, origin=None):
    """The handshake's outcome: "open", or the HTTP status that refused it."""
    try:
        ws = websocket.create_connection(server.url, timeout=5, cookie=cookie,
                                         origin=origin or f"http://127.0.0.1:{server.port}")
    except websocket.WebSocketBadStatusException as error:
        return error.status_code
    ws.close()
    return "open"


@pytest.mark.parametrize("cookie", [None, "musicdb_session=forged-token", "musicdb_session="])
def test_every_route_and_the_upgrade_need_a_session(server, cookie):
    headers = {"Cookie": cookie} if cookie else {}
    for path in ROUTES:
        status, answer, body = request(server, path, headers=headers)
        assert status == (303 if path == "/" else 401), (path, status)  # "/" is a page load
        assert server.apikey.encode() not in body
        assert not [name for name in answer if name.startswith("access-control")]
    page = request(server, "/musicdb/", headers={**headers, "Accept": "text/html"})
    assert page[0] == 303 and page[1]["location"] == "/login?next=%2Fmusicdb%2F"
    assert upgrade(server, cookie) == 401


def test_with_a_session_every_route_answers(server):
    headers = {"Cookie": session_cookie(server)}
    expected = {"/musicdb": 301, "/elsewhere": 404}
    if not os.path.isfile(os.path.join(LEGACY_WEBUI, "index.html")):
        expected.update({"/musicdb/": 404, "/musicdb/index.html": 404})  # the "not installed" page
    for path in ROUTES:
        assert request(server, path, "HEAD", headers)[0] == expected.get(path, 200), path
    assert server.apikey.encode() in request(server, "/musicdb/webdata/config.js",
                                             headers=headers)[2]
    assert upgrade(server, session_cookie(server)) == "open"


def test_only_the_login_page_is_open(server):
    status, answer, _ = request(server, "/")   # our page needs the session too
    assert status == 303 and answer["location"] == "/login?next=%2F"
    status, _, body = request(server, "/login")
    assert status == 200 and b'<form id="login"' in body


def test_an_upgrade_from_another_origin_is_refused_before_the_handshake_even_with_a_session(
        server):
    cookie = session_cookie(server)
    connected = server.log().count(" connected (")
    assert upgrade(server, cookie, origin="https://evil.example") == 403
    assert upgrade(server, cookie, origin=f"http://127.0.0.1:{server.port + 1}") == 403
    assert upgrade(server, cookie, origin="null") == 403
    assert server.log().count(" connected (") == connected  # never reached the WebSocket server


def test_another_site_cannot_read_config_js_with_the_cookie(server):
    status, answer, body = request(server, "/musicdb/webdata/config.js", headers={
        "Cookie": session_cookie(server), "Sec-Fetch-Site": "cross-site",
        "Origin": "https://evil.example"})
    assert status == 403 and server.apikey.encode() not in body
    assert "access-control-allow-origin" not in answer


def test_logout_ends_the_session(server):
    _, _, cookie = login(server)
    assert request(server, "/app/main.js", headers={"Cookie": cookie})[0] == 200
    status, answer, _ = request(server, "/logout", "POST", headers={"Cookie": cookie})
    assert status == 303 and "Max-Age=0" in answer["set-cookie"]
    assert request(server, "/app/main.js", headers={"Cookie": cookie})[0] == 401
    assert upgrade(server, cookie) == 401


class SessionClient(Client):
    """A WebSocket client opened with the session ``cookie`` (not the server's test login)."""

    def __init__(self, server, cookie):
        self.key, self.timeout = server.apikey, 5
        self.ws = websocket.create_connection(server.url, timeout=5, cookie=cookie,
                                              origin=f"http://127.0.0.1:{server.port}")
        assert self.request("Bounce", {"hello": 1}) == {"hello": 1}


def test_logout_closes_the_websockets_of_that_session_and_no_other(server):
    """Two sessions each with an open socket: the logout of one closes only its own."""
    ending, staying = login(server)[2], login(server)[2]
    closing, other = SessionClient(server, ending), SessionClient(server, staying)
    try:
        assert request(server, "/logout", "POST", headers={"Cookie": ending})[0] == 303
        assert wait_close(closing, timeout=5) == (1008, "Session ended")
        assert other.request("Bounce", {"still": "open"}) == {"still": "open"}
    finally:
        closing.close(), other.close()


def test_players_open_the_stream_with_basic_credentials_or_a_token(server):
    basic = base64.b64encode(f"{TEST_USER}:{TEST_PASSWORD}".encode()).decode()
    status, answer, _ = request(server, "/stream", headers={"Authorization": "Basic " + basic})
    assert status == 200 and answer["content-type"] == "audio/mpeg"
    wrong = base64.b64encode(f"{TEST_USER}:wrong".encode()).decode()
    status, answer, _ = request(server, "/stream", headers={"Authorization": "Basic " + wrong})
    assert status == 401 and answer["www-authenticate"].startswith("Basic")
    token = user_command(server, "token", TEST_USER).stdout.split("\n")[1]
    assert request(server, "/stream?token=" + token)[0] == 200
    assert request(server, "/stream?token=x" + token)[0] == 401


def test_no_secret_reaches_the_log(server):
    token = user_command(server, "token", TEST_USER).stdout.split("\n")[1]
    request(server, "/stream?token=" + token)
    request(server, f"/musicdb/?key={server.apikey}&password=guess-me-not")
    login(server, password="wrong-password-in-log?")
    _, _, cookie = login(server)
    request(server, "/app/main.js", headers={"Cookie": cookie})
    Client(server).close()
    log = server.log()
    assert "GET /stream?token=***" in log  # the request line was logged, masked
    for secret in (TEST_PASSWORD, token, server.apikey, "guess-me-not", "wrong-password-in-log",
                   cookie.split("=", 1)[1], session_cookie(server).split("=", 1)[1]):
        assert secret not in log, secret


def test_data_files_are_private(server):
    data = os.path.join(server.home, "data")
    for name in ("music.db", "tracker.db", "config/wsapikey.txt", "config/accounts.json",
                 "state/sessions.json", "webdata/config.js"):
        assert stat.S_IMODE(os.stat(os.path.join(data, name)).st_mode) == 0o600, name
    for name in ("", "config", "state"):
        assert stat.S_IMODE(os.stat(os.path.join(data, name)).st_mode) & 0o007 == 0, name


def test_sessions_survive_a_restart(tmp_path):
    first = ServerProcess(tmp_path)
    try:
        cookie = session_cookie(first)
    finally:
        first.stop()
    second = ServerProcess(tmp_path)
    try:
        assert request(second, "/app/main.js", headers={"Cookie": cookie})[0] == 200
        assert upgrade(second, cookie) == "open"
    finally:
        second.stop()


def test_an_expired_session_is_refused(tmp_path):
    server = ServerProcess(tmp_path, extra="[security]\nsessionlifetime = 2\n")
    try:
        _, _, cookie = login(server)
        assert poll(lambda: request(server, "/app/main.js", headers={"Cookie": cookie})[0] == 401,
                    timeout=10)
        assert upgrade(server, cookie) == 401
    finally:
        server.stop()


@pytest.mark.parametrize("limit", ["sessionidle", "sessionlifetime"])
def test_an_expired_session_closes_its_websocket(tmp_path, limit):
    """No request needed: the server notices the expiry within seconds and closes the socket."""
    server = ServerProcess(tmp_path, extra=f"[security]\n{limit} = 3\n")
    try:
        client = SessionClient(server, login(server)[2])
        assert wait_close(client, timeout=10) == (1008, "Session ended")
        client.close()
    finally:
        server.stop()


@pytest.mark.parametrize("command", [("passwd", TEST_USER, "--stdin"), ("remove", TEST_USER)])
def test_a_changed_password_or_a_removed_account_closes_the_websockets(tmp_path, command):
    """The accounts file changes under the running server; the user's sockets close."""
    server = ServerProcess(tmp_path)
    try:
        client = SessionClient(server, login(server)[2])
        user_command(server, *command, stdin="a-new-password-for-tests\n")
        assert wait_close(client, timeout=10) == (1008, "Session ended")
        client.close()
    finally:
        server.stop()


def test_ten_failed_logins_in_a_minute_block_the_client(tmp_path):
    server = ServerProcess(tmp_path)
    try:
        for _ in range(10):
            assert login(server, password="not the password")[0] == 401
        status, answer, cookie = login(server)
        assert status == 429 and int(answer["retry-after"]) > 0 and cookie is None
        basic = base64.b64encode(f"{TEST_USER}:{TEST_PASSWORD}".encode()).decode()
        assert request(server, "/stream", headers={"Authorization": "Basic " + basic})[0] == 429
    finally:
        server.stop()


def user_command(server, *args, stdin=None):
    return subprocess.run([sys.executable, MUSICDB, "--config", server.config, "user", *args],
                          input=stdin, capture_output=True, text=True, timeout=60, check=True)


def start_refused(tmp_path, bind, tls, account=True, extra=""):
    """Run ``server`` with ``bind``; it must exit before listening.  Returns its stderr."""
    config = write_config(str(tmp_path), free_port(), tls=tls, extra=extra)
    with open(config) as handle:
        text = handle.read().replace("bind = 127.0.0.1", f"bind = {bind}")
    with open(config, "w") as handle:
        handle.write(text)
    if not account:
        os.remove(os.path.join(tmp_path, "data", "config", "accounts.json"))
    result = subprocess.run([sys.executable, MUSICDB, "--config", config, "server"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "MusicDB is running" not in result.stderr, result.stderr
    return result.stderr


def test_without_an_account_the_server_refuses_to_listen_beyond_loopback(tmp_path):
    stderr = start_refused(tmp_path, "0.0.0.0", tls=True, account=False)
    assert "python musicdb.py user add NAME" in stderr


def test_plain_http_beyond_loopback_is_refused_unless_allowed(tmp_path):
    stderr = start_refused(tmp_path, "0.0.0.0", tls=False)
    assert "allowplain" in stderr
