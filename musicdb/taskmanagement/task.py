"""What a task is: its record (:class:`Task`), its states and the base of every task type.

A task is plain data, so it is written to ``<data>/tasks/<id>.json`` and sent
to clients unchanged.  Its keys follow MusicDB 8's task object
(api-uploads.md §2): ``id``, ``state``, ``contenttype``, ``annotations``,
``initializationtime``, ``updatetime``; ours add ``type`` (the task type's
name), ``params`` (what the submitter asked for), ``progress``
(``{"done": n, "total": n or None}``), ``reason`` (why it failed), ``result``
(small plain data a finished task leaves) and ``owner`` (the process that
runs it).  A task type adds its own top-level keys through
:attr:`TaskType.fields` (an upload's ``filesize``, ``offset``, ...).

Every state has a *kind* that tells the manager what to do with it:

* ``PENDING``: the manager's loop runs the type's step for it (``queued``);
* ``ACTIVE``: a step is running (``running``); a restart finds it interrupted;
* ``WAITING``: the task waits for something outside the loop (an upload's
  next chunk); the manager leaves it alone;
* ``FINAL``: finished (``done``, ``failed``); kept for a while, then deleted.

A task type declares its own states and kinds (:attr:`TaskType.states`), so
the upload types bring ``waitforchunk``, ``importingmusic``, ... without a
change to the manager.
"""

import copy
import re
import time
import uuid

from musicdb.lib import halfcopies

PENDING, ACTIVE, WAITING, FINAL = "pending", "active", "waiting", "final"

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DEFAULT_STATES = {QUEUED: PENDING, RUNNING: ACTIVE, DONE: FINAL, FAILED: FINAL}

# MusicDB:Task notifications (api-uploads.md §5)
STATE_UPDATE, CHUNK_REQUEST, INTERNAL_ERROR = "StateUpdate", "ChunkRequest", "InternalError"

INTERRUPTED_BY_RESTART = "interrupted by a restart"
INTERRUPTED_BY_SHUTDOWN = "interrupted by a shutdown"

# A task ID becomes a file name: only the canonical form of a UUID4 is accepted, or
# the lower-case SHA-1 hex digest the WebUI uses as the ID of an upload.
_ID = re.compile(halfcopies.TASK_ID)   # also in the names of half-copies


class TaskError(Exception):
    """The family of task management errors."""


class UnknownTaskType(TaskError, LookupError):
    """No task type of that name is registered."""


class InvalidTaskId(TaskError, ValueError):
    """A task ID that is neither a UUID4 nor a SHA-1 hex string (it would become a file name)."""


def new_id():
    return str(uuid.uuid4())


def is_valid_id(taskid):
    return isinstance(taskid, str) and _ID.fullmatch(taskid) is not None


def check_id(taskid):
    """Return ``taskid`` if it is a UUID4 or a lower-case SHA-1 hex string.

    Raises:
        InvalidTaskId: anything else (``../x``, an upper-case or braced UUID, not a string).
    """
    if not is_valid_id(taskid):
        raise InvalidTaskId(f"invalid task ID: {taskid!r}")
    return taskid


class TaskType:
    """The base of a task type: a name, its states, and :meth:`run`.

    Subclasses set :attr:`name` and implement :meth:`run`; they keep the hub
    free themselves (file work in ``gevent.get_hub().threadpool``, programs
    in a subprocess, short database transactions).
    """

    name = None
    contenttype = None          # MusicDB 8's grouping key (api-uploads.md §2), None for ours
    resumable = False           # a restart queues an interrupted task again instead of failing it
    states = DEFAULT_STATES     # state -> kind
    active = {QUEUED: RUNNING}  # pending state -> the state while its step runs
    initial = QUEUED            # the state of a submitted task
    done = DONE                 # a step that returns leaves the task here (if still active)
    failed = FAILED             # a step that raises leaves the task here
    fields = {}                 # further top-level keys of the task and their defaults
    notices = False             # changes are MusicDB:Task notifications (api-uploads.md §5)
    silent = ()                 # states entered without a StateUpdate

    def run(self, task, app):
        """Do the step for ``task.state``; returns the in-process result (may be None).

        ``task`` is a :class:`~musicdb.taskmanagement.manager.RunningTask`:
        report progress with ``task.progress(done, total)``, move to another
        state with ``task.set_state(name)``.  An exception fails the task
        with its message as ``reason``.
        """
        raise NotImplementedError

    def kind(self, state):
        """The kind of ``state`` (None for a state this type does not know)."""
        return self.states.get(state)

    def failed_state(self, state):
        """The state a step of ``state`` that raised leaves the task in."""
        return self.failed

    def running_state(self, pending):
        return self.active.get(pending, RUNNING)

    def pending_state(self, active):
        """The pending state whose step runs in ``active`` (to resume it); default the initial."""
        for pending, running in self.active.items():
            if running == active:
                return pending
        return self.initial


class Task:
    """The record of one task; the manager is the only one that changes it."""

    def __init__(self, data):
        self.data = data

    @classmethod
    def create(cls, tasktype, params, owner, taskid=None, fields=None):
        now = int(time.time())
        data = {"id": taskid or new_id(), "type": tasktype.name, "state": tasktype.initial,
                "contenttype": tasktype.contenttype, "params": copy.deepcopy(params or {}),
                "annotations": {}, "progress": {"done": 0, "total": None}, "reason": None,
                "result": None, "initializationtime": now, "updatetime": None,
                "owner": owner}
        data.update(copy.deepcopy(tasktype.fields))
        data.update(copy.deepcopy(fields or {}))
        return cls(data)

    @classmethod
    def from_dict(cls, data):
        """A task read from its file.

        Raises:
            InvalidTaskId: ``data`` has no valid ``id``.
            ValueError: ``data`` is not an object with a ``type`` and a ``state``.
        """
        if not isinstance(data, dict):
            raise ValueError("a task is a JSON object")
        check_id(data.get("id"))
        if not isinstance(data.get("type"), str) or not isinstance(data.get("state"), str):
            raise ValueError("a task has a type and a state")
        data.setdefault("progress", {"done": 0, "total": None})
        return cls(data)

    def __getattr__(self, key):
        try:
            return self.__dict__["data"][key]
        except KeyError:
            raise AttributeError(key) from None

    def as_dict(self):
        """A copy of the task as plain data (what clients and the file get)."""
        return copy.deepcopy(self.data)
