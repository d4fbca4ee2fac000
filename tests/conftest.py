"""The fixtures of every test folder, built by ``tests/support``.

* a library: ``library`` (a fresh music.db filled by SQL), ``trackerdb``,
  ``demo_library``/``imported_library``/``library_home`` (real files, imported);
* an application: ``app`` (an App on ``library``), ``api`` (a handler run as a
  packet would run it), ``randy``, ``songqueue``, ``videoqueue``, ``cfg``, ``clock``;
* a running server: ``server_factory``, ``server``, ``library_server`` (on
  ``library``), and WebSocket clients: ``connect``, ``client_factory``, ``client``.

The library, the App and a ``library_server`` share one data directory,
``<tmp>/server/data`` (``datadir``).
"""

import json
import os
import signal
import threading

import pytest

from musicdb.lib import datadir as datadir_module
from musicdb.lib.db.trackerdb import TrackerDatabase
from musicdb.lib.ws import protocol
from musicdb.mdbapi import events, handlers
from musicdb.mdbapi.handlers.notifications import packet_for
from musicdb.mdbapi.randy import Randy
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.videoqueue import VideoQueue
from tests.support import (Client, Clock, Library, NamedClient, ServerProcess, build_app,
                           make_cfg, make_demo_library, make_library_home, poll, process_alive)

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


# -- a library ---------------------------------------------------------------------------------

@pytest.fixture
def datadir(tmp_path):
    """``<tmp>/server/data`` with ``state/`` and ``config/`` (where ``library_server`` reads)."""
    path = tmp_path / "server" / "data"
    for sub in ("state", "config"):
        (path / sub).mkdir(parents=True)
    return str(path)


@pytest.fixture
def library(datadir):
    """A fresh music database in ``datadir`` with ``add_artist/add_album/add_song/...``."""
    lib = Library(os.path.join(datadir, "music.db"))
    yield lib
    lib.close()


@pytest.fixture
def songs(library):
    """The IDs of 24 songs: 4 artists with 2 albums of 3 songs each."""
    return library.add_artists_with_songs()


@pytest.fixture
def trackerdb(datadir):
    db = TrackerDatabase(os.path.join(datadir, "tracker.db"))
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_library(tmp_path_factory):
    """The generated demo library (every format); read-only, copy before changing."""
    return make_demo_library(tmp_path_factory.mktemp("demo-source") / "music")


@pytest.fixture(scope="session")
def imported_library(tmp_path_factory, demo_library):
    """A home with the demo library imported once per session; read-only."""
    return make_library_home(tmp_path_factory.mktemp("imported") / "home", demo_library)


@pytest.fixture
def library_home(tmp_path, demo_library):
    """Factory: ``library_home(name="home", imported=True, extra="")`` -> LibraryHome."""
    def make(name="home", imported=True, extra=""):
        return make_library_home(tmp_path / name, demo_library, imported, extra)
    return make


# -- an application ----------------------------------------------------------------------------

@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cfg(datadir):
    return make_cfg(datadir)


@pytest.fixture
def randy(library, datadir, clock):
    return Randy(library.db, datadir, clock=clock)


@pytest.fixture
def songqueue(cfg, library, randy):
    return SongQueue(cfg, library.db, randy)


@pytest.fixture
def videoqueue(cfg, library, randy):
    return VideoQueue(cfg, library.db, randy)


@pytest.fixture
def app(datadir, library, trackerdb, randy):
    """An App on ``library``: real state, WebUI config, search engine, Randy, queues, tracker."""
    return build_app(datadir, library.db, trackerdb=trackerdb, randy=randy)


@pytest.fixture
def api(app):
    """``api(fncname, **arguments)`` runs an API function as a packet would (validation included).

    An answer the handler hands over encoded (RawJSON) is decoded, as the client would.
    """
    def run(fncname, **arguments):
        result = handlers.call(fncname, arguments, app)
        return json.loads(result) if isinstance(result, protocol.RawJSON) else result
    return run


@pytest.fixture
def notifications():
    """Every event sent through ``events`` during the test, as ``(fncname, fncsig, arguments)``."""
    sent = []

    def listener(event):
        packet = packet_for(event)
        if packet is not None:
            sent.append((packet["fncname"], packet["fncsig"], packet["arguments"]))

    events.subscribe(listener)
    yield sent
    events.unsubscribe(listener)


@pytest.fixture
def write_threads(monkeypatch):
    """The thread IDs of every atomic file write from now on (they belong in the thread pool)."""
    threads = []
    original = datadir_module.write_atomic

    def write_atomic(*args):
        threads.append(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(datadir_module, "write_atomic", write_atomic)
    return threads


# -- a running server and its clients ---------------------------------------------------------

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
def library_server(server_factory, library):
    """``start(extra="")`` runs the real server on the ``library`` database; call it after
    filling the library."""
    return lambda extra="": server_factory("server", extra=extra)


@pytest.fixture
def connect():
    """``connect(server, host=None, **kwargs)`` opens a WebSocket client (``host`` names the
    server as a browser elsewhere would); all are closed after the test."""
    clients = []

    def open_client(server, host=None, **kwargs):
        if host is None:
            client = Client(server, **kwargs)
        else:
            client = NamedClient(server, host, **kwargs)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


@pytest.fixture
def client_factory(server, connect):
    """``connect(**kwargs)``: one more client of ``server``."""
    return lambda **kwargs: connect(server, **kwargs)


@pytest.fixture
def client(client_factory):
    return client_factory()
