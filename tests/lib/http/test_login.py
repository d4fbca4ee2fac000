"""The login gate in process: who passes, where the rest goes, the cookie, no open redirect."""

import io
from urllib.parse import urlencode

import pytest

from musicdb.lib.auth.accounts import AccountStore
from musicdb.lib.auth.limiter import FailureLimiter
from musicdb.lib.auth.sessions import SessionStore
from musicdb.lib.http import login
from musicdb.lib.http.router import Router

PASSWORD = "long enough pw"


def direct(function, *args):
    return function(*args)


@pytest.fixture
def gate(tmp_path):
    accounts = AccountStore(str(tmp_path / "accounts.json"), cost=4)
    accounts.add("anna", PASSWORD)
    return login.LoginGate(accounts, SessionStore(str(tmp_path / "sessions.json")),
                           FailureLimiter(max_failures=3), tls=True,
                           origins=["https://proxy.example"], player_paths={"/stream"},
                           secret_paths={"/config.js"}, offload=direct)


@pytest.fixture
def router(gate):
    router = Router()
    for path in ("/musicdb/", "/stream", "/config.js"):
        router.route(path, ok_app, methods=None)
    gate.install(router)
    return router


def ok_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def call(router, path, method="GET", headers=None, body=b"", query=""):
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": query, "SERVER_NAME": "box", "SERVER_PORT": "9000",
               "HTTP_HOST": "box:9000", "REMOTE_ADDR": "192.0.2.1",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    environ.update({"HTTP_" + name.upper().replace("-", "_"): value
                    for name, value in (headers or {}).items()})
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)
    body = b"".join(router(environ, start_response))
    return answer["status"], answer["headers"], body


def header(headers, name):
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def log_in(router, user="anna", password=PASSWORD, target="/musicdb/"):
    form = urlencode({"username": user, "password": password, "next": target}).encode()
    return call(router, "/login", "POST", body=form)


def session_of(router):
    status, headers, _ = log_in(router)
    assert status.startswith("303")
    return header(headers, "Set-Cookie").split(";")[0]


def test_a_page_load_without_session_goes_to_the_login_and_comes_back(router):
    status, headers, _ = call(router, "/musicdb/", headers={"Accept": "text/html"},
                              query="a=1")
    assert status.startswith("303")
    assert header(headers, "Location") == "/login?next=%2Fmusicdb%2F%3Fa%3D1"


def test_other_requests_without_session_get_401_and_no_cors(router):
    status, headers, _ = call(router, "/config.js")
    assert status.startswith("401")
    assert not [name for name, _ in headers if name.lower().startswith("access-control")]


def test_the_cookie_is_private_and_lets_the_browser_in(router):
    status, headers, _ = log_in(router, target="/musicdb/?view=1")
    cookie = header(headers, "Set-Cookie")
    assert header(headers, "Location") == "/musicdb/?view=1"
    for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert call(router, "/config.js", headers={"Cookie": cookie.split(";")[0]})[0] == "200 OK"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "/a\r\nSet-Cookie: x=1", ""])
def test_no_open_redirect_after_login(router, target):
    assert header(log_in(router, target=target)[1], "Location") == login.DEFAULT_NEXT


def test_a_wrong_password_shows_the_form_again_with_an_error(router):
    status, headers, body = log_in(router, password="wrong password")
    assert status.startswith("401") and b'id="error"' in body
    assert header(headers, "Set-Cookie") is None


def test_the_limiter_answers_429_after_the_failures(router):
    for _ in range(3):
        assert log_in(router, password="wrong")[0].startswith("401")
    status, headers, _ = log_in(router)  # even the right password, while blocked
    assert status.startswith("429") and int(header(headers, "Retry-After")) > 0


def test_an_upgrade_needs_a_session_and_our_own_or_a_listed_origin(router):
    cookie = session_of(router)
    upgrade = {"Upgrade": "websocket", "Cookie": cookie}
    assert router.access(dict(fake_environ(upgrade, "https://box:9000"))) is None
    assert router.access(fake_environ(upgrade, "https://proxy.example:443")) is None
    refused = router.access(fake_environ(upgrade, "https://evil.example"))
    assert refused is not None and status_of(refused).startswith("403")
    refused = router.access(fake_environ({"Upgrade": "websocket"}, "https://box:9000"))
    assert status_of(refused).startswith("401")


