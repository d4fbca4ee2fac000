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


@pytest.mark.parametrize("busy", [True, False])
def test_a_blocked_loop_report_that_the_servers_own_work_caused_counts(monkeypatch, caplog,
                                                                        busy):
    """Running (or sleeping in a blocking call) for the whole interval is a block."""
    monkeypatch.setattr(server, "_running", True)
    server._sample_hub_cpu(None)
    blocked_for(0.15, busy)
    server._report_blocked_loop(gevent.events.EventLoopBlocked(None, 0.1, ["the stack\n"]))
    blocks = server_blocks(caplog.text)
    assert len(blocks) == 1 and "hub in the last" in blocks[0]
    on_cpu = float(blocks[0].split(": ")[-1].split(" s on a CPU")[0])
    assert (on_cpu >= 0.14) if busy else (on_cpu < 0.1)


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
