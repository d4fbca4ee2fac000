"""Shared fixtures: a real server process and WebSocket clients talking to it."""

import pytest

from tests.support import Client, ServerProcess


@pytest.fixture
def server_factory(tmp_path):
    """``start(name="server", home=None, **kwargs)`` runs a server in ``home`` (default
    ``tmp_path / name``); each is stopped (and checked for a blocked loop) after the test."""
    started = []

    def start(name="server", home=None, **kwargs):
        server = ServerProcess(home or tmp_path / name, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(server_factory):
    """A plain ws:// server with an empty library."""
    return server_factory()


@pytest.fixture
def client_factory(server):
    clients = []

    def connect(**kwargs):
        client = Client(server, **kwargs)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def client(client_factory):
    return client_factory()