def test_config_js_is_refused_to_another_site_even_with_the_cookie(router):
    cookie = session_of(router)
    assert call(router, "/config.js", headers={"Cookie": cookie,
                                              "Sec-Fetch-Site": "cross-site"})[0].startswith("403")
    assert call(router, "/config.js", headers={"Cookie": cookie,
                                              "Sec-Fetch-Site": "same-origin"})[0] == "200 OK"
    for variant in ("//config.js", "/./config.js"):
        assert call(router, variant, headers={"Cookie": cookie, "Sec-Fetch-Site": "same-site"}
                    )[0].startswith("403"), variant


def test_a_login_post_from_another_origin_is_refused(router):
    form = urlencode({"username": "anna", "password": PASSWORD}).encode()
    status, _, _ = call(router, "/login", "POST", body=form,
                        headers={"Origin": "https://evil.example"})
    assert status.startswith("403")


def test_logout_ends_the_session(router):
    cookie = session_of(router)
    status, headers, _ = call(router, "/logout", "POST", headers={"Cookie": cookie})
    assert status.startswith("303") and "Max-Age=0" in header(headers, "Set-Cookie")
    assert call(router, "/config.js", headers={"Cookie": cookie})[0].startswith("401")
    assert call(router, "/logout", "GET")[0].startswith("405")


def test_a_changed_password_ends_the_sessions(router, gate):
    cookie = session_of(router)
    gate.accounts.set_password("anna", "a new password")
    assert call(router, "/config.js", headers={"Cookie": cookie})[0].startswith("401")


def test_players_get_a_basic_challenge_and_pass_with_account_or_token(router, gate):
    status, headers, _ = call(router, "/stream")
    assert status.startswith("401") and header(headers, "WWW-Authenticate").startswith("Basic")
    basic = "Basic " + __import__("base64").b64encode(f"anna:{PASSWORD}".encode()).decode()
    assert call(router, "/stream", headers={"Authorization": basic})[0] == "200 OK"
    token = gate.accounts.new_stream_token("anna")
    assert call(router, "/stream", query="token=" + token)[0] == "200 OK"
    assert call(router, "/stream", query="token=forged")[0].startswith("401")


def test_the_open_pages_need_nothing(router):
    assert call(router, "/login")[0] == "200 OK"
    status, headers, body = call(router, "/login", query="next=/musicdb/")
    assert b'<form id="login"' in body and b"http" not in body.split(b"<body>")[1]
    assert "frame-ancestors 'none'" in header(headers, "Content-Security-Policy")


def fake_environ(headers, origin):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_HOST": "box:9000",
               "REMOTE_ADDR": "192.0.2.1", "HTTP_ORIGIN": origin}
    environ.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    return environ


def status_of(app):
    seen = []
    app({"REQUEST_METHOD": "GET"}, lambda status, headers, exc_info=None: seen.append(status))
    return seen[0]


def test_without_tls_the_cookie_is_not_marked_secure(gate):
    gate.tls = False
    router = Router()
    gate.install(router)
    cookie = header(log_in(router)[1], "Set-Cookie")
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_without_accounts_the_login_page_says_how_to_make_one(gate):
    gate.accounts.remove("anna")
    router = Router()
    gate.install(router)
    assert b"python musicdb.py user add NAME" in call(router, "/login")[2]


def test_an_upgrade_records_its_session_and_a_sweep_ends_it_after_a_password_change(router,
                                                                                     gate):
    """The WebSocket server learns the session from the environ and hears when it ends."""
    cookie = session_of(router)
    environ = fake_environ({"Upgrade": "websocket", "Cookie": cookie}, "https://box:9000")
    assert router.access(environ) is None
    ended = []
    gate.sessions.subscribe(ended.append)
    assert gate.sweep() == 0 and ended == []
    gate.accounts.set_password("anna", "a new password")
    assert gate.sweep() == 1
    assert ended == [login.session_of(environ)] and ended[0] is not None
