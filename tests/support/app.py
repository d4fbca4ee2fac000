"""The application object of one test: an App on a test library, built in this process.

Handlers, queues, Randy and the streams run in the test's own gevent hub, on
the real objects of each area; only the parts of MusicDBConfig they read are
given (:func:`make_cfg`), so no config file is needed.
"""

import os
import time
from types import SimpleNamespace

import gevent

from musicdb.lib.cfg.randy import SPEC
from musicdb.lib.cfg.webui import WebUIConfig
from musicdb.mdbapi import handlers
from musicdb.mdbapi.app import App
from musicdb.mdbapi.mdbstate import MDBState
from musicdb.mdbapi.mise import MusicDBMicroSearchEngine
from musicdb.mdbapi.randy import Randy
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.tracker import Tracker
from musicdb.mdbapi.videoqueue import VideoQueue
from musicdb.mdbapi.videostream import VideoStream

STREAM_URL = "/stream"


def make_cfg(datadir, music=None, cuttime=30, trackrandom=False, **debug):
    """The parts of MusicDBConfig the application objects read; ``debug`` sets [debug] flags."""
    flags = {"disablestats": False, "disabletracker": False, "disablevideos": False, **debug}
    return SimpleNamespace(directories=SimpleNamespace(data=datadir, music=music),
                           debug=SimpleNamespace(**flags),
                           tracker=SimpleNamespace(cuttime=cuttime, trackrandom=trackrandom))


def build_app(datadir, database, cfg=None, trackerdb=None, randy=None, tracker=None, **debug):
    """An App on ``database`` with the real state, WebUI config, search engine, Randy, queues
    and video stream; the tracker records into ``trackerdb`` when one is given."""
    cfg = cfg or make_cfg(datadir, **debug)
    randy = randy or Randy(database, datadir)
    if tracker is None and trackerdb is not None:
        tracker = Tracker(cfg, trackerdb, database)
    handlers.load_areas()
    app = App(cfg=cfg, database=database, trackerdb=trackerdb, randy=randy, tracker=tracker,
              mdbstate=MDBState(os.path.join(datadir, "state", "state.ini")),
              webuiconfig=WebUIConfig(os.path.join(datadir, "config", "webui.ini"), STREAM_URL),
              mise=MusicDBMicroSearchEngine(database),
              songqueue=SongQueue(cfg, database, randy),
              videoqueue=VideoQueue(cfg, database, randy))
    app.videostream = VideoStream(app)
    return app


class Clock:
    """A settable clock (unix seconds) for blacklist and tracker timing."""

    def __init__(self, now=1_700_000_000):
        self.now = now

    def __call__(self):
        return self.now


def wait_until(predicate, timeout=10.0):
    """Let this process's greenlets run until ``predicate`` is true; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        gevent.sleep(0.02)


def write_randy_ini(datadir, **changes):
    """randy.ini with the created-with values, ``Key=value`` changes applied."""
    sections = {}
    for section, key, _, created, _ in SPEC:
        sections.setdefault(section, []).append(f"{key} = {changes.get(key, created)}")
    text = "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in sections.items())
    with open(os.path.join(datadir, "config", "randy.ini"), "w", encoding="utf-8") as handle:
        handle.write(text)
