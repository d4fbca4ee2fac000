"""The base of MusicDB 8's task types: their states, kinds and the steps they share.

Uploads, music imports, artwork imports and file-system scans share one
state machine (api-uploads.md §3): each type names its steps by state in
:attr:`MusicDB8Task.steps`; the end of every task (the failure and success
states lead to ``remove``, ``importcomplete`` refreshes the caches first,
``remove`` deletes the temporary files and the task without a notification)
lives here.  Every change is a ``MusicDB:Task`` notification (``notices``);
the states a client sets (``start…``) are entered silently.

Every running step is resumable: after a restart it runs again from its
start state (the steps are written to be repeated: files are placed
atomically and a placed file with the right checksum is kept).
"""

import logging
import os

from musicdb.lib import uploadfiles
from musicdb.lib.threads import in_thread
from musicdb.mdbapi import events
from musicdb.taskmanagement.task import ACTIVE, PENDING, WAITING, TaskType

log = logging.getLogger(__name__)

REMOVE = "remove"

STATES = {
    "new": WAITING, "waitforchunk": WAITING, "uploadfailed": PENDING,
    "uploadcomplete": PENDING, "preprocessing": ACTIVE, "invalidcontent": PENDING,
    "readyforintegration": WAITING, "startintegration": PENDING, "integrating": ACTIVE,
    "integrationfailed": WAITING, "readyforimport": PENDING, "startmusicimport": PENDING,
    "importingmusic": ACTIVE, "startartworkimport": PENDING, "importingartwork": ACTIVE,
    "importfailed": PENDING, "importcomplete": PENDING, "startfsscan": PENDING,
    "scanningfs": ACTIVE, "fsscancomplete": PENDING, "fsscanfailed": PENDING,
    REMOVE: PENDING,
}
ACTIVE_STATES = {"uploadcomplete": "preprocessing", "startintegration": "integrating",
                 "startmusicimport": "importingmusic", "startartworkimport": "importingartwork",
                 "startfsscan": "scanningfs"}
FAILED_STATES = {"preprocessing": "invalidcontent", "uploadcomplete": "invalidcontent",
                 "integrating": "integrationfailed", "startintegration": "integrationfailed",
                 "importingmusic": "importfailed", "startmusicimport": "importfailed",
                 "importingartwork": "importfailed", "startartworkimport": "importfailed",
                 "scanningfs": "fsscanfailed", "startfsscan": "fsscanfailed"}
ENDINGS = ("uploadfailed", "importfailed", "invalidcontent", "fsscanfailed", "fsscancomplete",
           "readyforimport")
SILENT = ("startintegration", "startmusicimport", "startartworkimport", "startfsscan",
          "waitforchunk")
FILE_KEYS = ("preprocessedpath", "uploadpath", "unpackedpath")   # a task's files in uploads/


def uploads_directory(cfg):
    return os.path.join(cfg.directories.data, "uploads")


class MusicDB8Task(TaskType):
    """A task of MusicDB 8's kind; subclasses add ``steps`` (pending state -> method name)."""

    notices = True
    resumable = True
    states = STATES
    active = ACTIVE_STATES
    silent = SILENT
    failed = "importfailed"
    expiry = 24 * 3600           # unchanged this long (or task file deleted): removed
    expired = REMOVE
    steps = {}
    fields = {"mimetype": None, "filesize": None, "offset": None, "sourcefilename": None,
              "sourcechecksum": None, "uploadpath": None, "preprocessedpath": None,
              "videopath": None, "albumpath": None, "awsourcetype": None, "awsourcepath": None}

    def running_state(self, pending):
        return self.active.get(pending)   # None: the step runs without a state of its own

    def failed_state(self, state):
        return FAILED_STATES.get(state, self.failed)

    def run(self, task, app):
        state = task.state
        if state == REMOVE:
            return self.remove(task, app)
        if state == "importcomplete":
            return self.refresh(task, app)
        if state in ENDINGS:
            return task.set_state(REMOVE)
        pending = next((key for key, value in self.active.items() if value == state), state)
        method = self.steps.get(pending)
        if method is None:
            task.set_state(self.failed_state(state))
            return None
        return getattr(self, method)(task, app)

    def refresh(self, task, app):
        """After an import: the search cache is refreshed and every client told (sys:refresh)."""
        if app.mise is not None:
            app.mise.UpdateCache()
        events.emit(events.LIBRARY_CHANGED)
        events.emit(events.CACHES_UPDATED)
        task.set_state(REMOVE)

    def remove(self, task, app):
        """Delete the task's temporary files, then the task (silently)."""
        data = task.as_dict()
        directory = uploads_directory(app.cfg)
        for key in FILE_KEYS:
            path = data.get(key)
            if path:
                path = os.path.join(directory, path)   # absolute paths stay as they are
                if uploadfiles_inside(path, directory):
                    in_thread(uploadfiles.remove, path)
        task.forget()


def remove_orphaned_uploads(app):
    """At start: delete what ``<data>/uploads`` holds for no task (a crash's leftovers: the
    file of a task whose task file is gone, a half unpacked archive); logs what went.
    A task's own files stay, also those a resumed step is making now.

    Raises:
        OSError: the directory cannot be read or an entry not deleted.
    """
    directory = uploads_directory(app.cfg)
    owned = [task[key] for task in app.tasks.list() for key in FILE_KEYS if task.get(key)]
    removed = in_thread(uploadfiles.remove_orphans, directory, owned)
    if removed:
        log.warning("Removed %d entries of %s that belong to no task (left by a crash): %s",
                    len(removed), directory, ", ".join(removed))
    return removed


def uploadfiles_inside(path, directory):
    """Only files inside the uploads directory are deleted, whatever a task file says."""
    real, root = os.path.realpath(path), os.path.realpath(directory)
    return real != root and real.startswith(root + os.sep)
