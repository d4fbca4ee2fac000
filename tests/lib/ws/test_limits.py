"""The WebSocket server's limits, each set small so a test runs in milliseconds.

The server runs on gevent's hub in the test process; each client runs in a
thread of gevent's pool (the clients block), so both sides make progress.
Other client addresses are other loopback addresses (127.0.0.2, ...).
"""

import json
import socket
import time
from types import SimpleNamespace

import gevent
import gevent.event
import pytest
import websocket

from musicdb.lib.ws.connection import Connection
from musicdb.lib.ws.rpc import HandlerTable
from musicdb.lib.ws.server import MusicDBWebSocketServer
from tests.support import Client, wait_close

KEY = "test-key"
UPGRADE = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def in_thread(func, *args, **kwargs):
    """Run a blocking client step in gevent's thread pool while the hub serves."""
    return gevent.get_hub().threadpool.apply(func, args, kwargs)


def echo_table():
    table = HandlerTable()

    @table.handler("Echo", raw_args=True)
    def echo(args, app):
        return args
    return table


@pytest.fixture
def serve():
    """``serve(**limits)`` starts a plain ws:// server with the Echo table on 127.0.0.1:0."""
    servers = []

    def start(**limits):
        limits.setdefault("opentimeout", 5)
        server = MusicDBWebSocketServer(echo_table(), None, lambda: KEY, closetimeout=1,
                                        **limits)
        server.listen(lambda environ, start_response: server.serve_websocket(environ),
                      "127.0.0.1", 0)
        servers.append(server)
        server.endpoint = SimpleNamespace(url=f"ws://127.0.0.1:{server.port}/", apikey=KEY)
        return server

    yield start
    for server in servers:
        server.close_all()
        server.stop()


def connect(server, source="127.0.0.1"):
    """A MusicDB client connected from the loopback address ``source``."""
    def make():
        client = Client.__new__(Client)
        client.key, client.timeout = KEY, 5
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5,
                                        source_address=(source, 0))
        client.ws = websocket.create_connection(server.endpoint.url, timeout=5, socket=sock)
        return client
    return in_thread(make)


def raw_socket(server, source="127.0.0.1"):
    def make():
        return socket.create_connection(("127.0.0.1", server.port), timeout=5,
                                        source_address=(source, 0))
    return in_thread(make)


def read_all(sock):
    """Everything the server sends until it closes the connection."""
    def read():
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return data
            data += chunk
    return in_thread(read)


def wait_until(predicate, timeout=5.0):
    with gevent.Timeout(timeout):
        while not predicate():
            gevent.sleep(0.01)


def test_connections_over_the_total_are_refused_with_503_before_the_handshake(serve):
    server = serve(max_connections=2)
    held = [raw_socket(server, "127.0.0.2"), raw_socket(server, "127.0.0.3")]
    wait_until(lambda: server.wsgi._gate.count == 2)
    refused = raw_socket(server, "127.0.0.4")
    assert read_all(refused).startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    for sock in held:
        sock.close()
    wait_until(lambda: server.wsgi._gate.count == 0)
    client = connect(server)
    assert in_thread(client.request, "Echo", "in again") == "in again"
    in_thread(client.close)


def test_connections_over_the_per_address_limit_are_refused_with_429(serve):
    """One address is refused; another address still gets in."""
    server = serve(max_connections_per_ip=2)
    first, second = connect(server, "127.0.0.2"), connect(server, "127.0.0.2")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(server, "127.0.0.2")
    assert refused.value.status_code == 429
    other = connect(server, "127.0.0.3")
    assert in_thread(other.request, "Echo", "other address") == "other address"
    for client in (first, second, other):
        in_thread(client.close)


def test_the_handshake_deadline_covers_the_whole_request_not_each_read(serve):
    """A client sending one byte every 0.1 s is cut off after ``opentimeout`` (0.5 s),
    although no single read waits that long."""
    server = serve(opentimeout=0.5)
    sock = raw_socket(server)

    def trickle():
        started, answer = time.monotonic(), b""
        try:
            for byte in UPGRADE.encode():
                sock.send(bytes([byte]))
                time.sleep(0.1)  # the attack's pace, not a wait for the server
            answer = sock.recv(100)
        except OSError:
            pass
        return time.monotonic() - started, answer

    elapsed, answer = in_thread(trickle)
    assert elapsed < 3 and not answer.startswith(b"HTTP/1.1 101")
    wait_until(lambda: server.wsgi._gate.count == 0)


def test_a_message_before_the_first_valid_key_is_limited_to_the_small_size(serve):
    server = serve(max_unauth_message_size=1024)
    client = connect(server)
    in_thread(client.send, "request", "Echo", "x" * 2000, "big", None, "wrong key")
    assert in_thread(wait_close, client)[0] == 1009


def test_after_a_valid_key_messages_may_reach_the_full_size(serve):
    server = serve(max_unauth_message_size=1024)
    client = connect(server)
    assert in_thread(client.request, "Echo", "small") == "small"
    assert in_thread(client.request, "Echo", "x" * 2000) == "x" * 2000
    in_thread(client.close)


def test_a_connection_without_a_valid_key_in_time_is_closed_with_1008(serve):
    server = serve(auth_timeout=0.3)
    idle, member = connect(server), connect(server)
    assert in_thread(member.request, "Echo", "key") == "key"
    in_thread(idle.send, "request", "Echo", None, "wrong", None, "not the key")
    assert in_thread(wait_close, idle)[0] == 1008
    assert in_thread(member.request, "Echo", "still here") == "still here"
    in_thread(member.close)


