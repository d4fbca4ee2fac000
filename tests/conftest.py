"""Shared fixtures: a real server process and WebSocket clients talking to it."""

import os
import signal

import pytest

from tests.support import Client, ServerProcess, poll, process_alive

SESSION_MARK = "MUSICDB_TEST_SESSION"


def marked_processes(mark):
    """Pids of the live processes whose environment carries ``SESSION_MARK=mark``."""
    needle = f"{SESSION_MARK}={mark}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                environment = handle.read().split(b"\0")
        except OSError:  # gone meanwhile, or another user's
            continue
        if needle in environment and process_alive(int(entry)):
            found.append(int(entry))
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_session():
    """Fail the run when a process a test started is still running at its end.

    Every process started during the session inherits a mark in its environment
    (also one an init script detached, whose parent is no longer pytest), so the
    survivors are found in /proc; they are listed, then killed.
    """
    mark = f"{os.getpid()}-{os.urandom(4).hex()}"
    os.environ[SESSION_MARK] = mark
    yield
    poll(lambda: not marked_processes(mark), timeout=5)  # a server may be exiting just now
    survivors = {pid: command_line(pid) for pid in marked_processes(mark)}
    for pid in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    assert not survivors, f"processes left running after the tests: {survivors}"


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
