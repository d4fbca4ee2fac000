"""The login in front of every route: the access check, the login page and logout.

:class:`LoginGate` is installed as the router's one access hook
(:attr:`Router.access`), so it runs before every route and, through the
router's ``pre_start_hook``, before a WebSocket handshake is accepted.

Who passes:

- ``/login`` and ``/logout`` (:data:`OPEN_PATHS`): everyone (``/``, our own
  page, needs the session like everything else: a browser comes back to it
  after the login);
- a request with a live session cookie (made by a login on ``/login``);
- a WebSocket upgrade only with a session AND an ``Origin`` that is this
  server's own (``scheme://Host``) or one of the configured ``origins``;
- a player path (the stream): a session, a user's stream token
  (``?token=``), HTTP Basic credentials of an account, or what
  ``player_check`` accepts (the ``[Icecast] password`` of MusicDB 8).

Everyone else: a browser page load is redirected to the login page (which
sends it back afterwards), an upgrade gets 401 or 403 before the handshake,
a player 401 with a Basic challenge, anything else 401.  Failed passwords
count per client address and per user name (:class:`FailureLimiter`); a
blocked try gets 429.  Password checks run in the thread pool (``offload``),
at most two at a time, so a login never blocks the event loop.
"""

import base64
import binascii
import html
import logging
import posixpath
import re
from urllib.parse import parse_qs, quote, urlsplit

import gevent
from gevent.lock import BoundedSemaphore

from musicdb.lib.auth import accounts, sessions
from musicdb.lib.auth.accounts import AccountError
from musicdb.lib.auth.limiter import FailureLimiter
from musicdb.lib.http import files
from musicdb.lib.service import Service
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

COOKIE = "musicdb_session"
LOGIN, LOGOUT = "/login", "/logout"
OPEN_PATHS = frozenset((LOGIN, LOGOUT))
DEFAULT_NEXT = "/"
DECISION = "musicdb.login.decision"  # environ key: the access decision of this request
SESSION = "musicdb.login.session"    # environ key: the digest of the request's live session
DEFAULT_SWEEP_INTERVAL = 2           # seconds between two looks for sessions that ended
MAX_FORM_BYTES = 8192
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_hashing = BoundedSemaphore(2)  # scrypt takes 32 MiB: not more than two at once


def offload(function, *args):
    """Run a slow, GIL-releasing call (scrypt) in gevent's thread pool."""
    with _hashing:
        return in_thread(function, *args)


