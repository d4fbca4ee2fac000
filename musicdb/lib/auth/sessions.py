"""Server-side login sessions: a random token in the browser, its SHA-256 digest on disk.

The store is a JSON file (``<data>/state/sessions.json``, mode 0600) so
sessions survive a restart.  A session ends after ``idle`` seconds without a
request, after ``lifetime`` seconds in any case, at logout, and when its
user's password changes or the account goes (the ``stamp`` it was made with
no longer matches; see :meth:`AccountStore.stamp`).

Last-seen times are written at most every ``SAVE_EVERY`` seconds per
session, so a busy WebUI does not rewrite the file on every request.
"""

import hashlib
import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass

from musicdb.lib import datadir

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

    def create(self, user, stamp):
        """A new session for ``user``; returns its token (only its digest is kept)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self._drop_expired(now)
        while len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions, key=lambda key: self._sessions[key].seen)
            del self._sessions[oldest]
        self._sessions[_digest(token)] = Session(user, stamp, now, now)
        self._save()
        return token

    def lookup(self, token):
        """The live :class:`Session` of ``token`` (its last-seen time updated), or None."""
        if not token:
            return None
        digest = _digest(token)
        session = self._sessions.get(digest)
        now = self.clock()
        if session is None:
            return None
        if self._expired(session, now):
            del self._sessions[digest]
            self._save()
            return None
        session.seen = now
        if now - self._saved.get(digest, session.created) >= SAVE_EVERY:
            self._save()
        return Session(**asdict(session))

    def end(self, token):
        """Forget the session of ``token`` (logout); no error if there is none."""
        if token and self._sessions.pop(_digest(token), None) is not None:
            self._save()

    def __len__(self):
        return len(self._sessions)

    def _expired(self, session, now):
        return now - session.seen > self.idle or now - session.created > self.lifetime

    def _drop_expired(self, now):
        for digest in [d for d, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[digest]

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                raw = json.load(handle)
            return {digest: Session(**fields) for digest, fields in raw.get("sessions", {}).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            log.warning("Ignoring the unreadable session file %s (%s): everyone logs in again",
                        self.path, error)
            return {}

    def _save(self):
        """Write every session; a failed write is logged (sessions then live until a restart)."""
        sessions = {digest: asdict(session) for digest, session in self._sessions.items()}
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            datadir.write_atomic(self.path, json.dumps({"sessions": sessions}) + "\n", 0o600)
        except OSError as error:
            log.error("Cannot save the sessions to %s: %s", self.path, error)
            return
        self._saved = {digest: session.seen for digest, session in self._sessions.items()}


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
