"""Storage faults in words a user acts on: errno and SQLite texts mapped, a real full tmpfs."""

import errno
import os
import sqlite3

import pytest

from musicdb.lib import storage
from musicdb.lib.db.sqlite import Database, DatabaseError
from musicdb.lib.ws import protocol
from musicdb.lib.ws.rpc import SENDER, HandlerTable
from tests.faults import fill_up, read_only, tmpfs


@pytest.mark.parametrize("number, words", [
    (errno.ENOSPC, "the data directory's disk is full (/data/state)"),
    (errno.EDQUOT, "the data directory's disk is full (/data/state)"),
    (errno.EROFS, "the data directory is read-only (/data/state)"),
    (errno.EACCES, "no permission to write /data/state/songqueue.csv"),
])
def test_an_os_error_of_a_write_names_the_cause_and_the_directory(number, words):
    error = storage.storage_error(OSError(number, os.strerror(number), "/data/state/songqueue.csv"))
    assert error.code == "StorageError"
    assert str(error).startswith(f"Not stored: {words}")


def test_an_os_error_that_is_no_storage_fault_is_left_alone():
    assert storage.storage_error(OSError(errno.ENOENT, "gone", "/x")) is None
    assert storage.storage_error(ValueError("no")) is None
    assert storage.storage_error(OSError(errno.ENOENT, "gone", "/x"), always=True).cause is None


@pytest.mark.parametrize("text, cause", [
    ("database or disk is full", storage.FULL),
    ("attempt to write a readonly database", storage.READONLY),
])
def test_sqlite_texts_become_the_same_causes(text, cause):
    wrapped = DatabaseError(f"/data/music.db: {text}", "/data/music.db",
                            sqlite3.OperationalError(text))
    error = storage.storage_error(wrapped)
    assert error.cause == cause and error.path == "/data/music.db"


def test_a_handler_whose_write_fails_on_a_full_disk_answers_with_a_storage_error():
    """The one place that makes error packets turns OSError/DatabaseError into StorageError."""
    table = HandlerTable()

    @table.handler("Store")
    def store(args, app):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/state/state.ini")

    [(recipients, packet)] = table.dispatch(
        {"method": "request", "fncname": "Store", "fncsig": "s", "arguments": None,
         "pass": None}, app=None)
    assert recipients == SENDER and packet["fncname"] == "MusicDB:Error"
    assert packet["arguments"]["code"] == "StorageError"
    assert "disk is full (/data/state)" in packet["arguments"]["message"]
    assert protocol.encode(packet)


def test_sqlite_on_a_full_tmpfs_is_reported_as_a_full_disk(tmp_path):
    """A real SQLITE_FULL (or the disk I/O error of a WAL that cannot grow) says "disk is full"."""
    with tmpfs(tmp_path / "data", size="512k") as data:
        database = Database(str(data / "music.db"))
        try:
            database.execute("CREATE TABLE t (x BLOB)")
            fill_up(data)
            with pytest.raises(DatabaseError) as raised:
                for _ in range(100):
                    with database.transaction():
                        database.execute("INSERT INTO t VALUES (?)", (b"x" * 65536,))
            error = storage.storage_error(raised.value)
            assert error.cause == storage.FULL, raised.value
            assert not database.conn.in_transaction   # the failed commit was rolled back
            assert database.value("SELECT 1") == 1
        finally:
            database.close()


def test_check_writable_finds_a_read_only_directory(tmp_path):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "songqueue.csv").write_text("")
    assert storage.check_writable([str(tmp_path / "state")], []) is None
    with read_only(tmp_path / "state"):
        problem = storage.check_writable([str(tmp_path)], [str(tmp_path / "state" / "songqueue.csv")])
    assert problem.cause == storage.READONLY
    assert problem.path == str(tmp_path / "state" / "songqueue.csv")


def test_disk_full_probes_a_real_full_file_system(tmp_path):
    with tmpfs(tmp_path / "data", size="256k") as data:
        assert not storage.disk_full(str(data))
        filler = fill_up(data)
        assert storage.disk_full(str(data))
        os.remove(filler)
        assert not storage.disk_full(str(data))
