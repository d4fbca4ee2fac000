"""Randy: picks random songs and videos for the queues (api-playback.md §3.6).

Randy honours ``<data>/config/randy.ini`` (re-read whenever it changed, so a
saved setting applies to the very next pick), the blacklists
(:mod:`musicdb.mdbapi.blacklist`), the genre filter of the MDB state
(``<data>/state/state.ini``, api-library.md §2) and the exclusions
(disabled, hated, bad audio, live recordings, length limits).

Each pick is one or two SQL queries over the already filtered set
(``ORDER BY random() LIMIT 1``), so it stays fast at 20,000 songs and never
loops: MusicDB 8 drew random albums and then rejected them, which could
fail ``MaxTries`` times in a row although a suitable song existed.  Here
every album with at least one eligible song has the same chance (as in the
original), and when nothing qualifies Randy says so once in the log and in
a ``MusicDB:Randy``/``onNothingQualifies`` notification and returns None.
Hidden albums are never picked (the original picked them whenever a genre
filter was active).
"""

import logging
import os
import time

from musicdb.lib.cfg.randy import RandyConfigFile
from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, TAG_CLASS_SUBGENRE

from . import events
from .blacklist import BlackLists
from .mdbstate import MDBState

log = logging.getLogger(__name__)

# The SQL below is joined from constant fragments and "?" placeholders only;
# every value (IDs, lengths, tag classes) is a parameter.


def _in(column, values):
    """``column IN (?, ?, …)`` and its parameters; an empty list matches nothing.

    ``column`` is one of this module's constant column names.
    """
    values = list(values)
    if not values:
        return "0 = 1", []
    return column + " IN (" + ", ".join("?" * len(values)) + ")", values


class _Where:
    """Collects SQL conditions (constant fragments) and their parameters."""

    def __init__(self):
        self.conditions, self.params = [], []

    def add(self, condition, params=()):
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self):
        return " AND ".join("(" + c + ")" for c in self.conditions) or "1"


