"""Who calls: Subsonic token, password or API key authentication against the accounts.

The login password is never used (it is stored hashed): each account has a
separate app password (``musicdb subsonic password USER``) and API keys
(``musicdb subsonic apikey create USER NAME``), see
:mod:`musicdb.lib.auth.subsonic`.  Wrong user and wrong password give the
same error 40; every comparison takes constant time.  Failures count in the
login page's :class:`~musicdb.lib.auth.limiter.FailureLimiter` (per client
address and user name); only failures count.  ``[subsonic] tokenauth`` and
``passwordauth`` turn the two password mechanisms off (41, 42: a mechanism
that is off is no failed login).
"""

import binascii
import hashlib
import logging
import re
from dataclasses import dataclass

from musicdb.lib.auth.subsonic import equal

from .wire import (API_VERSION, CLIENT_TOO_OLD, CONFLICTING_AUTH, GENERIC, INVALID_APIKEY,
                   MECHANISM_UNSUPPORTED, MISSING, SERVER_TOO_OLD, TOKEN_UNSUPPORTED,
                   WRONG_CREDENTIALS, SubsonicError)

log = logging.getLogger(__name__)

WRONG = "Wrong username or password."
_VERSION = re.compile(r"([0-9]{1,4})(?:\.([0-9]{1,4})){0,2}", re.ASCII)
SERVER_MAJOR = int(API_VERSION.split(".")[0])
_DUMMY = "no app password set: this never matches"


@dataclass(frozen=True)
class Caller:
    user: str
    apikey: str = None  # the key's name when the caller used an API key


class Authenticator:
    """Check the credentials of a request; ``accounts`` an AccountStore, ``credentials``
    a SubsonicCredentials, ``limiter`` the login's FailureLimiter; ``token_auth`` and
    ``password_auth`` False refuse ``t``+``s`` (41) and ``p`` (42)."""

    def __init__(self, accounts, credentials, limiter, token_auth=True, password_auth=True):
        self.accounts = accounts
        self.credentials = credentials
        self.limiter = limiter
        self.token_auth = token_auth
        self.password_auth = password_auth

    def check(self, params, address):
        """The :class:`Caller`, or raises SubsonicError (10, 40, 43, 44)."""
        if params.get("apiKey") is not None:
            return self._apikey(params, address)
        for name in ("u", "v", "c"):
            if not params.get(name):
                raise SubsonicError(MISSING, "Required parameter is missing: %s" % name)
        check_version(params.get("v"))
        self._mechanism_allowed(params)
        user = params.get("u")
        keys = ("ip:" + address, "user:" + user[:64].lower())
        wait = self.limiter.blocked(*keys)
        if wait:
            raise SubsonicError(WRONG_CREDENTIALS,
                                "Too many failed logins. Try again in %d seconds." % wait)
        if not self._password_matches(params, user):
            self.limiter.failed(*keys)
            log.warning("Failed Subsonic login from %s", address)
            raise SubsonicError(WRONG_CREDENTIALS, WRONG)
        self.limiter.succeeded(*keys)
        return Caller(user)

    def _mechanism_allowed(self, params):
        """Raises SubsonicError 41 (token) or 42 (password) for a mechanism turned off."""
        if params.get("t") is not None and params.get("s") is not None:
            if not self.token_auth:
                raise SubsonicError(TOKEN_UNSUPPORTED, "Token authentication is turned off "
                                    "on this server: send the app password (p)")
        elif params.get("p") is not None and not self.password_auth:
            raise SubsonicError(MECHANISM_UNSUPPORTED, "Password authentication is turned "
                                "off on this server: send a token (t, s) or an apiKey")

    def _password_matches(self, params, user):
        """True if ``t``+``s`` or ``p`` fit the app password of an existing ``user``.

        Raises:
            SubsonicError: 10 when neither ``t``+``s`` nor ``p`` is given.
        """
        known = self.accounts.exists(user)
        stored = self.credentials.app_password(user) if known else None
        if known and stored is None:
            log.warning("Subsonic login of %s refused: no app password is set; set one with "
                        "'musicdb subsonic password %s'", user, user)
        token, salt, password = params.get("t"), params.get("s"), params.get("p")
        if token is not None and salt is not None:
            expected = hashlib.md5(((stored or _DUMMY) + salt).encode("utf-8")).hexdigest()
            return equal(token.lower(), expected) and stored is not None
        if password is not None:
            return equal(_decoded(password), stored or _DUMMY) and stored is not None
        raise SubsonicError(MISSING, "Required parameter is missing: t and s, or p")

    def _apikey(self, params, address):
        if params.get("u") is not None:
            raise SubsonicError(CONFLICTING_AUTH, "Multiple conflicting authentication "
                                "mechanisms provided: apiKey with u")
        for name in ("v", "c"):
            if not params.get(name):
                raise SubsonicError(MISSING, "Required parameter is missing: %s" % name)
        check_version(params.get("v"))
        keys = ("ip:" + address,)
        if self.limiter.blocked(*keys):
            raise SubsonicError(INVALID_APIKEY, "Invalid API key (too many failures; wait).")
        found = self.credentials.user_for_apikey(params.get("apiKey"))
        if found is None or not self.accounts.exists(found[0]):
            self.limiter.failed(*keys)
            log.warning("Failed Subsonic API key from %s", address)
            raise SubsonicError(INVALID_APIKEY, "Invalid API key.")
        return Caller(found[0], apikey=found[1])


def check_version(text):
    """Accept a client's protocol version ``v`` of our major version (any minor: clients
    ask newer 1.x servers for what they know, and we answer 1.16.1 in every reply).

    Raises:
        SubsonicError: 0 for no version number, 20 for an older major, 30 for a newer one.
    """
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise SubsonicError(GENERIC, "Invalid protocol version v: expected numbers such as "
                            "%s" % API_VERSION)
    major = int(match.group(1))
    if major < SERVER_MAJOR:
        raise SubsonicError(CLIENT_TOO_OLD, "Incompatible Subsonic REST protocol version. "
                            "Client must upgrade (server speaks %s)." % API_VERSION)
    if major > SERVER_MAJOR:
        raise SubsonicError(SERVER_TOO_OLD, "Incompatible Subsonic REST protocol version. "
                            "Server must upgrade (server speaks %s)." % API_VERSION)


def _decoded(password):
    """``p`` as given, or decoded from ``enc:`` hex (any case): the bytes as UTF-8, else as
    Latin-1 (py-opensonic hex-encodes code points, so ``ä`` arrives as ``E4``); bad hex is
    no password."""
    if not password.startswith("enc:"):
        return password
    try:
        raw = binascii.unhexlify(password[4:])
    except (binascii.Error, ValueError):
        return "\x00undecodable"
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
