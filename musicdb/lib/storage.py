"""Storage faults in words a user acts on: a full disk, a read-only or inaccessible directory.

A change the server cannot store is no change: whoever asked gets a
:class:`StorageError` (``MusicDB:Error`` with code ``StorageError``) that
names the cause and the path, and nobody is told that something changed.
:func:`storage_error` maps what the operating system or SQLite said into
that error; :func:`check_writable` and :func:`disk_full` are the start-up and
periodic checks of the data directory.

The texts of SQLite are the only thing it gives: ``database or disk is
full`` (SQLITE_FULL), ``attempt to write a readonly database``
(SQLITE_READONLY), ``disk I/O error`` (SQLITE_IOERR, which a full disk also
produces when the WAL cannot grow).  An ambiguous error is decided by the
state of the file system the file is on.
"""

import errno
import os
import sqlite3

from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.ws.errors import ApiError

FULL = "full"
READONLY = "readonly"
DENIED = "denied"

ERRNO_CAUSES = {
    errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EFBIG: FULL,
    errno.EROFS: READONLY,
    errno.EACCES: DENIED, errno.EPERM: DENIED,
}

SQLITE_CAUSES = (
    ("database or disk is full", FULL),
    ("readonly database", READONLY),
    ("read-only", READONLY),
    ("unable to open database", None),
    ("disk i/o error", None),
)

PROBE_SIZE = 4096


class StorageError(ApiError):
    """A change could not be stored; the message says why and where.

    ``cause`` is ``"full"``, ``"readonly"``, ``"denied"`` or None (another
    failure of the disk), ``path`` the file or directory concerned.
    """

    code = "StorageError"

    def __init__(self, cause, path, detail=""):
        self.reason = describe(cause, path, detail)
        super().__init__(f"Not stored: {self.reason}")
        self.cause = cause
        self.path = path


def describe(cause, path, detail=""):
    """What is wrong with ``path``, as a clause (``the data directory is read-only (...)``)."""
    where = os.path.dirname(path) if path and not os.path.isdir(path) else path
    if cause == FULL:
        return f"the data directory's disk is full ({where}); free some space"
    if cause == READONLY:
        return f"the data directory is read-only ({where})"
    if cause == DENIED:
        return (f"no permission to write {path}; give the user running MusicDB write "
                "access to the data directory")
    return f"cannot write {path}: {detail}"


def storage_error(error, path=None, always=False):
    """The :class:`StorageError` for ``error``, or None when it is no storage fault.

    ``error`` may be an ``OSError`` (its ``filename`` is used when ``path``
    is None), a ``sqlite3.Error`` or a :class:`DatabaseError` (its ``path``).
    A StorageError is returned as it is.  With ``always`` (the caller knows
    that ``error`` comes from a write) any OSError becomes a StorageError.
    """
    if isinstance(error, StorageError):
        return error
    if isinstance(error, OSError):
        path = path or error.filename
        cause = ERRNO_CAUSES.get(error.errno)
        if cause is None and (always or error.errno == errno.EIO):
            cause = _filesystem_state(path)
        if cause is None and not (always or error.errno == errno.EIO):
            return None
        return StorageError(cause, path, error.strerror or str(error))
    if isinstance(error, (sqlite3.Error, DatabaseError)):
        path = path or getattr(error, "path", None)
        text = str(getattr(error, "cause", None) or error)
        for needle, cause in SQLITE_CAUSES:
            if needle in text.lower():
                cause = cause or _filesystem_state(path)
                return StorageError(cause, path, text)
    return None


def _filesystem_state(path):
    """``"full"`` or ``"readonly"`` when the file system of ``path`` is so, else None."""
    if not path:
        return None
    directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
    try:
        info = os.statvfs(directory)
    except OSError:
        return None
    if info.f_flag & os.ST_RDONLY:
        return READONLY
    if info.f_bavail == 0 or disk_full(directory):
        return FULL
    return None


def disk_full(directory):
    """True when a small file cannot be written to ``directory`` for lack of space.

    The probe writes and syncs :data:`PROBE_SIZE` bytes, which tells a full
    disk from one that is merely low (statvfs counts the reserved blocks
    differently per file system).  Other errors count as not full.
    """
    path = os.path.join(directory, f".musicdb-space-probe.{os.getpid()}")
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    try:
        os.write(handle, b"\0" * PROBE_SIZE)
        os.fsync(handle)
        return False
    except OSError as error:
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    finally:
        os.close(handle)
        try:
            os.remove(path)
        except OSError:
            pass


def check_writable(directories, files):
    """The first path of ``directories`` or existing ``files`` this process cannot write.

    Returns None when all are writable, else a :class:`StorageError`.
    A directory is tested by creating and removing a file in it, a file by
    opening it for writing (nothing is changed).  A missing file counts as
    writable when its directory is.
    """
    for directory in directories:
        probe = os.path.join(directory, f".musicdb-write-probe.{os.getpid()}")
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
            os.remove(probe)
        except OSError as error:
            return storage_error(error, directory) or StorageError(
                None, directory, error.strerror or str(error))
    for path in files:
        try:
            os.close(os.open(path, os.O_WRONLY))
        except FileNotFoundError:
            continue
        except OSError as error:
            return storage_error(error, path) or StorageError(
                None, path, error.strerror or str(error))
    return None