class Randy:
    """Random selection for one data directory.

    ``mdbstate`` is the server's :class:`~musicdb.mdbapi.mdbstate.MDBState`
    (one is opened on ``<data>/state/state.ini`` if not given); ``clock``
    gives unix seconds.
    """

    def __init__(self, database, datadir, mdbstate=None, clock=time.time):
        self.database = database
        self.datadir = datadir
        self.mdbstate = mdbstate or MDBState(os.path.join(datadir, "state", "state.ini"))
        self.config = RandyConfigFile(datadir)
        self.blacklists = BlackLists(os.path.join(datadir, "state"), clock)
        self._failing = {"song": False, "video": False}

    def genre_tree(self):
        """``{genre ID: [selected sub-genre IDs]}`` of the MDB state; empty = no filter."""
        tree = self.mdbstate.selection(self.database.get_tags()).tree
        if not tree:
            log.debug("No genre selected; Randy uses the whole collection")
        return tree

    def settings(self):
        """The current randy.ini values, with the blacklists sized to them."""
        settings = self.config.load()
        self.blacklists.configure(settings)
        return settings

    # -- blacklist pushes (every queue insertion) -------------------------------------

    def song_queued(self, songid):
        """Push the song, its album and its artist onto the blacklists.

        Raises:
            OSError: the blacklist files cannot be written.
        """
        self.songs_queued([songid])

    def songs_queued(self, songids):
        """:meth:`song_queued` for each of ``songids`` in order, saving each list once.

        Raises:
            OSError: the blacklist files cannot be written.
        """
        songs = [self.database.get_song(songid) for songid in songids]
        pushes = [{"songs": song["id"], "albums": song["albumid"], "artists": song["artistid"]}
                  for song in songs if song is not None]
        if pushes:
            self.blacklists.push_many(self.settings(), pushes)

    def video_queued(self, videoid):
        """Push the video onto the video blacklist (the artist list is not used for videos)."""
        self.videos_queued([videoid])

    def videos_queued(self, videoids):
        """:meth:`video_queued` for each of ``videoids`` in order, saving the list once."""
        if videoids:
            self.blacklists.push_many(self.settings(), [{"videos": v} for v in videoids])

    # -- selections -------------------------------------------------------------------

    def get_song(self):
        """A random song ID for the queue, or None when no song qualifies."""
        settings = self.settings()
        tree = self.genre_tree()
        where = self._song_where(settings, tree)
        self._album_where(where, settings, tree)
        songid = None
        for _ in range(max(1, settings["Limits"]["MaxTries"])):
            albumid = self.database.value(
                "SELECT s.albumid FROM songs s JOIN albums a ON a.albumid = s.albumid "
                "WHERE " + where.sql() + " GROUP BY s.albumid ORDER BY random() LIMIT 1",
                where.params)
            if albumid is None:
                break
            songid = self._song_of_album(albumid, self._song_where(settings, tree))
            if songid is not None:
                break
        return self._report("song", songid)

    def get_song_from_album(self, albumid):
        """A random eligible song of the album, preferring songs not on the song blacklist.

        No genre filter; a blacklisted song is returned when all eligible songs are listed.
        """
        settings = self.settings()
        where = self._song_where(settings, {}, blacklisted=False)
        where.add("s.albumid = ?", (albumid,))
        listed, params = _in("s.songid", self.blacklists.ids("songs"))
        songid = self.database.value(
            "SELECT s.songid FROM songs s WHERE " + where.sql()
            + " ORDER BY (" + listed + "), random() LIMIT 1", where.params + params)
        return self._report("song", songid)

    def get_video(self):
        """A random video ID for the video queue, or None when no video qualifies."""
        settings = self.settings()
        constraints = settings["Constraints"]
        where = _Where()
        if constraints["NoDisabled"]:
            where.add("COALESCE(v.disabled, 0) != 1")
        if constraints["NoHated"]:
            where.add("COALESCE(v.favorite, 0) >= 0")
        if constraints["MinSongLength"] > 0:
            where.add("v.playtime >= ?", (constraints["MinSongLength"],))
        genres = list(self.genre_tree())
        if genres:
            condition, params = _in("vt.tagid", genres)
            where.add("EXISTS (SELECT 1 FROM videotags vt WHERE vt.videoid = v.videoid "
                      "AND " + condition + ")", params)
        condition, params = _in("v.videoid", self.blacklists.ids("videos"))
        where.add("NOT (" + condition + ")", params)
        videoid = self.database.value(
            "SELECT v.videoid FROM videos v WHERE " + where.sql() + " ORDER BY random() LIMIT 1",
            where.params)
        return self._report("video", videoid)

    # -- SQL building -------------------------------------------------------------------

    def _song_of_album(self, albumid, where):
        where.add("s.albumid = ?", (albumid,))
        return self.database.value(
            "SELECT s.songid FROM songs s WHERE " + where.sql() + " ORDER BY random() LIMIT 1",
            where.params)

    def _song_where(self, settings, tree, blacklisted=True):
        """Conditions on songs ``s``: constraints, approved song tags, blacklists."""
        constraints, where = settings["Constraints"], _Where()
        for key, condition in (("NoDisabled", "COALESCE(s.disabled, 0) = 0"),
                               ("NoBadFile", "COALESCE(s.badaudio, 0) = 0"),
                               ("NoLiveMusic", "COALESCE(s.liverecording, 0) = 0")):
            if constraints[key]:
                where.add(condition)
        if constraints["NoHated"]:
            where.add("COALESCE(s.favorite, 0) >= 0")
        if constraints["MinSongLength"] >= 0:
            where.add("s.playtime >= ?", (constraints["MinSongLength"],))
        if constraints["MaxSongLength"] >= 0:
            where.add("s.playtime <= ?", (constraints["MaxSongLength"],))
        if tree:
            active = [tagid for genre, subs in tree.items() for tagid in subs + [genre]]
            for tagclass in (TAG_CLASS_GENRE, TAG_CLASS_SUBGENRE):
                self._approved_tags_match(where, tagclass, active)
        if blacklisted:
            for column, name in (("s.songid", "songs"), ("s.albumid", "albums"),
                                 ("s.artistid", "artists")):
                condition, params = _in(column, self.blacklists.ids(name))
                where.add("NOT (" + condition + ")", params)
        return where

    @staticmethod
    def _approved_tags_match(where, tagclass, active):
        """The song has no user-approved tag of ``tagclass``, or one in ``active``."""
        approved = ("SELECT 1 FROM songtags st JOIN tags t ON t.tagid = st.tagid "
                    "WHERE st.songid = s.songid AND st.approval >= 1 AND t.class = ?")
        condition, params = _in("st.tagid", active)
        where.add("NOT EXISTS (" + approved + ") OR EXISTS (" + approved + " AND "
                  + condition + ")", [tagclass, tagclass] + params)

    @staticmethod
    def _album_where(where, settings, tree):
        """Conditions on albums ``a``: not hidden, genre tree (api-library.md §2.3)."""
        where.add("COALESCE(a.hidden, 0) = 0")
        if not tree:
            return
        has = "EXISTS (SELECT 1 FROM albumtags x WHERE x.albumid = a.albumid AND "
        nosubs = ("NOT EXISTS (SELECT 1 FROM albumtags x JOIN tags t ON t.tagid = x.tagid "
                  "WHERE x.albumid = a.albumid AND t.class = ?)")
        options, params = [], []
        for genre, subs in tree.items():
            condition, subparams = _in("x.tagid", subs)
            selected = has + condition + ")" if subs else "1"
            options.append("g.tagid = ? AND (" + selected + " OR " + nosubs + ")")
            params += [genre] + subparams + [TAG_CLASS_SUBGENRE]
        where.add("EXISTS (SELECT 1 FROM albumtags g WHERE g.albumid = a.albumid AND ("
                  + " OR ".join("(" + option + ")" for option in options) + "))", params)

    def _report(self, target, found):
        """Say once (log and notification) when nothing qualifies; again after a success."""
        if found is None and not self._failing[target]:
            message = (f"Randy found no {target} that fits the Randy settings, "
                       "the genre filter and the blacklists")
            log.warning("%s", message)
            events.emit(events.RANDY_NOTHING_QUALIFIES,
                        {"target": target, "message": message})
        elif found is not None and self._failing[target]:
            log.info("Randy finds %ss again", target)
        self._failing[target] = found is None
        return found
