"""Subsonic credentials: one app password per account and named API keys.

Why a separate password: Subsonic's token authentication sends
``md5(password + salt)``, so the server must know the password in clear.
The login password is stored only as an scrypt hash and is never used here;
each account gets its own *app password* instead, stored recoverably in
``<data>/config/subsonic.json`` (mode 0600, replaced atomically).  API keys
(OpenSubsonic ``apiKey``) are shown once and kept only as SHA-256 digests.

The server only reads the file and notices a change by its mtime, so the
command line (``musicdb subsonic ...``) applies to a running server at once.
"""

import hashlib
import hmac
import os
import re
import secrets
import time

from musicdb.lib.auth.accounts import AccountError, MIN_PASSWORD
from musicdb.lib.auth.secretfile import SecretFile

FILENAME = os.path.join("config", "subsonic.json")
KEY_NAME = re.compile(r"[\w.@+-]{1,64}")


def path_in(data):
    """Where the Subsonic credential file of the data directory ``data`` lives."""
    return os.path.join(data, FILENAME)


def key_digest(key):
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def equal(a, b):
    """Constant-time comparison of two texts (any characters)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"),
                               b.encode("utf-8", "surrogateescape"))


class SubsonicCredentials:
    """Read and change the app passwords and API keys of one file."""

    def __init__(self, path):
        self.path = path
        self._file = SecretFile(path, _credentials_of, AccountError)

    # -- reading ---------------------------------------------------------------------------

    def app_password(self, user):
        """The app password of ``user``, or None when none is set."""
        value = self._current()["passwords"].get(user)
        return value if isinstance(value, str) else None

    def user_for_apikey(self, key):
        """``(user, key name)`` of the API key ``key``, or None; every stored key is compared."""
        digest, found = key_digest(key), None
        for name, record in self._current()["apikeys"].items():
            if equal(str(record.get("sha256", "")), digest) and found is None:
                found = (record.get("user"), name)
        return found

    def apikeys(self):
        """``[(name, user, created)]`` of every API key, by name."""
        return [(name, record.get("user"), record.get("created", 0))
                for name, record in sorted(self._current()["apikeys"].items())]

    # -- changing --------------------------------------------------------------------------

    def set_app_password(self, user, password):
        """Raises AccountError: a too short password."""
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise AccountError(f"an app password needs at least {MIN_PASSWORD} characters")
        content = self._load()
        content["passwords"][user] = password
        self._save(content)

    def create_apikey(self, user, name):
        """Make a new key ``name`` for ``user``; returns the key (the only time it is shown).

        Raises:
            AccountError: a bad or taken key name.
        """
        if not KEY_NAME.fullmatch(name or ""):
            raise AccountError(f"invalid key name {name!r}: use 1-64 letters, digits or . _ @ + -")
        content = self._load()
        if name in content["apikeys"]:
            raise AccountError(f"an API key named {name!r} exists already")
        key = secrets.token_urlsafe(32)
        content["apikeys"][name] = {"user": user, "sha256": key_digest(key),
                                    "created": int(time.time())}
        self._save(content)
        return key

    def revoke_apikey(self, name):
        """Raises AccountError: no such key."""
        content = self._load()
        if content["apikeys"].pop(name, None) is None:
            raise AccountError(f"no API key named {name!r}")
        self._save(content)

    # -- the file --------------------------------------------------------------------------

    def _current(self):
        return self._file.current()

    def _load(self):
        return self._file.load()

    def _save(self, content):
        self._file.save(content)


def _credentials_of(content):
    """The app passwords and well-formed API key records of the file's JSON object."""
    return {"passwords": dict(content.get("passwords") or {}),
            "apikeys": {name: record for name, record in (content.get("apikeys") or {}).items()
                        if isinstance(record, dict)}}
