"""A thin SQLite layer: one connection, WAL, a busy timeout, nestable transactions.

Connection policy: the server runs every database call in the gevent hub's
thread, where all greenlets share one connection (``check_same_thread`` is
off for the rare call from a worker thread that holds the lock).  Slow
reads run in a worker thread on a connection of their own, opened with
``readonly`` (the Subsonic catalog: ``musicdb.mdbapi.catalog``).  A
greenlet switch inside a transaction would let another greenlet's statements
join it, so :meth:`Database.transaction` holds a lock for its whole length;
code inside a transaction must not wait on the network or a file.  Other
processes (``musicdb.py database import`` while the server runs) share the
file through SQLite's WAL and busy timeout; both sides keep their
transactions short, because waiting for the lock blocks the hub.
"""

import contextlib
import logging
import os
import sqlite3
import threading
import urllib.parse

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """A database could not be opened or a statement failed; the text says why.

    ``path`` is the database file, ``cause`` the ``sqlite3.Error`` behind it
    (``musicdb.lib.storage.storage_error`` tells a full or read-only disk by it).
    """

    def __init__(self, message, path=None, cause=None):
        super().__init__(message)
        self.path = path
        self.cause = cause


class Database:
    """One SQLite file; ``readonly`` opens a connection that cannot write (a reader thread's).

    Raises:
        DatabaseError: the file cannot be opened as a database.
    """

    def __init__(self, path, readonly=False):
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        try:
            # timeout: SQLite's busy timeout (PRAGMA busy_timeout takes no parameter)
            target = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(path)) \
                if readonly else path
            self.conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, uri=readonly,
                                        isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            if not readonly:  # a read-only connection finds the file's WAL mode set
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise DatabaseError(f"{path}: cannot open database: {error}", path, error) from None

    @contextlib.contextmanager
    def transaction(self):
        """Run the block in one transaction; only the outermost one commits.

        An exception inside rolls the whole outermost transaction back.
        """
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._run("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._run("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._commit()

    def _commit(self):
        """COMMIT; a failed one (a full disk) is rolled back, so the connection stays usable."""
        try:
            self._run("COMMIT")
        except DatabaseError:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error as error:
                    log.error("%s: cannot roll back a failed commit: %s", self.path, error)
            raise

    def execute(self, sql, params=()):
        """Run one statement and return the cursor (its ``lastrowid``, ``rowcount``)."""
        with self._lock:
            return self._run(sql, params)

    def executemany(self, sql, seq):
        with self._lock:
            try:
                return self.conn.executemany(sql, seq)
            except sqlite3.Error as error:
                raise DatabaseError(f"{self.path}: {error}", self.path, error) from None

    def rows(self, sql, params=()):
        """All rows of a query as a list of plain dicts."""
        with self._lock:
            return [dict(row) for row in self._run(sql, params).fetchall()]

    def row(self, sql, params=()):
        """The first row as a plain dict, or None."""
        with self._lock:
            found = self._run(sql, params).fetchone()
        return dict(found) if found is not None else None

    def value(self, sql, params=()):
        """The first column of the first row, or None."""
        with self._lock:
            found = self._run(sql, params).fetchone()
        return found[0] if found is not None else None

    def close(self):
        with self._lock:
            self.conn.close()

    def _run(self, sql, params=()):
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DatabaseError(f"{self.path}: the database is locked by another "
                                    "process for too long; try again", self.path, error) from None
            raise DatabaseError(f"{self.path}: {error}", self.path, error) from None
        except sqlite3.Error as error:
            raise DatabaseError(f"{self.path}: {error}", self.path, error) from None


def apply_schema(db, schema, meta_version, label):
    """Create a fresh database from ``schema`` or check the version of an existing one.

    Raises:
        DatabaseError: the file holds a schema version we do not know.
    """
    tables = db.value("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'")
    if not tables:
        log.info("Creating %s database %s", label, db.path)
        with db.transaction():
            for statement in schema.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta (key, value) VALUES ('version', ?)", (str(meta_version),))
        return
    found = db.value("SELECT value FROM meta WHERE key = 'version'")
    if str(found) != str(meta_version):
        raise DatabaseError(f"{db.path}: {label} database has schema version {found}, "
                            f"this server reads version {meta_version} only")


def create_indexes(db, statements):
    """Add our indexes (``CREATE INDEX IF NOT EXISTS``; a MusicDB 8 server ignores them)."""
    with db.transaction():
        for statement in statements.split(";"):
            if statement.strip():
                db.execute(statement)
