"""The application object: everything one running server shares, built once.

:func:`musicdb.mdbapi.server.Initialize` builds the :class:`App`; the
WebSocket handlers, the HTTP routes and the tasks receive it and never import
the server module.  Fields that the server fills while it starts (the streams,
the task manager) are None until then, and in tests that do not need them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from musicdb.mdbapi.library import Library

if TYPE_CHECKING:
    from musicdb.lib.cfg.musicdb import MusicDBConfig
    from musicdb.lib.cfg.webui import WebUIConfig
    from musicdb.lib.db.musicdb import MusicDatabase
    from musicdb.lib.db.trackerdb import TrackerDatabase
    from musicdb.mdbapi.mdbstate import MDBState
    from musicdb.mdbapi.mise import MusicDBMicroSearchEngine
    from musicdb.mdbapi.randy import Randy
    from musicdb.mdbapi.songqueue import SongQueue
    from musicdb.mdbapi.tracker import Tracker
    from musicdb.mdbapi.videoqueue import VideoQueue


@dataclass(eq=False)
class App:
    """The shared objects of one server (or of one test)."""

    cfg: MusicDBConfig
    database: MusicDatabase
    trackerdb: TrackerDatabase = None     # tracker.db: song and video relations
    mise: MusicDBMicroSearchEngine = None
    mdbstate: MDBState = None
    library: Library = None               # the library layer every API calls (with its cache)
    webuiconfig: WebUIConfig = None
    randy: Randy = None
    songqueue: SongQueue = None
    videoqueue: VideoQueue = None
    tracker: Tracker = None               # the play tracker: records completely played songs
    audiostream: Any = None
    icecastfeed: Any = None               # the Icecast feed ([icecastsource] enable), or None
    videostream: Any = None
    tasks: Any = None                     # the task manager

    def __post_init__(self):
        """A test's App that names no library gets one (uncached: nothing watches it)."""
        if self.library is None and self.database is not None:
            self.library = Library(self.database, self.mdbstate, self.mise)

