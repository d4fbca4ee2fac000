"""The server's task manager behind the seed's public functions.

``StartTaskManagementThread(app)`` creates the
:class:`~musicdb.taskmanagement.manager.TaskManager` with the table of task
types, reads ``<data>/tasks`` back, starts its loop and stores it in
``app.tasks`` and deletes what ``<data>/uploads`` holds for no task and the
half-copies in the music directory of no running integration (before any
client connects, so no new integration starts meanwhile); ``StopTaskManagementThread()`` stops it (a running task is
failed as interrupted, or kept for the next start if its type is resumable).
"""

import logging

from musicdb.lib.service import ServiceSlot
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.mdb8 import remove_orphaned_uploads
from musicdb.taskmanagement.uploads import remove_orphaned_half_copies
from musicdb.taskmanagement.tasktypes import default_types

log = logging.getLogger(__name__)

_slot = ServiceSlot()


def StartTaskManagementThread(app):
    """Start the task manager (idempotent); returns it.

    Raises:
        OSError: ``<data>/tasks`` cannot be created or read.
    """
    started = _slot.instance is None
    manager = _slot.start(lambda: TaskManager(app, default_types()))
    app.tasks = manager
    if started:
        _clean_uploads(app)
    return manager


def _clean_uploads(app):
    try:
        remove_orphaned_uploads(app)
    except OSError as error:
        log.error("Cannot clean up the uploads directory: %s", error)
    remove_orphaned_half_copies(app)   # logs what it cannot remove and goes on


def StopTaskManagementThread():
    """Stop the task manager; safe when it does not run."""
    _slot.stop()


def submit(typename, params=None):
    """Queue a task of ``typename`` on the running manager; returns its ID.

    Raises:
        RuntimeError: the task manager does not run.
        UnknownTaskType: no such task type.
    """
    if _slot.instance is None:
        raise RuntimeError("the task manager does not run")
    return _slot.instance.submit(typename, params)
