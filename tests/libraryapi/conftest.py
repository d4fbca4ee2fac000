"""Fixtures of the read-API tests: a fresh music database filled by plain SQL inserts.

``library`` builds rows directly (no audio files), so query, filter and sort
tests stay fast and can create states an import never would (NULL years,
stale tag rows, odd classes).  End-to-end tests start the real server on a
database prepared the same way (``library_server``).
"""

import json
import os
import threading

import pytest
import websocket

from musicdb.lib import datadir
from musicdb.lib.cfg.webui import WebUIConfig
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.ws import protocol
from musicdb.mdbapi import handlers
from musicdb.mdbapi.app import App
from musicdb.mdbapi.handlers import library as _library, search as _search, state as _state  # noqa: F401
from musicdb.mdbapi.mdbstate import MDBState
from musicdb.mdbapi.mise import MusicDBMicroSearchEngine
from tests.library.fixtures import demo_library, library_home  # noqa: F401
from tests.support import Client, session_cookie

STREAM_URL = "/stream"


class Library:
    """A MusicDatabase with ``add_*`` helpers; every helper returns the new row ID."""

    def __init__(self, path):
        self.db = MusicDatabase(path)

    def _insert(self, table, values):
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        return self.db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                               tuple(values.values())).lastrowid

    def add_artist(self, name="Sömé Bänd", **overrides):
        return self._insert("artists", {"name": name, "path": name, **overrides})

    def add_album(self, artistid, name="Röads", release=2011, **overrides):
        artist = self.db.get_artist(artistid)
        values = {"artistid": artistid, "name": name,
                  "path": f"{artist['path']}/{release} - {name}", "numofsongs": 0,
                  "numofcds": 1, "origin": "CD", "release": release, "added": 1650000000,
                  "hidden": 0, **overrides}
        return self._insert("albums", values)

    def add_song(self, albumid, name="Sòng", number=1, cd=1, recount=True, **overrides):
        album = self.db.get_album(albumid)
        values = {"albumid": albumid, "artistid": album["artistid"], "name": name,
                  "path": f"{album['path']}/{number:02d} {name}.mp3", "number": number,
                  "cd": cd, "disabled": 0, "playtime": 200, "bitrate": 320000, **overrides}
        songid = self._insert("songs", values)
        if recount:
            self.db.recount_album(albumid)
        return songid

    def add_video(self, artistid, name="Vidéo", release=2001, **overrides):
        artist = self.db.get_artist(artistid)
        values = {"artistid": artistid, "name": name,
                  "path": f"{artist['path']}/{release} - {name}.m4v", "playtime": 180,
                  "origin": "internet", "release": release, "added": 1650000000,
                  "codec": "h264", "xresolution": 1920, "yresolution": 1080, **overrides}
        return self._insert("videos", values)

    def add_tag(self, name, tagclass=1, parentid=None, **overrides):
        return self._insert("tags", {"name": name, "class": tagclass, "parentid": parentid,
                                     **overrides})

    def tag(self, target, objectid, tagid, confidence=1.0, approval=1):
        """Assign a tag to a "song", "album" or "video"; returns the mapping row ID."""
        return self._insert(f"{target}tags", {f"{target}id": objectid, "tagid": tagid,
                                              "confidence": confidence, "approval": approval})

    def add_lyrics(self, songid, text):
        self._insert("lyrics", {"songid": songid, "lyrics": text})


@pytest.fixture
def library(tmp_path):
    """A fresh music database in ``<tmp>/server/data/music.db`` (where a server of
    ``library_server`` reads it)."""
    data = tmp_path / "server" / "data"
    data.mkdir(parents=True)
    lib = Library(str(data / "music.db"))
    yield lib
    lib.db.close()


@pytest.fixture
def ctx(tmp_path, library):
    """A handler context on ``library`` with the real state, WebUI config and search engine."""
    data = tmp_path / "server" / "data"
    return App(
        cfg=None, database=library.db,
        mdbstate=MDBState(str(data / "state" / "state.ini")),
        webuiconfig=WebUIConfig(str(data / "config" / "webui.ini"), STREAM_URL),
        mise=MusicDBMicroSearchEngine(library.db))


@pytest.fixture
def api(ctx):
    """``api(fncname, **arguments)`` runs an API function as a packet would (validation included).

    An answer the handler hands over encoded (RawJSON) is decoded, as the client would.
    """
    def run(fncname, **arguments):
        result = handlers.call(fncname, arguments, ctx)
        return json.loads(result) if isinstance(result, protocol.RawJSON) else result
    return run


@pytest.fixture
def library_server(server_factory, library):
    """``start(extra="")`` runs the real server on the ``library`` database; call it after
    filling the library."""
    return lambda extra="": server_factory("server", extra=extra)


class NamedClient(Client):
    """A client whose WebSocket request names the server ``host`` (like a browser elsewhere)."""

    def __init__(self, server, host, timeout=5):
        self.key = server.apikey
        self.timeout = timeout
        self.ws = websocket.create_connection(server.url, timeout=timeout, host=host,
                                              origin=f"http://{host}",
                                              cookie=session_cookie(server))


@pytest.fixture
def connect():
    """``connect(server, host=None)`` opens a WebSocket client; all are closed after the test."""
    clients = []

    def open_client(server, host=None):
        client = Client(server) if host is None else NamedClient(server, host)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


def state_file(server):
    return os.path.join(server.home, "data", "state", "state.ini")


@pytest.fixture
def write_threads(monkeypatch):
    """The thread IDs of every atomic file write from now on (they belong in the thread pool)."""
    threads = []
    original = datadir.write_atomic

    def write_atomic(*args):
        threads.append(threading.get_ident())
        return original(*args)

    monkeypatch.setattr(datadir, "write_atomic", write_atomic)
    return threads
