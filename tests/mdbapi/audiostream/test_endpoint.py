"""The stream endpoint without a server: access rules and the end of a listener's request."""

import base64
import logging
import ssl
from types import SimpleNamespace

import gevent

from musicdb.lib.media.transcoder import StreamFormat
from musicdb.mdbapi.audiostream.broadcast import Broadcaster
from musicdb.lib.http.access import RouteAccess as ListenerAccess
from musicdb.mdbapi.audiostream.endpoint import serve_listener


def test_addresses_networks_and_prefixes_limit_who_may_listen():
    access = ListenerAccess(["10.1.0.0/16", "192.168.2.0/24", "127.0.0.1"])
    assert access.allowed_address("10.1.200.3")
    assert access.allowed_address("192.168.2.77")
    assert access.allowed_address("::ffff:127.0.0.1")
    assert not access.allowed_address("127.0.0.10")
    assert not access.allowed_address("192.168.20.1")
    assert ListenerAccess([]).allowed_address("203.0.113.9")


def test_the_password_is_accepted_as_basic_auth_with_any_user_or_as_query():
    access = ListenerAccess(password="sëcret")
    token = base64.b64encode("whoever:sëcret".encode()).decode()
    assert access.authorized({"HTTP_AUTHORIZATION": f"Basic {token}"})
    assert access.authorized({"QUERY_STRING": "password=s%C3%ABcret"})
    assert not access.authorized({"QUERY_STRING": "password=wrong"})
    assert not access.authorized({"HTTP_AUTHORIZATION": "Basic !!!"})
    assert not access.authorized({})
    assert ListenerAccess(password="").authorized({})


class Response:
    """start_response whose write() fails with ``error`` after ``good`` writes."""

    def __init__(self, good=0, error=None):
        self.status, self.written, self.good, self.error = None, [], good, error

    def start_response(self, status, headers):
        self.status = status
        return self.write

    def write(self, data):
        if self.error is not None and len(self.written) >= self.good:
            raise self.error
        self.written.append(data)


def listen(response):
    """serve_listener for one GET in a greenlet, on a stream without producer."""
    stream = SimpleNamespace(enabled=True, fmt=StreamFormat(),
                             broadcaster=Broadcaster(maxlisteners=5, limit=10**6, burst=0))
    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": "192.0.2.7", "REMOTE_PORT": "4711"}
    request = gevent.spawn(serve_listener, environ, response.start_response, stream)
    gevent.sleep(0)
    return stream.broadcaster, request


def test_a_listener_that_goes_away_is_one_debug_line_and_no_traceback(caplog):
    """A TLS listener closing its tab broke the write with SSLEOFError, which gevent's
    handler printed as a 30-line traceback; now the request ends as a GreenletExit, which
    gevent ends quietly, and the listener is gone."""
    response = Response(good=1, error=ssl.SSLEOFError(8, "EOF occurred in violation of protocol"))
    hub, request = listen(response)
    with caplog.at_level(logging.DEBUG, logger="musicdb.mdbapi.audiostream"):
        hub.send([(b"a" * 1000, b"\0")])
        gevent.sleep(0)
        hub.send([(b"b" * 1000, b"\0")])
        request.join(timeout=2)
    assert isinstance(request.value, gevent.GreenletExit)
    assert hub.listeners == set() and response.written == [b"a" * 1000]
    gone = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert [(r.levelno, "SSLEOFError" in r.getMessage()) for r in gone] == [(logging.DEBUG, True)]
    assert all(r.levelno < logging.WARNING and not r.exc_info for r in caplog.records)


def test_a_dropped_listener_ends_its_response_normally():
    """When the stream stops, the request returns (gevent then ends the chunked body)."""
    response = Response()
    hub, request = listen(response)
    hub.send([(b"a" * 1000, b"\0")])
    gevent.sleep(0)
    hub.drop_all()
    assert request.get(timeout=2) == []
    assert response.status == "200 OK" and response.written == [b"a" * 1000]
