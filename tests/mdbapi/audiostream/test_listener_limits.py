"""The stream's listeners per client address (``[Icecast] maxlistenersperip``)."""

from types import SimpleNamespace

import gevent

from musicdb.lib.media.transcoder import StreamFormat
from musicdb.mdbapi.audiostream.broadcast import Broadcaster
from musicdb.mdbapi.audiostream.endpoint import serve_listener


class Response:
    def __init__(self):
        self.status = None

    def start_response(self, status, headers):
        self.status = status
        return lambda data: None


def request(stream, address, port, method="GET"):
    """One stream request from ``address:port`` in a greenlet; returns its Response."""
    response = Response()
    environ = {"REQUEST_METHOD": method, "REMOTE_ADDR": address, "REMOTE_PORT": str(port)}
    gevent.spawn(serve_listener, environ, response.start_response, stream, 2)
    gevent.sleep(0)
    return response


def test_one_address_gets_at_most_the_configured_number_of_listeners():
    broadcaster = Broadcaster(maxlisteners=10, limit=10**6, burst=0)
    stream = SimpleNamespace(enabled=True, fmt=StreamFormat(), broadcaster=broadcaster)
    answers = [request(stream, "192.0.2.7", port) for port in (1, 2, 3)]
    assert [answer.status for answer in answers] == ["200 OK", "200 OK",
                                                     "429 Too Many Requests"]
    assert request(stream, "192.0.2.8", 4).status == "200 OK"
    assert request(stream, "192.0.2.7", 5, "HEAD").status == "200 OK"
    assert len(broadcaster.listeners) == 3
    broadcaster.drop_all()
    gevent.sleep(0)
    assert request(stream, "192.0.2.7", 6).status == "200 OK"
    broadcaster.drop_all()
