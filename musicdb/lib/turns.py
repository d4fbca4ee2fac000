"""Turns: request work gets a time budget per round of the event loop.

A greenlet runs until it waits, and gevent runs every greenlet whose socket
became readable in one round of its loop before it looks at the timers again.
Fifty Subsonic clients each asking for a few milliseconds of work made one
round last up to 170 ms, and the live stream's producer, due every 100 ms, waited
for all of them: a listener heard a gap of half a second.

:class:`Turns` gives work that enters it a budget per round.  While the round
has budget left and nobody waits, work runs at once.  Otherwise it queues; a
timer of the next round lets the queue go in arrival order until that round's
budget is spent, and so on.  Timers due meanwhile (the stream's tick) and the
sockets get their turn between rounds.

Both APIs (WebSocket calls and Subsonic requests) share one budget per loop:
:func:`of_this_loop`.
"""

import collections
import time
import weakref

import gevent
from gevent.hub import Waiter

_SHARED = weakref.WeakKeyDictionary()


def of_this_loop():
    """The :class:`Turns` every API of this thread's event loop shares."""
    hub = gevent.get_hub()
    turns = _SHARED.get(hub)
    if turns is None:
        turns = _SHARED[hub] = Turns()
    return turns


class Turns:
    """``with turns:`` around request work: at most ``budget`` seconds of it per loop round.

    One piece of work is never cut short; a round ends after the piece that
    used up its budget.
    """

    def __init__(self, budget=0.02):
        self.budget = budget
        self._waiting = collections.deque()
        self._round_started = time.monotonic()
        self._loop = None
        self._watchers = ()
        self._dispatcher = None

    def __enter__(self):
        self._watch_rounds()
        if not self._waiting and time.monotonic() - self._round_started < self.budget:
            return self
        waiter = Waiter()
        self._waiting.append(waiter)
        self._dispatch_next_round()
        try:
            waiter.get()
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            raise
        return self

    def __exit__(self, *exc_info):
        return None

    @property
    def waiting(self):
        """How many pieces of work wait for a round now."""
        return len(self._waiting)

    def _watch_rounds(self):
        """Note when each round of this thread's loop starts (once, at the first use): before
        the hub's callbacks run, and again after the poll, before what the poll woke up
        (so a request that ends a quiet minute does not find its round spent)."""
        if self._loop is None:
            self._loop = gevent.get_hub().loop
            self._watchers = (self._loop.prepare(ref=False),
                              self._loop.check(ref=False, priority=2))
            for watcher in self._watchers:
                watcher.start(self._new_round)
            self._dispatcher = self._loop.timer(0.0)

    def _new_round(self):
        self._round_started = time.monotonic()

    def _dispatch_next_round(self):
        if not self._dispatcher.active:
            self._dispatcher.start(self._dispatch)

    def _dispatch(self):
        """In the hub: let waiting work run, oldest first, until the budget is spent."""
        started = time.monotonic()
        while self._waiting and time.monotonic() - started < self.budget:
            self._waiting.popleft().switch(None)
        if self._waiting:
            self._dispatcher.stop()
            self._dispatcher.start(self._dispatch)
