"""Password hashes: scrypt (memory-hard) with a random salt per hash.

A stored hash carries its own parameters (``scrypt$<log2 n>$<r>$<p>$<salt>$<key>``,
salt and key in base64), so a hash made with a different cost still verifies,
and a test can make cheap hashes while the server's dummy hash uses the
configured cost.
"""

import base64
import hashlib
import hmac
import secrets

DEFAULT_COST = 15   # n = 2**15, r = 8: 32 MiB and roughly 50-100 ms per hash
BLOCK_SIZE = 8      # scrypt's r
PARALLEL = 1        # scrypt's p
SALT_BYTES = 16
KEY_BYTES = 32
SCHEME = "scrypt"


class HashFormatError(ValueError):
    """A stored hash is not in the format :func:`make_hash` writes."""


def make_hash(password, cost=DEFAULT_COST):
    """The stored form of ``password`` (a str) with a fresh salt; ``cost`` is log2 of n."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, cost, BLOCK_SIZE, PARALLEL)
    return "$".join([SCHEME, str(cost), str(BLOCK_SIZE), str(PARALLEL),
                     _b64(salt), _b64(key)])


def dummy_hash(cost=DEFAULT_COST):
    """A hash of no password, as costly to verify as a real one of ``cost``.

    Random salt and key: nothing verifies against it, and making it costs
    nothing (a real hash would cost one scrypt).
    """
    return "$".join([SCHEME, str(cost), str(BLOCK_SIZE), str(PARALLEL),
                     _b64(secrets.token_bytes(SALT_BYTES)), _b64(secrets.token_bytes(KEY_BYTES))])


def verify(password, stored):
    """True if ``password`` matches ``stored``; the comparison is constant-time.

    Raises:
        HashFormatError: ``stored`` is not a hash of this module.
    """
    cost, r, p, salt, key = parse(stored)
    return hmac.compare_digest(_scrypt(password, salt, cost, r, p), key)


def parse(stored):
    """``(cost, r, p, salt, key)`` of a stored hash.

    Raises:
        HashFormatError: wrong scheme, field count or encoding, or absurd parameters.
    """
    parts = str(stored).split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise HashFormatError("not an scrypt hash")
    try:
        cost, r, p = (int(part) for part in parts[1:4])
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5],
                                                                             validate=True)
    except ValueError as error:
        raise HashFormatError(f"bad scrypt hash: {error}") from None
    if not (1 <= cost <= 22 and 1 <= r <= 32 and 1 <= p <= 16 and salt and key):
        raise HashFormatError("scrypt parameters out of range")
    return cost, r, p, salt, key


def _scrypt(password, salt, cost, r, p):
    n = 1 << cost
    # OpenSSL refuses more than 32 MiB unless told; the need is 128 * r * n (+ p's share).
    maxmem = 128 * r * (n + p + 2) + (1 << 20)
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=maxmem, dklen=KEY_BYTES)


def _b64(data):
    return base64.b64encode(data).decode("ascii")
