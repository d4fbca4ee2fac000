"""The WSGI app at ``/rest/``: parse the request, authenticate, dispatch, answer.

Endpoints are small handlers ``(params, ctx) -> body`` in :data:`TABLE`,
registered with :func:`endpoint` by the modules listed in :data:`AREAS`.  A
body is the plain data of :mod:`.wire`; a media endpoint may return a WSGI
app instead (:class:`Media`).  Exactly one place (:meth:`SubsonicApp.__call__`)
turns a :class:`SubsonicError` or any other failure into an answer of
``status="failed"`` (HTTP 200, in the requested format, also for media).
"""

import importlib
import logging
from dataclasses import dataclass, field

from musicdb.lib import turns
from musicdb.lib.db.sqlite import DatabaseError

from . import wire
from .auth import Caller
from .params import Params
from .transcode import Transcoding
from .wire import GENERIC, NOT_FOUND, SubsonicError

log = logging.getLogger(__name__)

AREAS = ("system", "browsing", "lists", "search", "media", "annotation", "playlists",
         "playqueue", "unsupported")
TABLE = {}


@dataclass(frozen=True)
class Endpoint:
    function: object
    auth: bool = True


def endpoint(*names, auth=True):
    """Register the decorated handler under every name of ``names``."""
    def register(function):
        for name in names:
            TABLE[name] = Endpoint(function, auth)
        return function
    return register


def load_areas():
    for area in AREAS:
        importlib.import_module(f"{__package__}.{area}")


@dataclass(frozen=True)
class Media:
    """A handler's binary answer: a WSGI app (file serving)."""

    app: object


@dataclass
class Context:
    """What a handler gets besides its parameters."""

    app: object                 # the MusicDB App
    annotations: object         # the AnnotationDatabase
    environ: dict
    transcoding: object = None  # the server's :class:`.transcode.Transcoding`
    caller: Caller = None
    memo: dict = field(default_factory=dict)  # per-request cache (artwork tags)

    @property
    def user(self):
        return self.caller.user if self.caller else None


class SubsonicApp:
    """The ``/rest/`` WSGI app of one server.

    Each request computes its answer in the loop's :class:`~musicdb.lib.turns.Turns`,
    so that many busy clients do not hold back the live stream's tick; serving a
    file (stream, cover art) comes after, outside it.
    """

    def __init__(self, app, annotations, authenticator, transcoding=None):
        self.app = app
        self.annotations = annotations
        self.authenticator = authenticator
        self.transcoding = transcoding or Transcoding(None)  # None: no ffmpeg, no transcodes
        load_areas()

    def __call__(self, environ, start_response):
        with turns.of_this_loop():
            answer = self._answer(environ)
        if isinstance(answer, Media):
            return answer.app(environ, start_response)
        content_type, body = answer
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store")])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _answer(self, environ):
        """The :class:`Media` or the rendered ``(content type, body)`` of one request."""
        fmt = "xml"
        try:
            if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "POST"):
                raise SubsonicError(GENERIC, "Method not allowed")
            params = Params.from_environ(environ)
            fmt = "json" if params.get("f") in ("json", "jsonp") else "xml"
            result = self._run(environ, params)
        except SubsonicError as error:
            result = wire.envelope(error=error)
        except DatabaseError as error:
            log.error("Subsonic %s: %s", _name(environ), error)
            result = wire.envelope(error=SubsonicError(GENERIC, "Storage error"))
        except Exception:
            log.exception("Subsonic %s failed", _name(environ))
            result = wire.envelope(error=SubsonicError(GENERIC, "Internal error"))
        return result if isinstance(result, Media) else wire.render(result, fmt)

    def _run(self, environ, params):
        found = TABLE.get(_name(environ))
        if found is None:
            raise SubsonicError(NOT_FOUND, "Unknown endpoint")
        ctx = Context(self.app, self.annotations, environ, self.transcoding)
        if found.auth:
            ctx.caller = self.authenticator.check(params, environ.get("REMOTE_ADDR", "?"))
        body = found.function(params, ctx)
        return body if isinstance(body, Media) else wire.envelope(body)


def _name(environ):
    """``ping`` of ``/ping`` or ``/ping.view``."""
    name = environ.get("PATH_INFO", "").strip("/")
    return name[:-5] if name.endswith(".view") else name
