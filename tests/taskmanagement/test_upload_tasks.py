"""MusicDB 8's task types on the manager: notifications, silent states, removal, restarts, expiry."""

import json
import os
from types import SimpleNamespace

import gevent.event
import pytest

from musicdb.mdbapi import events
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.tasktypes import default_types

SHA = "3f786850e387550fdab836ed7e6dc881de23001b"


@pytest.fixture
def app(tmp_path):
    data, music = tmp_path / "data", tmp_path / "music"
    for path in (data / "tasks", data / "uploads", music):
        path.mkdir(parents=True)
    uploads = SimpleNamespace(archiveentries=100, archivesize=1 << 20, archiveratio=100)
    return SimpleNamespace(cfg=SimpleNamespace(
        directories=SimpleNamespace(data=str(data), music=str(music)), uploads=uploads),
        database=None, mise=None)


@pytest.fixture
def notices():
    seen = []

    def record(event):
        if event.name == events.TASK_NOTICE:
            seen.append((event.data["signal"], event.data["task"]["state"],
                         event.data["message"]))
    events.subscribe(record)
    yield seen
    events.unsubscribe(record)


@pytest.fixture
def manager(app):
    managers = []

    def make():
        manager = TaskManager(app, default_types(), progress_interval=0)
        manager.start()
        managers.append(manager)
        return manager
    yield make
    for manager in managers:
        manager.stop()


def wait_gone(manager, taskid, timeout=10):
    done = gevent.event.Event()

    def check(event):
        if manager.get(taskid) is None:   # deleted: TASK_DELETED, or gone before
            done.set()
    events.subscribe(check)
    try:
        check(None)
        assert done.wait(timeout), manager.get(taskid)
    finally:
        events.unsubscribe(check)


def upload_file(app, name, data):
    path = os.path.join(app.cfg.directories.data, "uploads", name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def test_a_created_upload_is_silent_and_an_annotation_is_a_state_update(manager, notices):
    tasks = manager()
    tasks.submit("upload", taskid=SHA, contenttype="albumfile", filesize=3, offset=0)
    assert notices == []
    tasks.change(SHA, notice="StateUpdate", annotations={"taskid": SHA})
    assert notices == [("StateUpdate", "waitforchunk", None)]
    assert tasks.get(SHA)["updatetime"] is None   # no state change yet (api-uploads.md §2)


def test_a_failed_upload_is_reported_once_with_its_message_then_removed_silently(
        app, manager, notices):
    tasks = manager()
    path = upload_file(app, f"albumfile-{SHA}.mp3", b"abc")
    tasks.submit("upload", taskid=SHA, contenttype="albumfile", filesize=3, offset=3,
                 uploadpath=os.path.basename(path))
    tasks.change(SHA, state="uploadfailed", notice="InternalError", message="Checksum mismatch")
    wait_gone(tasks, SHA)
    assert notices == [("InternalError", "uploadfailed", "Checksum mismatch"),
                       ("StateUpdate", "remove", None)]
    assert not os.path.exists(path)
    assert not os.path.exists(os.path.join(app.cfg.directories.data, "tasks", SHA + ".json"))


def test_a_task_file_cannot_make_the_removal_delete_outside_the_uploads(app, manager, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    tasks = manager()
    tasks.submit("upload", taskid=SHA, contenttype="albumfile", uploadpath="../../victim",
                 preprocessedpath=str(victim))
    tasks.change(SHA, state="remove")
    wait_gone(tasks, SHA)
    assert victim.read_text() == "keep"


def test_an_unsupported_content_type_is_invalid_content(app, manager, notices):
    tasks = manager()
    upload_file(app, f"playlist-{SHA}.m3u", b"abc")
    tasks.submit("upload", taskid=SHA, contenttype="playlist", filesize=3, offset=3,
                 uploadpath=f"playlist-{SHA}.m3u")
    tasks.change(SHA, state="uploadcomplete")
    wait_gone(tasks, SHA)
    assert notices == [("StateUpdate", "uploadcomplete", None),
                       ("StateUpdate", "preprocessing", None),
                       ("InternalError", "invalidcontent", "Unsupported content type"),
                       ("StateUpdate", "remove", None)]


def test_removal_wins_over_a_running_step(app, manager, notices, monkeypatch):
    """RemoveUpload while integrating: the step's result does not bring the task back."""
    from musicdb.taskmanagement import uploads
    started, release = gevent.event.Event(), gevent.event.Event()

    def slow(taskid, data, app):
        started.set()
        release.wait()
        return {"albumfilepath": "A/2000 - B/01 C.mp3"}
    monkeypatch.setitem(uploads.INTEGRATIONS, "albumfile", slow)
    tasks = manager()
    tasks.submit("upload", taskid=SHA, contenttype="albumfile", uploadpath=f"albumfile-{SHA}")
    tasks.change(SHA, state="startintegration", albumfilepath="A/2000 - B/01 C.mp3")
    assert started.wait(5)
    tasks.change(SHA, state="remove")
    release.set()
    wait_gone(tasks, SHA)
    assert [state for _, state, _ in notices] == ["integrating", "remove"]


def test_running_steps_resume_after_a_restart_and_waiting_uploads_stay(app, manager):
    """A task file left in a running state by kill -9 is resumed from its start state."""
    tasks_dir = os.path.join(app.cfg.directories.data, "tasks")
    upload_file(app, f"video-{SHA}.mp4", b"abc")
    base = {"type": "upload", "params": {}, "annotations": {}, "progress": {},
            "reason": None, "result": None, "initializationtime": 1, "updatetime": None,
            "owner": 999999, "uploadpath": f"video-{SHA}.mp4", "filesize": 3, "offset": 3}
    other = "a" * 40
    for taskid, state, kind in ((SHA, "preprocessing", "video"),
                                (other, "waitforchunk", "albumfile")):
        with open(os.path.join(tasks_dir, taskid + ".json"), "w") as handle:
            json.dump(dict(base, id=taskid, state=state, contenttype=kind), handle)
    tasks = manager()
    wait_gone(tasks, SHA)   # preprocessed again: no video for ffprobe, so removed
    assert tasks.get(other)["state"] == "waitforchunk"


def test_old_and_orphaned_tasks_are_removed(app, manager):
    tasks = manager()
    tasks.submit("upload", taskid=SHA, contenttype="albumfile")
    tasks.submit("upload", taskid="b" * 40, contenttype="albumfile")
    tasks.submit("upload", taskid="c" * 40, contenttype="albumfile")
    os.remove(os.path.join(app.cfg.directories.data, "tasks", "b" * 40 + ".json"))
    tasks.sweep(now=tasks.get(SHA)["initializationtime"] + 3600)
    wait_gone(tasks, "b" * 40)
    assert tasks.get(SHA) is not None
    tasks.sweep(now=tasks.get(SHA)["initializationtime"] + 25 * 3600)
    wait_gone(tasks, SHA)
    wait_gone(tasks, "c" * 40)


def test_get_current_tasks_groups_by_content_type(manager):
    tasks = manager()
    tasks.submit("upload", taskid=SHA, contenttype="artwork")
    scan = tasks.submit("fsscan", contenttype="any")
    groups = tasks.tasklist()
    assert set(groups) == {"videos", "albumfiles", "albums", "artworks", "any"}
    assert [task["id"] for task in groups["artworks"]] == [SHA]
    assert [task["id"] for task in groups["any"]] in ([scan], [])
