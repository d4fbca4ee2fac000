"""The MusicDB WebSocket server: the registry of connected clients and the listening socket."""

import logging

import gevent

from musicdb.lib import netaccess

from . import protocol
from .connection import Connection
from .transport import QuietWSGIServer, SafeWebSocketHandler, text_frame

log = logging.getLogger(__name__)


class MusicDBWebSocketServer:
    """Accepts WebSocket clients and sends broadcasts and notifications to all of them.

    ``table`` (:class:`~musicdb.lib.ws.rpc.HandlerTable`) executes the
    clients' packets with ``app``.  ``apikey`` is a callable returning the
    current key; it is read for every new connection, so a changed key applies
    to new connections only.  An answer meant for every client goes to
    ``publish(packet)`` (by default :meth:`broadcast`; the server module routes
    it through its event bus).  ``trusted_proxies`` (addresses, networks) may
    tell the client's address in ``X-Forwarded-For``.

    Limits: ``opentimeout`` seconds for the whole handshake (TLS and the HTTP
    request), at most ``max_connections`` TCP connections in total and
    ``max_connections_per_ip`` from one address (more are refused before the
    handshake), and per connection those of
    :class:`~musicdb.lib.ws.connection.Connection`.  Broadcasts go only to
    connections that sent a valid key.

    ``session_of(environ)`` names the login session an upgrade was let in
    with (the access check records it); :meth:`close_session` closes every
    connection of one session when it ends.
    """

    def __init__(self, table, app, apikey, opentimeout=10, closetimeout=5,
                 max_message_size=8 << 20, max_queued_bytes=32 << 20, max_key_failures=10,
                 publish=None, trusted_proxies=(), max_connections=512,
                 max_connections_per_ip=64, auth_timeout=10, max_unauth_message_size=64 << 10,
                 session_of=None):
        self.table = table
        self.app = app
        self.apikey = apikey
        self.opentimeout = opentimeout
        self.closetimeout = closetimeout
        self.max_message_size = max_message_size
        self.max_queued_bytes = max_queued_bytes
        self.max_key_failures = max_key_failures
        self.max_connections = max_connections
        self.max_connections_per_ip = max_connections_per_ip
        self.auth_timeout = auth_timeout
        self.max_unauth_message_size = max_unauth_message_size
        self.publish = publish or self.broadcast
        self.trusted_proxies = netaccess.AddressRule(trusted_proxies)
        self.session_of = session_of or (lambda environ: None)
        self.connections = set()
        self._by_session = {}   # session -> its open connections
        self.wsgi = None

    def listen(self, app, bind, port, ssl_args=None):
        """Start serving ``app`` (the WSGI router) on ``bind:port``; TLS when ``ssl_args``."""
        self.wsgi = QuietWSGIServer((bind, port), app, handler_class=SafeWebSocketHandler,
                                    log=None, error_log=None, **(ssl_args or {}))
        self.wsgi.max_message_size = self.max_message_size
        self.wsgi.handshake_timeout = self.opentimeout
        self.wsgi.trusted_proxies = self.trusted_proxies
        self.wsgi.max_connections = self.max_connections
        self.wsgi.max_connections_per_ip = self.max_connections_per_ip
        # A router refuses an upgrade it would not serve before the handshake (HTTP 403).
        self.wsgi.pre_start_hook = getattr(app, "pre_start_hook", None)
        self.wsgi.start()
        log.info("Listening on %s:%d (%s)", bind, self.wsgi.server_port,
                 "wss" if ssl_args else "ws, no TLS")

    @property
    def port(self):
        return self.wsgi.server_port

    def serve_websocket(self, environ):
        """The WSGI part of an upgraded request: serve one client until it leaves."""
        websocket = environ["wsgi.websocket"]
        address = (environ.get("REMOTE_ADDR", "?"), environ.get("REMOTE_PORT", "?"))
        connection = Connection(websocket, address, self.apikey(), self.table, self.app,
                                self.publish, self.closetimeout, self.max_queued_bytes,
                                self.max_key_failures, self.auth_timeout,
                                self.max_unauth_message_size, self.max_message_size)
        session = self.session_of(environ)
        self._register(connection, session)
        log.info("Client %s:%s connected (%d open)", *address, len(self.connections))
        try:
            connection.run()
        finally:
            self._unregister(connection, session)
            log.info("Client %s:%s disconnected", *address)
        return []

    def _register(self, connection, session):
        self.connections.add(connection)
        if session is not None:
            self._by_session.setdefault(session, set()).add(connection)

    def _unregister(self, connection, session):
        self.connections.discard(connection)
        others = self._by_session.get(session)
        if others is not None:
            others.discard(connection)
            if not others:
                del self._by_session[session]

    def close_session(self, session, code=1008, reason="Session ended"):
        """Close every connection opened with ``session`` (it ended: logout, expiry, a
        changed password); returns how many.  Does not wait for them to end."""
        connections = list(self._by_session.get(session, ()))
        for connection in connections:
            connection.close(code, reason)
        if connections:
            log.info("Session ended: closing %d WebSocket connection(s)", len(connections))
        return len(connections)

    def broadcast(self, packet):
        """Send one packet to every connection that sent a valid key: one frame, shared."""
        frame = text_frame(protocol.encode(packet))
        for connection in list(self.connections):
            if connection.authenticated:
                connection.send(frame)

    def close_all(self, code=1000, reason="Server shutdown"):
        """Close every connection and wait (at most ``closetimeout``) for them to end."""
        for connection in list(self.connections):
            connection.close(code, reason)
        with gevent.Timeout(self.closetimeout, False):
            while self.connections:
                gevent.sleep(0.05)

    def stop(self):
        if self.wsgi is not None:
            self.wsgi.stop(timeout=1)
