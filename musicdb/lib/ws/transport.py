"""gevent-websocket, hardened: a message size limit and a safe handshake.

gevent-websocket 0.10.1 reads any frame length a client announces, and a
``Sec-WebSocket-Key`` that is not base64 raises out of its handler.  These
subclasses fix both; :class:`QuietWSGIServer` turns TLS handshake failures
(a plain HTTP request on the TLS port, a scanner) into one log line instead
of a traceback, and a client that goes away mid-answer (a cancelled
download, often ``SSLEOFError`` over TLS) into one debug line.  Behind a
trusted proxy (``trusted_proxies``) ``REMOTE_ADDR`` is the client's address
from ``X-Forwarded-For``, so every access rule and limit sees the client.
"""

import base64
import binascii
import logging
import socket
import ssl
import struct

from gevent.lock import Semaphore
from gevent.pywsgi import WSGIServer
from geventwebsocket.exceptions import WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

from musicdb.lib import netaccess
from musicdb.lib.http.access import apply_forwarded
from musicdb.lib.auth.redact import redact

log = logging.getLogger(__name__)


class MessageTooBig(Exception):
    """A client announced more data than the size limit; close with 1009.

    Not a WebSocketError: gevent-websocket's ``receive()`` would swallow that
    (it derives from socket.error) and close with 1000."""


class LimitedWebSocket(WebSocket):
    """A WebSocket that refuses a message before buffering more than ``max_size`` bytes."""

    __slots__ = ("max_size", "_message_bytes", "_write_lock")

    def __init__(self, environ, stream, handler, max_size):
        super().__init__(environ, stream, handler)
        self.max_size = max_size
        self._message_bytes = 0
        self._write_lock = Semaphore()

    def send_frame(self, message, opcode):
        """Every frame is written whole: the connection's writer and a close from
        the reader (1007, the echo of a client's close) never interleave."""
        with self._write_lock:
            super().send_frame(message, opcode)

    def send_prepared(self, frame):
        """Write a frame built by :func:`text_frame` (shared by every client of a broadcast)."""
        with self._write_lock:
            if self.closed:
                raise WebSocketError("Connection is already closed")
            self.raw_write(frame)

    def close(self, code=1000, message=b""):
        """Send a close frame that carries ``code`` and the reason (gevent-websocket
        0.10.1 drops the code), once; then forget the stream."""
        if self.closed:
            return
        reason = message.encode("utf-8") if isinstance(message, str) else bytes(message or b"")
        try:
            self.send_frame(struct.pack("!H", code) + reason[:123], self.OPCODE_CLOSE)
        except (WebSocketError, OSError):
            log.debug("Could not send the close frame; the peer is gone")
        finally:
            self.closed = True
            self.stream = self.raw_write = self.raw_read = None

    def read_frame(self):
        header = Header.decode_header(self.stream)
        if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY):
            self._message_bytes = 0
        if header.opcode <= self.OPCODE_BINARY:
            self._message_bytes += header.length
            if self._message_bytes > self.max_size:
                raise MessageTooBig(f"message exceeds {self.max_size} bytes")
        return header, self._read_payload(header)

    def _read_payload(self, header):
        if header.flags:
            raise_protocol_error()
        if not header.length:
            return b""
        payload = self.raw_read(header.length)
        if len(payload) != header.length:
            raise WebSocketError("Unexpected EOF reading frame payload")
        return unmask(payload, header.mask) if header.mask else payload

    def validate_utf8(self, payload):
        """Skip gevent-websocket's pure-Python validator (it blocks the hub on large
        messages); the final ``bytes.decode`` still rejects bad UTF-8 and closes with 1007."""


def text_frame(text):
    """A whole unmasked text frame carrying ``text``: encoded once, written to many."""
    payload = text.encode("utf-8")
    return bytes(Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(payload), 0)) + payload


