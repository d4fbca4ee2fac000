"""One holder per lock file, named by its PID; leftovers of killed atomic writes removed."""

import os
import subprocess
import sys
import time

import pytest

from musicdb.lib import datadir
from musicdb.lib.pidlock import LockBusy, PidLock
from tests.support import ROOT, free_port, write_config

HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from musicdb.lib.pidlock import PidLock
PidLock({path!r}, "a holder").acquire()
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path):
    """A child process holding ``tmp_path/x.lock`` until the test ends."""
    path = str(tmp_path / "x.lock")
    child = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=ROOT, path=path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    yield path, child
    child.kill()
    child.wait(10)


def test_a_second_holder_is_refused_with_the_first_ones_pid(holder):
    path, child = holder
    with pytest.raises(LockBusy, match=f"a holder \\(PID {child.pid}\\) already uses") as busy:
        PidLock(path, "a holder").acquire()
    assert busy.value.pid == child.pid


def test_the_lock_goes_with_a_killed_holder(holder):
    path, child = holder
    child.kill()
    child.wait(10)
    with PidLock(path, "a holder") as lock:
        assert lock.held
        assert open(path).read().strip() == str(os.getpid())


def test_a_second_cli_import_is_refused_naming_the_first(holder, tmp_path):
    """``database import`` while import.lock is held: one line with the PID, exit code 1."""
    path, child = holder
    config = write_config(str(tmp_path), free_port())
    os.replace(path, tmp_path / "data" / "import.lock")   # the held file, now the import lock
    result = subprocess.run([sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
                             "database", "import"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"another import (PID {child.pid}) already uses" in result.stderr


def test_temporaries_of_dead_writers_go_and_those_of_live_ones_stay(tmp_path):
    (tmp_path / "state").mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    gone = tmp_path / "state" / f"songqueue.csv.{dead}.ab12.musicdb-tmp"
    mine = tmp_path / "state" / f"state.ini.{os.getpid()}.cd34.musicdb-tmp"
    legacy_old = tmp_path / "state" / "videoqueue.csv.k2j4x9_q.tmp"
    legacy_new = tmp_path / "state" / "albumblacklist.csv.a8b7c6d5.tmp"
    other = tmp_path / "state" / "notes.tmp"
    for path in (gone, mine, legacy_old, legacy_new, other):
        path.write_text("x")
    old = time.time() - 2 * datadir.LEGACY_TEMP_AGE
    os.utime(legacy_old, (old, old))
    removed = datadir.remove_stale_temporaries(str(tmp_path))
    assert sorted(removed) == sorted([str(gone), str(legacy_old)])
    assert mine.exists() and legacy_new.exists() and other.exists()


def test_write_atomic_names_its_temporary_file_recognisably(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: seen.append(src) or real_replace(src, dst))
    datadir.write_atomic(str(tmp_path / "songqueue.csv"), "EntryID\r\n")
    name = os.path.basename(seen[0])
    assert name.startswith(f"songqueue.csv.{os.getpid()}.") and name.endswith(".musicdb-tmp")
    assert os.listdir(tmp_path) == ["songqueue.csv"]
