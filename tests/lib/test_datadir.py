"""The data directory: created idempotently, the API key kept, files written atomically."""

import os
import stat
import threading

from musicdb.lib import datadir


def test_prepare_creates_the_layout_and_a_stable_api_key(tmp_path):
    key = datadir.prepare(str(tmp_path))
    for name, mode in datadir.SUBDIRECTORIES.items():
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
    keyfile = tmp_path / "config" / "wsapikey.txt"
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600  # private (issue 10.11)
    assert len(key) == 44 and key.endswith("=")
    assert datadir.prepare(str(tmp_path)) == key
    assert key in (tmp_path / "webdata" / "config.js").read_text()


def test_an_existing_key_is_used_unchanged(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "wsapikey.txt").write_text("  musicdb8-key  \nsecond line\n")
    assert datadir.prepare(str(tmp_path)) == "musicdb8-key"


def test_parallel_atomic_writes_never_leave_a_mixed_or_partial_file(tmp_path):
    target = str(tmp_path / "state.csv")
    texts = [f"{n}\n" * 5000 for n in range(8)]
    threads = [threading.Thread(target=datadir.write_atomic, args=(target, text)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert open(target).read() in texts
    assert os.listdir(tmp_path) == ["state.csv"]
