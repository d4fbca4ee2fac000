"""The WebSocket server in this process, with a table of its own and small limits.

The server runs on gevent's hub in the test process; each client runs in a
thread of gevent's pool (websocket-client blocks), so both sides make progress.
"""

from types import SimpleNamespace

import gevent
import pytest

from musicdb.lib.ws.rpc import HandlerTable
from musicdb.lib.ws.server import MusicDBWebSocketServer
from tests.support import Client, wait_close

KEY = "test-key"


def in_thread(func, *args):
    """Run a blocking client step in gevent's thread pool while the hub serves."""
    return gevent.get_hub().threadpool.apply(func, args)


@pytest.fixture
def serve():
    """``serve(table, **limits)`` starts a plain ws:// server on 127.0.0.1:0."""
    servers = []

    def start(table, **limits):
        published = []
        server = MusicDBWebSocketServer(table, "the app", lambda: KEY, opentimeout=5,
                                        closetimeout=1, **limits)
        server.listen(lambda environ, start_response: server.serve_websocket(environ),
                      "127.0.0.1", 0)
        servers.append(server)
        server.endpoint = SimpleNamespace(url=f"ws://127.0.0.1:{server.port}/", apikey=KEY)
        server.published = published
        return server

    yield start
    for server in servers:
        server.close_all()
        server.stop()


def connect(server):
    return in_thread(Client, server.endpoint)


def echo_table():
    table = HandlerTable()

    @table.handler("Echo", raw_args=True)
    def echo(args, app):
        return {"args": args, "app": app}

    @table.handler("Shout", raw_args=True, forced=("Echo", None))
    def shout(args, app):
        return None
    return table


def test_packets_run_through_the_table_that_was_passed_in(serve):
    server = serve(echo_table())
    client = connect(server)
    assert in_thread(client.request, "Echo", [1, 2]) == {"args": [1, 2], "app": "the app"}
    in_thread(client.close)


def test_forced_broadcasts_go_to_the_publish_callable(serve):
    """The server module routes them through the event bus: nothing reaches the
    clients unless ``publish`` sends it."""
    table, published = echo_table(), []
    server = MusicDBWebSocketServer(table, "app", lambda: KEY, publish=published.append)
    server.listen(lambda environ, start_response: server.serve_websocket(environ),
                  "127.0.0.1", 0)
    try:
        client = in_thread(Client, SimpleNamespace(url=f"ws://127.0.0.1:{server.port}/",
                                                   apikey=KEY))
        in_thread(client.send, "request", "Shout", None, "s")
        assert in_thread(client.request, "Echo", "after") == {"args": "after", "app": "app"}
        assert [p["fncname"] for p in published] == ["Echo"]
        in_thread(client.close)
    finally:
        server.close_all()
        server.stop()


def test_a_broadcast_frame_is_built_once_and_shared(serve):
    server = serve(echo_table())
    clients = [connect(server) for _ in range(3)]
    queued = []
    for connection in server.connections:
        connection.send = queued.append
    server.broadcast({"method": "notification", "fncname": "X", "fncsig": "y",
                      "arguments": None, "pass": None})
    assert len(queued) == 3 and all(frame is queued[0] for frame in queued)
    for client in clients:
        in_thread(client.close)


def test_wrong_keys_close_after_the_configured_count(serve):
    server = serve(echo_table(), max_key_failures=2)
    client = connect(server)
    for _ in range(2):
        in_thread(client.send, "request", "Echo", None, "x", None, "guess")
    assert in_thread(wait_close, client, 10)[0] == 1008


def test_a_client_that_never_reads_is_dropped_at_the_unread_limit(serve):
    server = serve(echo_table(), max_queued_bytes=256 * 1024)
    lazy = connect(server)
    big = {"method": "notification", "fncname": "Big", "fncsig": "big",
           "arguments": "x" * 100_000, "pass": None}
    with gevent.Timeout(30):
        while server.connections:
            server.broadcast(big)
            gevent.sleep(0)
    later = connect(server)
    assert in_thread(later.request, "Echo", "still here")["args"] == "still here"
    in_thread(later.close)
    in_thread(lazy.close)


def test_packets_after_the_close_for_wrong_keys_are_not_executed(serve):
    """Once the server closed a connection for wrong keys, a valid packet sent before the
    client noticed must not run: a broadcast from it would reach everyone."""
    server = serve(echo_table(), max_key_failures=2)
    client, bystander = connect(server), connect(server)
    for _ in range(2):
        in_thread(client.send, "request", "Echo", None, "x", None, "guess")
    for _ in range(3):
        in_thread(client.send, "broadcast", "Echo", {"from": "closed connection"}, "Late")
    assert in_thread(wait_close, client, 10)[0] == 1008
    in_thread(bystander.send, "request", "Echo", None, "Mine")
    seen = []
    in_thread(bystander.wait_for, lambda p: seen.append(p) or p.get("fncsig") == "Mine")
    assert not any(p.get("fncsig") == "Late" for p in seen)
    in_thread(bystander.close)


def test_close_session_closes_the_connections_of_that_session_only(serve):
    """The session is whatever ``session_of`` reads from the upgrade (here its query)."""
    server = serve(echo_table(), session_of=lambda environ: environ.get("QUERY_STRING") or None)
    base = server.endpoint.url

    def connect_as(session):
        return in_thread(Client, SimpleNamespace(url=f"{base}?{session}", apikey=KEY))
    first, second, other = connect_as("a"), connect_as("a"), connect_as("b")
    assert server.close_session("a") == 2
    assert in_thread(wait_close, first, 10) == (1008, "Session ended")
    assert in_thread(wait_close, second, 10) == (1008, "Session ended")
    assert in_thread(other.request, "Echo", "open")["args"] == "open"
    with gevent.Timeout(10):
        while len(server.connections) > 1:
            gevent.sleep(0.01)
    assert server.close_session("a") == 0   # gone from the registry
    in_thread(other.close)
