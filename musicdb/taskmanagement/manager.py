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
from musicdb.mdbapi import events
from musicdb.taskmanagement.store import TaskStore
from musicdb.taskmanagement.task import (
    ACTIVE, DEFAULT_STATES, FAILED, FINAL, INTERRUPTED_BY_RESTART, INTERRUPTED_BY_SHUTDOWN,
    PENDING, Task, TaskError, UnknownTaskType, check_id)

log = logging.getLogger(__name__)


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
                 progress_interval=0.5, adopt=True, pool=None):
        super().__init__()
        self.app = app
        self.types = dict(types)
        self.store = TaskStore(directory or os.path.join(app.cfg.directories.data, "tasks"))
        self.keep_finished = keep_finished
        self.keep_seconds = keep_seconds
        self.progress_interval = progress_interval
        self.adopt = adopt
        self.pid = os.getpid()
        self._pool = pool
        self._tasks = {}      # id -> Task: this process's tasks, in insertion order
        self._foreign = {}    # id -> dict: tasks of other live processes, read-only
        self._outcomes = {}   # id -> AsyncResult of run() (tasks submitted in this process)
        self._announced = {}  # id -> monotonic time progress was last committed
        self._queue = Queue()
        self._lock = gevent.lock.RLock()
        self._opened = False

    # -- life cycle ---------------------------------------------------------------------

    def loops(self):
        return [self._loop]

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

    def submit(self, typename, params=None):
        """Create a task of type ``typename`` with ``params`` and queue it; returns its ID.

        Raises:
            UnknownTaskType: no such type is registered.
            TypeError: ``params`` is not plain JSON data.
        """
        task = self._create(typename, params)
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

    # -- running ------------------------------------------------------------------------

    def _create(self, typename, params):
        tasktype = self.types.get(typename)
        if tasktype is None:
            raise UnknownTaskType(f"unknown task type: {typename!r}")
        params = json.loads(json.dumps(params if params is not None else {}))
        task = Task.create(tasktype, params, self.pid)
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

    def _execute(self, task, reraise=False):
        """Run the step of the task's (pending) state; the task ends in a final state,
        another state its step chose, or (killed, interrupted) failed.  Its outcome is
        set when the manager is done with it (pruning included)."""
        tasktype = self.types[task.type]
        outcome = self._outcomes.setdefault(task.id, gevent.event.AsyncResult())
        self._commit(task, state=tasktype.running_state(task.state), reason=None, owner=self.pid)
        try:
            result = tasktype.run(RunningTask(self, task), self.app)
        except Exception as error:
            fault = storage_error(error)
            if fault is not None:   # a full or read-only disk: one line, no traceback
                error = fault
                log.error("Task %s (%s) failed: %s", task.type, task.id, fault.reason)
            else:
                log.exception("Task %s (%s) failed", task.type, task.id)
            self._commit(task, state=tasktype.failed, reason=describe(error))
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
        self._commit(task, state=tasktype.failed, reason=reason)

    # -- the funnel ---------------------------------------------------------------------

    def _commit(self, task, **changes):
        """Apply ``changes``, write the task file, then announce the task.

        A file that cannot be written is logged and the change not announced
        (clients never see a state a restart would not find).
        """
        with self._lock:
            if changes:  # a new task keeps updatetime None (api-uploads.md §2)
                task.data.update(changes)
                task.data["updatetime"] = int(time.time())
            snapshot = task.as_dict()
            try:
                self._io(self.store.save, snapshot)
            except OSError as error:
                log.error("Cannot save task %s: %s; the change is not announced", task.id,
                          storage_error(error, always=True).reason)
                return
            events.emit(events.TASK_CHANGED, snapshot)

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
        self._tasks.pop(task.id, None)
        self._outcomes.pop(task.id, None)  # a waiter holds the AsyncResult itself
        try:
            self._io(self.store.delete, task.id)
        except OSError as error:
            log.error("Cannot delete task file %s: %s", task.id, error)

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
        return pool.apply(function, args)


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

    def set_state(self, state):
        """Move to another state of the type (the next step, a waiting state).

        Raises:
            ValueError: the type has no such state.
        """
        self._manager._check_state(self._task, state)
        self._manager._commit(self._task, state=state)

    def annotate(self, **values):
        annotations = {**self._task.annotations, **values}
        self._manager._commit(self._task, annotations=json.loads(json.dumps(annotations)))

    def set_result(self, result):
        """Small plain data the finished task keeps (counts, not lists of thousands)."""
        self._manager._commit(self._task, result=json.loads(json.dumps(result)))
