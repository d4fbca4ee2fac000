"""Background loops started and stopped one way: the streams, the task manager.

A :class:`Service` runs its :meth:`~Service.loops` each in a greenlet of its
own.  :class:`ServiceSlot` holds the one running instance behind a module's
public ``Start…``/``Stop…`` functions (the seed's names), so starting twice
does nothing and stopping is always safe.
"""

import logging

import gevent

log = logging.getLogger(__name__)


class Service:
    """A set of greenlets with one life cycle; subclasses give :meth:`loops`."""

    name = "service"

    def __init__(self):
        self._greenlets = []

    @property
    def running(self):
        return bool(self._greenlets)

    def loops(self):
        """The callables to run, each in a greenlet of its own."""
        return []

    def start(self):
        """Spawn the loops (idempotent)."""
        if not self.running:
            self._greenlets = [gevent.spawn(loop) for loop in self.loops()]
            log.debug("%s started", self.name)

    def stop(self):
        """Kill the loops, then :meth:`close`; safe to call when stopped."""
        greenlets, self._greenlets = self._greenlets, []
        gevent.killall(greenlets)
        self.close()
        if greenlets:
            log.debug("%s stopped", self.name)

    def close(self):
        """Release what the loops held (files, subprocesses, listeners)."""


class ServiceSlot:
    """The one running instance of a service, for module-level start/stop functions."""

    def __init__(self):
        self.instance = None

    def start(self, factory):
        """Create (``factory()``) and start the instance unless one runs; returns it."""
        if self.instance is None:
            self.instance = factory()
            self.instance.start()
        return self.instance

    def stop(self):
        instance, self.instance = self.instance, None
        if instance is not None:
            instance.stop()
