"""MusicDB's route table (musicdb/lib/http/app.py): in-process, and one real server for the
WebSocket upgrade.  test_app_over_server.py checks the same routes end to end through
``musicdb.py server``.
"""

from pathlib import Path

import gevent
import pytest
import websocket

from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.http import app as webapp
from musicdb.lib.http.router import POLICY_VIOLATION, refusal
from musicdb.lib.ws.transport import QuietWSGIServer, SafeWebSocketHandler
from tests.support import write_config


class FakeWebSocketServer:
    """Answers every upgraded request with one text message, then returns."""

    def serve_websocket(self, environ):
        environ["wsgi.websocket"].send("hello from the WebSocket server")
        return []


def stream(environ, start_response):
    start_response("200 OK", [("Content-Type", "audio/mpeg")])
    return [b"stream " + environ["REQUEST_METHOD"].encode()]


@pytest.fixture
def cfg(tmp_path):
    """A configuration whose WebUI, webdata and music directories hold one file each."""
    webui = tmp_path / "webui"
    webui.mkdir()
    (webui / "index.html").write_text("<p>WebUI</p>")
    config = MusicDBConfig(write_config(str(tmp_path), 4711, tls=True, webui=str(webui)))
    (tmp_path / "data" / "webdata" / "artwork").mkdir(parents=True)
    (tmp_path / "data" / "webdata" / "artwork" / "a.jpg").write_bytes(b"\xff\xd8artwork")
    (tmp_path / "music" / "song.mp3").write_bytes(b"ID3song")
    return config


@pytest.fixture
def router(cfg):
    return webapp.make_app(cfg, FakeWebSocketServer(), {"/stream": stream}, gate=None)


def call(router, path, method="GET"):
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_NAME": "localhost", "SERVER_PORT": "4711",
               "HTTP_HOST": "localhost:4711"}
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))
    result = router(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("path, start", [
    ("/", b"<!DOCTYPE html>"),
    ("/musicdb/", b"<p>WebUI</p>"),
    ("/musicdb/index.html", b"<p>WebUI</p>"),
    ("/musicdb/webdata/config.js", b'"use strict";'),
    ("/musicdb/webdata/artwork/a.jpg", b"\xff\xd8artwork"),
    ("/musicdb/videoframes/a.jpg", b"\xff\xd8artwork"),
    ("/musicdb/music/song.mp3", b"ID3song"),
    ("/stream", b"stream GET"),
])
def test_every_url_of_the_layout_is_served(router, path, start):
    """The table of foundations.md §5, plus the stream route passed in."""
    status, _, body = call(router, path)
    assert status == "200 OK" and body.startswith(start)


def test_config_js_names_the_port_of_the_request(router):
    """The WebSocket URL in config.js uses the host and port the browser used."""
    body = call(router, "/musicdb/webdata/config.js")[2].decode()
    assert 'WEBSOCKET_URL       = "wss://localhost:4711"' in body


def test_extra_routes_handle_their_own_methods(router):
    """The stream gets every method; the pages answer 405 with Allow."""
    assert call(router, "/stream", method="POST")[2] == b"stream POST"
    status, headers, _ = call(router, "/musicdb/index.html", method="POST")
    assert (status, headers["Allow"]) == ("405 Method Not Allowed", "GET, HEAD")


def test_directory_in_a_mount_redirects_to_its_full_path_with_slash(router, cfg):
    """A mounted directory's index needs the slash; the Location keeps the mount prefix."""
    sub = Path(cfg.webui.directory) / "help"
    sub.mkdir()
    (sub / "index.html").write_text("help")
    status, headers, _ = call(router, "/musicdb/help")
    assert (status, headers["Location"]) == ("301 Moved Permanently", "/musicdb/help/")
    assert call(router, "/musicdb/help/")[2] == b"help"


def test_musicdb_redirects_to_the_webui(router):
    status, headers, _ = call(router, "/musicdb")
    assert (status, headers["Location"]) == ("301 Moved Permanently", "/musicdb/")


@pytest.mark.parametrize("path", ["/musicdb/", "/musicdb/webdata/config.js",
                                  "/musicdb/music/song.mp3", "/stream", "/musicdb", "/nothing"])
def test_access_hook_on_the_table_refuses_every_route(router, path):
    """One hook covers the pages, config.js, the files, the stream, redirects and 404s."""
    router.access = lambda environ: refusal("401 Unauthorized")
    assert call(router, path)[0] == "401 Unauthorized"


# --- a real server for the upgrade ----------------------------------------------------------

@pytest.fixture
def served(router):
    """``(router, port)`` of a plain-HTTP WebSocket server on 127.0.0.1; stopped in finally."""
    wsgi = QuietWSGIServer(("127.0.0.1", 0), router, handler_class=SafeWebSocketHandler,
                           log=None, error_log=None)
    wsgi.start()
    try:
        yield router, wsgi
    finally:
        wsgi.stop(timeout=2)


def connect(port, path="/"):
    """Open a WebSocket in a native thread; returns the first frame (opcode, data) or the
    handshake's HTTP status."""
    def run():
        try:
            client = websocket.create_connection("ws://127.0.0.1:%d%s" % (port, path), timeout=5)
        except websocket.WebSocketBadStatusException as error:
            return error.status_code
        try:
            return client.recv_data(control_frame=True)
        finally:
            client.close()
    return gevent.get_hub().threadpool.apply(run)


def test_upgrade_reaches_the_websocket_server(served):
    """Any path upgrades to the WebSocket server, as the WebUI connects to ``/``."""
    _, wsgi = served
    assert connect(wsgi.server_port, "/musicdb/") == (
        websocket.ABNF.OPCODE_TEXT, b"hello from the WebSocket server")


def test_refused_upgrade_is_closed_with_policy_violation(served):
    """A refused client never reaches the WebSocket server: 1008 and the refusal's status."""
    router, wsgi = served
    router.access = lambda environ: refusal("403 Forbidden")
    opcode, data = connect(wsgi.server_port)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == POLICY_VIOLATION
    assert data[2:] == b"403 Forbidden"


def test_pre_start_hook_refuses_before_the_handshake(served):
    """With the router's pre_start_hook installed, a refused upgrade is a plain HTTP 403."""
    router, wsgi = served
    router.access = lambda environ: refusal("403 Forbidden")
    wsgi.pre_start_hook = router.pre_start_hook
    assert connect(wsgi.server_port) == 403
