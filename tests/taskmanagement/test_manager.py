"""The task manager: IDs, states, progress, events, the loop, pruning."""

import pytest

from musicdb.taskmanagement.task import InvalidTaskId, UnknownTaskType, is_valid_id


def states_of(task_events, taskid):
    return [data["state"] for data in task_events if data["id"] == taskid]


def test_a_submitted_task_has_a_uuid4_id_and_runs_to_done(make_manager):
    """submit() returns a UUID4 string; the task ends ``done`` with its progress complete."""
    manager = make_manager()
    taskid = manager.submit("counting", {"steps": 3, "answer": 42})
    assert is_valid_id(taskid)
    assert manager.wait(taskid, timeout=5) == 42
    task = manager.get(taskid)
    assert task["state"] == "done" and task["type"] == "counting"
    assert task["progress"] == {"done": 3, "total": 3}
    assert task["params"] == {"steps": 3, "answer": 42} and task["reason"] is None
    assert isinstance(task["initializationtime"], int) and isinstance(task["updatetime"], int)
    for key in ("contenttype", "annotations", "result", "owner"):
        assert key in task


def test_getters_return_copies(make_manager):
    """Changing what get() or list() returned changes nothing in the manager."""
    manager = make_manager()
    taskid = manager.submit("counting", {"steps": 1})
    manager.wait(taskid, timeout=5)
    manager.get(taskid)["params"]["steps"] = 99
    manager.list()[0]["state"] = "broken"
    assert manager.get(taskid)["params"]["steps"] == 1
    assert manager.get(taskid)["state"] == "done"


def test_state_and_progress_events_are_emitted_in_order(make_manager, task_events):
    """queued, running, each progress step, done: one TASK_CHANGED each, in that order."""
    manager = make_manager()
    taskid = manager.submit("counting", {"steps": 4})
    manager.wait(taskid, timeout=5)
    mine = [data for data in task_events if data["id"] == taskid]
    assert [data["state"] for data in mine[:2]] == ["queued", "running"]
    assert mine[-1]["state"] == "done"
    progress = [data["progress"]["done"] for data in mine if data["state"] == "running"]
    assert progress == sorted(progress) and progress[-1] == 4
    assert [0, 1, 2, 3, 4] == sorted(set(progress))


def test_progress_is_announced_at_most_every_interval(make_manager, task_events):
    """With a long interval only the start, the total and the completion are announced."""
    manager = make_manager(progress_interval=3600)
    taskid = manager.submit("counting", {"steps": 500})
    manager.wait(taskid, timeout=5)
    assert len(states_of(task_events, taskid)) < 10
    assert manager.get(taskid)["progress"] == {"done": 500, "total": 500}


def test_a_failing_task_does_not_stop_the_next(make_manager, task_events):
    """The failed task keeps its error as reason; the task after it still runs."""
    manager = make_manager()
    broken = manager.submit("failing")
    after = manager.submit("counting", {"answer": "ok"})
    assert manager.wait(after, timeout=5) == "ok"
    with pytest.raises(ValueError):
        manager.wait(broken, timeout=5)
    task = manager.get(broken)
    assert task["state"] == "failed" and task["reason"] == "the file is broken"
    assert states_of(task_events, broken) == ["queued", "running", "failed"]


def test_run_executes_at_once_and_raises_the_tasks_error(make_manager):
    """run() works without the loop, in the caller's greenlet, and fails the task on error."""
    manager = make_manager(start=False)
    manager.open()
    try:
        assert manager.run("counting", {"steps": 2, "answer": 7}) == 7
        with pytest.raises(ValueError):
            manager.run("failing")
        assert [task["state"] for task in manager.list()] == ["done", "failed"]
    finally:
        manager.close()


def test_unknown_types_and_malformed_ids_are_refused(make_manager):
    manager = make_manager()
    with pytest.raises(UnknownTaskType):
        manager.submit("nosuchtype")
    for taskid in ("../../etc/passwd", "x", None, "6F1C0A4E-0000-4000-8000-000000000000"):
        with pytest.raises(InvalidTaskId):
            manager.get(taskid)
    assert manager.get("6f1c0a4e-0000-4000-8000-000000000000") is None
    with pytest.raises(TypeError):
        manager.submit("counting", {"not": object()})  # params are plain data


def test_tasks_run_one_after_the_other_in_submission_order(make_manager, app, task_events):
    """The second task starts only when the first one ended."""
    manager = make_manager()
    first = manager.submit("waiting")
    second = manager.submit("counting", {"answer": 2})
    assert app.started.wait(timeout=5)
    assert manager.get(second)["state"] == "queued"
    app.release.set()
    assert manager.wait(second, timeout=5) == 2
    order = [(data["id"], data["state"]) for data in task_events]
    assert order.index((first, "done")) < order.index((second, "running"))


def test_stopping_the_manager_fails_the_running_task(make_manager, app):
    """A shutdown in the middle of a task fails it with a reason, never leaves it running."""
    manager = make_manager()
    taskid = manager.submit("waiting")
    assert app.started.wait(timeout=5)
    manager.stop()
    task = manager.get(taskid)
    assert task["state"] == "failed" and task["reason"] == "interrupted by a shutdown"


def test_finished_tasks_are_kept_up_to_a_bound(make_manager, app):
    """Only the newest ``keep_finished`` finished tasks stay, in memory and on disk."""
    manager = make_manager(keep_finished=2)
    ids = [manager.submit("counting") for _ in range(4)]
    manager.wait(ids[-1], timeout=5)
    assert [task["id"] for task in manager.list()] == ids[2:]
    files = sorted(path.name for path in (app_tasks(app)).glob("*.json"))
    assert files == sorted(f"{taskid}.json" for taskid in ids[2:])


def test_a_task_can_move_to_another_state_of_its_type(make_manager):
    """set_state() to an unknown state is refused; a pending state queues the task again."""
    manager = make_manager()
    taskid = manager.submit("failing")
    with pytest.raises(ValueError):
        manager.wait(taskid, timeout=5)
    with pytest.raises(ValueError):
        manager.set_state(taskid, "nosuchstate")
    manager.set_state(taskid, "queued")
    with pytest.raises(ValueError):
        manager.wait(taskid, timeout=5)  # ran again (and failed again)


def app_tasks(app):
    from pathlib import Path
    return Path(app.cfg.directories.data) / "tasks"
