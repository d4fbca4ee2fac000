"""What the server writes in its data directory, checked before it serves.

A server that cannot store a change must not start as if it could: every
acknowledged change would be lost.  :func:`claim` runs before the server
listens and refuses, in one line, a data directory that is read-only, one
with a file the server cannot write, or one that another server uses
(``server.lock``, held for the process's life).  A full disk does not stop
the start - the library can still be played - but :class:`DiskWatch` warns
at once and every few minutes while it lasts, and every change that cannot
be stored is refused (:class:`~musicdb.lib.storage.StorageError`).
"""

import logging
import os

import gevent

from musicdb.lib import datadir, storage
from musicdb.lib.pidlock import LockBusy, PidLock
from musicdb.lib.service import Service
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

LOCK_FILE = "server.lock"
DISK_CHECK_INTERVAL = 300.0  # seconds between two checks for a full disk

DIRECTORIES = ("", "state", "config", "tasks", "uploads", os.path.join("webdata", "artwork"))
STATE_FILES = ("songqueue.csv", "videoqueue.csv", "songblacklist.csv", "albumblacklist.csv",
               "artistblacklist.csv", "videoblacklist.csv", "state.ini")
CONFIG_FILES = ("webui.ini", "randy.ini")
DATABASES = ("music.db", "tracker.db")


class StartRefused(RuntimeError):
    """The server must not start on this data directory; the text says why, in one line."""


def written_directories(data):
    """The directories the server creates files in (those that exist)."""
    return [path for path in (os.path.join(data, name) for name in DIRECTORIES)
            if os.path.isdir(path)]


def written_files(data):
    """Every file the server rewrites: queues, blacklists, state, configuration, databases."""
    files = [os.path.join(data, "state", name) for name in STATE_FILES]
    files += [os.path.join(data, "config", name) for name in CONFIG_FILES]
    for name in DATABASES:
        files += [os.path.join(data, name + suffix) for suffix in ("", "-wal", "-shm")]
    return files


def claim(data):
    """Make sure this server may and can write ``data``; returns the held :class:`PidLock`.

    Then removes what interrupted atomic writes left behind (safe only now:
    no other server writes here).

    Raises:
        StartRefused: read-only, not writable, or used by another server.
    """
    os.makedirs(data, exist_ok=True)
    problem = storage.check_writable(written_directories(data), written_files(data))
    if problem is not None:
        raise StartRefused(f"cannot start: {problem.reason}")
    lock = PidLock(os.path.join(data, LOCK_FILE), "another MusicDB server")
    try:
        lock.acquire()
    except LockBusy as busy:
        raise StartRefused(f"cannot start: {busy}; stop it, or give this server another "
                           "data directory") from None
    except OSError as error:
        raise StartRefused(f"cannot start: {storage.storage_error(error, always=True).reason}")
    datadir.remove_stale_temporaries(data)
    return lock


class DiskWatch(Service):
    """Warns while the data directory's disk is full: at start, then every ``interval`` s."""

    name = "disk watch"

    def __init__(self, data, interval=DISK_CHECK_INTERVAL):
        super().__init__()
        self.data = data
        self.interval = interval
        self.full = False

    def loops(self):
        return [self._run]

    def check(self):
        """Probe once (in the thread pool); log a warning while full.  Returns whether full."""
        full = in_thread(storage.disk_full, self.data)
        if full:
            reason = storage.describe(storage.FULL, self.data)
            log.warning("%s%s: changes are refused until there is space again",
                        reason[0].upper(), reason[1:])
        elif self.full:
            log.warning("The data directory's disk %s has space again", self.data)
        self.full = full
        return full

    def _run(self):
        while True:
            try:
                self.check()
            except Exception:
                log.exception("Checking the free space of %s failed", self.data)
            gevent.sleep(self.interval)
