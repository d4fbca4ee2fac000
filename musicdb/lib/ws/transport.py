"""gevent-websocket, hardened: a message size limit and a safe handshake.

gevent-websocket 0.10.1 reads any frame length a client announces, accepts
unmasked client frames, and a ``Sec-WebSocket-Key`` that is not base64 raises
out of its handler.  These subclasses fix that.  :class:`QuietWSGIServer`
turns TLS handshake failures (a plain HTTP request on the TLS port, a
scanner) into one log line instead of a traceback, refuses connections over
its limits (in total, per client address) before reading a byte, and gives
the whole handshake (TLS and the HTTP request) one deadline, so a client
that sends a byte now and then cannot hold a connection open.  A client that
goes away mid-answer (a cancelled download, often ``SSLEOFError`` over TLS)
is one debug line.
Behind a trusted proxy (``trusted_proxies``) ``REMOTE_ADDR`` is the client's
address from ``X-Forwarded-For``, so every access rule and limit sees the client.
"""

import base64
import binascii
import logging
import socket
import ssl
import struct
from collections import Counter

import gevent
from gevent.lock import Semaphore
from gevent.pywsgi import WSGIServer
from geventwebsocket.exceptions import WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

from musicdb.lib import netaccess
from musicdb.lib.http.access import apply_forwarded
from musicdb.lib.auth.redact import redact

log = logging.getLogger(__name__)


class CloseConnection(Exception):
    """The client broke a rule of the transport; close with ``code``.

    Not a WebSocketError: gevent-websocket's ``receive()`` would swallow that
    (it derives from socket.error) and close with 1000."""

    code = 1002
    reason = "Protocol error"


class MessageTooBig(CloseConnection):
    """A client announced more data than the size limit; close with 1009."""

    code = 1009
    reason = "Message too big"


class UnmaskedFrame(CloseConnection):
    """A client frame without a mask (RFC 6455 §5.1 requires one); close with 1002."""

    code = 1002
    reason = "Client frames must be masked"


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
        if not header.mask:
            raise UnmaskedFrame("unmasked client frame")
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
        return unmask(payload, header.mask)

    def validate_utf8(self, payload):
        """Skip gevent-websocket's pure-Python validator (it blocks the hub on large
        messages); the final ``bytes.decode`` still rejects bad UTF-8 and closes with 1007."""


def text_frame(text):
    """A whole unmasked text frame carrying ``text``: encoded once, written to many."""
    payload = text.encode("utf-8")
    return bytes(Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(payload), 0)) + payload


# XOR with one byte value as a translation table, for each of the 256 values.
_XOR_TABLES = [bytes(value ^ key for value in range(256)) for key in range(256)]


def unmask_lanes(payload, mask):
    """XOR the payload with the 4-byte mask with the standard library: each of the four
    byte lanes is one ``translate`` (twice as fast as one big-integer XOR)."""
    result = bytearray(payload)
    for lane in range(4):
        result[lane::4] = result[lane::4].translate(_XOR_TABLES[mask[lane]])
    return bytes(result)


try:   # wsaccel masks in C, 3.5 times as fast as the lanes: 0.5 ms for an upload's 800 kB
    from wsaccel.xormask import XorMaskerSimple
except ImportError:   # a platform without its wheel: the lanes
    XorMaskerSimple = None


def unmask(payload, mask):
    """XOR the payload with the 4-byte mask at C speed (gevent-websocket loops in Python)."""
    if XorMaskerSimple is None:
        return unmask_lanes(payload, mask)
    return XorMaskerSimple(bytes(mask)).process(payload)


def raise_protocol_error():
    from geventwebsocket.exceptions import ProtocolError
    raise ProtocolError("reserved bits set")


class SafeWebSocketHandler(WebSocketHandler):
    """Validates the handshake key itself and creates :class:`LimitedWebSocket`.

    ``deadline`` (a started :class:`gevent.Timeout`, or None) bounds the
    reading of each request: it is cancelled once the request's headers are
    in, and the next request on a kept-alive connection gets a new one.
    """

    deadline = None

    def read_requestline(self):
        if self.deadline is None:
            self.deadline = handshake_deadline(self.server.handshake_timeout)
        return super().read_requestline()

    def read_request(self, raw_requestline):
        try:
            return super().read_request(raw_requestline)
        finally:
            if self.deadline is not None:
                self.deadline.cancel()
                self.deadline = None

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
            _limit_send_buffer(self.socket, getattr(self.server, "send_buffer", None))
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


def _limit_send_buffer(sock, size):
    """Give an upgraded socket a send buffer of ``size`` bytes (Linux doubles it).

    Why: Linux grows a send buffer up to 4 MiB whatever the peer reads, so a
    1.5 MB broadcast to 450 clients that never read would be copied into
    kernel memory 450 times (2 GB) and cost the hub seconds of copying.
    """
    if not size:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
    except OSError as error:
        log.debug("Cannot limit the WebSocket's send buffer: %s", error)


