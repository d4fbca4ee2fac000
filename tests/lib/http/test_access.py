"""The per-route rule (musicdb/lib/http/access.py) and the routes that use it, in-process."""

import base64
from types import SimpleNamespace

import pytest

from musicdb.lib import netaccess
from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.http import access
from musicdb.lib.http import app as webapp
from tests.support import write_config


def request(path="/x", address="192.0.2.7", **extra):
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": "", "REMOTE_ADDR": address, "SERVER_NAME": "localhost",
               "SERVER_PORT": "4711", "HTTP_HOST": "localhost:4711"}
    environ.update(extra)
    return environ


def call(app, environ):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))
    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def basic(password, user="anyone"):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def inner(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"inner"]


def test_a_guarded_app_is_reached_only_by_allowed_addresses_with_the_password():
    app = access.guarded(inner, access.RouteAccess(["192.0.2.0/24"], "pw", realm="R"))
    assert call(app, request(address="198.51.100.1", HTTP_AUTHORIZATION=basic("pw")))[0] \
        == "403 Forbidden"
    status, headers, body = call(app, request())
    assert status == "401 Unauthorized" and headers["WWW-Authenticate"] == 'Basic realm="R"'
    assert body != b"inner"
    assert call(app, request(HTTP_AUTHORIZATION=basic("pw")))[2] == b"inner"
    assert call(app, request(QUERY_STRING="password=pw"))[2] == b"inner"


def test_without_rule_and_password_everyone_passes():
    assert call(access.guarded(inner, access.RouteAccess()), request())[2] == b"inner"


def test_forwarded_headers_count_only_from_a_trusted_proxy():
    proxies = netaccess.AddressRule(["127.0.0.1"])
    environ = request(address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4",
                      HTTP_X_FORWARDED_PROTO="https", **{"wsgi.url_scheme": "http"})
    access.apply_forwarded(environ, proxies)
    assert environ["REMOTE_ADDR"] == "198.51.100.4" and environ["wsgi.url_scheme"] == "https"
    assert environ["musicdb.proxy"] == "127.0.0.1"
    stranger = request(address="203.0.113.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    access.apply_forwarded(stranger, proxies)
    assert stranger["REMOTE_ADDR"] == "203.0.113.1" and "musicdb.proxy" not in stranger


@pytest.fixture
def router(tmp_path):
    """The real route table with a stream password and an allow-list."""
    extra = "[Icecast]\npassword = geheim\nallow = 192.0.2.0/24\n"
    cfg = MusicDBConfig(write_config(str(tmp_path), 4711, tls=True, extra=extra))
    (tmp_path / "music" / "song.mp3").write_bytes(b"ID3song")
    frames = tmp_path / "data" / "webdata" / "artwork"
    frames.mkdir(parents=True)
    (frames / "frame.jpg").write_bytes(b"\xff\xd8frame")
    return webapp.make_app(cfg, SimpleNamespace(serve_websocket=None), {"/stream": inner},
                           gate=None)


@pytest.mark.parametrize("path", ["/musicdb/music/song.mp3", "/musicdb/videoframes/frame.jpg"])
def test_music_and_video_frames_follow_the_stream_address_rule(router, path):
    """Credentials are the login's (not part of this table); the address rule is the route's."""
    assert call(router, request(path, address="198.51.100.1"))[0] == "403 Forbidden"
    assert call(router, request(path))[0] == "200 OK"


def test_artwork_and_the_webui_are_not_guarded_by_the_stream_rule(router):
    assert call(router, request("/musicdb/webdata/config.js", address="198.51.100.1"))[0] \
        == "200 OK"


def test_config_js_behind_a_proxy_points_at_the_proxy(router):
    """Through a trusted proxy the WebUI connects to the proxy's host, scheme and port."""
    environ = request("/musicdb/webdata/config.js", address="127.0.0.1",
                      HTTP_HOST="music.example:8443", **{"wsgi.url_scheme": "https"})
    access.apply_forwarded(environ, netaccess.AddressRule(["127.0.0.1"]))
    assert b'"wss://music.example:8443"' in call(router, environ)[2]
    environ = request("/musicdb/webdata/config.js", address="127.0.0.1",
                      HTTP_HOST="music.example", HTTP_X_FORWARDED_PROTO="https")
    access.apply_forwarded(environ, netaccess.AddressRule(["127.0.0.1"]))
    assert b'"wss://music.example:443"' in call(router, environ)[2]
    direct = request("/musicdb/webdata/config.js", HTTP_HOST="music.example:8443")
    assert b'"wss://music.example:4711"' in call(router, direct)[2]
