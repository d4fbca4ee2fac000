"""The WSGI router (musicdb/lib/http/router.py), called in-process with hand-made environs."""

import pytest

from musicdb.lib.http.router import POLICY_VIOLATION, Router, refusal


def echo(name):
    """A WSGI app that answers with its name and the SCRIPT_NAME/PATH_INFO it saw."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        seen = "%s %s %s" % (name, environ["SCRIPT_NAME"], environ["PATH_INFO"])
        return [seen.encode("latin-1")]
    return app


def call(router, path, method="GET", script="", **extra):
    """Run one request; returns (status, headers dict, body bytes)."""
    raw = path.encode("utf-8").decode("latin-1")  # as the WSGI server hands it in
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": script, "PATH_INFO": raw,
               "QUERY_STRING": "", **extra}
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))
    body = b"".join(router(environ, start_response))
    return answer.get("status"), answer.get("headers", {}), body


class FakeWebSocket:
    """Records the close an upgraded request ends with."""

    def __init__(self):
        self.closed_with = None

    def close(self, code=1000, message=b""):
        self.closed_with = (code, message)


@pytest.fixture
def router():
    """Exact routes, nested mounts, a redirect and an app handling its own methods."""
    router = Router(websocket=lambda environ: [b"websocket served"])
    router.route("/", echo("root"))
    router.route("/musicdb/webdata/config.js", echo("config"))
    router.route("/stream", echo("stream"), methods=None)
    router.redirect("/musicdb", "/musicdb/")
    router.mount("/musicdb/", echo("webui"))
    router.mount("/musicdb/webdata/", echo("webdata"))
    router.mount("/musicdb/music/", echo("music"))
    router.mount("/rest/", echo("rest"), methods=("GET", "POST"))
    return router


# --- matching -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("/", b"root  /"),
    ("/musicdb/webdata/config.js", b"config  /musicdb/webdata/config.js"),
    ("/musicdb/index.html", b"webui /musicdb /index.html"),
    ("/musicdb/webdata/artwork/a.jpg", b"webdata /musicdb/webdata /artwork/a.jpg"),
    ("/musicdb/music/a/b.mp3", b"music /musicdb/music /a/b.mp3"),
    ("/rest/ping.view", b"rest /rest /ping.view"),
])
def test_each_path_reaches_its_route(router, path, expected):
    """Exact routes get the whole path; a mount gets the rest in PATH_INFO, its prefix in
    SCRIPT_NAME (without the last ``/``), as WSGI does for a mounted app."""
    status, _, body = call(router, path)
    assert (status, body) == ("200 OK", expected)


def test_longest_prefix_wins_whatever_the_mount_order(router):
    """``/musicdb/webdata/`` wins over ``/musicdb/`` although mounted after it."""
    assert call(router, "/musicdb/webdata/x")[2].startswith(b"webdata ")
    router.mount("/musicdb/webdata/artwork/", echo("artwork"))
    assert call(router, "/musicdb/webdata/artwork/x")[2] == b"artwork /musicdb/webdata/artwork /x"
    assert call(router, "/musicdb/webdata/x")[2].startswith(b"webdata ")


def test_exact_route_wins_over_a_mount(router):
    """config.js is generated even though it lies below the webdata mount."""
    assert call(router, "/musicdb/webdata/config.js")[2].startswith(b"config ")
    assert call(router, "/musicdb/webdata/config.jsx")[2].startswith(b"webdata ")


def test_mount_root_itself_is_matched_with_a_slash_path_info(router):
    """``/musicdb/`` reaches the WebUI mount with PATH_INFO ``/`` (its index page)."""
    assert call(router, "/musicdb/")[2] == b"webui /musicdb /"


@pytest.mark.parametrize("path", ["/restful", "/rest", "/musicdbx/a", "/elsewhere", "/stream/x"])
def test_unknown_paths_are_404(router, path):
    """A prefix matches whole segments only; an exact route matches nothing below it."""
    status, _, body = call(router, path)
    assert status == "404 Not Found" and body == b"404 Not Found\n"


def test_mount_inside_a_mounted_router_keeps_the_whole_path(router):
    """A router mounted below a prefix routes on its own PATH_INFO and extends SCRIPT_NAME."""
    inner = Router()
    inner.mount("/v2/", echo("inner"))
    router.mount("/api/", inner)
    assert call(router, "/api/v2/items")[2] == b"inner /api/v2 /items"


def test_routing_uses_path_info_and_keeps_script_name(router):
    """A router installed below SCRIPT_NAME routes on PATH_INFO and keeps SCRIPT_NAME
    in front of the mount prefix."""
    assert call(router, "/music/x.mp3", script="/musicdb")[0] == "404 Not Found"
    body = call(router, "/musicdb/music/x.mp3", script="/base")[2]
    assert body == b"music /base/musicdb/music /x.mp3"


def test_non_ascii_routes_match_the_wsgi_form_of_the_path():
    """A route registered as text matches PEP 3333's latin-1 form of its UTF-8 bytes."""
    router = Router()
    router.route("/Ärzte", echo("exact"))
    router.mount("/Ünïcode/", echo("mount"))
    assert call(router, "/Ärzte")[0] == "200 OK"
    status, _, body = call(router, "/Ünïcode/ä.mp3")
    assert status == "200 OK"
    assert body.decode("utf-8") == "mount /Ünïcode /ä.mp3"


