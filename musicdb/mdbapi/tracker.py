"""The tracker: which songs (videos) were played right after each other (api-playback.md §3.8).

:class:`Tracker` (``app.tracker``) is told by the streams when a song or
video was played *to its end*.  It keeps one chain per kind (last ID, time
of the last call) and records the pair (previous, current) in ``tracker.db``
as MusicDB 8 does: undirected (smaller ID in ``…ida``), never an ID with
itself, an existing pair gets ``weight + 1``; every completed play also
appends a ``playedsongs``/``playedvideos`` row.  Skipped songs are never
reported and so do not break the chain; Randy's songs are logged but not
related unless ``[tracker] trackrandom``.

Better than 8.2: a gap of more than ``[tracker] cuttime`` minutes really
cuts the chain (8.2 reset an unused attribute).

The relation SQL lives in :class:`~musicdb.lib.db.trackerdb.TrackerDatabase`
(``app.trackerdb``); this module decides what to record.
"""

import logging
import time

from musicdb.lib.db.sqlite import DatabaseError

log = logging.getLogger(__name__)

TARGETS = ("song", "video")


class _Chain:
    def __init__(self):
        self.last_id = None
        self.last_time = None


class Tracker:
    """Tracks completely played songs and videos of one server (``app.tracker``).

    ``clock`` gives unix seconds (tests pass their own).
    """

    def __init__(self, cfg, trackerdb, database, clock=time.time):
        self.cfg = cfg
        self.trackerdb = trackerdb
        self.database = database
        self.clock = clock
        self._chains = {target: _Chain() for target in TARGETS}

    def song_played(self, songid, israndom):
        """The song was streamed to its end: track it and set its ``lastplayed``."""
        self._played("song", songid, israndom)

    def video_played(self, videoid, israndom):
        """A client played the video to its end: track it and set its ``lastplayed``."""
        self._played("video", videoid, israndom)

    def _played(self, target, mediaid, israndom):
        chain = self._chains[target]
        if isinstance(mediaid, bool) or not isinstance(mediaid, int):
            log.warning("Not tracking %s ID %r; the chain is cut", target, mediaid)
            chain.last_id = None
            return
        now = self.clock()
        if chain.last_time is not None and now - chain.last_time > self.cfg.tracker.cuttime * 60:
            log.debug("More than %d minutes since the last %s; new chain",
                      self.cfg.tracker.cuttime, target)
            chain.last_id = None
        chain.last_time = now
        self._store_play(target, mediaid, int(now), israndom)
        self._relate(target, chain, mediaid, israndom)

    def _store_play(self, target, mediaid, timestamp, israndom):
        """The ``played…`` row and ``lastplayed``; each failure is only logged, alone."""
        if not self.cfg.debug.disabletracker:
            self._logged(target, mediaid, self.trackerdb.add_played,
                         target, mediaid, timestamp, israndom)
        if not self.cfg.debug.disablestats:
            self._logged(target, mediaid, self.database.set_lastplayed,
                         target, mediaid, timestamp)

    @staticmethod
    def _logged(target, mediaid, write, *args):
        try:
            write(*args)
        except DatabaseError as error:
            log.error("Cannot record that %s %d was played: %s", target, mediaid, error)

    def _relate(self, target, chain, mediaid, israndom):
        if israndom and not self.cfg.tracker.trackrandom:
            return
        previous = chain.last_id
        chain.last_id = mediaid
        if previous is None or previous == mediaid or self.cfg.debug.disabletracker:
            return
        try:
            self.trackerdb.add_relation(target, previous, mediaid)
            log.debug("New %s relation %d - %d", target, previous, mediaid)
        except DatabaseError as error:
            log.error("Cannot store the %s relation %d - %d: %s", target, previous, mediaid, error)