def _valid_key(key):
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except (binascii.Error, ValueError):
        return False


class HandshakeTimeout(Exception):
    """The client did not finish the TLS handshake and its HTTP request in time."""


def handshake_deadline(seconds):
    """A started timeout that raises :class:`HandshakeTimeout` in this greenlet."""
    return gevent.Timeout.start_new(seconds, HandshakeTimeout(f"no request within {seconds} s"))


class ConnectionGate:
    """Counts open TCP connections, in total and per client address.

    ``admit(address)`` returns None and counts the connection, or the HTTP
    status that refuses it: ``503`` when the server is full, ``429`` when
    that address holds ``per_address`` connections already.
    """

    def __init__(self, total, per_address):
        self.total = total
        self.per_address = per_address
        self.open = Counter()
        self.count = 0

    def admit(self, address):
        if self.count >= self.total:
            return "503 Service Unavailable"
        if self.open[address] >= self.per_address:
            return "429 Too Many Requests"
        self.open[address] += 1
        self.count += 1
        return None

    def release(self, address):
        self.count -= 1
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


def server_name(address):
    """``SERVER_NAME`` for a listening *address*, without a DNS lookup: the host's name
    for a wildcard address, else the address itself."""
    host = address[0]
    if host in ("", "0.0.0.0", "::"):
        return socket.gethostname()
    return host


class QuietWSGIServer(WSGIServer):
    """A WSGIServer with connection limits, a handshake deadline and quiet TLS failures.

    The limits are attributes the WebSocket server sets before ``start()``.
    """

    max_message_size = 8 * 1024 * 1024
    handshake_timeout = 10
    trusted_proxies = netaccess.AddressRule()  # whose X-Forwarded-For is believed
    max_connections = 512
    max_connections_per_ip = 64
    send_buffer = 256 << 10  # of an upgraded socket; see _limit_send_buffer
    _gate = None
    _refusals_logged = 0.0

    def start(self):
        self._gate = ConnectionGate(self.max_connections, self.max_connections_per_ip)
        if isinstance(self.address, tuple):
            # pywsgi would otherwise ask DNS (getfqdn) on the hub while starting.
            self.environ.setdefault("SERVER_NAME", server_name(self.address))
        super().start()

    def do_handle(self, sock, address):
        """Runs in the accept loop: refuse over the limits before spawning anything."""
        refusal = self._gate.admit(address[0])
        if refusal is not None:
            self._refuse(sock, address, refusal)
            return
        try:
            super().do_handle(sock, address)
        except BaseException:
            self._gate.release(address[0])
            raise

    def do_close(self, sock, address):
        self._gate.release(address[0])
        super().do_close(sock, address)

    def _refuse(self, sock, address, status):
        """Answer a plain HTTP client with ``status`` at once; a TLS client is only closed
        (an answer would need the TLS handshake the limit is there to spare)."""
        now = gevent.get_hub().loop.now()
        if now - self._refusals_logged > 10:  # one line per 10 s, not one per attempt
            self._refusals_logged = now
            log.warning("Refusing connections (%s), e.g. from %s; %d open", status,
                        address[0], self._gate.count)
        try:
            if not self.ssl_args:
                sock.send(refusal_response(status))
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            sock.close()

    def handle(self, sock, address, deadline=None):
        if deadline is None:
            deadline = handshake_deadline(self.handshake_timeout)
        # Request bodies: every read or write waits at most this long.
        sock.settimeout(self.handshake_timeout)
        # Answers are small writes: without this, Nagle + delayed ACK add ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        handler = self.handler_class(sock, address, self)
        handler.deadline = deadline
        try:
            handler.handle()
        except HandshakeTimeout as error:
            log.info("Connection from %s closed: %s", address[0], error)
        finally:
            deadline.cancel()

    def wrap_socket_and_handle(self, client_socket, address):
        deadline = handshake_deadline(self.handshake_timeout)
        client_socket.settimeout(self.handshake_timeout)
        try:
            ssl_socket = self.wrap_socket(client_socket, **self.ssl_args)
        except (ssl.SSLError, OSError, HandshakeTimeout) as error:
            deadline.cancel()
            level = logging.DEBUG if _went_away(error) else logging.INFO
            log.log(level, "TLS connection from %s failed: %s", address[0], error)
            client_socket.close()
            return None
        try:
            return self.handle(ssl_socket, address, deadline)
        finally:
            ssl_socket.close()


def refusal_response(status):
    """The whole HTTP response refusing a connection with ``status``."""
    body = status.encode("ascii") + b"\r\n"
    return (b"HTTP/1.1 " + status.encode("ascii") + b"\r\nContent-Type: text/plain\r\n"
            b"Retry-After: 10\r\nConnection: close\r\nContent-Length: "
            + str(len(body)).encode("ascii") + b"\r\n\r\n" + body)


def _went_away(error):
    """True for the errors of a peer that closed or reset mid-handshake (not a scanner's)."""
    return isinstance(error, (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError))
