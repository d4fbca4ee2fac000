"""Several state files written at once (the blacklists of one push)."""

import os

import pytest

from musicdb.lib import statecsv


def test_write_tables_writes_every_table_in_the_state_dialect(tmp_path):
    tables = [(str(tmp_path / f"{name}.csv"), ("SongID", "TimeStamp"), [(n, 1700000000)])
              for n, name in enumerate(("songs", "albums", "artists"), start=1)]
    statecsv.write_tables(tables)
    for path, header, rows in tables:
        with open(path, "rb") as handle:
            assert handle.read() == statecsv.format_table(header, rows).encode()


def test_write_tables_writes_the_others_and_raises_when_one_fails(tmp_path):
    good = str(tmp_path / "good.csv")
    missing = str(tmp_path / "no-such-dir" / "bad.csv")
    with pytest.raises(OSError):
        statecsv.write_tables([(missing, ("A",), [(1,)]), (good, ("A",), [(2,)])])
    assert os.path.exists(good)
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []
