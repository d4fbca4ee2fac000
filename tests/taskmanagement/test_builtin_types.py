"""The built-in task types: artwork completion at start, the command line's library import."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

from musicdb.mdbapi.app import App
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.tasktypes import default_types
from tests.support import ROOT


def task_files(library):
    """The task objects in the home's ``data/tasks``, by ID."""
    found = {}
    for path in (library.data / "tasks").glob("*.json"):
        try:
            found[path.stem] = json.loads(path.read_text())
        except ValueError:  # replaced under our feet: read it next time
            continue
    return found


def manager_for(library, database):
    return TaskManager(App(cfg=library.cfg, database=database), default_types())


def test_the_artwork_task_writes_the_missing_scales(library_home):
    """completeartworkscales restores a deleted scale directory and counts what it wrote."""
    library = library_home()
    artwork = library.data / "webdata" / "artwork"
    originals = sorted(path.name for path in (artwork / "150x150").iterdir())
    shutil.rmtree(artwork / "150x150")
    database = library.database()
    manager = manager_for(library, database)
    manager.open()
    try:
        assert manager.run("completeartworkscales") == len(originals)
        task = manager.list()[-1]
    finally:
        manager.close()
        database.close()
    assert sorted(path.name for path in (artwork / "150x150").iterdir()) == originals
    assert task["state"] == "done" and task["result"] == {"written": len(originals)}
    assert task["progress"]["done"] == task["progress"]["total"] > 0


def test_a_cli_import_leaves_a_finished_task_with_its_summary(library_home):
    library = library_home(imported=False)
    result = library.cli("database", "import")
    assert result.returncode == 0, result.stderr
    (task,) = [task for task in task_files(library).values() if task["type"] == "libraryimport"]
    total = len(library.songs)
    assert task["state"] == "done" and task["result"]["added"] == total
    assert task["progress"] == {"done": total, "total": total}


def test_a_killed_cli_import_is_failed_when_a_manager_starts_again(library_home):
    """SIGKILL in the middle of ``database import``: the next start fails its task with
    the reason "interrupted by a restart"; the next import runs normally."""
    library = library_home(imported=False)
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "-q", "--config",
               library.config, "database", "import", "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        taskid = stop_while_running(library, process)
        process.kill()
        process.wait(10)
    finally:
        process.kill()
        process.wait(10)
    assert task_files(library)[taskid]["state"] == "running"
    database = library.database()
    manager = manager_for(library, database)
    manager.start()
    try:
        task = manager.get(taskid)
    finally:
        manager.stop()
        database.close()
    assert task["state"] == "failed" and task["reason"] == "interrupted by a restart"
    assert library.cli("database", "import").returncode == 0
    assert task_files(library)[taskid]["state"] == "failed"


def stop_while_running(library, process, timeout=60):
    """SIGSTOP ``process`` as soon as its import task is running; returns the task ID."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        running = [taskid for taskid, task in task_files(library).items()
                   if task["type"] == "libraryimport" and task["state"] == "running"]
        if running:
            process.send_signal(signal.SIGSTOP)
            return running[0]
        time.sleep(0.001)
    raise AssertionError("the import task never ran")
