"""Fixtures of the task management tests: a manager on a temp directory, test task types."""

from types import SimpleNamespace

import gevent
import gevent.event
import pytest

from musicdb.mdbapi import events
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.task import TaskType


class Counting(TaskType):
    """Reports ``params["steps"]`` units of progress, returns the params' ``answer``."""

    name = "counting"

    def run(self, task, app):
        steps = task.params.get("steps", 0)
        task.progress(0, steps)
        for _ in range(steps):
            task.advance()
        return task.params.get("answer")


class Failing(TaskType):
    name = "failing"

    def run(self, task, app):
        raise ValueError("the file is broken")


class Waiting(TaskType):
    """Runs until ``app.release`` is set; ``app.started`` is set when it runs."""

    name = "waiting"

    def run(self, task, app):
        app.started.set()
        app.release.wait()
        return "released"


class Resumable(Counting):
    name = "resumable"
    resumable = True


TYPES = {tasktype.name: tasktype for tasktype in (Counting(), Failing(), Waiting(), Resumable())}


@pytest.fixture
def app(tmp_path):
    data = tmp_path / "data"
    (data / "tasks").mkdir(parents=True)
    directories = SimpleNamespace(data=str(data), music=str(tmp_path / "music"))
    return SimpleNamespace(cfg=SimpleNamespace(directories=directories),
                           started=gevent.event.Event(), release=gevent.event.Event())


@pytest.fixture
def make_manager(app):
    """Factory: ``make_manager(**options)`` -> a started TaskManager on ``app``; stopped after."""
    managers = []

    def make(start=True, **options):
        options.setdefault("progress_interval", 0)
        manager = TaskManager(app, TYPES, **options)
        managers.append(manager)
        if start:
            manager.start()
        return manager
    yield make
    for manager in managers:
        manager.stop()


@pytest.fixture
def task_events():
    """The data of every TASK_CHANGED event, in order."""
    seen = []

    def record(event):
        if event.name == events.TASK_CHANGED:
            seen.append(event.data)
    events.subscribe(record)
    yield seen
    events.unsubscribe(record)
