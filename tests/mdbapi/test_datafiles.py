"""The data directory's checks: what the server writes, and the warning while the disk is full."""

import logging
import os

from musicdb.mdbapi import datafiles
from tests.faults import fill_up, tmpfs


def test_the_disk_watch_warns_while_the_disk_is_full_and_once_when_it_is_not(tmp_path, caplog):
    with tmpfs(tmp_path / "data", size="256k") as data:
        watch = datafiles.DiskWatch(str(data), interval=3600)
        with caplog.at_level(logging.WARNING, logger="musicdb.mdbapi.datafiles"):
            assert watch.check() is False
            filler = fill_up(data)
            assert watch.check() is True and watch.check() is True
            os.remove(filler)
            assert watch.check() is False and watch.check() is False
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [f"The data directory's disk is full ({data}); free some space: changes "
                     "are refused until there is space again"] * 2 + [
        f"The data directory's disk {data} has space again"]


def test_every_file_the_server_rewrites_is_checked(tmp_path):
    files = datafiles.written_files(str(tmp_path))
    for name in ("state/songqueue.csv", "state/videoqueue.csv", "state/songblacklist.csv",
                 "state/state.ini", "config/webui.ini", "config/randy.ini", "music.db",
                 "tracker.db-wal"):
        assert str(tmp_path / name) in files
