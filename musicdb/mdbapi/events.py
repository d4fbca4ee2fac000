"""Domain events: what happened in the application, as a name and plain data.

Queues, streams, Randy and tasks call :func:`emit` after their change is
stored; they know nothing of packets.  Subscribers adapt events to their wire:
the WebSocket API turns them into MusicDB notifications
(:mod:`musicdb.mdbapi.handlers.notifications`), caches drop what went stale,
and later APIs can listen too.  Sending is fire-and-forget: a subscriber
queues its work and returns, so a change never waits for a slow client.  A
failing subscriber is logged and the others still get the event.
"""

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# The song queue changed; its head (the current song) changed.
SONGQUEUE_CHANGED = "songqueue.changed"
SONGQUEUE_HEAD = "songqueue.head"
VIDEOQUEUE_CHANGED = "videoqueue.changed"
VIDEOQUEUE_HEAD = "videoqueue.head"
# The audio stream's state changed; data None.  Its played time; data: seconds.
AUDIOSTREAM_STATUS = "audiostream.status"
AUDIOSTREAM_TIME = "audiostream.time"
# The video stream's state; data: {"isstreaming", "isplaying", "currententry": int}.
VIDEOSTREAM_STATUS = "videostream.status"
# The next video to play; data: {"video": dict, "entry": queue entry, "state": state}.
VIDEOSTREAM_NEXT = "videostream.next"
# Randy found nothing; data: {"target": "song"|"video", "message": str}.
RANDY_NOTHING_QUALIFIES = "randy.nothing_qualifies"
# The library's content changed (import, removal, edit); data: None or what changed.
LIBRARY_CHANGED = "library.changed"
# The caches were refreshed (SIGUSR1, UpdateCaches); clients should reload.
CACHES_UPDATED = "caches.updated"
# A task's state or progress changed; data: the task as a plain dict.
TASK_CHANGED = "task.changed"
# A MusicDB 8 task's notification; data: {"signal": "StateUpdate"|"ChunkRequest"|
# "InternalError", "task": dict or None, "message": str or None, "tasklist": dict or None}.
TASK_NOTICE = "task.notice"
# A task and its file were deleted (pruned, or the end of ``remove``); data: its ID.
TASK_DELETED = "task.deleted"
# A client's request is answered to every client (a forced broadcast); data: the packet.
CLIENT_BROADCAST = "client.broadcast"


@dataclass(frozen=True)
class Event:
    name: str
    data: Any = None


class EventBus:
    """Delivers every emitted event to every subscriber, in subscription order."""

    def __init__(self):
        self._subscribers = []

    def subscribe(self, subscriber):
        """``subscriber(event)`` is called for every event until unsubscribed."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber):
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def emit(self, name, data=None):
        event = Event(name, data)
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                log.exception("Event subscriber %r failed for %s", subscriber, name)


bus = EventBus()
subscribe = bus.subscribe
unsubscribe = bus.unsubscribe
emit = bus.emit
