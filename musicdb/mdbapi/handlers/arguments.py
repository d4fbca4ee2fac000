"""Argument validators for the handler table.

A validator takes the raw JSON value and returns the value the handler gets,
or raises ``ValueError`` with a reason; ``dispatch`` turns that into
``InvalidArguments`` before the handler runs, so a rejected packet changes
nothing (protocol.md §5 item 4).
"""

from musicdb.lib.ws.rpc import MISSING  # noqa: F401 (validators compare with it)

# SQLite stores at most signed 64-bit integers; a larger ID can name nothing.
MAX_ID = 2 ** 63 - 1


class Optional:
    """Wrap a validator: the key may be absent or null, then ``default`` is used."""

    def __init__(self, validator, default=None):
        self.validator = validator
        self.default = default

    def __call__(self, value):
        if value is None or value is MISSING:
            return self.default
        return self.validator(value)


def db_id(value):
    """A database ID: a positive integer or its decimal string (api-library.md §0)."""
    if isinstance(value, bool):
        raise ValueError("must be an ID, not a boolean")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or value <= 0:
        raise ValueError("must be a positive integer ID")
    return _in_id_range(value)


def strict_id(value):
    """An ID that must be a real JSON integer (queue and tracker calls)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("must be a positive integer")
    return _in_id_range(value)


def _in_id_range(value):
    if value > MAX_ID:
        raise ValueError("is larger than any database ID")
    return value


def entry_id(value):
    """A queue entry ID: a 128-bit unsigned integer sent as a decimal string."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("must be a decimal string")
    text = str(value).strip()
    if not text.isdigit() or int(text) >= 2 ** 128:
        raise ValueError("must be a decimal string of a 128-bit entry ID")
    return int(text)


def integer(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be an integer")
    return value


def number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    return value


def string(value):
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def boolean(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def mapping(value):
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    return value


def anything(value):
    return value


def one_of(*choices):
    """A string that must be one of ``choices``."""
    def validate(value):
        if value not in choices:
            raise ValueError("must be one of " + ", ".join(map(str, choices)))
        return value
    return validate


def list_of(validator):
    def validate(value):
        if not isinstance(value, list):
            raise ValueError("must be a list")
        return [validator(item) for item in value]
    return validate
