"""A real WebSocket client speaking MusicDB packets; every wait has a timeout."""

import json
import ssl
import time

import websocket

from tests.support.server import session_cookie


class Client:
    """A WebSocket client speaking MusicDB packets; every wait has a timeout."""

    def __init__(self, server, key=None, timeout=5):
        self.key = server.apikey if key is None else key
        self.timeout = timeout
        self.ws = websocket.create_connection(
            server.url, timeout=timeout, sslopt={"cert_reqs": ssl.CERT_NONE},
            cookie=session_cookie(server) if hasattr(server, "tls") else None)  # else no login
        if key is None:  # as the WebUI does: notifications start after a packet with the key
            self.send("request", "Bounce", None, "support-hello")
            self.wait_for(_answers_hello)

    def send_raw(self, text):
        self.ws.send(text)

    def send(self, method, fncname, arguments=None, fncsig=None, passthrough=None, key=None):
        self.ws.send(self.encode(method, fncname, arguments, fncsig, passthrough, key))

    def encode(self, method, fncname, arguments=None, fncsig=None, passthrough=None, key=None):
        """The packet's JSON text, as :meth:`send` sends it."""
        return json.dumps({"method": method, "fncname": fncname, "fncsig": fncsig,
                           "arguments": arguments, "pass": passthrough,
                           "key": self.key if key is None else key})

    def receive(self, timeout=None):
        """The next packet of any kind, or raise TimeoutError."""
        self.ws.settimeout(timeout or self.timeout)
        try:
            return json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            raise TimeoutError("no packet arrived") from None

    def wait_for(self, predicate, timeout=None):
        """Skip packets until one matches ``predicate``; heartbeats are skipped too."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the expected packet did not arrive")
            packet = self.receive(left)
            if predicate(packet):
                return packet

    def answer(self, fncsig, timeout=None):
        """The next response or broadcast carrying ``fncsig``."""
        return self.wait_for(lambda p: p.get("method") in ("response", "broadcast")
                             and p.get("fncsig") == fncsig, timeout)

    def error(self, timeout=None):
        """The next ``MusicDB:Error`` notification."""
        return self.wait_for(lambda p: p.get("fncname") == "MusicDB:Error", timeout)

    def request(self, fncname, arguments=None, fncsig=None, passthrough=None):
        """Send a request and return the answer's ``arguments``."""
        fncsig = fncsig or f"test-{fncname}"
        self.send("request", fncname, arguments, fncsig, passthrough)
        return self.answer(fncsig)["arguments"]

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


def _answers_hello(packet):
    """The answer to the hello packet, or its MusicDB:Error (a table without Bounce)."""
    request = (packet.get("arguments") or {}).get("request") \
        if packet.get("fncname") == "MusicDB:Error" else packet
    return isinstance(request, dict) and request.get("fncsig") == "support-hello"


def wait_close(client, timeout=10):
    """Read until the server's close frame; returns ``(code, reason)``."""
    client.ws.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            opcode, frame = client.ws.recv_data_frame(control_frame=True)
        except (websocket.WebSocketConnectionClosedException, OSError):
            return None, "connection dropped without close frame"
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            data = frame.data
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return code, data[2:].decode("utf-8", "replace")
    raise TimeoutError("no close frame")


class NamedClient(Client):
    """A client whose WebSocket request names the server ``host`` (like a browser elsewhere)."""

    def __init__(self, server, host, timeout=5):
        self.key = server.apikey
        self.timeout = timeout
        self.ws = websocket.create_connection(server.url, timeout=timeout, host=host,
                                              origin=f"http://{host}",
                                              cookie=session_cookie(server))
