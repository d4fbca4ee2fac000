"""Fixtures of the playback tests: a library built by SQL, Randy, queues, captured events, a server.

The library rows have no audio files behind them: queue, Randy and tracker
only read the database.  End-to-end tests start the real server on the
same data directory with ``[debug] disableicecast`` so the audio loop never
consumes the queue under test.
"""

import os
from types import SimpleNamespace

import pytest

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.trackerdb import TrackerDatabase
from musicdb.mdbapi import events
from musicdb.mdbapi.handlers.notifications import packet_for
from musicdb.mdbapi.randy import Randy
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.videoqueue import VideoQueue
from tests.support import Client, ServerProcess


class Library:
    """A MusicDatabase with ``add_*`` helpers returning the new row IDs."""

    def __init__(self, path):
        self.db = MusicDatabase(path)

    def _insert(self, table, values):
        names, marks = ", ".join(values), ", ".join("?" * len(values))
        return self.db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                               tuple(values.values())).lastrowid

    def add_artist(self, name="Bänd"):
        return self._insert("artists", {"name": name, "path": name})

    def add_album(self, artistid, name="Älbum", release=2011, **overrides):
        values = {"artistid": artistid, "name": name, "path": f"{artistid}/{release} - {name}",
                  "numofsongs": 0, "numofcds": 1, "origin": "CD", "release": release,
                  "added": 1650000000, "hidden": 0, **overrides}
        return self._insert("albums", values)

    def add_song(self, albumid, name="Söng", number=1, cd=1, **overrides):
        artistid = self.db.get_album(albumid)["artistid"]
        values = {"albumid": albumid, "artistid": artistid, "name": name,
                  "path": f"{albumid}/{cd}-{number:02d} {name}.mp3", "number": number, "cd": cd,
                  "disabled": 0, "playtime": 200, "bitrate": 320000, **overrides}
        return self._insert("songs", values)

    def add_video(self, artistid, name="Vidéo", **overrides):
        values = {"artistid": artistid, "name": name, "path": f"{artistid}/2001 - {name}.m4v",
                  "playtime": 180, "origin": "internet", "release": 2001, "added": 1650000000,
                  "codec": "h264", "xresolution": 1920, "yresolution": 1080, **overrides}
        return self._insert("videos", values)

    def add_tag(self, name, tagclass=1, parentid=None):
        return self._insert("tags", {"name": name, "class": tagclass, "parentid": parentid})

    def tag(self, target, objectid, tagid, approval=1):
        return self._insert(f"{target}tags", {f"{target}id": objectid, "tagid": tagid,
                                              "confidence": 1.0, "approval": approval})

    def add_artists_with_songs(self, artists=4, albums=2, songs=3):
        """``artists`` artists with ``albums`` albums of ``songs`` songs; returns all song IDs."""
        ids = []
        for a in range(artists):
            artistid = self.add_artist(f"Artist {a}")
            for b in range(albums):
                albumid = self.add_album(artistid, f"Album {a}.{b}")
                ids += [self.add_song(albumid, f"Song {a}.{b}.{n}", number=n + 1)
                        for n in range(songs)]
        return ids


class Clock:
    """A settable clock (unix seconds) for blacklist and tracker timing."""

    def __init__(self, now=1_700_000_000):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def datadir(tmp_path):
    path = tmp_path / "server" / "data"
    for sub in ("state", "config"):
        (path / sub).mkdir(parents=True)
    return str(path)


@pytest.fixture
def library(datadir):
    lib = Library(os.path.join(datadir, "music.db"))
    yield lib
    lib.db.close()


@pytest.fixture
def trackerdb(datadir):
    db = TrackerDatabase(os.path.join(datadir, "tracker.db"))
    yield db
    db.close()


@pytest.fixture
def clock():
    return Clock()


def make_cfg(datadir, cuttime=30, trackrandom=False, **debug):
    """The parts of MusicDBConfig the playback objects read."""
    flags = {"disablestats": False, "disabletracker": False, "disablevideos": False, **debug}
    return SimpleNamespace(directories=SimpleNamespace(data=datadir),
                           debug=SimpleNamespace(**flags),
                           tracker=SimpleNamespace(cuttime=cuttime, trackrandom=trackrandom))


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


def write_randy_ini(datadir, **changes):
    """randy.ini with the created-with values, ``Key=value`` changes applied."""
    from musicdb.lib.cfg.randy import SPEC
    sections = {}
    for section, key, _, created, _ in SPEC:
        sections.setdefault(section, []).append(f"{key} = {changes.get(key, created)}")
    text = "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sections.items())
    with open(os.path.join(datadir, "config", "randy.ini"), "w", encoding="utf-8") as handle:
        handle.write(text)


@pytest.fixture
def playback_server(tmp_path, library):
    """``start(extra="")`` runs the real server on the ``library`` data directory."""
    servers, clients = [], []

    def start(extra=""):
        server = ServerProcess(tmp_path / "server", extra="[debug]\ndisableicecast = True\n" + extra)
        servers.append(server)
        return server

    def connect(server):
        client = Client(server)
        clients.append(client)
        return client

    start.connect = connect
    yield start
    for client in clients:
        client.close()
    for server in servers:
        server.stop()
