"""The per-task chunk locks of the upload API: one writer per task, and no lock outlives its use."""

import hashlib
import os
from types import SimpleNamespace

import gevent
import gevent.event
import pytest

from musicdb.mdbapi import uploads
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.tasktypes import default_types


@pytest.fixture
def app(tmp_path):
    data, music = tmp_path / "data", tmp_path / "music"
    for path in (data / "tasks", data / "uploads", music):
        path.mkdir(parents=True)
    limits = SimpleNamespace(allow=["albumfile"], maxfilesize=1 << 20, maxtotalsize=1 << 30,
                             archiveentries=100, archivesize=1 << 20, archiveratio=100)
    app = SimpleNamespace(cfg=SimpleNamespace(
        directories=SimpleNamespace(data=str(data), music=str(music)), uploads=limits),
        database=None, mise=None)
    app.tasks = TaskManager(app, default_types(), progress_interval=0)
    app.tasks.start()
    yield app
    app.tasks.stop()


def test_a_lock_serialises_its_task_and_goes_when_unused():
    locks = uploads.TaskLocks()
    inside, release = [], gevent.event.Event()

    def hold(name):
        with locks("task"):
            inside.append(name)
            release.wait()
    first, second = gevent.spawn(hold, 1), gevent.spawn(hold, 2)
    gevent.sleep(0)
    assert inside == [1] and len(locks) == 1   # the second waits for the first
    release.set()
    gevent.joinall([first, second], raise_error=True)
    assert inside == [1, 2] and len(locks) == 0


def test_many_uploads_leave_no_lock_behind(app):
    """Forty uploads at once, two chunks each (and an empty one, as a reconnecting WebUI
    sends, beside the first): all complete, and the table of locks is empty afterwards."""
    def one(number):
        data = os.urandom(2000 + number)
        taskid = hashlib.sha1(data).hexdigest()
        uploads.initiate(app, taskid, "", "albumfile", len(data), taskid, f"{number:02d}.bin")
        gevent.joinall([gevent.spawn(uploads.receive_chunk, app, taskid, chunk)
                        for chunk in (data[:1000].hex(), "")], raise_error=True)
        uploads.receive_chunk(app, taskid, data[1000:].hex())
        return taskid
    workers = [gevent.spawn(one, number) for number in range(40)]
    gevent.joinall(workers, raise_error=True)
    for worker in workers:
        assert app.tasks.get(worker.value)["state"] in (
            "uploadcomplete", "preprocessing", "readyforintegration")
    assert len(uploads._lock) == 0
    assert not set(uploads._running) & {worker.value for worker in workers}   # SHA-1s too
