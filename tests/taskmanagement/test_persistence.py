"""Task files: written atomically at every change, read back at start, recovered after a crash."""

import json
import subprocess
import sys
import time

import pytest

from musicdb.lib import datadir
from musicdb.taskmanagement.task import new_id


def tasks_dir(app):
    from pathlib import Path
    return Path(app.cfg.directories.data) / "tasks"


def read_task(app, taskid):
    return json.loads((tasks_dir(app) / f"{taskid}.json").read_text())


def write_task(app, state, tasktype="counting", owner=999999999, **extra):
    """A task file as a process that died (``owner``) left it; returns its ID."""
    taskid = new_id()
    data = {"id": taskid, "type": tasktype, "state": state, "contenttype": None,
            "params": {"steps": 2}, "annotations": {}, "progress": {"done": 1, "total": 2},
            "reason": None, "result": None, "initializationtime": int(time.time()),
            "updatetime": int(time.time()), "owner": owner, **extra}
    (tasks_dir(app) / f"{taskid}.json").write_text(json.dumps(data))
    return taskid


def test_the_file_holds_every_change_and_a_new_manager_reads_it_back(make_manager, app):
    """The file equals get() after the task ended; a restarted manager lists the same task."""
    manager = make_manager()
    taskid = manager.submit("counting", {"steps": 2, "answer": 1})
    manager.wait(taskid, timeout=5)
    assert read_task(app, taskid) == manager.get(taskid)
    manager.stop()
    again = make_manager()
    assert again.get(taskid) == manager.get(taskid)


def test_a_failed_write_leaves_the_old_file_and_announces_nothing(make_manager, app,
                                                                  monkeypatch, task_events):
    """The file is replaced atomically: a crash while writing keeps the previous state whole."""
    manager = make_manager()
    taskid = manager.submit("counting", {"steps": 1})
    manager.wait(taskid, timeout=5)
    before, announced = read_task(app, taskid), len(task_events)

    def crash(source, target):
        raise OSError("disk full")
    monkeypatch.setattr(datadir.os, "replace", crash)
    manager.set_state(taskid, "failed", reason="by hand")
    assert read_task(app, taskid) == before
    assert len(task_events) == announced
    assert [path.name for path in tasks_dir(app).iterdir()
            if not path.name.startswith("owner-")] == [f"{taskid}.json"]  # no temp file left


def test_a_task_running_when_its_process_died_is_failed_at_the_next_start(make_manager, app,
                                                                         task_events):
    """A running task of a dead process becomes failed, "interrupted by a restart", announced."""
    taskid = write_task(app, "running")
    manager = make_manager()
    task = manager.get(taskid)
    assert task["state"] == "failed" and task["reason"] == "interrupted by a restart"
    assert read_task(app, taskid) == task
    assert [data["state"] for data in task_events if data["id"] == taskid] == ["failed"]


def test_a_resumable_task_is_run_again_after_a_restart(make_manager, app):
    taskid = write_task(app, "running", tasktype="resumable")
    manager = make_manager()
    assert wait_for_state(manager, taskid, "done")
    assert manager.get(taskid)["progress"] == {"done": 2, "total": 2}


def test_tasks_of_a_live_process_are_listed_but_left_alone(make_manager, app):
    """A ``database import`` running beside the server keeps its task running."""
    other = subprocess.Popen([sys.executable, "-c", OWNER_SCRIPT, str(tasks_dir(app))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "ready"
        taskid = write_task(app, "running", owner=other.pid)
        manager = make_manager()
        assert manager.get(taskid)["state"] == "running"
        assert read_task(app, taskid)["state"] == "running"
    finally:
        other.stdin.close()
        other.wait(10)
    manager.stop()
    assert make_manager().get(taskid)["reason"] == "interrupted by a restart"


OWNER_SCRIPT = """
import os, sys
from musicdb.taskmanagement.store import TaskStore
store = TaskStore(sys.argv[1])
store.claim(os.getpid())
print("ready", flush=True)
sys.stdin.read()
"""


def test_unreadable_and_foreign_files_are_skipped(make_manager, app):
    """Broken JSON, a name that is no task ID, or an ID that differs from the name: skipped."""
    (tasks_dir(app) / "broken.json").write_text("{")
    (tasks_dir(app) / f"{new_id()}.json").write_text("{")
    (tasks_dir(app) / f"{new_id()}.json").write_text(json.dumps({"id": new_id()}))
    good = write_task(app, "done")
    manager = make_manager()
    assert [task["id"] for task in manager.list()] == [good]


@pytest.mark.parametrize("state", ["queued", "nosuchstate"])
def test_a_task_of_an_unknown_type_is_failed_not_lost(make_manager, app, state):
    taskid = write_task(app, state, tasktype="gone")
    task = make_manager().get(taskid)
    assert task["state"] == "failed" and "gone" in task["reason"]


def wait_for_state(manager, taskid, state, timeout=5):
    """Wait (on the manager's events) until the task is in ``state``."""
    import gevent.event
    from musicdb.mdbapi import events
    reached = gevent.event.Event()

    def check(event=None):
        task = manager.get(taskid)
        if task is not None and task["state"] == state:
            reached.set()
    events.subscribe(check)
    try:
        check()
        return reached.wait(timeout)
    finally:
        events.unsubscribe(check)


def test_sigusr1_shows_another_processes_task_anew(make_manager, app, task_events):
    """After CACHES_UPDATED (SIGUSR1) the manager re-reads other processes' tasks and
    announces their changes; one whose process died meanwhile is failed as interrupted."""
    import gevent.event
    from musicdb.mdbapi import events
    other = subprocess.Popen([sys.executable, "-c", OWNER_SCRIPT, str(tasks_dir(app))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "ready"
        taskid = write_task(app, "running", owner=other.pid)
        manager = make_manager()
        done = dict(read_task(app, taskid), state="done")
        (tasks_dir(app) / f"{taskid}.json").write_text(json.dumps(done))
        seen = gevent.event.Event()

        def record(event):
            if event.name == events.TASK_CHANGED and event.data["state"] == "done":
                seen.set()
        events.subscribe(record)
        try:
            events.emit(events.CACHES_UPDATED)
            assert seen.wait(5)
        finally:
            events.unsubscribe(record)
        assert manager.get(taskid)["state"] == "done"
    finally:
        other.stdin.close()
        other.wait(10)
    running = write_task(app, "running", owner=other.pid)
    manager.refresh()
    assert manager.get(running)["reason"] == "interrupted by a restart"