class LoginGate:
    """The access check and the login/logout pages; see the module docstring.

    ``accounts`` is an :class:`AccountStore`, ``sessions`` a
    :class:`SessionStore`, ``limiter`` a :class:`FailureLimiter`.  ``secret_paths``
    are refused to a request the browser marks as coming from another site,
    even with a session (``config.js`` carries the API key).
    """

    def __init__(self, accounts, sessions, limiter, tls, origins=(), player_paths=(),
                 player_check=None, secret_paths=(), offload=offload, open_prefixes=()):
        self.accounts = accounts
        self.sessions = sessions
        self.limiter = limiter
        self.tls = tls
        self.origins = {_origin_key(origin) for origin in origins} - {None}
        self.player_paths = frozenset(player_paths)
        self.player_check = player_check
        self.secret_paths = frozenset(secret_paths)
        self.offload = offload
        self.open_prefixes = tuple(open_prefixes)  # APIs that check credentials themselves

    def install(self, router, secret_paths=()):
        """Become ``router``'s access check and serve ``/login`` and ``/logout`` on it;
        ``secret_paths`` join those refused to another site."""
        self.secret_paths = self.secret_paths | frozenset(secret_paths)
        router.access = self.access
        router.route(LOGIN, self.login_app, methods=("GET", "HEAD", "POST"))
        router.route(LOGOUT, self.logout_app, methods=("POST",))

    # -- the access check --------------------------------------------------------------------

    def access(self, environ):
        """None to let the request pass, or a WSGI app that answers it instead.

        The decision is kept in the environ: gevent-websocket asks before the
        handshake (``pre_start_hook``) and the router asks again, and a
        password must not be checked (nor a failure counted) twice.
        """
        if DECISION in environ:
            return environ[DECISION]
        try:
            decision = self._decide(environ)
        except AccountError as error:   # a broken account file: nobody gets in
            log.error("Refusing every login: %s", error)
            decision = refusal("503 Service Unavailable")
        environ[DECISION] = decision
        return decision

    def _decide(self, environ):
        path = environ.get("PATH_INFO", "")
        if _is_upgrade(environ):
            return self._upgrade_access(environ)
        if path in OPEN_PATHS or path.startswith(self.open_prefixes):
            return None
        if self.session(environ) is not None:
            if _normal(path) in self.secret_paths and _from_another_site(environ):
                return refusal("403 Forbidden")
            return None
        if path in self.player_paths:
            return self._player_access(environ)
        return self._unauthenticated(environ)

    def session(self, environ):
        """The request's live session (its user also in ``environ["REMOTE_USER"]``) or None."""
        token = _cookie(environ, COOKIE)
        session = self.sessions.lookup(token) if token else None
        if session is None:
            return None
        if self.accounts.stamp(session.user) != session.stamp:  # password changed, user gone
            self.sessions.end(token)
            return None
        environ["REMOTE_USER"] = session.user
        environ[SESSION] = sessions.digest(token)
        return session

    def sweep(self):
        """End the sessions that expired or whose user's password or account changed
        although no request came; their listeners hear of each."""
        return self.sessions.sweep(lambda session:
                                   self.accounts.stamp(session.user) == session.stamp)

    def origin_allowed(self, environ):
        """True without an ``Origin`` header (not a browser), or for our own or a listed one."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return True
        key = _origin_key(origin)
        if key is None:
            return False
        scheme = "https" if self.tls else "http"
        return key == _origin_key("%s://%s" % (scheme, environ.get("HTTP_HOST", ""))) \
            or key in self.origins

    def _upgrade_access(self, environ):
        if not self.origin_allowed(environ):
            log.info("Refused a WebSocket from %s: foreign origin", environ.get("REMOTE_ADDR"))
            return refusal("403 Forbidden")
        if self.session(environ) is None:
            return refusal("401 Unauthorized")
        return None

    def _player_access(self, environ):
        """A player without a session: stream token, Icecast password or account credentials."""
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = query.get("token", [""])[0]
        if token and self.accounts.user_for_stream_token(token):
            return None
        if self.player_check is not None and self.player_check(environ):
            return None
        credentials = _basic_credentials(environ.get("HTTP_AUTHORIZATION", ""))
        if credentials is not None:
            return self._check_password(environ, *credentials)
        challenge = [("WWW-Authenticate", 'Basic realm="MusicDB", charset="UTF-8"')]
        return refusal("401 Unauthorized", challenge)

    def _check_password(self, environ, name, password):
        """None if ``name``/``password`` is an account, else a refusal (401 or 429)."""
        keys = _limiter_keys(environ, name)
        wait = self.limiter.blocked(*keys)
        if wait:
            return refusal("429 Too Many Requests", [("Retry-After", str(wait))])
        if not self.offload(self.accounts.verify, name, password):
            self._failed(environ, keys)
            return refusal("401 Unauthorized",
                           [("WWW-Authenticate", 'Basic realm="MusicDB", charset="UTF-8"')])
        self.limiter.succeeded(*keys)
        environ["REMOTE_USER"] = name
        return None

    def _failed(self, environ, keys):
        self.limiter.failed(*keys)
        log.warning("Failed login from %s", environ.get("REMOTE_ADDR", "?"))

    def _unauthenticated(self, environ):
        """A page load goes to the login page and comes back; anything else gets 401."""
        if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD") and _wants_page(environ):
            here = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                         safe="/:@!$&'()*+,;=~", errors="surrogateescape")
            if environ.get("QUERY_STRING"):
                here += "?" + environ["QUERY_STRING"]
            return see_other(LOGIN + "?next=" + quote(here, safe=""))
        return refusal("401 Unauthorized")

    # -- the pages ----------------------------------------------------------------------------

    def login_app(self, environ, start_response):
        """GET: the form (or on, with a session); POST: check it, set the cookie, go back."""
        if environ.get("REQUEST_METHOD") != "POST":
            target = safe_next(_query(environ).get("next", [""])[0])
            if self.session(environ) is not None:
                return see_other(target)(environ, start_response)
            return self._page(environ, start_response, target)
        if not self.origin_allowed(environ):
            return refusal("403 Forbidden")(environ, start_response)
        form = _read_form(environ)
        name, password = form.get("username", [""])[0], form.get("password", [""])[0]
        target = safe_next(form.get("next", [""])[0])
        keys = _limiter_keys(environ, name)
        wait = self.limiter.blocked(*keys)
        if wait:
            return self._page(environ, start_response, target, name,
                              "Too many failed logins. Try again in %d seconds." % wait,
                              "429 Too Many Requests", [("Retry-After", str(wait))])
        if not self.offload(self.accounts.verify, name, password):
            self._failed(environ, keys)
            return self._page(environ, start_response, target, name,
                              "Wrong user name or password.", "401 Unauthorized")
        self.limiter.succeeded(*keys)
        token = self.sessions.create(name, self.accounts.stamp(name))
        log.info("User %s logged in from %s", name, environ.get("REMOTE_ADDR", "?"))
        return see_other(target, [("Set-Cookie", self._cookie(token))])(environ, start_response)

    def logout_app(self, environ, start_response):
        """End the session (if any), clear the cookie, show the login page."""
        if not self.origin_allowed(environ):
            return refusal("403 Forbidden")(environ, start_response)
        self.sessions.end(_cookie(environ, COOKIE))
        return see_other(LOGIN, [("Set-Cookie", self._cookie("", max_age=0))])(
            environ, start_response)

    def _cookie(self, token, max_age=None):
        age = self.sessions.lifetime if max_age is None else max_age
        cookie = "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict" % (COOKIE, token, age)
        return cookie + "; Secure" if self.tls else cookie

    def _page(self, environ, start_response, target, name="", error="", status="200 OK",
              headers=()):
        hint = "" if self.accounts.names() else NO_ACCOUNT_HINT
        body = login_page(target, name, error, hint)
        return files.serve_bytes(environ, start_response, body, "text/html; charset=utf-8",
                                 status=status, headers=[*PAGE_HEADERS, *headers])


def session_of(environ):
    """The digest of the session a request was let in with (None without one)."""
    return environ.get(SESSION)


class SessionWatch(Service):
    """Calls :meth:`LoginGate.sweep` every ``interval`` seconds, so a session ends on time
    (and everything opened with it closes) without waiting for its next request."""

    name = "session watch"

    def __init__(self, gate, interval=DEFAULT_SWEEP_INTERVAL):
        super().__init__()
        self.gate = gate
        self.interval = interval

    def loops(self):
        return [self._watch]

    def _watch(self):
        while True:
            gevent.sleep(self.interval)
            try:
                self.gate.sweep()
            except AccountError as error:   # a broken account file: access() refuses anyway
                log.error("Cannot check the sessions: %s", error)
            except Exception:   # the next look may work: the watch must not end
                log.exception("Checking the sessions failed")


# -- small helpers ---------------------------------------------------------------------------

def refusal(status, headers=()):
    def app(environ, start_response):
        return files.error_response(environ, start_response, status,
                                    [("Cache-Control", "no-store"), *headers])
    return app


def see_other(location, headers=()):
    """``303 See Other`` to a local ``location`` (a GET follows, also after a POST)."""
    def app(environ, start_response):
        return files.error_response(environ, start_response, "303 See Other",
                                    [("Location", location), ("Cache-Control", "no-store"),
                                     *headers])
    return app


def safe_next(target):
    """``target`` if it is a path on this server, else :data:`DEFAULT_NEXT` (no open redirect).

    A path starts with one ``/``; ``//host`` and ``/\\host`` (which browsers
    read as another host), a scheme, or control characters are refused.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if any(ord(char) < 0x21 or char == "\\" for char in target) or urlsplit(target).netloc:
        return DEFAULT_NEXT
    return target


