"""The server's task manager behind the seed's public functions.

``StartTaskManagementThread(app)`` creates the
:class:`~musicdb.taskmanagement.manager.TaskManager` with the table of task
types, reads ``<data>/tasks`` back, starts its loop and stores it in
``app.tasks``; ``StopTaskManagementThread()`` stops it (a running task is
failed as interrupted, or kept for the next start if its type is resumable).
"""

from musicdb.lib.service import ServiceSlot
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.tasktypes import default_types

_slot = ServiceSlot()


def StartTaskManagementThread(app):
    """Start the task manager (idempotent); returns it.

    Raises:
        OSError: ``<data>/tasks`` cannot be created or read.
    """
    manager = _slot.start(lambda: TaskManager(app, default_types()))
    app.tasks = manager
    return manager


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
