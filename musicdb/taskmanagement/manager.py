"""The task manager: tasks with an ID, a state and progress, persisted, run by one greenlet.

:meth:`TaskManager.submit` creates a task of a registered type (the table
of types is passed in, see :mod:`musicdb.taskmanagement.tasktypes`), saves
it and queues it; the manager's one loop greenlet runs the type's step for
each queued task in turn.  :meth:`TaskManager.run` runs a task at once in the
calling greenlet instead (the command line's import).  A failing task is
failed with its error as ``reason`` and the loop goes on with the next one.

Every change goes through :meth:`TaskManager._commit`, which writes the task
file first (in the thread pool, one write at a time) and then emits
``events.TASK_CHANGED`` with the task as a plain dict, so no change goes
unannounced and the file never lags behind what clients saw.  Progress is
announced at most every ``progress_interval`` seconds (and always when the
total changes or the work is complete), so a 10,000-song import does not
write its file 10,000 times.

At start (:meth:`TaskManager.open`) the files are read back.  A task that
was running when its process died is failed with the reason "interrupted by
a restart", or queued again if its type is resumable; tasks of another live
process (a ``database import`` beside the server) are listed but left
alone.  Finished tasks are kept (``keep_finished`` of them, none older than
``keep_seconds``) so clients can see how they ended, then deleted.
"""

import json
import logging
import os
import time

import gevent
import gevent.event
import gevent.lock
from gevent.queue import Queue

from musicdb.lib.service import Service
from musicdb.lib.storage import storage_error
from musicdb.lib.threads import in_thread
from musicdb.mdbapi import events
from musicdb.taskmanagement.store import TaskStore
from musicdb.taskmanagement.task import (
    ACTIVE, DEFAULT_STATES, FAILED, FINAL, INTERRUPTED_BY_RESTART, INTERRUPTED_BY_SHUTDOWN,
    INTERNAL_ERROR, PENDING, STATE_UPDATE, Task, TaskError, UnknownTaskType, check_id)

AUTO = object()   # _commit's default notice: a StateUpdate when the state changed visibly

log = logging.getLogger(__name__)

# MusicDB 8's task list groups (GetCurrentTasks): content type -> key
CONTENT_GROUPS = {"video": "videos", "albumfile": "albumfiles", "album": "albums",
                  "artwork": "artworks", "any": "any"}


def describe(error):
    """The reason a failed task shows: the error's message, else its class name."""
    return str(error) or type(error).__name__


