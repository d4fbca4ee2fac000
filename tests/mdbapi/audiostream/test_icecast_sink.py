"""The Icecast feed's place in the fan-out: a sink that drops its own oldest audio."""

import socket
import threading

from musicdb.mdbapi.audiostream.broadcast import Broadcaster, icy_metadata, icy_title
from musicdb.mdbapi.audiostream.icecast import SinkBuffer
# The stream tests' fixtures (imported, so pytest finds them for this folder too).
from tests.support.media import needs_ffmpeg
from tests.support import poll

META = icy_metadata("A - B")


def test_sink_keeps_only_the_newest_blocks_within_its_limit():
    """Past its limit the sink drops whole blocks, oldest first, and never refuses one."""
    sink = SinkBuffer(limit=3000)
    sink.activate(True)
    for number in range(10):
        assert sink.push(bytes([number]) * 1000, META) is True
    blocks = sink.take(timeout=0)
    assert [data[0] for data, _ in blocks] == [7, 8, 9]
    assert sink.dropped == 7000


def test_an_inactive_sink_keeps_nothing():
    """While the feed is not connected nothing piles up for it."""
    sink = SinkBuffer(limit=3000)
    sink.push(b"x" * 1000, META)
    assert sink.take(timeout=0) == []


def test_a_sink_is_no_listener_and_does_not_slow_one_down():
    """A stalled sink neither counts as a listener nor drops the listeners; they get everything."""
    broadcaster = Broadcaster(maxlisteners=1, limit=5000, burst=0)
    sink = SinkBuffer(limit=2000)
    sink.activate(True)
    broadcaster.add_sink(sink)
    listener = broadcaster.add("127.0.0.1:1", icy=False)
    assert listener is not None and len(broadcaster.listeners) == 1
    for number in range(20):
        broadcaster.send([(bytes([number]) * 1000, META)])
        listener._chunks.clear()        # the listener reads everything at once
        listener._queued = 0
    assert not listener.dropped and listener in broadcaster.listeners
    assert [data[0] for data, _ in sink.take(timeout=0)] == [18, 19]
    broadcaster.remove_sink(sink)
    broadcaster.send([(b"z" * 1000, META)])
    assert sink.take(timeout=0) == []


def test_icy_title_reads_back_what_icy_metadata_wrote():
    assert icy_title(icy_metadata("Motörhead - Ace of Spades")) == "Motörhead - Ace of Spades"
    assert icy_title(icy_metadata("")) == ""
    assert icy_title(b"\0") == ""


class StalledIcecast:
    """Accepts one source, answers 200 OK, and never reads again (a tiny receive window)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.accepted = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\n")
            self.connections.append(connection)
            self.accepted.set()

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


@needs_ffmpeg
def test_a_stalled_icecast_does_not_slow_the_local_stream(
        stream_home, stream_server, connect, listen):
    """Icecast that stops reading costs the local listener nothing; the feed gives it up, says
    why in the log and the API, and tries again."""
    icecast = StalledIcecast()
    try:
        server = stream_server(f"[icecastsource]\nenable = True\nport = {icecast.port}\n"
                               f"buffer = 1\ntimeout = 2\nretrymax = 2\n")
        client = connect(server)
        assert icecast.accepted.wait(10), server.log()
        local = listen(server)
        assert poll(lambda: "Icecast connection lost" in server.log(), 30), server.log()
        assert "does not keep up" in server.log()
        state = client.request("GetAudioStreamState")["icecast"]
        assert state["state"] == "retrying" and "Icecast" in state["reason"]
        gaps = [later[0] - earlier[0] for earlier, later in zip(local.reads, local.reads[1:])]
        assert local.reads and max(gaps) < 1.0, max(gaps)
        assert not local.ended.is_set()
    finally:
        icecast.close()