def test_a_later_registration_replaces_the_earlier(router):
    """Registering a path or prefix again replaces its app (extra routes override pages)."""
    router.route("/", echo("new root"))
    router.mount("/rest/", echo("new rest"))
    assert call(router, "/")[2].startswith(b"new root ")
    assert call(router, "/rest/x")[2].startswith(b"new rest ")


@pytest.mark.parametrize("prefix", ["/rest", "rest/", ""])
def test_mount_prefix_must_start_and_end_with_a_slash(prefix):
    """A prefix without the slashes would match ``/restful``; it is refused at once."""
    with pytest.raises(ValueError):
        Router().mount(prefix, echo("x"))


# --- methods and redirects ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/musicdb/index.html", "/musicdb/webdata/config.js",
                                  "/musicdb"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_405_with_allow(router, path, method):
    """A route made for GET and HEAD refuses the rest with 405 and the Allow header."""
    status, headers, _ = call(router, path, method=method)
    assert status == "405 Method Not Allowed"
    assert headers["Allow"] == "GET, HEAD"


def test_allow_lists_the_methods_of_the_route(router):
    """Each route names its own methods."""
    assert call(router, "/rest/x", method="POST")[0] == "200 OK"
    status, headers, _ = call(router, "/rest/x", method="DELETE")
    assert (status, headers["Allow"]) == ("405 Method Not Allowed", "GET, POST")


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "SOURCE"])
def test_route_without_methods_gets_every_method(router, method):
    """The stream checks methods itself, so the router passes them all on."""
    assert call(router, "/stream", method=method)[0] == "200 OK"


def test_missing_path_is_404_before_405(router):
    """A POST to nowhere is 404: a 405 would tell that something lives there."""
    assert call(router, "/nowhere", method="POST")[0] == "404 Not Found"


def test_redirect_answers_301_with_location(router):
    """``/musicdb`` goes to ``/musicdb/`` so the WebUI's relative links resolve."""
    status, headers, _ = call(router, "/musicdb")
    assert (status, headers["Location"]) == ("301 Moved Permanently", "/musicdb/")


# --- the access hook ------------------------------------------------------------------------

def refuse_secret(environ):
    """Refuses every request whose path starts with ``/musicdb``."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return refusal("403 Forbidden") if path.startswith("/musicdb") else None


def test_default_access_allows_everything(router):
    """Without a check of its own the router refuses nothing."""
    assert router.access({"PATH_INFO": "/musicdb/"}) is None


@pytest.mark.parametrize("path, method", [
    ("/musicdb/webdata/config.js", "GET"),   # exact route
    ("/musicdb/music/a.mp3", "GET"),         # mount
    ("/musicdb/index.html", "HEAD"),         # mount, HEAD
    ("/musicdb", "GET"),                     # redirect
    ("/musicdb/index.html", "POST"),         # would be 405
    ("/musicdb-nothing", "GET"),             # would be 404
])
def test_refusing_hook_refuses_every_kind_of_route(router, path, method):
    """The hook runs before routing, so redirects, mounts, 404s and 405s are all refused."""
    router.access = refuse_secret
    status, _, _ = call(router, path, method=method)
    assert status == "403 Forbidden"


def test_refusing_hook_passes_other_paths_unchanged(router):
    """Only what the hook refuses is refused; the rest is routed as usual."""
    router.access = refuse_secret
    assert call(router, "/")[2] == b"root  /"
    assert call(router, "/stream", method="POST")[0] == "200 OK"


def test_hook_sees_the_unshifted_path(router):
    """The hook gets the request before a mount moves the prefix into SCRIPT_NAME."""
    seen = []
    router.access = lambda environ: seen.append((environ["SCRIPT_NAME"], environ["PATH_INFO"]))
    call(router, "/musicdb/music/a.mp3")
    assert seen == [("", "/musicdb/music/a.mp3")]


def test_upgrade_goes_to_the_websocket_server_whatever_the_path(router):
    """Any upgraded request is the WebSocket server's, not a route's."""
    for path in ("/", "/musicdb/", "/anything"):
        socket = FakeWebSocket()
        assert call(router, path, **{"wsgi.websocket": socket})[2] == b"websocket served"
        assert socket.closed_with is None


def test_refusing_hook_refuses_the_upgrade(router):
    """A refused upgrade never reaches the WebSocket server; it is closed with 1008
    and the refusal's status as the reason (the handshake is already done)."""
    router.access = refuse_secret
    socket = FakeWebSocket()
    calls = []
    router.websocket = lambda environ: calls.append(environ) or []
    call(router, "/musicdb/", **{"wsgi.websocket": socket})
    assert calls == []
    assert socket.closed_with == (POLICY_VIOLATION, "403 Forbidden")


def test_upgrade_without_websocket_server_is_closed():
    """A router without a WebSocket endpoint closes upgraded requests instead of hanging."""
    socket = FakeWebSocket()
    call(Router(), "/", **{"wsgi.websocket": socket})
    assert socket.closed_with[0] == POLICY_VIOLATION


def test_pre_start_hook_reports_refused_upgrades(router):
    """gevent-websocket's pre_start_hook is true exactly for requests the hook refuses."""
    router.access = refuse_secret

    class Handler:
        environ = {"PATH_INFO": "/musicdb/", "SCRIPT_NAME": ""}
    assert router.pre_start_hook(Handler) is True
    Handler.environ = {"PATH_INFO": "/", "SCRIPT_NAME": ""}
    assert router.pre_start_hook(Handler) is False
