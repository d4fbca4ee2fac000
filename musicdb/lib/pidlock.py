"""An exclusive ``flock`` on a file that also names its holder's PID.

One server per data directory, one import at a time: each holds a lock
file in the data directory for its whole life.  The kernel drops an
``flock`` when the holding process dies, so a ``kill -9`` never leaves a
stale lock; the PID written into the file is only there to name the holder
in the refusal.  The descriptor is not inherited by child processes
(ffmpeg), so a lock ends with its process, not with its last child.
"""

import fcntl
import os


class LockBusy(RuntimeError):
    """Another process holds the lock; ``pid`` is its PID (None when it wrote none)."""

    def __init__(self, message, pid=None):
        super().__init__(message)
        self.pid = pid


class PidLock:
    """The lock file at ``path``; ``what`` names the holder in messages ("a server")."""

    def __init__(self, path, what):
        self.path = path
        self.what = what
        self._handle = None

    @property
    def held(self):
        return self._handle is not None

    def acquire(self):
        """Take the lock and write our PID into the file.

        Raises:
            LockBusy: another process holds it (the message names its PID).
            OSError: the file cannot be opened (a read-only directory without it).
        """
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            handle = os.open(self.path, os.O_RDONLY)  # an existing file still locks
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(handle)
            os.close(handle)
            holder = f"PID {pid}" if pid else "another process"
            raise LockBusy(f"{self.what} ({holder}) already uses {os.path.dirname(self.path)}"
                           f" (lock file {self.path})", pid) from None
        try:
            os.ftruncate(handle, 0)
            os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # read-only: the lock holds all the same, only the PID is not shown
        self._handle = handle

    def release(self):
        """Drop the lock (the file stays: removing it would race with the next holder)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            os.close(handle)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def _read_pid(handle):
    try:
        text = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
