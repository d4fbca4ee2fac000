"""The parameters of one request: query string and form body, read strictly.

Numbers are decimal integers of at most 18 digits; a negative count or an
unreadable number is error 0, a missing required one error 10.
"""

import re
from urllib.parse import parse_qs

from .wire import GENERIC, MISSING, SubsonicError

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 1000
MAX_LIST = 500  # the most entries any list answers with
_INTEGER = re.compile(r"-?[0-9]{1,18}", re.ASCII)


class Params:
    """``{name: [values]}`` with typed getters."""

    def __init__(self, values):
        self.values = values

    @classmethod
    def from_environ(cls, environ):
        """Query string plus an url-encoded POST body (at most MAX_FORM_BYTES).

        Raises:
            SubsonicError: 0 for more than MAX_FIELDS fields.
        """
        text = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in \
                environ.get("CONTENT_TYPE", ""):
            try:
                length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
            except ValueError:
                length = 0
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            text = "&".join(part for part in (text, body.decode("latin-1")) if part)
        try:
            values = parse_qs(text.encode("latin-1", "replace").decode("utf-8", "replace"),
                              keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            raise SubsonicError(GENERIC, "Too many parameters") from None
        return cls(values)

    def get(self, name, default=None):
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name):
        return list(self.values.get(name, ()))

    def required(self, name):
        value = self.get(name)
        if value is None or value == "":
            raise SubsonicError(MISSING, "Required parameter is missing: %s" % name)
        return value

    def integer(self, name, default=None, minimum=0, maximum=None):
        """An integer parameter; a missing one is ``default`` (None: required).

        Values above ``maximum`` are capped; below ``minimum`` are error 0.
        """
        text = self.get(name)
        if text is None or text == "":
            if default is None:
                raise SubsonicError(MISSING, "Required parameter is missing: %s" % name)
            return default
        if not _INTEGER.fullmatch(text.strip()):
            raise SubsonicError(GENERIC, "Invalid number for %s" % name)
        value = int(text.strip())
        if minimum is not None and value < minimum:
            raise SubsonicError(GENERIC, "%s must be at least %d" % (name, minimum))
        return min(value, maximum) if maximum is not None else value

    def count(self, name, default):
        """A list size: 0..MAX_LIST (capped), negative is error 0."""
        return self.integer(name, default, 0, MAX_LIST)

    def offset(self, name):
        return self.integer(name, 0, 0, 10**12)

    def flag(self, name, default=False):
        value = self.get(name)
        return default if value is None else value.strip().lower() in ("true", "1", "yes")