def _is_upgrade(environ):
    return environ.get("wsgi.websocket") is not None or \
        environ.get("HTTP_UPGRADE", "").strip().lower() == "websocket"


def _origin_key(origin):
    """``(scheme, host, port)`` of an origin, default ports filled in; None if unusable."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port


def _normal(path):
    """``path`` as the file mounts resolve it (``//`` and ``.`` segments collapsed)."""
    return posixpath.normpath(re.sub("/{2,}", "/", path))


def _from_another_site(environ):
    return environ.get("HTTP_SEC_FETCH_SITE", "").lower() in ("cross-site", "same-site")


def _wants_page(environ):
    """A browser's page load; ``/`` always is one (users open it to accept the certificate)."""
    return environ.get("HTTP_SEC_FETCH_MODE", "") == "navigate" or \
        "text/html" in environ.get("HTTP_ACCEPT", "") or \
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") == "/"


def _cookie(environ, name):
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip()
    return ""


def _basic_credentials(header):
    """``(user, password)`` of an HTTP Basic header, or None."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    name, colon, password = decoded.partition(":")
    return (name, password) if colon else None


def _limiter_keys(environ, name):
    return ("ip:" + environ.get("REMOTE_ADDR", "?"), "user:" + name[:64].lower())


def _query(environ):
    return parse_qs(environ.get("QUERY_STRING", ""))


def _read_form(environ):
    """The url-encoded form of a POST (at most MAX_FORM_BYTES are read)."""
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return parse_qs(body.decode("utf-8", "replace"))


NO_ACCOUNT_HINT = ("No account exists yet. Create one on the server with "
                   "<code>python musicdb.py user add NAME</code>.")
PAGE_HEADERS = [
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),  # "no-referrer" would make the form's Origin "null"
]

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MusicDB - Login</title>
<style>
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
       background: #202020; color: #e0e0e0; font-family: sans-serif; }}
form {{ background: #303030; padding: 2em; border-radius: 6px; width: 18em; }}
h1 {{ margin: 0 0 1em; font-size: 1.4em; font-weight: normal; }}
label {{ display: block; margin: 0.8em 0 0.3em; font-size: 0.9em; }}
input {{ width: 100%; box-sizing: border-box; padding: 0.5em; border: 1px solid #555;
        border-radius: 3px; background: #202020; color: inherit; font-size: 1em; }}
button {{ margin-top: 1.5em; width: 100%; padding: 0.6em; border: 0; border-radius: 3px;
         background: #5a8fd0; color: #fff; font-size: 1em; cursor: pointer; }}
.error {{ color: #ff8080; }}
.hint {{ color: #c0c0a0; font-size: 0.9em; }}
</style>
</head>
<body>
<form id="login" method="post" action="/login">
<h1>MusicDB</h1>
{error}{hint}<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" value="{name}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<input type="hidden" name="next" value="{target}">
<button type="submit">Log in</button>
</form>
</body>
</html>
"""


def login_page(target, name="", error="", hint=""):
    """The login form as UTF-8 bytes; ``hint`` is trusted HTML, the rest is escaped."""
    return PAGE.format(
        target=html.escape(target), name=html.escape(name),
        error='<p class="error" id="error">%s</p>\n' % html.escape(error) if error else "",
        hint='<p class="hint">%s</p>\n' % hint if hint else "").encode("utf-8")


def gate_for(cfg, player_paths=(), player_check=None):
    """The :class:`LoginGate` of a server configuration (its files in the data directory)."""
    security, data = cfg.security, cfg.directories.data
    return LoginGate(
        accounts.AccountStore(accounts.path_in(data), cost=security.hashcost),
        sessions.SessionStore(sessions.path_in(data), idle=security.sessionidle,
                              lifetime=security.sessionlifetime),
        FailureLimiter(max_failures=security.maxloginfailures, block=security.loginblocktime),
        tls=cfg.websocket.tls, origins=security.origins, player_paths=player_paths,
        player_check=player_check)
