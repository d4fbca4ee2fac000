"""The blacklists that keep Randy from repeating artists, albums, songs and videos (api-playback.md §3.7).

Four FIFO lists of ``(id, timestamp)``; every song put into the song queue
(by the user or by Randy) pushes its artist, album and song, every queued
video its video.  Randy skips candidates found on a list.  The lists live in
``<data>/state/{song,album,artist,video}blacklist.csv`` (§3.3 dialect),
written atomically after every push.

Better than MusicDB 8: a list keeps the *newest* entries when it is loaded
or resized, expired entries are dropped instead of blanked, and the lengths
follow ``randy.ini`` at once (the original needed a restart and crashed when
a length went from 0 to N).
"""

import collections
import logging
import os
import time

import gevent.lock

from musicdb.lib import statecsv

log = logging.getLogger(__name__)

# list name -> (file name, ID column, randy.ini length key)
LISTS = {
    "songs": ("songblacklist.csv", "SongID", "SongListLength"),
    "albums": ("albumblacklist.csv", "AlbumID", "AlbumListLength"),
    "artists": ("artistblacklist.csv", "ArtistID", "ArtistListLength"),
    "videos": ("videoblacklist.csv", "VideoID", "VideoListLength"),
}


class BlackLists:
    """The four lists of one data directory; lengths come from the Randy settings.

    ``clock`` returns unix seconds (tests pass their own).
    """

    def __init__(self, statedir, clock=time.time):
        self.statedir = statedir
        self.clock = clock
        self._lists = {name: self._load(name) for name in LISTS}
        self._lock = gevent.lock.RLock()   # one push (and its file writes) at a time

    def _path(self, name):
        return os.path.join(self.statedir, LISTS[name][0])

    def _load(self, name):
        column = LISTS[name][1]
        rows = statecsv.read_table(self._path(name),
                                   lambda row: (int(row[column]), int(row["TimeStamp"])))
        return collections.deque(rows)

    def configure(self, settings):
        """Apply the ``BlackLists`` section of randy.ini: resize and expire every list."""
        for name, (_, _, lengthkey) in LISTS.items():
            length = max(0, settings["BlackLists"][lengthkey])
            entries = self._lists[name]
            if entries.maxlen != length:
                self._lists[name] = collections.deque(entries, maxlen=length)
        self._expire(settings["BlackLists"]["MaxAge"])

    def _expire(self, maxage_hours):
        oldest = self.clock() - maxage_hours * 3600
        for name, entries in self._lists.items():
            if any(stamp < oldest for _, stamp in entries):
                kept = [(entry, stamp) for entry, stamp in entries if stamp >= oldest]
                self._lists[name] = collections.deque(kept, maxlen=entries.maxlen)

    def push(self, settings, **ids):
        """Push ``songs=…, albums=…, artists=…, videos=…`` IDs now, then save the lists.

        Lists with length 0 are off and stay empty.

        Raises:
            OSError: a file cannot be written (the lists in memory are updated anyway).
        """
        self.push_many(settings, [ids])

    def push_many(self, settings, pushes):
        """Each ``{"songs": …, "albums": …}`` of ``pushes`` in order, as :meth:`push` would,
        then save each touched list once (an album: 3 file writes instead of 3 per song).

        Raises:
            OSError: a file cannot be written (the lists in memory are updated anyway).
        """
        with self._lock:
            self.configure(settings)
            now, touched = int(self.clock()), {}
            for ids in pushes:
                for name, entryid in ids.items():
                    touched[name] = True
                    if entryid is not None and self._lists[name].maxlen:
                        self._lists[name].append((entryid, now))
            self.save(touched)

    def contains(self, name, entryid):
        return any(entry == entryid for entry, _ in self._lists[name])

    def ids(self, name):
        """The IDs on list ``name`` (oldest first)."""
        return [entry for entry, _ in self._lists[name]]

    def save(self, names=LISTS):
        """Write the lists ``names`` (default: all four), side by side.

        Raises:
            OSError: a file cannot be written.
        """
        statecsv.write_tables([(self._path(name), (LISTS[name][1], "TimeStamp"),
                                list(self._lists[name])) for name in names])
