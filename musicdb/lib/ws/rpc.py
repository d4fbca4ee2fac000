"""Remote procedure calls over MusicDB packets: a table of handlers and its dispatch.

A handler is ``func(args, app)`` (or ``func(args, app, caller)`` when
registered with ``caller=True``): ``args`` are the validated arguments,
``app`` whatever the server passes in, ``caller`` the calling connection.  It
returns plain data and never builds packets or touches sockets.  The
application owns a :class:`HandlerTable` and hands it to the WebSocket
server; :meth:`HandlerTable.dispatch` turns each error into one
``MusicDB:Error`` for the sender.

A validator (see ``args``) takes the raw JSON value and returns what the
handler gets, or raises ``ValueError``/``TypeError`` with a reason; the packet
is then rejected before the handler runs, so it changes nothing.

A handler registered with ``heavy=True`` (a whole table, a search) runs only
while it holds one of the table's ``heavy_slots``; the other callers wait
in turn.  Why: a dozen clients asking for 9 MB answers in a loop would
otherwise keep the hub (and the GIL) busy for seconds, and every other
client's heartbeat would wait; light calls never wait for a slot.

Every call also waits while the event loop's round has used its budget
(:mod:`musicdb.lib.turns`), so many clients do not hold back the live stream's tick.
"""

import contextlib
import logging
from dataclasses import dataclass, field

import gevent.lock

from musicdb.lib import turns
from musicdb.lib.storage import storage_error

from . import protocol
from .errors import ApiError, InternalError, InvalidArguments, UnknownFunction

log = logging.getLogger(__name__)

SENDER = "sender"
EVERYONE = "everyone"

MISSING = object()   # an argument the packet does not carry


@dataclass
class Handler:
    name: str
    func: object
    args: dict = field(default_factory=dict)
    raw_args: bool = False
    forced: tuple = None       # (getter, argument): broadcast the getter's result (protocol.md §2.4)
    answered_by: tuple = None  # (getter, argument): a request is answered by the getter
    caller: bool = False       # the handler gets the calling connection too
    heavy: bool = False        # runs only in one of the table's heavy slots


class HandlerTable:
    """API function name -> :class:`Handler`."""

    def __init__(self, heavy_slots=1):
        self._handlers = {}
        self._heavy = gevent.lock.Semaphore(heavy_slots)

    def __contains__(self, name):
        return name in self._handlers

    def names(self):
        return sorted(self._handlers)

    def entries(self):
        """Every :class:`Handler`, by name."""
        return [self._handlers[name] for name in self.names()]

    def handler(self, name, args=None, raw_args=False, forced=None, answered_by=None,
                caller=False, heavy=False):
        """Decorator: register ``func`` as the API function ``name``.

        ``args`` maps each argument name to a validator; ``raw_args`` hands
        the whole ``arguments`` value over unchecked; ``heavy`` makes the call
        wait for a heavy slot (see the module docstring).
        """
        def register(func):
            if name in self._handlers:
                raise RuntimeError(f"API function {name} registered twice")
            self._handlers[name] = Handler(name, func, dict(args or {}), raw_args, forced,
                                           answered_by, caller, heavy)
            return func
        return register

    def call(self, name, arguments, app, caller=None):
        """Run ``name`` with raw ``arguments``; returns its result.

        Raises:
            UnknownFunction, InvalidArguments, or any ApiError of the handler.
        """
        entry = self._entry(name)
        args = validate(entry, arguments)
        with self._heavy if entry.heavy else contextlib.nullcontext():
            return _run(entry, args, app, caller)

    def dispatch(self, packet, app, caller=None):
        """Execute one checked packet; returns ``[(recipients, packet), ...]`` to send.

        Every failure becomes one error notification for the sender and nothing else;
        an ``OSError`` or database error of a full or read-only disk becomes a
        ``StorageError`` that says so (:func:`musicdb.lib.storage.storage_error`).
        """
        try:
            return self._execute(packet, app, caller)
        except ApiError as error:
            log.warning("Rejected %s %s: %s", packet.get("method"), packet.get("fncname"), error)
            return [(SENDER, protocol.error_notification(error, packet))]
        except Exception as failure:
            error = storage_error(failure)
            if error is not None:   # a full or read-only disk: say so, not "failed"
                log.warning("Rejected %s %s: %s", packet.get("method"), packet.get("fncname"),
                            error)
            else:
                log.exception("Function %s failed", packet.get("fncname"))
                error = InternalError(
                    f"Function \"{packet.get('fncname')}\" failed on the server")
            return [(SENDER, protocol.error_notification(error, packet))]

    def _entry(self, name):
        entry = self._handlers.get(name)
        if entry is None:
            raise UnknownFunction(f"Unknown function \"{name}\"")
        return entry

    def _execute(self, packet, app, caller):
        entry = self._entry(packet["fncname"])
        args = validate(entry, packet["arguments"])
        with turns.of_this_loop(), self._heavy if entry.heavy else contextlib.nullcontext():
            result = _run(entry, args, app, caller)
        if entry.forced:
            return [(EVERYONE, self._getter_answer(packet, entry.forced, "broadcast", app))]
        method = packet["method"]
        if method == "call":
            return []
        if method == "broadcast":
            return [(EVERYONE, protocol.answer(packet, "broadcast",
                                               None if entry.answered_by else result))]
        if entry.answered_by:
            return [(SENDER, self._getter_answer(packet, entry.answered_by, "response", app))]
        return [(SENDER, protocol.answer(packet, "response", result))]

    def _getter_answer(self, packet, getter, method, app):
        """The answer of ``getter`` (name, argument) for the argument the packet carried."""
        name, key = getter
        arguments = {key: packet["arguments"][key]} if key else None
        return protocol.answer(packet, method, self.call(name, arguments, app), fncname=name)


def _run(entry, args, app, caller):
    if entry.caller:
        return entry.func(args, app, caller)
    return entry.func(args, app)


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
