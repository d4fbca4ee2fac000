"""The server's start/stop functions around the task manager."""

from types import SimpleNamespace

import pytest

from musicdb.taskmanagement import managementthread


class NoAlbums:
    def rows(self, sql, parameters=()):
        return []


def test_start_submit_and_stop(app):
    """Start puts the manager into ``app.tasks``; submit queues on it; stop is safe twice."""
    app.database = NoAlbums()
    app.cfg.albumcover = SimpleNamespace(scales=[150])
    manager = managementthread.StartTaskManagementThread(app)
    try:
        assert app.tasks is manager
        assert managementthread.StartTaskManagementThread(app) is manager  # idempotent
        taskid = managementthread.submit("completeartworkscales")
        assert manager.wait(taskid, timeout=5) == 0
        assert manager.get(taskid)["state"] == "done"
    finally:
        managementthread.StopTaskManagementThread()
    managementthread.StopTaskManagementThread()
    with pytest.raises(RuntimeError):
        managementthread.submit("completeartworkscales")
