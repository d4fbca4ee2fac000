"""musicdb.mdbapi.server refuses wrong objects before it starts anything, and reports a
blocked event loop so that a test can tell a block from a starved machine."""

import time

import gevent.events
import pytest

from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.mdbapi import server
from tests.support import server_blocks


def test_initialize_refuses_a_config_that_is_not_a_musicdbconfig(tmp_path):
    database = MusicDatabase(str(tmp_path / "music.db"))
    with pytest.raises(TypeError, match="MusicDBConfig"):
        server.Initialize({"websocket": {}}, database)
    assert server.cfg is None and server.database is None


def test_initialize_refuses_a_database_that_is_not_a_musicdatabase(tmp_path):
    path = tmp_path / "musicdb.ini"
    path.write_text(f"[directories]\ndata = {tmp_path}\n")
    with pytest.raises(TypeError, match="MusicDatabase"):
        server.Initialize(MusicDBConfig(str(path)), object())
    assert server.cfg is None and server.mise is None


def blocked_for(seconds, busy):
    """Hold the calling thread ``seconds``: in a busy loop or asleep in a blocking call."""
    if not busy:
        time.sleep(seconds)
        return
    deadline = time.thread_time() + seconds
    while time.thread_time() < deadline:
        pass


def report_block(monkeypatch, caplog, hold):
    """The blocks ``server_blocks`` finds in the report of a hub held by ``hold()``."""
    monkeypatch.setattr(server, "_running", True)
    server._sample_hub_cpu(None)
    hold()
    server._report_blocked_loop(gevent.events.EventLoopBlocked(None, 0.1, ["the stack\n"]))
    return server_blocks(caplog.text)


def on_cpu(report):
    return float(report.split(": ")[-1].split(" s on a CPU")[0])


def test_a_hub_that_ran_the_whole_interval_is_blocked(monkeypatch, caplog):
    """Measured from /proc: a busy loop's CPU time is the thread's own, even on a busy machine."""
    blocks = report_block(monkeypatch, caplog, lambda: blocked_for(0.15, busy=True))
    assert len(blocks) == 1 and "hub in the last" in blocks[0]
    assert on_cpu(blocks[0]) >= 0.14


def test_a_hub_asleep_in_a_blocking_call_is_blocked(monkeypatch, caplog):
    """Asleep (state S) for the interval, hardly on a CPU and not waiting for one: a block.

    The thread's figures are scripted: how a loaded kernel accounts a sleep that
    ends in a wait for a CPU is not what this test is about.
    """
    samples = iter([(10.0, 1.0, 2.0, 50, "R"), (10.16, 1.001, 2.004, 52, "S")])
    monkeypatch.setattr(server, "_hub_cpu_times", lambda: next(samples))
    blocks = report_block(monkeypatch, caplog, lambda: None)
    assert len(blocks) == 1 and "hub in the last 0.160 s" in blocks[0]
    assert on_cpu(blocks[0]) < 0.1


def test_a_report_of_a_hub_that_waited_for_a_cpu_is_not_a_block():
    """A hub that got less than the threshold of the blocked interval was starved, not
    blocked; a block stretched over consecutive reports by a busy machine is summed."""
    line = ("ERROR Event loop blocked for more than 0.100 s (hub in the last %.3f s until %.3f: "
            "0.020 s on a CPU, %.3f s waiting for one):")
    starved = line % (0.4, 10.0, 0.35)
    stretched = [line % (0.15, 20.0, 0.09), line % (0.15, 20.16, 0.09)]  # 0.06 s + 0.06 s
    apart = [line % (0.15, 30.0, 0.09), line % (0.15, 31.0, 0.09)]
    unknown = "ERROR Event loop blocked for more than 0.100 s (hub CPU use unknown):"
    assert server_blocks("\n".join([starved, "x", *apart, unknown])) == [unknown]
    assert server_blocks("\n".join([starved, *stretched])) == stretched


def test_on_a_starved_machine_only_the_hubs_time_on_a_cpu_counts():
    """A hub that waited for a CPU longer than the threshold also sleeps on the GIL of
    starved threads: its sleep is not counted, its own running still is."""
    line = ("ERROR Event loop blocked for more than 0.100 s (hub in the last %.3f s until "
            "%.3f: %.3f s on a CPU, %.3f s waiting for one):")
    gil_wait = line % (0.341, 10.0, 0.020, 0.211)     # 0.11 s asleep, 0.02 s running
    running = line % (0.400, 20.0, 0.150, 0.200)      # ran 0.15 s although starved
    asleep_idle = line % (0.200, 30.0, 0.010, 0.020)  # not starved: asleep in a call
    assert server_blocks("\n".join([gil_wait, running, asleep_idle])) == [running, asleep_idle]