class TaskManager(Service):
    """The tasks of one process, persisted in ``directory`` (default ``<data>/tasks``).

    ``app`` is handed to every task type's ``run``; ``types`` maps type
    names to :class:`~musicdb.taskmanagement.task.TaskType` instances.
    ``adopt``: queue the pending tasks a dead process left (the server);
    False for a process that only runs its own task (the command line).
    """

    name = "task manager"

    def __init__(self, app, types, directory=None, keep_finished=50, keep_seconds=24 * 3600,
                 progress_interval=0.5, adopt=True, pool=None, sweep_interval=60.0):
        super().__init__()
        self.app = app
        self.types = dict(types)
        self.store = TaskStore(directory or os.path.join(app.cfg.directories.data, "tasks"))
        self.keep_finished = keep_finished
        self.keep_seconds = keep_seconds
        self.progress_interval = progress_interval
        self.adopt = adopt
        self.sweep_interval = sweep_interval
        self.pid = os.getpid()
        self._pool = pool
        self._tasks = {}      # id -> Task: this process's tasks, in insertion order
        self._foreign = {}    # id -> dict: tasks of other live processes, read-only
        self._outcomes = {}   # id -> AsyncResult of run() (tasks submitted in this process)
        self._announced = {}  # id -> monotonic time progress was last committed
        self._saved = {}      # id -> monotonic time of the last file write (lazy commits)
        self._queue = Queue()
        self._lock = gevent.lock.RLock()
        self._opened = False

    # -- life cycle ---------------------------------------------------------------------

    def loops(self):
        return [self._loop, self._sweep_loop]

    def start(self):
        if not self._opened:
            self.open()
        if not self.running:
            events.subscribe(self._on_event)
        super().start()

    def open(self):
        """Claim the directory for this process and read the task files back (idempotent).

        Raises:
            OSError: the tasks directory cannot be created or read.
        """
        if self._opened:
            return
        self._io(self.store.claim, self.pid)
        self._opened = True
        for data in self._io(self.store.load):
            self._recover(data)
        self._prune()

    def close(self):
        events.unsubscribe(self._on_event)
        self.store.release()
        self._opened = False

    def _on_event(self, event):
        """After SIGUSR1 (which ``database import`` asks for) show other processes' tasks anew."""
        if event.name == events.CACHES_UPDATED:
            gevent.spawn(self._refresh_logged)

    def _refresh_logged(self):
        try:
            self.refresh()
        except OSError as error:
            log.error("Cannot read the task files again: %s", error)

    # -- the public API -----------------------------------------------------------------

    def submit(self, typename, params=None, taskid=None, **fields):
        """Create a task of type ``typename`` with ``params`` and queue it; returns its ID.

        ``taskid`` is the client's ID of an upload (a random UUID4 if None);
        a task with that ID is replaced.  ``fields`` set the type's own keys
        (``contenttype``, ``albumpath``, ...).  Creating a task is silent.

        Raises:
            UnknownTaskType: no such type is registered.
            InvalidTaskId: ``taskid`` is neither a UUID4 nor a SHA-1 hex string.
            TypeError: ``params`` or ``fields`` are not plain JSON data.
        """
        task = self._create(typename, params, taskid, fields)
        self._schedule(task)
        return task.id

    def run(self, typename, params=None):
        """Create a task and run it now in the calling greenlet; returns its step's result.

        Raises:
            UnknownTaskType: no such type is registered.
            Exception: what the task's step raised (the task is failed with it).
        """
        task = self._create(typename, params)
        return self._execute(task, reraise=True)

    def get(self, taskid):
        """The task as a plain dict, or None.  Raises InvalidTaskId for a malformed ID."""
        check_id(taskid)
        task = self._tasks.get(taskid)
        if task is not None:
            return task.as_dict()
        foreign = self._foreign.get(taskid)
        return json.loads(json.dumps(foreign)) if foreign is not None else None

    def tasklist(self):
        """MusicDB 8's ``GetCurrentTasks``: this process's tasks grouped by content type."""
        groups = {"videos": [], "albumfiles": [], "albums": [], "artworks": [], "any": []}
        for task in list(self._tasks.values()):
            group = CONTENT_GROUPS.get(task.data.get("contenttype"))
            if group is not None:
                groups[group].append(task.as_dict())
        return groups

    def list(self):
        """Every known task as a plain dict: other processes' first, then ours, oldest first."""
        foreign = json.loads(json.dumps(list(self._foreign.values())))
        return foreign + [task.as_dict() for task in list(self._tasks.values())]

    def refresh(self):
        """Read the tasks of other processes again: new ones, their changes (announced),
        and those whose process died (failed as interrupted).  Raises OSError."""
        loaded = self._io(self.store.load)
        for data in loaded:
            if data["id"] not in self._tasks:
                self._recover(data)
        current = {data["id"] for data in loaded}
        for taskid in [taskid for taskid in self._foreign if taskid not in current]:
            del self._foreign[taskid]

    def wait(self, taskid, timeout=None):
        """Wait until a task submitted here has run; returns its step's result.

        Raises:
            KeyError: the task was not submitted in this process (or is pruned).
            gevent.Timeout: it did not finish in ``timeout`` seconds.
            Exception: what its step raised.
        """
        return self._outcomes[check_id(taskid)].get(timeout=timeout)

    def set_state(self, taskid, state, **fields):
        """Move a task to ``state`` from outside the loop (an upload's last chunk);
        a pending state queues it.  Further keys (``reason``, type fields) are set too.

        Raises:
            KeyError: no such task in this process.
            ValueError: its type does not know ``state``.
        """
        task = self._tasks[check_id(taskid)]
        self._check_state(task, state)
        self._commit(task, state=state, **fields)
        self._schedule(task)

    def change(self, taskid, notice=AUTO, message=None, lazy=False, **fields):
        """Change a task from outside the loop (a chunk, an annotation, a removal);
        ``state`` among ``fields`` queues it when pending.  ``notice`` names the
        MusicDB:Task notification (None: none; default: StateUpdate when the state
        changed); ``lazy`` writes the file at most every ``progress_interval``.

        Raises:
            KeyError: no such task in this process.
            ValueError: its type does not know the state.
        """
        task = self._tasks[check_id(taskid)]
        if "state" in fields:
            self._check_state(task, fields["state"])
        self._commit(task, notice=notice, message=message, lazy=lazy, **fields)
        self._schedule(task)
        return task.as_dict()

    def forget(self, taskid):
        """Delete a task and its file without a notification (the end of ``remove``)."""
        task = self._tasks.get(check_id(taskid))
        if task is not None:
            self._saved.pop(task.id, None)
            self._delete(task)

    # -- running ------------------------------------------------------------------------

    def _create(self, typename, params, taskid=None, fields=None):
        tasktype = self.types.get(typename)
        if tasktype is None:
            raise UnknownTaskType(f"unknown task type: {typename!r}")
        params = json.loads(json.dumps(params if params is not None else {}))
        fields = json.loads(json.dumps(fields or {}))
        if taskid is not None and check_id(taskid) in self._tasks:
            self._tasks.pop(taskid)   # replaced (api-uploads.md §10 InitiateUpload)
        task = Task.create(tasktype, params, self.pid, taskid, fields)
        self._tasks[task.id] = task
        self._outcomes[task.id] = gevent.event.AsyncResult()
        self._commit(task)
        return task

    def _schedule(self, task):
        if self._kind(task) == PENDING:
            self._queue.put(task.id)

    def _loop(self):
        while True:
            task = self._tasks.get(self._queue.get())
            if task is None or self._kind(task) != PENDING:
                continue
            try:
                self._execute(task)
            except Exception:  # the manager's own failure: the next task still runs
                log.exception("Task management failed for task %s", task.id)

    def _sweep_loop(self):
        while True:
            gevent.sleep(self.sweep_interval)
            try:
                self.sweep()
            except Exception:
                log.exception("Task housekeeping failed")

    def sweep(self, now=None):
        """End the tasks of types with an ``expiry`` (MusicDB 8's: 24 h) that did not change
        for that long, also uploads that never completed, and those whose file was deleted
        by hand: they move to the type's ``expired`` state."""
        now = now or time.time()
        for task in list(self._tasks.values()):
            tasktype = self.types.get(task.type)
            expiry = getattr(tasktype, "expiry", None)
            if not expiry or task.state == tasktype.expired or self._kind(task) == ACTIVE:
                continue
            stamp = task.updatetime or task.initializationtime or now
            if now - stamp > expiry or not self._io(os.path.exists, self.store.path_for(task.id)):
                self._commit(task, state=tasktype.expired)
                self._schedule(task)

    def _execute(self, task, reraise=False):
        """Run the step of the task's (pending) state; the task ends in a final state,
        another state its step chose, or (killed, interrupted) failed.  Its outcome is
        set when the manager is done with it (pruning included)."""
        tasktype = self.types[task.type]
        outcome = self._outcomes.setdefault(task.id, gevent.event.AsyncResult())
        failed = tasktype.failed_state(task.state)
        running = tasktype.running_state(task.state)
        if running is not None:
            self._commit(task, state=running, reason=None, owner=self.pid)
        try:
            result = tasktype.run(RunningTask(self, task), self.app)
        except Exception as error:
            fault = storage_error(error)
            if fault is not None:   # a full or read-only disk: one line, no traceback
                error = fault
                log.error("Task %s (%s) failed: %s", task.type, task.id, fault.reason)
            else:
                log.exception("Task %s (%s) failed", task.type, task.id)
            if task.id in self._tasks:
                self._commit(task, state=failed, reason=describe(error))
            self._settle(task, outcome, error=error)
            if reraise:
                raise
            return None
        except BaseException as interrupt:  # GreenletExit (stop), KeyboardInterrupt
            self._interrupted(task, tasktype, interrupt)
            self._settle(task, outcome, error=TaskError(task.reason or "interrupted"))
            raise
        self._finished(task, tasktype)
        self._settle(task, outcome, result=result)
        return result

    def _settle(self, task, outcome, result=None, error=None):
        self._announced.pop(task.id, None)
        self._prune()
        if error is not None:
            outcome.set_exception(error)
        else:
            outcome.set(result)

    def _finished(self, task, tasktype):
        if task.id not in self._tasks:
            return  # the step removed its task (the end of ``remove``)
        if self._kind(task) == ACTIVE:
            self._commit(task, state=tasktype.done)
        else:
            self._commit(task)  # the step chose the state; its last progress is announced
            self._schedule(task)
        log.info("Task %s (%s): %s", task.type, task.id, task.state)

    def _interrupted(self, task, tasktype, interrupt):
        if tasktype.resumable:
            self._commit(task, state=tasktype.pending_state(task.state))
            return
        reason = INTERRUPTED_BY_SHUTDOWN if isinstance(interrupt, gevent.GreenletExit) \
            else "interrupted"
        self._commit(task, state=tasktype.failed_state(task.state), reason=reason)

    # -- the funnel ---------------------------------------------------------------------

    def _commit(self, task, notice=AUTO, message=None, lazy=False, **changes):
        """Apply ``changes``, write the task file, then announce the task.

        A file that cannot be written is logged and the change not announced
        (clients never see a state a restart would not find).  A type with
        ``notices`` also gets its MusicDB:Task notification (``notice``, see
        :meth:`change`).  ``lazy``: a change a restart may lose (an upload's
        offset, which is derived from the file again) is written at most every
        ``progress_interval`` seconds.
        """
        with self._lock:
            previous = task.data.get("state")
            if changes:
                task.data.update(changes)
                if not self._notices(task) or self._visible(task, previous, changes):
                    task.data["updatetime"] = int(time.time())  # MusicDB 8: state changes
            snapshot = task.as_dict()
            if not (lazy and self._recently_saved(task.id)):
                try:
                    self._io(self.store.save, snapshot)
                except OSError as error:
                    log.error("Cannot save task %s: %s; the change is not announced", task.id,
                              storage_error(error, always=True).reason)
                    return
                self._saved[task.id] = time.monotonic()
            events.emit(events.TASK_CHANGED, snapshot)
            if notice is AUTO:
                notice = STATE_UPDATE if self._visible(task, previous, changes) else None
            if notice and self._notices(task):
                events.emit(events.TASK_NOTICE, {
                    "signal": notice, "task": snapshot, "message": message,
                    "tasklist": None if notice == "ChunkRequest" else self.tasklist()})

    def _visible(self, task, previous, changes):
        """A state change that clients are told of (not a silent one of MusicDB 8)."""
        state = changes.get("state", previous)
        if state == previous:
            return False
        tasktype = self.types.get(task.type)
        return tasktype is None or state not in getattr(tasktype, "silent", ())

    def _notices(self, task):
        return getattr(self.types.get(task.type), "notices", False)

    def _recently_saved(self, taskid):
        return time.monotonic() - self._saved.get(taskid, 0.0) < self.progress_interval

    def _progress(self, task, done, total=None):
        known = task.progress.get("total")
        total = known if total is None else total
        progress = {"done": done, "total": total}
        now = time.monotonic()
        due = (total != known or done == total
               or now - self._announced.get(task.id, 0.0) >= self.progress_interval)
        if not due:
            task.data["progress"] = progress
            return
        self._announced[task.id] = now
        self._commit(task, progress=progress)

    # -- restart and pruning ------------------------------------------------------------

    def _recover(self, data):
        """Take over a task read from its file (see the module docstring)."""
        try:
            task = Task.from_dict(data)
        except ValueError as error:
            log.warning("Skipping a task file: %s", error)
            return
        owner = data.get("owner")
        if owner != self.pid and self.store.owner_alive(owner):
            if self._foreign.get(task.id) != data:
                self._foreign[task.id] = data
                events.emit(events.TASK_CHANGED, json.loads(json.dumps(data)))
            return
        self._foreign.pop(task.id, None)
        self._tasks[task.id] = task
        tasktype = self.types.get(task.type)
        kind = self._kind(task)
        if kind is None or (tasktype is None and kind != FINAL):
            self._commit(task, state=FAILED if tasktype is None else tasktype.failed,
                         reason=f"unknown task type or state: {task.type} {task.state}")
        elif kind == ACTIVE:
            self._resume(task, tasktype)
        elif kind == PENDING and self.adopt:
            self._commit(task, owner=self.pid)
            self._schedule(task)

    def _resume(self, task, tasktype):
        if tasktype.resumable:
            if self.adopt:
                self._commit(task, state=tasktype.pending_state(task.state), owner=self.pid)
                self._schedule(task)
            return
        log.warning("Task %s (%s) was %s when its process ended; failed", task.type, task.id,
                    task.state)
        self._commit(task, state=tasktype.failed, reason=INTERRUPTED_BY_RESTART)

    def _prune(self):
        """Delete the oldest finished tasks beyond ``keep_finished`` or ``keep_seconds``."""
        finished = sorted((task for task in self._tasks.values() if self._kind(task) == FINAL),
                          key=lambda task: task.updatetime or 0)
        expired = time.time() - self.keep_seconds
        excess = len(finished) - self.keep_finished
        for number, task in enumerate(finished):
            if number < excess or (task.updatetime or 0) < expired:
                self._delete(task)

    def _delete(self, task):
        if self._tasks.get(task.id) is task:
            self._tasks.pop(task.id)
        self._outcomes.pop(task.id, None)  # a waiter holds the AsyncResult itself
        try:
            self._io(self.store.delete, task.id)
        except OSError as error:
            log.error("Cannot delete task file %s: %s", task.id, error)
        events.emit(events.TASK_DELETED, task.id)

    # -- helpers ------------------------------------------------------------------------

    def _kind(self, task):
        tasktype = self.types.get(task.type)
        if tasktype is None:
            return DEFAULT_STATES.get(task.state)
        return tasktype.kind(task.state)

    def _check_state(self, task, state):
        if self.types[task.type].kind(state) is None:
            raise ValueError(f"task type {task.type} has no state {state!r}")

    def _io(self, function, *args):
        """Disk work in the thread pool, so the hub never waits for a sync."""
        pool = self._pool if self._pool is not None else gevent.get_hub().threadpool
        return in_thread(function, *args, pool=pool)


