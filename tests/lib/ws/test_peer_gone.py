"""A client going away mid-answer or mid-handshake leaves one debug line, never a traceback.

gevent's WSGI handler prints a traceback for every socket error but EPIPE
and ECONNRESET; over TLS a cancelled download breaks the write with
``SSLEOFError``.  These tests drop real TLS connections at the awkward moments.
"""

import base64
import os
import socket
import ssl
import struct

import pytest

from tests.support import ServerProcess, poll, session_cookie

BIG_FILE = 16 << 20


@pytest.fixture
def server(tmp_path):
    os.makedirs(tmp_path / "music")
    with open(tmp_path / "music" / "big.mp3", "wb") as handle:
        handle.write(os.urandom(1 << 20) * (BIG_FILE >> 20))
    server = ServerProcess(tmp_path, tls=True)
    yield server
    server.stop()


def connect(server):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10))


def cookie_line(server):
    """The header line that logs the request in as the test account."""
    return b"Cookie: " + session_cookie(server).encode("ascii") + b"\r\n"


def drop(sock, reset):
    """Close without a TLS close_notify; with ``reset`` the kernel sends RST."""
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def went_away_lines(server):
    return [line for line in server.log().splitlines() if "went away" in line]


@pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])
def test_a_cancelled_tls_download_is_one_debug_line(server, reset):
    sock = connect(server)
    sock.sendall(b"GET /musicdb/music/big.mp3 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 + cookie_line(server) + b"\r\n")
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first[:200]
    received = len(first)
    while received < 1 << 20:
        chunk = sock.recv(65536)
        assert chunk, "the download ended early"
        received += len(chunk)
    drop(sock, reset)
    assert poll(lambda: went_away_lines(server), timeout=10), server.log()
    assert all(" DEBUG " in line for line in went_away_lines(server))
    assert "Traceback" not in server.log()


def test_a_client_gone_mid_tls_handshake_is_one_debug_line(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # half a ClientHello
    sock.close()
    assert poll(lambda: "TLS connection from 127.0.0.1 failed" in server.log(), timeout=10)
    line = [l for l in server.log().splitlines() if "TLS connection from" in l][0]
    assert " DEBUG " in line and "Traceback" not in server.log()


def test_a_websocket_client_gone_mid_frame_leaves_no_traceback(server):
    sock = connect(server)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                 b"Sec-WebSocket-Key: " + key + b"\r\n" + cookie_line(server) + b"\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 101")
    sock.sendall(b"\x81\xfe\x01\x00mask" + b"x" * 40)  # 256 bytes announced, 40 sent
    drop(sock, reset=False)
    assert poll(lambda: "disconnected" in server.log(), timeout=10), server.log()
    assert "Traceback" not in server.log()
