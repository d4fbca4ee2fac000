"""The only path from domain code (queue, streams, tasks) to the clients.

Domain code calls :func:`notify` after its change is saved; the WebSocket
server registers itself as a listener at start-up.  Sending is fire-and-forget:
a listener queues the packet and returns, so a queue change never waits for a
slow client.  A failing listener is logged and the others still get the event.
"""

import logging

from musicdb.lib.ws import protocol

log = logging.getLogger(__name__)

_listeners = []


def add_listener(listener):
    """``listener(packet)`` is called for every notification and server broadcast."""
    _listeners.append(listener)


def remove_listener(listener):
    if listener in _listeners:
        _listeners.remove(listener)


def notify(fncname, fncsig, arguments=None):
    """Send a notification (protocol.md §7.1) to every connected client."""
    _emit(protocol.notification(fncname, fncsig, arguments))


def broadcast(fncname, fncsig, arguments=None):
    """Send a server broadcast such as ``sys:refresh`` to every connected client."""
    _emit(protocol.server_broadcast(fncname, fncsig, arguments))


def _emit(packet):
    for listener in list(_listeners):
        try:
            listener(packet)
        except Exception:
            log.exception("Event listener %r failed for %s/%s", listener,
                          packet["fncname"], packet["fncsig"])
