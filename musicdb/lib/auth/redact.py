"""Hide secrets in text that goes to a log: query values named like passwords, keys, tokens."""

import re

SECRET_NAMES = ("password", "passwd", "pass", "token", "key", "apikey", "secret", "session",
                "p", "t", "s")  # Subsonic: p (password), t (token), s (salt)
_QUERY_VALUE = re.compile(r"(?i)([?&;](?:%s)=)[^&;\s\"']*" % "|".join(
    sorted(SECRET_NAMES, key=len, reverse=True)))
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@")


def redact(text):
    """``text`` with every secret query value and URL user info replaced by ``***``."""
    text = _QUERY_VALUE.sub(r"\1***", text)
    return _USERINFO.sub(r"\1***@", text)
