"""The MusicDB WebSocket server: the registry of connected clients and the listening socket."""

import logging

import gevent

from . import protocol
from .connection import Connection
from .transport import QuietWSGIServer, SafeWebSocketHandler

log = logging.getLogger(__name__)


class MusicDBWebSocketServer:
    """Accepts WebSocket clients and sends broadcasts and notifications to all of them.

    ``apikey`` is a callable returning the current key; it is read for every
    new connection, so a changed key applies to new connections only.
    """

    def __init__(self, ctx, apikey, opentimeout=10, closetimeout=5, max_message_size=8 << 20):
        self.ctx = ctx
        self.apikey = apikey
        self.opentimeout = opentimeout
        self.closetimeout = closetimeout
        self.max_message_size = max_message_size
        self.connections = set()
        self.wsgi = None

    def listen(self, app, bind, port, ssl_args=None):
        """Start serving ``app`` (the WSGI router) on ``bind:port``; TLS when ``ssl_args``."""
        self.wsgi = QuietWSGIServer((bind, port), app, handler_class=SafeWebSocketHandler,
                                    log=None, error_log=None, **(ssl_args or {}))
        self.wsgi.max_message_size = self.max_message_size
        self.wsgi.handshake_timeout = self.opentimeout
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
        connection = Connection(websocket, address, self.apikey(), self.ctx, self,
                                self.closetimeout)
        self.connections.add(connection)
        log.info("Client %s:%s connected (%d open)", *address, len(self.connections))
        try:
            connection.run()
        finally:
            self.connections.discard(connection)
            log.info("Client %s:%s disconnected", *address)
        return []

    def broadcast(self, packet):
        """Send one packet to every open connection; it is encoded once."""
        text = protocol.encode(packet)
        for connection in list(self.connections):
            connection.send(text)

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
