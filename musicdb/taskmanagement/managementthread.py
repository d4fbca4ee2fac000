"""The task management loop: long jobs (imports, later uploads and integration) run here
one after the other, in their own greenlet, so no WebSocket handler waits for them.

A task is a plain callable; it must keep the hub free itself (file work in the
thread pool, short database transactions).  A failing task is logged and the
loop goes on with the next one.
"""

import logging

import gevent
import gevent.event
from gevent.queue import Queue

log = logging.getLogger(__name__)

_tasks = Queue()
_greenlet = None


def StartTaskManagementThread(ctx=None):
    """Start the task loop (idempotent)."""
    global _greenlet
    if _greenlet is None:
        _greenlet = gevent.spawn(_loop)
        log.debug("Task management started")


def StopTaskManagementThread():
    """Stop the loop; a task that is running is interrupted, queued ones are dropped."""
    global _greenlet
    if _greenlet is not None:
        _greenlet.kill()
        _greenlet = None
        log.debug("Task management stopped")


def submit(task, *args, name=None):
    """Queue ``task(*args)``; returns an AsyncResult that gets its result or exception."""
    result = gevent.event.AsyncResult()
    _tasks.put((name or getattr(task, "__name__", "task"), task, args, result))
    return result


def _loop():
    while True:
        name, task, args, result = _tasks.get()
        log.info("Task %s started", name)
        try:
            result.set(task(*args))
        except Exception as error:
            log.exception("Task %s failed", name)
            result.set_exception(error)
        else:
            log.info("Task %s finished", name)