# XOR with one byte value as a translation table, for each of the 256 values.
_XOR_TABLES = [bytes(value ^ key for value in range(256)) for key in range(256)]


def unmask(payload, mask):
    """XOR the payload with the 4-byte mask at C speed (gevent-websocket loops in Python):
    each of the four byte lanes is one ``translate`` (twice as fast as one big-integer XOR,
    which counts for uploads: 800 kB of hex per chunk)."""
    result = bytearray(payload)
    for lane in range(4):
        result[lane::4] = result[lane::4].translate(_XOR_TABLES[mask[lane]])
    return bytes(result)


def raise_protocol_error():
    from geventwebsocket.exceptions import ProtocolError
    raise ProtocolError("reserved bits set")


class SafeWebSocketHandler(WebSocketHandler):
    """Validates the handshake key itself and creates :class:`LimitedWebSocket`."""

    def upgrade_connection(self):
        key = self.environ.get("HTTP_SEC_WEBSOCKET_KEY", "").strip()
        if not _valid_key(key):
            log.info("Refused WebSocket handshake from %s: bad Sec-WebSocket-Key",
                     self.client_address)
            self.start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"Invalid Sec-WebSocket-Key"]
        result = super().upgrade_connection()
        if getattr(self, "websocket", None) is not None:
            max_size = getattr(self.server, "max_message_size", 8 * 1024 * 1024)
            plain = self.websocket
            self.websocket = LimitedWebSocket(self.environ, plain.stream, self, max_size)
            plain.closed = True  # its __del__ would otherwise send a close frame
            self.environ["wsgi.websocket"] = self.websocket
            self.socket.settimeout(None)  # the WebUI may stay silent for hours
        return result

    def log_request(self):
        # The request line may carry ?token=, ?password= or ?key=: never log their values.
        log.debug("%s", redact(self.format_request()))

    def get_environ(self):
        """The WSGI environ, with the client's address and scheme when a trusted proxy sent it."""
        environ = super().get_environ()
        proxies = getattr(self.server, "trusted_proxies", None)
        if proxies:
            apply_forwarded(environ, proxies)
        return environ

    def handle_error(self, t, v, tb):
        """A client gone mid-answer is one debug line; gevent prints a traceback for
        any socket error but EPIPE and ECONNRESET (over TLS: SSLEOFError)."""
        if isinstance(v, PEER_GONE):
            address = (self.environ or {}).get("REMOTE_ADDR", self.client_address)
            log.debug("Client %s went away: %s: %s", address, t.__name__, v)
            self.close_connection = True
            return
        super().handle_error(t, v, tb)


# Errors of a connection whose peer left or stalled: not the server's fault.
PEER_GONE = (ConnectionError, TimeoutError, ssl.SSLError)


def _valid_key(key):
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except (binascii.Error, ValueError):
        return False


class QuietWSGIServer(WSGIServer):
    """A WSGIServer whose failed TLS handshakes are logged, not printed as tracebacks."""

    max_message_size = 8 * 1024 * 1024
    handshake_timeout = 10
    trusted_proxies = netaccess.AddressRule()  # whose X-Forwarded-For is believed

    def handle(self, sock, address):
        # Until a WebSocket upgrade lifts it, every read or write waits at most this long.
        sock.settimeout(self.handshake_timeout)
        # Answers are small writes: without this, Nagle + delayed ACK add ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle(sock, address)

    def wrap_socket_and_handle(self, client_socket, address):
        client_socket.settimeout(self.handshake_timeout)
        try:
            return super().wrap_socket_and_handle(client_socket, address)
        except (ssl.SSLError, OSError) as error:
            level = logging.DEBUG if _went_away(error) else logging.INFO
            log.log(level, "TLS connection from %s failed: %s", address[0], error)
            client_socket.close()
            return None


def _went_away(error):
    """True for the errors of a peer that closed or reset mid-handshake (not a scanner's)."""
    return isinstance(error, (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError))
