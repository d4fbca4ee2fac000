"""The stream's HTTP endpoint: who may listen, the Icecast-like answer, the body.

``[Icecast] allow`` decides who may listen; the rule is the one of the music
files (``lib/http/app.media_access``), wrapped around the stream's app.  The
login in front of every route checks the listener's credentials, among them
the ``[Icecast] password`` (:func:`player_check`).  ``maxlisteners = 0`` lets
nobody in, and one client address gets at most ``maxlistenersperip``
listeners (HTTP 429).  The answer
is ``audio/mpeg`` with ``icy-*`` headers and no Content-Length, with ICY
titles when the request says ``Icy-MetaData: 1``.  An HTTP/1.1 request gets
the body chunked (gevent's WSGI server does that for bodies of unknown
length; every player decodes it); HTTP/1.0 gets the raw stream, as from
Icecast.  A listener that goes away is one debug line, not a traceback.
"""

import logging
import socket

from gevent import GreenletExit

from musicdb.lib.http import access
from musicdb.lib.http.app import media_access

from .broadcast import METAINT

log = logging.getLogger(__name__)

STREAM_NAME = "MusicDB Stream"
SEND_BUFFER_SECONDS = 1.0   # the socket's own buffer (Linux doubles it)


def player_check(cfg):
    """The login's extra check for the stream: the ``[Icecast] password`` (None if unset).

    The login (musicdb/lib/http/login.py) asks it for a player without a
    session, so a logged-in WebUI needs no stream password and the password
    is checked in one place.
    """
    if not cfg.icecast.password:
        return None
    return access.RouteAccess(password=cfg.icecast.password).authorized


def http_routes(cfg, current):
    """``{[Icecast] mountname: WSGI app}``; ``current()`` is the running stream or None."""
    per_address = cfg.icecast.maxlistenersperip

    def stream_app(environ, start_response):
        return serve_listener(environ, start_response, current(), per_address)
    return {cfg.icecast.mountname: access.guarded(stream_app, media_access(cfg))}


def serve_listener(environ, start_response, stream, per_address=None):
    """Answer one stream request; a listener's audio is written until it leaves or is dropped.

    Who may listen was checked before (:func:`http_routes` wraps this);
    ``per_address`` (None: no limit) is the most listeners one client address may have.
    """
    refusal = _refusal(environ, stream)
    if refusal is None and per_address is not None and environ["REQUEST_METHOD"] == "GET":
        refusal = _over_address_limit(environ.get("REMOTE_ADDR", ""), stream, per_address)
    if refusal:
        return _refuse(start_response, *refusal)
    icy = environ.get("HTTP_ICY_METADATA", "").strip() == "1"
    if environ["REQUEST_METHOD"] == "HEAD":
        start_response("200 OK", _stream_headers(stream, icy))
        return []
    address = environ.get("REMOTE_ADDR", "")
    listener = stream.broadcaster.add(f"{address}:{environ.get('REMOTE_PORT', '')}", icy)
    if listener is None:
        log.warning("Stream listener %s refused: %d listeners already", address,
                    stream.broadcaster.maxlisteners)
        return _refuse(start_response, "503 Service Unavailable", [("Retry-After", "30")])
    _limit_send_buffer(environ, SEND_BUFFER_SECONDS * stream.fmt.bitrate * 125)
    write = start_response("200 OK", _stream_headers(stream, icy))
    _write_audio(listener, write)
    return []


def _refusal(environ, stream):
    """``(status, headers)`` when the request cannot listen now, else None."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return "405 Method Not Allowed", [("Allow", "GET, HEAD")]
    if stream is None or not stream.enabled:
        return "503 Service Unavailable", []
    return None


def _over_address_limit(address, stream, per_address):
    """``(429, headers)`` when ``address`` has ``per_address`` listeners already, else None."""
    count = sum(1 for listener in stream.broadcaster.listeners
                if listener.address.rpartition(":")[0] == address)
    if count < per_address:
        return None
    log.info("Stream listener %s refused: %d listeners from that address", address, count)
    return "429 Too Many Requests", [("Retry-After", "30")]


def _write_audio(listener, write):
    """Write the listener's audio until it is dropped or its connection breaks.

    Why here and not as the response body: a write error of the body reaches
    gevent's handler, which prints a traceback for any socket error but EPIPE
    and ECONNRESET - every TLS listener that closes its tab (SSLEOFError).
    Raises GreenletExit when the connection broke: gevent ends such a request
    quietly.
    """
    reason = "stream ended"
    try:
        for data in listener:
            write(data)
    except OSError as error:        # ssl.SSLError is one too
        reason = f"went away ({error.__class__.__name__}: {error})"
        raise GreenletExit from None
    finally:
        listener.close(reason)


def _limit_send_buffer(environ, size):
    """Give the request's socket a send buffer of about ``size`` bytes, if it can be found.

    Why: Linux grows a socket's send buffer up to megabytes, which would hide
    a stalled listener for minutes (and hold that much memory per listener).
    WSGI does not expose the socket; gevent's request body reader wraps it.
    """
    try:
        sock = environ["wsgi.input"].rfile.raw._sock
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(size))
    except (AttributeError, KeyError, OSError) as error:
        log.debug("Cannot limit the stream listener's send buffer: %s", error)


def _stream_headers(stream, icy):
    headers = [("Content-Type", "audio/mpeg"), ("Cache-Control", "no-cache"),
               ("Pragma", "no-cache"), ("Connection", "close"),
               ("icy-name", STREAM_NAME), ("icy-br", str(stream.fmt.bitrate)), ("icy-pub", "0")]
    if icy:
        headers.append(("icy-metaint", str(METAINT)))
    return headers


def _refuse(start_response, status, headers=()):
    body = (status + "\n").encode("ascii")
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                            *headers])
    return [body]
