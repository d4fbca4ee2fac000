"""The account file: user names, their password hashes and their stream tokens.

One JSON file (``<data>/config/accounts.json``), mode 0600, replaced
atomically on every change.  The command line (``musicdb user ...``) writes
it; the server only reads it and notices a change by the file's mtime, so
``user add``/``passwd``/``remove`` apply to a running server at once.

Stream tokens (for players that cannot log in: ``/stream?token=...``) are
stored as SHA-256 hashes; the token itself is shown once when it is made.
"""

import hashlib
import os
import re
import secrets
import time

from musicdb.lib.auth import passwords
from musicdb.lib.auth.secretfile import SecretFile

FILENAME = os.path.join("config", "accounts.json")
NAME = re.compile(r"[\w.@+-]{1,64}")
MIN_PASSWORD = 8


class AccountError(Exception):
    """An account operation the user asked for cannot be done (the message says why)."""


def path_in(data):
    """Where the account file of the data directory ``data`` lives."""
    return os.path.join(data, FILENAME)


def token_digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountStore:
    """Read and change the accounts of one file; ``cost`` is the scrypt cost of new hashes."""

    def __init__(self, path, cost=passwords.DEFAULT_COST):
        self.path = path
        self.cost = cost
        self._file = SecretFile(path, _users_of, AccountError)
        self._dummy = None

    # -- reading ---------------------------------------------------------------------------

    def names(self):
        return sorted(self._current())

    def exists(self, name):
        return name in self._current()

    def stamp(self, name):
        """A short digest of ``name``'s password hash, or None for an unknown user.

        A session remembers it: a changed password or a removed account ends
        every session made before.
        """
        record = self._current().get(name)
        if record is None:
            return None
        return hashlib.sha256(record["hash"].encode("ascii")).hexdigest()[:16]

    def verify(self, name, password):
        """True if ``name`` exists and ``password`` is its password.

        An unknown name is checked against a dummy hash of the configured
        cost, so the time taken does not tell which names exist.  Slow (one
        scrypt): call it outside the event loop.
        """
        record = self._current().get(name)
        if record is None:
            passwords.verify(password, self._dummy_hash())
            return False
        try:
            return passwords.verify(password, record["hash"])
        except passwords.HashFormatError:
            return False

    def user_for_stream_token(self, token):
        """The user whose stream token ``token`` is, or None."""
        if not token:
            return None
        digest = token_digest(token)
        for name, record in self._current().items():
            stored = record.get("streamtoken") or ""
            if stored and secrets.compare_digest(stored, digest):
                return name
        return None

    # -- changing --------------------------------------------------------------------------

    def add(self, name, password):
        """Create an account.

        Raises:
            AccountError: a bad or taken name, or a too short password.
        """
        check_name(name)
        check_password(password)
        users = self._load()
        if name in users:
            raise AccountError(f"user {name!r} exists already")
        users[name] = {"hash": passwords.make_hash(password, self.cost), "created": int(time.time())}
        self._save(users)

    def set_password(self, name, password):
        """Raises AccountError: no such user, or a too short password."""
        check_password(password)
        users = self._require(name)
        users[name]["hash"] = passwords.make_hash(password, self.cost)
        self._save(users)

    def remove(self, name):
        """Raises AccountError: no such user."""
        users = self._require(name)
        del users[name]
        self._save(users)

    def new_stream_token(self, name):
        """Make (and return, the only time it is shown) a new stream token for ``name``.

        Raises:
            AccountError: no such user.
        """
        users = self._require(name)
        token = secrets.token_urlsafe(24)
        users[name]["streamtoken"] = token_digest(token)
        self._save(users)
        return token

    # -- the file --------------------------------------------------------------------------

    def _current(self):
        return self._file.current()

    def _load(self):
        return self._file.load()

    def _require(self, name):
        users = self._load()
        if name not in users:
            raise AccountError(f"no user {name!r}")
        return users

    def _save(self, users):
        self._file.save({"users": users})

    def _dummy_hash(self):
        if self._dummy is None:
            self._dummy = passwords.dummy_hash(self.cost)
        return self._dummy


def check_name(name):
    """Raises AccountError unless ``name`` is 1-64 letters, digits or ``. _ @ + -``."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise AccountError(f"invalid user name {name!r}: use 1-64 letters, digits or . _ @ + -")


def check_password(password):
    """Raises AccountError for a password shorter than MIN_PASSWORD characters."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def _users_of(content):
    """The well-formed user records of the file's JSON object."""
    users = content.get("users") or {}
    return {name: record for name, record in users.items()
            if isinstance(record, dict) and isinstance(record.get("hash"), str)}
