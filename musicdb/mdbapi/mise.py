"""MiSE, the MusicDB micro search engine behind ``Find`` (api-library.md, Find).

The cache holds the normalized names of all artists, albums (hidden ones
too) and songs (disabled and hated ones too), each list in lowercase name
order.  A search scores every cached name with rapidfuzz's
``partial_ratio`` against the normalized query and keeps the names scoring
80 or more, best first; equal scores keep cache order.  This is MusicDB 8's
ranking exactly (it used the same scorer through fuzzywuzzy, later
rapidfuzz).

Speed: rapidfuzz scores 20,000 names in a few milliseconds, so a search runs
in the event loop (it holds the GIL, so a thread would not help).  The cost
grows with the query's length, and a WebSocket message may carry megabytes:
only the first :data:`MAX_QUERY` characters of a search string count
(MusicDB 8 scored all of them and could stall for minutes).

Building the cache (Unicode normalization of every name) takes longer on a
big library, so :meth:`UpdateCache` reads the names in the event loop (the
database connection lives there) and normalizes them in gevent's thread
pool, then swaps the new cache in at once: searches running meanwhile see
the old cache, never a half-built one.
"""

import bisect
import logging
import re
import string
import time
import unicodedata
from dataclasses import dataclass, field

import gevent
import gevent.lock
from rapidfuzz import fuzz, process

from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

THRESHOLD = 80
MAX_QUERY = 256               # searched characters (scoring them: ~30 ms at 20,000 songs)
THREADPOOL_MIN_NAMES = 2000   # smaller caches are built and searched inline
_PUNCTUATION = str.maketrans("", "", string.punctuation)  # ASCII punctuation only
_SPACES = re.compile(" +")


def normalize(text):
    """A name as the search compares it.

    NFKC, ASCII punctuation removed, lower case, outer whitespace stripped,
    runs of spaces collapsed: ``"AC/DC – Live!"`` → ``"acdc – live"``.
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION).lower().strip()
    return _SPACES.sub(" ", text)


@dataclass
class NameCache:
    """Normalized names and their IDs, aligned, in search (tie-break) order."""
    names: list = field(default_factory=list)
    ids: list = field(default_factory=list)
    keys: list = field(default_factory=list)   # (lowercase name, ID): the order

    @classmethod
    def build(cls, rows):
        """From ``[{"id", "name"}]`` in ID order: sort by lowercase name, drop empty names."""
        cache = cls()
        for row in sorted(rows, key=lambda row: (row["name"] or "").lower()):
            name = normalize(row["name"] or "")
            if name:
                cache.names.append(name)
                cache.ids.append(row["id"])
                cache.keys.append(((row["name"] or "").lower(), row["id"]))
        return cache

    def remove(self, ids):
        """Drop the names of ``ids`` (entries removed from the library)."""
        gone = set(ids)
        kept = [i for i, rowid in enumerate(self.ids) if rowid not in gone]
        if len(kept) != len(self.ids):
            self.names = [self.names[i] for i in kept]
            self.ids = [self.ids[i] for i in kept]
            self.keys = [self.keys[i] for i in kept]

    def put(self, rowid, name):
        """Add or rename one entry, at the place a rebuild would give it."""
        self.remove([rowid])
        normalized = normalize(name or "")
        if normalized:
            index = bisect.bisect_right(self.keys, ((name or "").lower(), rowid))
            self.names.insert(index, normalized)
            self.ids.insert(index, rowid)
            self.keys.insert(index, ((name or "").lower(), rowid))

    def search(self, query):
        """``[(id, score)]`` of the names scoring at least THRESHOLD, best first, stable."""
        hits = process.extract(query, self.names, scorer=fuzz.partial_ratio,
                               score_cutoff=THRESHOLD, limit=None)
        hits.sort(key=lambda hit: (-hit[1], hit[2]))
        return [(self.ids[index], score) for _, score, index in hits]


class MusicDBMicroSearchEngine:
    """Searches artist, album and song names; :meth:`UpdateCache` reloads them from the database."""

    def __init__(self, database):
        self.database = database
        self.artists = NameCache()
        self.albums = NameCache()
        self.songs = NameCache()
        self._updating = gevent.lock.Semaphore()

    def UpdateCache(self):
        """Rebuild the caches from the database (start-up, after an import, on SIGUSR1).

        Returns when the new caches are in use.  Concurrent calls run one
        after the other, so the last call's snapshot wins.
        """
        with self._updating:
            started = time.monotonic()
            rows = self._read_names()
            if sum(len(names) for names in rows) >= THREADPOOL_MIN_NAMES:
                caches = in_thread(_build_caches, rows)
            else:
                caches = _build_caches(rows)
            self.artists, self.albums, self.songs = caches
            log.info("Search cache: %d artists, %d albums, %d songs (%.0f ms)",
                     len(self.artists.ids), len(self.albums.ids), len(self.songs.ids),
                     (time.monotonic() - started) * 1000)

    def forget(self, kind, ids):
        """Remove ``ids`` from the "artists", "albums" or "songs" cache, without a rebuild."""
        if ids:
            with self._updating:   # a rebuild running now read the names before this change
                getattr(self, kind).remove(ids)

    def put(self, kind, rowid, name):
        """Add or rename one artist, album or song in its cache, without a rebuild."""
        with self._updating:
            getattr(self, kind).put(rowid, name)

    def _read_names(self):
        db = self.database
        return (db.rows("SELECT artistid AS id, name FROM artists ORDER BY artistid"),
                db.rows("SELECT albumid AS id, name FROM albums ORDER BY albumid"),
                db.rows("SELECT songid AS id, name FROM songs ORDER BY songid"))

    def Find(self, searchstring):
        """Search all three caches; returns ``(artists, albums, songs)``, each ``[(id, score)]``.

        A query that normalizes to nothing (e.g. ``"!!"``) finds nothing.
        Only the first MAX_QUERY characters count (cut before and after
        normalizing, which may expand a character).  Large caches are searched
        in the thread pool: 50 ms at 20,000 songs, which a dozen clients
        searching in a loop would otherwise take from everyone else's turn.

        Raises:
            TypeError: ``searchstring`` is not a string.
        """
        if not isinstance(searchstring, str):
            raise TypeError("the search string must be a string")
        query = normalize(searchstring[:MAX_QUERY])[:MAX_QUERY]
        if not query:
            return [], [], []
        # Take the three caches at once: an UpdateCache may swap them while we search.
        caches = self.artists, self.albums, self.songs
        if sum(len(cache.ids) for cache in caches) >= THREADPOOL_MIN_NAMES:
            return in_thread(_search, caches, query)
        return _search(caches, query)


def _search(caches, query):
    return tuple(cache.search(query) for cache in caches)


def _build_caches(rows):
    artists, albums, songs = rows
    return NameCache.build(artists), NameCache.build(albums), NameCache.build(songs)
