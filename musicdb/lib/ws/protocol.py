"""The MusicDB 8 packet format (protocol.md §2): text in, packets out.

Pure functions: nothing here touches a socket, so every rule is unit-tested
without a server.
"""

import hmac
import json

from .errors import InvalidAPIKey, InvalidJSON, InvalidPacket, UnknownMethod


class RawJSON(str):
    """Text that already is JSON (a cached answer): :func:`encode` embeds it verbatim.

    Only as a value of the packet itself (normally its ``arguments``); the
    text must come from :func:`encode` or ``json.dumps`` with the same options.
    """


PACKET_KEYS = ("method", "fncname", "fncsig", "arguments", "pass", "key")
CLIENT_METHODS = ("call", "request", "broadcast")


def parse(text):
    """Decode one client message into a packet dict.

    Raises:
        InvalidJSON: the text is not JSON, or nested too deeply to decode.
        InvalidPacket: not an object, a key missing, or ``method``/``fncname`` not strings.
    """
    try:
        packet = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise InvalidJSON(f"Message is not valid JSON: {error}") from None
    except RecursionError:
        raise InvalidJSON("Message is nested too deeply") from None
    if not isinstance(packet, dict):
        raise InvalidPacket(f"Packet must be a JSON object, not {type(packet).__name__}")
    missing = [key for key in PACKET_KEYS if key not in packet]
    if missing:
        raise InvalidPacket(f"Packet lacks the key(s) {', '.join(missing)}")
    for key in ("method", "fncname"):
        if not isinstance(packet[key], str):
            raise InvalidPacket(f"Packet key \"{key}\" must be a string")
    return packet


def _refuse_constant(name):
    """NaN and Infinity are not JSON (RFC 8259), and an answer echoing them could not be sent."""
    raise ValueError(f"{name} is not a JSON value")


def check_key(packet, expected):
    """Compare the packet's API key with ``expected`` in constant time; True if equal.

    Raises:
        InvalidPacket: the key is a string that is not valid Unicode (a lone surrogate).
        InvalidAPIKey: the key is not a string or differs.
    """
    key = packet.get("key")
    if not isinstance(key, str):
        raise InvalidAPIKey("Invalid API key")
    try:
        given = key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidPacket("Packet key \"key\" is not valid Unicode") from None
    if not hmac.compare_digest(given, expected.encode("utf-8")):
        raise InvalidAPIKey("Invalid API key")
    return True


def check_method(packet):
    """Raises UnknownMethod unless the method is one a client may send."""
    if packet["method"] not in CLIENT_METHODS:
        raise UnknownMethod(f"Unknown method \"{packet['method']}\"")


def answer(packet, method, arguments, fncname=None):
    """The answer to ``packet``: its ``fncsig`` and ``pass`` echoed, ``fncname`` optionally renamed."""
    return {
        "fncname": fncname or packet["fncname"],
        "fncsig": packet["fncsig"],
        "arguments": arguments,
        "pass": packet["pass"],
        "method": method,
    }


def notification(fncname, fncsig, arguments=None):
    """A server event for every client (protocol.md §7.1)."""
    return {"method": "notification", "fncname": fncname, "fncsig": fncsig,
            "arguments": arguments, "pass": None}


def server_broadcast(fncname, fncsig, arguments=None):
    """A broadcast the server sends on its own, like ``sys:refresh`` (protocol.md §7.2)."""
    return {"method": "broadcast", "fncname": fncname, "fncsig": fncsig,
            "arguments": arguments, "pass": None}


def error_notification(error, packet=None):
    """The ``MusicDB:Error`` notification for the sender of a rejected packet; never echoes the key."""
    request = None
    if isinstance(packet, dict):
        request = {key: packet.get(key) for key in ("method", "fncname", "fncsig", "pass")}
    return notification("MusicDB:Error", "onError",
                        {"code": error.code, "message": str(error), "request": request})


def encode(packet):
    """Serialize like the original (ASCII escapes, default separators); NaN is refused.

    RawJSON values of a packet dict are spliced in without being decoded.
    """
    if not isinstance(packet, dict) or not any(isinstance(v, RawJSON) for v in packet.values()):
        return json.dumps(packet, allow_nan=False)
    members = (json.dumps(str(key)) + ": " + (value if isinstance(value, RawJSON)
                                               else json.dumps(value, allow_nan=False))
               for key, value in packet.items())
    return "{" + ", ".join(members) + "}"
