"""The Subsonic wire: answers as JSON or XML, errors with their codes.

An answer body is plain data: a dict whose scalar values become XML
attributes, nested dicts child elements, lists repeated child elements, and a
``"value"`` key the element's text.  JSON keeps the same shape under
``subsonic-response``; lists stay arrays even with one or no entry.

XML 1.0 forbids most control characters and lone surrogates; they are removed
from every attribute and text, so a tag with a stray ``\\x01`` cannot break a
client's parser.
"""

import json
import re

from musicdb import __version__

API_VERSION = "1.16.1"
SERVER_TYPE = "musicdb"
XMLNS = "http://subsonic.org/restapi"
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
            "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_TO_ESCAPE = re.compile('[&<>"\t\n\r]')

# The error codes of the Subsonic API.
GENERIC, MISSING, CLIENT_TOO_OLD, SERVER_TOO_OLD = 0, 10, 20, 30
WRONG_CREDENTIALS, TOKEN_UNSUPPORTED, MECHANISM_UNSUPPORTED = 40, 41, 42
CONFLICTING_AUTH, INVALID_APIKEY, NOT_AUTHORIZED, NOT_FOUND = 43, 44, 50, 70


class SubsonicError(Exception):
    """An answer with ``status="failed"``: ``code`` and ``message`` go to the client."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def envelope(body=None, error=None):
    """The ``subsonic-response`` dict of a body, or of an error."""
    response = {"status": "failed" if error else "ok", "version": API_VERSION,
                "type": SERVER_TYPE, "serverVersion": __version__, "openSubsonic": True}
    if error is not None:
        response["error"] = {"code": error.code, "message": error.message}
    response.update(body or {})
    return response


def render(response, fmt):
    """``(content type, bytes)`` of an envelope in ``fmt`` ("json" or "xml")."""
    if fmt == "json":
        text = json.dumps({"subsonic-response": response}, ensure_ascii=False,
                          separators=(",", ":"))
        return "application/json; charset=utf-8", text.encode("utf-8", "replace")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _element(parts, "subsonic-response", dict(response, xmlns=XMLNS))
    return "text/xml; charset=utf-8", "".join(parts).encode("utf-8")


def _element(parts, name, value):
    """Append ``<name ...>`` for a dict (or a scalar as its text)."""
    if not isinstance(value, dict):
        value = {"value": value}
    parts.append("<" + name)
    children, text = [], None
    for key, item in value.items():
        if item is None:
            continue
        if key == "value" and not isinstance(item, (dict, list)):
            text = item
        elif isinstance(item, (dict, list)):
            children.append((key, item))
        else:
            parts.append(' %s="%s"' % (key, _escape(_scalar(item))))
    if not children and text is None:
        parts.append("/>")
        return
    parts.append(">")
    if text is not None:
        parts.append(_escape(_scalar(text)))
    for key, item in children:
        for child in item if isinstance(item, list) else [item]:
            _element(parts, key, child)
    parts.append("</%s>" % name)


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _escape(text):
    text = _XML_FORBIDDEN.sub("", text)
    return _TO_ESCAPE.sub(lambda match: _ESCAPES[match.group()], text)
