"""One WebSocket client: a reader loop inside its WSGI call and one writer greenlet.

Every packet to the client, answers and notifications alike, goes through
:meth:`Connection.send`, which only queues its frame; the writer greenlet
writes the queue in order, so frames never interleave and a slow client never
stalls a broadcast.  A client that lets more than ``max_queued_bytes`` pile up
unread is dropped; a broadcast frame counts fully for every client it is
queued for, although they share its bytes.  The next packet of a client is
handled only once at most ``max_pending_bytes`` of answers wait for it: a
client that asks and never reads holds one answer, not a pile of them.

Until its first packet with a valid key a connection is *unauthenticated*:
its messages may be at most ``max_unauth_message_size`` bytes, it gets no
broadcasts or notifications (:attr:`Connection.authenticated`), and it is
closed with 1008 unless that packet arrives within ``auth_timeout`` seconds.
Packets of one connection are handled one after the other,
so answers keep the request order (protocol.md §2.5).
"""

import logging
import socket

import gevent
import gevent.event
from gevent.queue import Queue
from geventwebsocket.exceptions import WebSocketError

from . import protocol, rpc
from .errors import ApiError, BinaryMessage, InvalidAPIKey, InvalidPacket
from .transport import CloseConnection, text_frame

log = logging.getLogger(__name__)

_STOP = object()


class Connection:
    """A connected client.

    ``table`` (:class:`~musicdb.lib.ws.rpc.HandlerTable`) executes its packets
    with ``app``; an answer for every client goes to ``publish(packet)``.
    """

    def __init__(self, websocket, address, apikey, table, app, publish, closetimeout=5,
                 max_queued_bytes=32 << 20, max_key_failures=10, auth_timeout=10,
                 max_unauth_message_size=64 << 10, max_message_size=8 << 20,
                 max_pending_bytes=1 << 20):
        self.ws = websocket
        self.address = address
        self.apikey = apikey
        self.table = table
        self.app = app
        self.publish = publish
        self.closetimeout = closetimeout
        self.max_queued_bytes = max_queued_bytes
        self.max_key_failures = max_key_failures
        self.max_pending_bytes = max_pending_bytes
        self._drained = gevent.event.Event()
        self._drained.set()
        self.auth_timeout = auth_timeout
        self.max_message_size = max_message_size
        self.authenticated = False
        self.ws.max_size = min(max_unauth_message_size, max_message_size)
        self.closed = False
        self._queue = Queue()
        self._queued_bytes = 0
        self._key_failures = 0

    def __repr__(self):
        return f"<Connection {self.address[0]}:{self.address[1]}>"

    @property
    def environ(self):
        """The WSGI environment of the upgrade request (Host, port, address)."""
        return getattr(self.ws, "environ", None)

    def send(self, packet):
        """Queue a packet (a dict, or a frame from :func:`text_frame` that other
        connections share); dropped silently once closing."""
        if self.closed:
            return
        frame = packet if isinstance(packet, bytes) else self._frame(packet)
        if self._queued_bytes + len(frame) > self.max_queued_bytes:
            log.warning("%r does not read its messages; dropping it", self)
            self.close(1008, "Client too slow")
            self.abort()
            return
        self._queued_bytes += len(frame)
        if self._queued_bytes > self.max_pending_bytes:
            self._drained.clear()
        self._queue.put(frame)

    def _frame(self, packet):
        """The frame of ``packet``; a MusicDB:Error frame if it cannot be encoded (it echoes
        a value the client nested deeper than the encoder recurses)."""
        try:
            return text_frame(protocol.encode(packet))
        except (RecursionError, ValueError) as error:
            log.warning("%r: cannot encode the answer to %s: %r", self, packet.get("fncname"),
                        error)
            refused = InvalidPacket("The answer would echo a value nested too deeply")
            return text_frame(protocol.encode(protocol.error_notification(refused)))

    def close(self, code=1000, reason=""):
        """Send a close frame after what is queued and end the connection."""
        if self.closed:
            return
        self.closed = True
        self._queue.put((code, reason))
        gevent.spawn_later(self.closetimeout, self.abort)

    def abort(self):
        """Shut the socket down at once; the reader loop then ends."""
        sock = getattr(self.ws.handler, "socket", None)
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def run(self):
        """Serve the client until it goes away; called inside the WSGI request."""
        writer = gevent.spawn(self._write_loop)
        expiry = gevent.spawn_later(self.auth_timeout, self._auth_expired)
        try:
            while True:
                message = self._receive()
                if message is None:
                    break
                self._drained.wait()  # set again by the writer, or when the writer ends
                if not self.closed:  # after our close frame: read on, but act on nothing
                    self._handle(message)
                # A burst of packets is all in the socket buffer: without this, reading
                # them never waits, and one client would keep the hub to itself.
                gevent.sleep(0)
        finally:
            expiry.kill(block=False)
            self.closed = True
            self._queue.put(_STOP)
            writer.join(timeout=self.closetimeout)
            writer.kill()

    def _receive(self):
        try:
            return self.ws.receive()
        except CloseConnection as error:
            log.warning("%r: %s; closing the connection", self, error)
            self.close(error.code, error.reason)
            self._queue.put(_STOP)
        except (WebSocketError, OSError, TypeError, AttributeError) as error:
            # TypeError/AttributeError: gevent-websocket clears its stream on close.
            if not self.ws.closed:
                log.debug("%r: read failed: %s", self, error)
        return None

    def _handle(self, message):
        packet = None
        try:
            if not isinstance(message, str):
                raise BinaryMessage("Binary messages are not part of the protocol")
            packet = protocol.parse(message)
            self._check_key(packet)
            protocol.check_method(packet)
        except ApiError as error:
            log.warning("%r: rejected packet: %s", self, error)
            self.send(protocol.error_notification(error, packet))
            return
        for recipients, answer in self.table.dispatch(packet, self.app, self):
            if recipients == rpc.EVERYONE:
                self.publish(answer)
            else:
                self.send(answer)

    def _check_key(self, packet):
        try:
            protocol.check_key(packet, self.apikey)
        except InvalidAPIKey:
            self._key_failures += 1
            if self._key_failures >= self.max_key_failures:
                log.warning("%r: %d packets with a wrong API key; closing", self, self._key_failures)
                self.close(1008, "Invalid API key")
            else:
                gevent.sleep(min(0.05 * 2 ** self._key_failures, 2.0))
            raise
        self._key_failures = 0
        if not self.authenticated:
            self.authenticated = True
            self.ws.max_size = self.max_message_size

    def _auth_expired(self):
        if not self.authenticated and not self.closed:
            log.warning("%r: no packet with a valid key within %s s; closing", self,
                        self.auth_timeout)
            self.close(1008, "No valid API key in time")

    def _write_loop(self):
        try:
            self._write_queue()
        finally:
            self._drained.set()

    def _write_queue(self):
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                if isinstance(item, tuple):
                    code, reason = item
                    self.ws.close(code, reason.encode())
                    return
                self.ws.send_prepared(item)
                self._queued_bytes -= len(item)
                if self._queued_bytes <= self.max_pending_bytes:
                    self._drained.set()
            except (WebSocketError, OSError, AttributeError) as error:
                log.debug("%r: write failed: %s", self, error)
                self.closed = True
                return
