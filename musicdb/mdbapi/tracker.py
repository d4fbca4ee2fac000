"""The tracker: which songs (videos) were played right after each other (api-playback.md §3.8).

:class:`Tracker` (``ctx.playtracker``) is told by the streams when a song or
video was played *to its end*.  It keeps one chain per kind (last ID, time
of the last call) and records the pair (previous, current) in ``tracker.db``
as MusicDB 8 does: undirected (smaller ID in ``…ida``), never an ID with
itself, an existing pair gets ``weight + 1``; every completed play also
appends a ``playedsongs``/``playedvideos`` row.  Skipped songs are never
reported and so do not break the chain; Randy's songs are logged but not
related unless ``[tracker] trackrandom``.

Better than 8.2: a gap of more than ``[tracker] cuttime`` minutes really
cuts the chain (8.2 reset an unused attribute).

The module functions :func:`add_relation`, :func:`cut_relation`,
:func:`relations` and :func:`forget` work on a
:class:`~musicdb.lib.db.trackerdb.TrackerDatabase` directly.
"""

import logging
import time

from musicdb.lib.db.sqlite import DatabaseError

log = logging.getLogger(__name__)

TARGETS = ("song", "video")


def _pair(ida, idb):
    return (ida, idb) if ida < idb else (idb, ida)


def add_relation(trackerdb, target, ida, idb):
    """Record that ``ida`` and ``idb`` were played one after the other (weight + 1).

    Raises:
        DatabaseError: the tracker database cannot be written.
    """
    if ida == idb:
        return
    ida, idb = _pair(ida, idb)
    with trackerdb.transaction():
        updated = trackerdb.execute(
            f"UPDATE {target}relations SET weight = weight + 1 "
            f"WHERE {target}ida = ? AND {target}idb = ?", (ida, idb)).rowcount
        if not updated:
            trackerdb.execute(f"INSERT INTO {target}relations ({target}ida, {target}idb, weight) "
                              "VALUES (?, ?, 1)", (ida, idb))


def cut_relation(trackerdb, target, ida, idb):
    """Delete the relation between ``ida`` and ``idb`` (either order); equal IDs are ignored."""
    if ida == idb:
        return
    ida, idb = _pair(ida, idb)
    trackerdb.execute(f"DELETE FROM {target}relations WHERE {target}ida = ? AND {target}idb = ?",
                      (ida, idb))


def relations(trackerdb, target, mediaid):
    """Every relation of ``mediaid`` as ``[{"id": other ID, "weight": n}]``."""
    return trackerdb.rows(
        f"SELECT {target}idb AS id, weight FROM {target}relations WHERE {target}ida = ? "
        f"UNION ALL SELECT {target}ida AS id, weight FROM {target}relations "
        f"WHERE {target}idb = ?", (mediaid, mediaid))


def forget(trackerdb, target, mediaid):
    """Remove all relations and played rows of a song/video deleted from the library."""
    with trackerdb.transaction():
        trackerdb.execute(f"DELETE FROM {target}relations WHERE {target}ida = ? "
                          f"OR {target}idb = ?", (mediaid, mediaid))
        trackerdb.execute(f"DELETE FROM played{target}s WHERE {target}id = ?", (mediaid,))


class _Chain:
    def __init__(self):
        self.last_id = None
        self.last_time = None


class Tracker:
    """Tracks completely played songs and videos of one server (``ctx.playtracker``).

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
            self._logged(target, mediaid, self.trackerdb,
                         f"INSERT INTO played{target}s ({target}id, timestamp, random) "
                         "VALUES (?, ?, ?)", (mediaid, timestamp, int(bool(israndom))))
        if not self.cfg.debug.disablestats:
            self._logged(target, mediaid, self.database,
                         f"UPDATE {target}s SET lastplayed = ? WHERE {target}id = ?",
                         (timestamp, mediaid))

    @staticmethod
    def _logged(target, mediaid, database, sql, params):
        try:
            database.execute(sql, params)
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
            add_relation(self.trackerdb, target, previous, mediaid)
            log.debug("New %s relation %d - %d", target, previous, mediaid)
        except DatabaseError as error:
            log.error("Cannot store the %s relation %d - %d: %s", target, previous, mediaid, error)
