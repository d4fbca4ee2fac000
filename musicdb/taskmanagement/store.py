"""The task files: one JSON file per task in ``<data>/tasks/`` (api-uploads.md §1).

Each file is the whole task object, rewritten atomically (temp file, then
rename) at every change, so a crash leaves the old or the new state, never a
half file.  IDs become file names only after :func:`~.task.check_id`.

Several processes use the directory: the server and a ``database import``
run from the command line.  Each holds ``owner-<pid>.lock`` (an ``flock``)
while it runs; the kernel drops the lock when the process dies, so
:meth:`TaskStore.owner_alive` tells a task of a live process (leave it alone)
from one whose process crashed (interrupted), also after a PID was reused.

All methods block on the disk: the manager calls them in the thread pool.
"""

import fcntl
import glob
import json
import logging
import os

from musicdb.lib.datadir import write_atomic
from musicdb.taskmanagement.task import check_id, is_valid_id

log = logging.getLogger(__name__)

FILE_MODE = 0o640


class TaskStore:
    """The task files of one directory."""

    def __init__(self, directory):
        self.directory = directory
        self._lock = None

    def path_for(self, taskid):
        """Raises InvalidTaskId for anything but a UUID4 string."""
        return os.path.join(self.directory, check_id(taskid) + ".json")

    def save(self, data):
        """Write one task (a plain dict).  Raises OSError."""
        write_atomic(self.path_for(data["id"]), json.dumps(data), FILE_MODE)

    def delete(self, taskid):
        try:
            os.remove(self.path_for(taskid))
        except FileNotFoundError:
            pass

    def load(self):
        """Every readable task object, oldest first; unreadable files are logged and skipped."""
        tasks = []
        for path in glob.glob(os.path.join(glob.escape(self.directory), "*.json")):
            data = self._read(path)
            if data is not None:
                tasks.append(data)
        tasks.sort(key=lambda data: (data.get("initializationtime") or 0))
        return tasks

    def _read(self, path):
        name = os.path.basename(path)[:-len(".json")]
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            log.warning("Skipping the unreadable task file %s: %s", path, error)
            return None
        if not is_valid_id(name) or not isinstance(data, dict) or data.get("id") != name:
            log.warning("Skipping %s: not a task file of this server", path)
            return None
        return data

    # -- owners -------------------------------------------------------------------------

    def claim(self, pid):
        """Hold ``owner-<pid>.lock`` until :meth:`release`.  Raises OSError."""
        os.makedirs(self.directory, exist_ok=True)
        handle = os.open(self._owner_file(pid), os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another manager of this process holds it: the owner is alive either way
        self._lock = handle

    def release(self):
        handle, self._lock = self._lock, None
        if handle is not None:
            os.close(handle)

    def owner_alive(self, pid):
        """True while the process ``pid`` holds its owner lock (runs a task manager)."""
        if not isinstance(pid, int):
            return False
        try:
            handle = os.open(self._owner_file(pid), os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.remove(self._owner_file(pid))  # the owner died; its lock file goes
        except BlockingIOError:
            return True
        except FileNotFoundError:
            pass
        finally:
            os.close(handle)
        return False

    def _owner_file(self, pid):
        return os.path.join(self.directory, f"owner-{int(pid)}.lock")
