"""One per-route access rule: the client's address and an optional password.

The live stream and the media it is made of (``/musicdb/music/``, the video
frames) are guarded by the same :class:`RouteAccess`: anyone who may not
listen to the stream may not download its songs either.  The check wraps
the route's WSGI app (:func:`guarded`), so it runs after the router's own
access hook (a login in front of every route) and only for these routes.

The password is accepted as the password of HTTP Basic auth (any user name:
players ask for one) or as ``?password=`` in the URL (players that cannot
ask at all, as Icecast allows).

Behind a reverse proxy every request comes from the proxy's address;
:func:`apply_forwarded` (called by the server's request handler) puts the
client's address from ``X-Forwarded-For`` into ``REMOTE_ADDR``, but only for
a request from a configured proxy (``[websocket] trustedproxies``): anyone
else could write that header.
"""

import base64
import binascii
import hmac
import logging
from urllib.parse import parse_qs

from musicdb.lib import netaccess
from musicdb.lib.http import files

log = logging.getLogger(__name__)


class RouteAccess:
    """Who may use a route: an address rule (see :mod:`musicdb.lib.netaccess`) and a password.

    Raises:
        netaccess.RuleError: an entry of *allow* is not an address or network.
    """

    def __init__(self, allow=(), password="", realm="MusicDB"):
        self.rule = netaccess.AddressRule(allow)
        self.password = password or ""
        self.realm = realm

    def allowed_address(self, address):
        """True without rules, or for an address in one of the networks."""
        return self.rule.admits(address)

    def authorized(self, environ):
        """True without a password, or with it as HTTP Basic password or ``?password=``."""
        if not self.password:
            return True
        given = parse_qs(environ.get("QUERY_STRING", "")).get("password", [""])[0]
        given = given or _basic_password(environ.get("HTTP_AUTHORIZATION", ""))
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))

    def refusal(self, environ):
        """``(status, headers)`` for a request this rule refuses, else None."""
        address = environ.get("REMOTE_ADDR", "")
        if not self.allowed_address(address):
            log.info("Refused %s to %s: address not allowed", environ.get("PATH_INFO", ""),
                     address)
            return "403 Forbidden", []
        if not self.authorized(environ):
            return "401 Unauthorized", [("WWW-Authenticate", f'Basic realm="{self.realm}"')]
        return None


def guarded(app, access):
    """*app* behind *access*: a refused request gets 403 or 401 and never reaches *app*."""
    def guarded_app(environ, start_response):
        refused = access.refusal(environ)
        if refused is not None:
            return files.error_response(environ, start_response, *refused)
        return app(environ, start_response)
    return guarded_app


def apply_forwarded(environ, proxies):
    """Take ``REMOTE_ADDR`` and ``wsgi.url_scheme`` from ``X-Forwarded-For``/``-Proto``
    when the peer is in *proxies* (a :class:`netaccess.AddressRule`).

    The peer stays in ``musicdb.proxy``, which tells ``config.js`` that the
    browser sees the proxy's host and port (the ``Host`` header) instead.
    """
    peer = environ.get("REMOTE_ADDR", "")
    if not proxies.contains_address(peer):
        return
    environ["musicdb.proxy"] = peer
    environ["REMOTE_ADDR"] = netaccess.forwarded_client(
        peer, environ.get("HTTP_X_FORWARDED_FOR"), proxies)
    scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower()
    if scheme in ("http", "https"):
        environ["wsgi.url_scheme"] = scheme


def _basic_password(header):
    """The password of an HTTP Basic ``Authorization`` header, or ``""``."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    return decoded.partition(":")[2]
