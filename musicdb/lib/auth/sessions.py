"""Server-side login sessions: a random token in the browser, its SHA-256 digest on disk.

The store is a JSON file (``<data>/state/sessions.json``, mode 0600) so
sessions survive a restart.  A session ends after ``idle`` seconds without a
request, after ``lifetime`` seconds in any case, at logout, and when its
user's password changes or the account goes (the ``stamp`` it was made with
no longer matches; see :meth:`AccountStore.stamp`).

Whoever holds something opened with a session (the WebSocket server: its
connections) subscribes with :meth:`SessionStore.subscribe` and hears the
digest of every session that ends, whatever ended it; :meth:`SessionStore.sweep`,
called periodically, ends the sessions that expired or that ``valid`` refuses
although no request came.

Last-seen times are written at most every ``SAVE_EVERY`` seconds per
session, so a busy WebUI does not rewrite the file on every request.  Writes
(an fsync each) run in gevent's thread pool, one at a time, so a slow disk
delays the caller, never the event loop.
"""

import hashlib
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass

from gevent.lock import Semaphore

from musicdb.lib import datadir
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

FILENAME = os.path.join("state", "sessions.json")
DEFAULT_IDLE = 7 * 86400
DEFAULT_LIFETIME = 30 * 86400
SAVE_EVERY = 60
MAX_SESSIONS = 1000     # oldest sessions go first beyond this


def path_in(data):
    return os.path.join(data, FILENAME)


@dataclass
class Session:
    user: str
    stamp: str
    created: float
    seen: float


class SessionStore:
    """The sessions of one file; ``clock`` is ``time.time`` unless a test passes its own."""

    def __init__(self, path, idle=DEFAULT_IDLE, lifetime=DEFAULT_LIFETIME, clock=time.time):
        self.path = path
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock
        self._sessions = self._load()
        self._saved = {}        # digest -> seen as last written
        self._writing = Semaphore()  # one write at a time, each of the state when it began
        self._listeners = []    # called with the digest of every session that ends

    def subscribe(self, listener):
        """Call ``listener(digest)`` whenever a session ends (logout, expiry, ``sweep``).

        Listeners are called fire-and-forget and must not block; one that
        raises is logged and the others still hear of it.
        """
        self._listeners.append(listener)

    def create(self, user, stamp):
        """A new session for ``user``; returns its token (only its digest is kept)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self._drop_expired(now)
        while len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda key: self._sessions[key].seen)
            self._forget(oldest)
        self._sessions[digest(token)] = Session(user, stamp, now, now)
        self._save()
        return token

    def lookup(self, token):
        """The live :class:`Session` of ``token`` (its last-seen time updated), or None."""
        if not token:
            return None
        key = digest(token)
        session = self._sessions.get(key)
        now = self.clock()
        if session is None:
            return None
        if self._expired(session, now):
            self._forget(key)
            self._save()
            return None
        session.seen = now
        if now - self._saved.get(key, session.created) >= SAVE_EVERY:
            self._saved[key] = now   # concurrent requests of this session do not all save
            self._save()
        return Session(**asdict(session))

    def end(self, token):
        """Forget the session of ``token`` (logout); no error if there is none."""
        if token and self._forget(digest(token)):
            self._save()

    def sweep(self, valid=None):
        """End every expired session and every one ``valid(session)`` refuses (its user's
        password changed, the account went); returns how many ended."""
        now = self.clock()
        ended = self._drop_expired(now)
        if valid is not None:
            for key in [d for d, s in self._sessions.items() if not valid(Session(**asdict(s)))]:
                ended += self._forget(key)
        if ended:
            self._save()
        return ended

    def __len__(self):
        return len(self._sessions)

    def _expired(self, session, now):
        return now - session.seen > self.idle or now - session.created > self.lifetime

    def _drop_expired(self, now):
        return sum(self._forget(key) for key in
                   [d for d, s in self._sessions.items() if self._expired(s, now)])

    def _forget(self, key):
        """Drop the session ``key`` and tell the listeners; True if there was one."""
        if self._sessions.pop(key, None) is None:
            return False
        self._saved.pop(key, None)
        for listener in list(self._listeners):
            try:
                listener(key)
            except Exception:  # a listener's failure must not keep the session alive
                log.exception("A listener failed on the end of a session")
        return True

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                raw = json.load(handle)
            return {key: Session(**fields) for key, fields in raw.get("sessions", {}).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            log.warning("Ignoring the unreadable session file %s (%s): everyone logs in again",
                        self.path, error)
            return {}

    def _save(self):
        """Write every session; a failed write is logged (sessions then live until a restart).

        The snapshot is taken once the previous write has finished, so the
        file ends with the newest state whatever order the callers came in.
        """
        with self._writing:
            sessions = {key: asdict(session) for key, session in self._sessions.items()}
            try:
                in_thread(self._write, json.dumps({"sessions": sessions}) + "\n")
            except OSError as error:
                log.error("Cannot save the sessions to %s: %s", self.path, error)
                return
            self._saved = {key: fields["seen"] for key, fields in sessions.items()}

    def _write(self, text):
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        datadir.write_atomic(self.path, text, 0o600)


def digest(token):
    """The SHA-256 digest that stands for ``token`` on disk and in the listeners' calls."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
