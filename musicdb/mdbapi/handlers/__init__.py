"""The API table: every WebSocket function is one small handler registered here.

A handler is ``func(args, ctx) -> value``: ``args`` are the validated
arguments, ``ctx`` the server's shared objects (:class:`Context`).  It never
builds packets or touches sockets.  :func:`dispatch` runs one packet through
the table and returns the packets to send; it is the one place that turns
errors into ``MusicDB:Error`` notifications.

API areas register their handlers by being imported in :data:`AREAS`.
"""

import importlib
import logging
from dataclasses import dataclass, field
from types import SimpleNamespace

from musicdb.lib.ws import protocol
from musicdb.lib.ws.errors import ApiError, InternalError, InvalidArguments, UnknownFunction

from .arguments import MISSING

log = logging.getLogger(__name__)

AREAS = (
    "system",      # Bounce
    "library",     # artists, albums, songs, videos, tags, lyrics, relationships (read)
    "state",       # MDB state, WebUI and Randy configuration
    "search",      # Find
    "playback",    # stream states, PlayNext*, VideoEnded
    "queues",      # song and video queue
    "statistics",  # statistics, relationships (GetSong/VideoRelationship) and their cuts
    "video",       # video stream state, PlayNextVideo, VideoEnded
    "randyconfig", # Load/SaveRandyConfiguration
)

HANDLERS = {}

SENDER = "sender"
EVERYONE = "everyone"


@dataclass
class Handler:
    name: str
    func: object
    args: dict = field(default_factory=dict)
    raw_args: bool = False
    forced: tuple = None     # (getter, argument): broadcast the getter's result (protocol.md §2.4)
    answered_by: tuple = None  # (getter, argument): a request is answered by the getter


class Context(SimpleNamespace):
    """The server-wide objects a handler may use: cfg, database, tracker, mise, ...

    ``connection`` is the calling connection, or None outside a request.
    """

    def for_connection(self, connection):
        return Context(**{**vars(self), "connection": connection})


def handler(name, args=None, raw_args=False, forced=None, answered_by=None):
    """Register ``func`` as the API function ``name``.

    ``args`` maps each argument name to a validator (see ``arguments``);
    ``raw_args`` hands the whole ``arguments`` value over unchecked.
    """
    def register(func):
        if name in HANDLERS:
            raise RuntimeError(f"API function {name} registered twice")
        HANDLERS[name] = Handler(name, func, dict(args or {}), raw_args, forced, answered_by)
        return func
    return register


def load_areas():
    for area in AREAS:
        importlib.import_module(f"{__name__}.{area}")


def validate(entry, arguments):
    """The handler's arguments, checked and converted.

    Raises:
        InvalidArguments: an argument is missing or has the wrong type.
    """
    if entry.raw_args:
        return arguments
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise InvalidArguments(f"{entry.name}: arguments must be an object")
    checked = {}
    for name, check in entry.args.items():
        value = arguments.get(name, MISSING)
        if value is MISSING and not hasattr(check, "default"):
            raise InvalidArguments(f"{entry.name}: argument \"{name}\" is missing")
        try:
            checked[name] = check(value)
        except (ValueError, TypeError) as error:
            raise InvalidArguments(f"{entry.name}: argument \"{name}\" {error}") from None
    return checked


def call(name, arguments, ctx):
    """Run the API function ``name`` with raw ``arguments``; returns its result.

    Raises:
        UnknownFunction, InvalidArguments, or any ApiError of the handler.
    """
    entry = HANDLERS.get(name)
    if entry is None:
        raise UnknownFunction(f"Unknown function \"{name}\"")
    return entry.func(validate(entry, arguments), ctx)


def dispatch(packet, ctx):
    """Execute one checked packet; returns ``[(recipients, packet), ...]`` to send.

    Every failure becomes one error notification for the sender and nothing else.
    """
    try:
        return _execute(packet, ctx)
    except ApiError as error:
        log.warning("Rejected %s %s: %s", packet.get("method"), packet.get("fncname"), error)
        return [(SENDER, protocol.error_notification(error, packet))]
    except Exception:
        log.exception("Function %s failed", packet.get("fncname"))
        error = InternalError(f"Function \"{packet.get('fncname')}\" failed on the server")
        return [(SENDER, protocol.error_notification(error, packet))]


def _execute(packet, ctx):
    entry = HANDLERS.get(packet["fncname"])
    if entry is None:
        raise UnknownFunction(f"Unknown function \"{packet['fncname']}\"")
    args = validate(entry, packet["arguments"])
    method = packet["method"]
    if entry.forced:
        getter, key = entry.forced
        entry.func(args, ctx)
        getter_args = {key: packet["arguments"][key]} if key else None  # key None: no arguments
        result = call(getter, getter_args, ctx)
        return [(EVERYONE, protocol.answer(packet, "broadcast", result, fncname=getter))]
    result = entry.func(args, ctx)
    if method == "call":
        return []
    if method == "broadcast":
        if entry.answered_by:
            result = None
        return [(EVERYONE, protocol.answer(packet, "broadcast", result))]
    if entry.answered_by:
        getter, key = entry.answered_by
        result = call(getter, {key: packet["arguments"][key]}, ctx)
        return [(SENDER, protocol.answer(packet, "response", result, fncname=getter))]
    return [(SENDER, protocol.answer(packet, "response", result))]