class RunningTask:
    """What a task type's ``run`` gets: the task's data and its ways to report.

    Call its methods from the greenlet ``run`` was called in, not from a
    worker thread (report between the pieces of work handed to the pool).
    """

    def __init__(self, manager, task):
        self._manager = manager
        self._task = task

    @property
    def id(self):
        return self._task.id

    @property
    def state(self):
        return self._task.state

    @property
    def params(self):
        return self._task.as_dict()["params"]

    @property
    def done(self):
        return self._task.progress["done"]

    def as_dict(self):
        return self._task.as_dict()

    def progress(self, done, total=None):
        """``done`` of ``total`` units (songs, albums, bytes); ``total`` None keeps the last."""
        self._manager._progress(self._task, done, total)

    def advance(self, count=1):
        self.progress(self.done + count)

    def set_state(self, state, notice=AUTO, message=None, **fields):
        """Move to another state of the type (the next step, a waiting state), with
        further keys; ``notice``/``message`` as :meth:`TaskManager.change`.  A task
        that was removed meanwhile (``RemoveUpload``) stays removed.

        Raises:
            ValueError: the type has no such state.
        """
        self._manager._check_state(self._task, state)
        if self._task.state == "remove" and state != "remove":
            return
        self._manager._commit(self._task, notice=notice, message=message, state=state, **fields)

    def update(self, **fields):
        """Change the task's own keys without a notification."""
        self._manager._commit(self._task, notice=None, **fields)

    def message(self, text):
        """An InternalError notification with ``text``; the state stays."""
        self._manager._commit(self._task, notice=INTERNAL_ERROR, message=text)

    def forget(self):
        """Delete the task and its file (the end of ``remove``; no notification)."""
        self._manager.forget(self._task.id)

    def annotate(self, **values):
        """Merge ``values`` into the annotations (a StateUpdate for MusicDB 8's types)."""
        annotations = {**self._task.annotations, **values}
        self._manager._commit(self._task, notice=STATE_UPDATE,
                              annotations=json.loads(json.dumps(annotations)))

    def set_result(self, result):
        """Small plain data the finished task keeps (counts, not lists of thousands)."""
        self._manager._commit(self._task, result=json.loads(json.dumps(result)))
