"""A WSGI router: exact routes, prefix mounts, redirects and one access check.

Why one access check: every request of the port - a file, the stream, a
404, the WebSocket upgrade - passes :attr:`Router.access` before anything
else, so a login check later has exactly one place to live and no route can
forget it.  The default lets everything through.

Routing looks at ``PATH_INFO`` only (``SCRIPT_NAME`` is where the router
itself is installed, so a router mounted in a router works), in this order:

1. an exact route (``route()``, ``redirect()``) for the whole path;
2. the mount with the longest prefix the path starts with (``mount()``).
   The mounted app sees the rest of the path as WSGI does for a mounted
   application: ``SCRIPT_NAME`` gains the prefix (without its last ``/``),
   ``PATH_INFO`` keeps the rest (starting with ``/``);
3. otherwise ``404 Not Found``.

A route made with ``methods`` answers other methods with ``405`` and an
``Allow`` header; ``methods=None`` leaves them to the app (the stream answers
its own).  Paths are registered as text and compared in PEP 3333's form
(UTF-8 bytes as latin-1), so non-ASCII routes match what the server hands in.
"""

from dataclasses import dataclass

from . import files

READ_METHODS = files.ALLOWED_METHODS  # what a file, a page or a redirect accepts
POLICY_VIOLATION = 1008  # WebSocket close code for a refused client (RFC 6455 §7.4.1)


def allow_all(environ):
    """The default access check: nothing is refused."""
    return None


def refusal(status, headers=()):
    """A WSGI app answering *status* with a short text, for an access check to return."""
    def app(environ, start_response):
        return files.error_response(environ, start_response, status, headers)
    return app


@dataclass(frozen=True)
class Route:
    """One registered target: the app and the methods it accepts (``None``: all)."""

    app: object
    methods: tuple | None = None


class Router:
    """The WSGI app of one port; see the module docstring.

    ``access`` is ``callable(environ) -> None | WSGI app``: ``None`` lets the
    request pass, an app answers it instead (see :func:`refusal`).
    ``websocket`` is ``callable(environ) -> iterable``, called for every
    upgraded request whatever its path.
    """

    def __init__(self, access=allow_all, websocket=None):
        self.access = access
        self.websocket = websocket
        self._exact = {}
        self._mounts = []  # (raw prefix, Route), longest prefix first

    def route(self, path, app, methods=READ_METHODS):
        """Serve exactly *path* with *app*; a later route for the same path replaces it."""
        self._exact[_raw(path)] = Route(app, _methods(methods))

    def mount(self, prefix, app, methods=READ_METHODS):
        """Serve every path below *prefix* (which must end with ``/``) with *app*.

        Raises:
            ValueError: *prefix* does not start and end with ``/``.
        """
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError("a mount prefix starts and ends with '/': %r" % prefix)
        raw = _raw(prefix)
        self._mounts = [m for m in self._mounts if m[0] != raw]
        self._mounts.append((raw, Route(app, _methods(methods))))
        self._mounts.sort(key=lambda mount: len(mount[0]), reverse=True)

    def redirect(self, path, location, methods=READ_METHODS):
        """Answer *path* with ``301`` to *location* (e.g. ``/musicdb`` to ``/musicdb/``)."""
        def app(environ, start_response):
            return files.redirect(environ, start_response, location)
        self.route(path, app, methods)

    def __call__(self, environ, start_response):
        refused = self.access(environ)
        if environ.get("wsgi.websocket") is not None:
            return self._upgraded(environ, refused)
        if refused is not None:
            return refused(environ, start_response)
        return self._dispatch(environ, start_response)

    def pre_start_hook(self, handler):
        """gevent-websocket's ``server.pre_start_hook``: refuse before the handshake.

        True (a refused upgrade) makes the handler skip the upgrade and call
        this router as plain HTTP, which then answers with the refusal.
        """
        return self.access(handler.environ) is not None

    def _dispatch(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        found = self._match(path)
        if found is None:
            return files.error_response(environ, start_response, "404 Not Found")
        route, cut = found
        if route.methods and environ.get("REQUEST_METHOD", "GET") not in route.methods:
            return files.error_response(environ, start_response, "405 Method Not Allowed",
                                        [("Allow", ", ".join(route.methods))])
        if cut is not None:
            _shift(environ, path, cut)
        return route.app(environ, start_response)

    def _match(self, path):
        """``(route, None)`` for an exact route, ``(route, cut)`` for a mount, or ``None``."""
        route = self._exact.get(path)
        if route is not None:
            return route, None
        for prefix, route in self._mounts:
            if path.startswith(prefix):
                return route, len(prefix) - 1
        return None

    def _upgraded(self, environ, refused):
        """An upgraded WebSocket: to the WebSocket server, or closed with 1008 if refused.

        The handshake is done by now, so a refusal can no longer be an HTTP
        status; the close reason carries it instead (:meth:`pre_start_hook`
        refuses earlier where the server installs it).
        """
        if refused is None and self.websocket is not None:
            return self.websocket(environ)
        reason = _status_of(refused, environ) if refused is not None else "404 Not Found"
        environ["wsgi.websocket"].close(POLICY_VIOLATION, reason)
        return []


def _shift(environ, path, cut):
    """Move the mount prefix (without its last ``/``) from PATH_INFO to SCRIPT_NAME."""
    environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + path[:cut]
    environ["PATH_INFO"] = path[cut:]


def _status_of(app, environ):
    """The status line *app* answers with (its body is discarded)."""
    seen = []

    def start_response(status, headers, exc_info=None):
        seen.append(status)
    body = app(dict(environ, REQUEST_METHOD="HEAD"), start_response)
    if hasattr(body, "close"):
        body.close()
    return seen[0] if seen else "403 Forbidden"


def _raw(path):
    """*path* in PEP 3333's form: its UTF-8 bytes as latin-1 text."""
    return path.encode("utf-8", "surrogateescape").decode("latin-1")


def _methods(methods):
    return tuple(methods) if methods else None