def test_a_connection_without_a_valid_key_gets_no_broadcasts(serve):
    server = serve()
    stranger, member = connect(server), connect(server)
    in_thread(stranger.send, "request", "Echo", None, "guess", None, "not the key")
    in_thread(stranger.error)
    assert in_thread(member.request, "Echo", "key") == "key"
    server.broadcast({"method": "notification", "fncname": "News", "fncsig": "onNews",
                      "arguments": None, "pass": None})
    assert in_thread(member.receive)["fncname"] == "News"
    assert in_thread(stranger.request, "Echo", "now with key") == "now with key"
    in_thread(stranger.send, "request", "Echo", None, "next")
    seen = []
    in_thread(stranger.wait_for, lambda p: seen.append(p) or p.get("fncsig") == "next")
    assert "News" not in [packet["fncname"] for packet in seen]
    for client in (stranger, member):
        in_thread(client.close)


def test_a_shared_broadcast_frame_counts_fully_against_each_unread_cap(serve):
    server = serve()
    clients = [connect(server) for _ in range(2)]
    for client in clients:
        in_thread(client.request, "Echo", None)
    connections = list(server.connections)
    frame = b"f" * 1000
    for connection in connections:
        connection.send(frame)
    # Counted at once: the writers have not run yet (send never yields).
    assert [connection._queued_bytes for connection in connections] == [1000, 1000]
    for client in clients:
        in_thread(client.close)


def test_a_key_with_a_lone_surrogate_is_answered_with_invalid_packet(serve):
    server = serve()
    client = connect(server)
    in_thread(client.send_raw, '{"method": "request", "fncname": "Echo", "fncsig": "s", '
                               '"arguments": null, "pass": null, "key": "\\ud800"}')
    assert in_thread(client.error)["arguments"]["code"] == "InvalidPacket"
    assert in_thread(client.request, "Echo", "stays") == "stays"
    in_thread(client.close)


def test_deeply_nested_json_is_answered_with_invalid_json(serve):
    server = serve()
    client = connect(server)
    assert in_thread(client.request, "Echo", "key first") == "key first"  # 100 KB allowed
    in_thread(client.send_raw, "[" * 100_000)
    assert in_thread(client.error)["arguments"]["code"] == "InvalidJSON"
    assert in_thread(client.request, "Echo", "stays") == "stays"
    in_thread(client.close)


@pytest.mark.parametrize("depth", [900, 970, 985, 995])
def test_a_nested_pass_value_is_echoed_or_refused_but_never_drops_the_connection(serve, depth):
    """Near Python's recursion limit a value decodes but cannot be encoded again."""
    server = serve()
    client = connect(server)
    nested = "[" * depth + "]" * depth
    in_thread(client.send_raw, '{"method": "request", "fncname": "Echo", "fncsig": "s", '
                               f'"arguments": 1, "pass": {nested}, "key": "{KEY}"}}')
    packet = in_thread(client.receive)
    assert packet["fncname"] in ("Echo", "MusicDB:Error")
    assert in_thread(client.request, "Echo", "stays") == "stays"
    in_thread(client.close)


def test_nan_is_answered_with_invalid_json(serve):
    server = serve()
    client = connect(server)
    in_thread(client.send_raw, '{"method": "request", "fncname": "Echo", "fncsig": "s", '
                               f'"arguments": NaN, "pass": null, "key": "{KEY}"}}')
    assert in_thread(client.error)["arguments"]["code"] == "InvalidJSON"
    in_thread(client.close)


def test_an_unmasked_client_frame_closes_with_1002(serve):
    server = serve()
    client = connect(server)
    frame = websocket.ABNF(fin=1, opcode=websocket.ABNF.OPCODE_TEXT, mask_value=0,
                           data=json.dumps({"method": "request", "fncname": "Echo"}))
    in_thread(client.ws.sock.sendall, frame.format())
    assert in_thread(wait_close, client)[0] == 1002


class StuckSocket:
    """A websocket whose client sends Big requests forever and never reads a byte."""

    closed = False
    max_size = 0

    def __init__(self):
        self.handler = SimpleNamespace(socket=None)
        self.never = gevent.event.Event()

    def receive(self):
        gevent.sleep(0)
        return json.dumps({"method": "request", "fncname": "Big", "fncsig": "b",
                           "arguments": 100_000, "pass": None, "key": KEY})

    def send_prepared(self, frame):
        self.never.wait()

    def close(self, code, reason):
        self.closed = True


def test_a_client_that_asks_and_never_reads_has_its_next_packet_wait():
    """Answers pile up to ``max_pending_bytes`` (plus the one being written), not further."""
    table, calls = HandlerTable(), []

    @table.handler("Big", raw_args=True)
    def big(args, app):
        calls.append(args)
        return "x" * args

    stuck = StuckSocket()
    connection = Connection(stuck, ("192.0.2.1", 1), KEY, table, None, None,
                            max_pending_bytes=250_000)
    reader = gevent.spawn(connection.run)
    wait_until(lambda: not connection._drained.is_set())
    for _ in range(50):
        gevent.sleep(0)  # let every greenlet run: the reader must stay put
    assert len(calls) == 3 and connection._queued_bytes < 350_000
    stuck.never.set()
    reader.kill()


def test_an_upgraded_socket_gets_a_small_send_buffer(serve):
    """Linux would grow it to 4 MiB per client that never reads (a broadcast copied 450 times)."""
    server = serve()
    server.wsgi.send_buffer = 64 * 1024
    client = connect(server)
    assert in_thread(client.request, "Echo", "x") == "x"
    (connection,) = server.connections
    sock = connection.ws.handler.socket
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) <= 2 * 64 * 1024
    in_thread(client.close)
