"""Starting the WSGI server never waits on DNS.

pywsgi names the server with ``socket.getfqdn`` on the hub when it starts;
with a slow resolver (a busy machine, a box without network) the server
would stall before it serves its first request.
"""

import socket

import gevent.socket
import pytest

from musicdb.lib.ws.transport import QuietWSGIServer, server_name


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::"])
def test_a_wildcard_address_is_named_after_the_host(host):
    assert server_name((host, 9000)) == socket.gethostname()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "music.example"])
def test_a_concrete_address_names_itself(host):
    assert server_name((host, 9000)) == host


def test_start_names_the_server_without_asking_dns(monkeypatch):
    asked = []

    def getfqdn(name=""):
        asked.append(name)
        return "from-dns"

    monkeypatch.setattr(socket, "getfqdn", getfqdn)
    monkeypatch.setattr(gevent.socket, "getfqdn", getfqdn)
    server = QuietWSGIServer(("127.0.0.1", 0), lambda environ, start: [], log=None)
    server.start()
    try:
        assert server.environ["SERVER_NAME"] == "127.0.0.1"
        assert server.environ["SERVER_PORT"] == str(server.server_port)
        assert asked == []
    finally:
        server.stop()
