"""A read-only snapshot of the whole library for list and search APIs (Subsonic).

Why a snapshot: Subsonic clients page through everything (``search3`` with
an empty query, album lists sorted by name or artist, random songs, genres)
and a 20,000-song library answered per request from SQL would cost a full
table scan each time.  :meth:`Library.catalog` builds one :class:`Catalog`
from a handful of queries and keeps it in the library's answer cache, which
drops it on every change of the library (``STALE_AFTER`` events).

Why a thread: building it takes about 0.6 s at 20,000 songs, far too long for
the event loop.  :func:`build_in_thread` runs it in gevent's thread pool on a
read-only connection of its own (the server's connection and its lock belong
to the hub's thread), and :class:`SharedBuild` lets every request that asks
while a build runs wait for that one build.

What is *visible*: albums that are not hidden, and their songs that are not
disabled.  Lists, search and random picks show only those; IDs of the rest
still resolve through the library's single-entry queries.
"""

import bisect
import re
import time
import unicodedata

import gevent
import gevent.event

from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, MusicDatabase
from musicdb.lib.threads import in_thread

_WORD = re.compile(r"\w+")


def fold(text):
    """``text`` lower-cased without accents (``Ä`` -> ``a``, ``ß`` -> ``ss``)."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text):
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


class WordIndex:
    """IDs by the words of their names; a query word matches every word it begins."""

    def __init__(self, names):
        byword = {}
        for objectid, name in names:
            for word in set(words(name)):
                byword.setdefault(word, []).append(objectid)
        self._words = sorted(byword)
        self._ids = [frozenset(byword[word]) for word in self._words]

    def match(self, query_words, exact=False):
        """The set of IDs where every query word prefixes (``exact``: is) some word of the
        name."""
        found = None
        for prefix in query_words:
            start = bisect.bisect_left(self._words, prefix)
            hits = set()
            for position in range(start, len(self._words)):
                word = self._words[position]
                if not word.startswith(prefix) or (exact and word != prefix):
                    break
                hits |= self._ids[position]
            found = hits if found is None else found & hits
            if not found:
                return set()
        return found or set()


class Catalog:
    """Artists, albums and visible songs with their genres and word indexes (plain data).

    ``artists`` and ``albums`` map IDs to the database dicts (all of them);
    ``songs`` maps visible song IDs to ``(albumid, artistid, name, playtime)``;
    ``built`` is the time in ms the snapshot was read (Subsonic's ``lastModified``).
    """

    def __init__(self, database):
        self.built = int(time.time() * 1000)
        self.artists = {artist["id"]: artist for artist in database.get_artists()}
        self.albums = {album["id"]: album for album in database.get_albums()}
        self.visible_albums = [albumid for albumid, album in self.albums.items()
                               if album.get("hidden") != 1]
        hidden = set(self.albums) - set(self.visible_albums)
        self.songs = {row[0]: row[1:5] for row in database.get_song_summaries()
                      if not row[5] and row[1] not in hidden and row[1] in self.albums}
        self.song_ids = sorted(self.songs)
        self._album_stats()
        self._genres(database)
        self.artist_index = WordIndex((i, a["name"]) for i, a in self.artists.items())
        self.album_index = WordIndex((i, self.albums[i]["name"]) for i in self.visible_albums)
        self.song_index = WordIndex((i, song[2]) for i, song in self.songs.items())

    def _album_stats(self):
        self.album_songs = {albumid: [] for albumid in self.albums}
        for songid in self.song_ids:
            self.album_songs[self.songs[songid][0]].append(songid)
        self.artist_albums = {}
        for albumid in self.visible_albums:
            self.artist_albums.setdefault(self.albums[albumid]["artistid"], []).append(albumid)

    def _genres(self, database):
        """The first genre of every album and song (a song without one takes its album's)."""
        names = {tag["id"]: tag["name"] for tag in database.get_tags()
                 if tag["class"] == TAG_CLASS_GENRE}
        self.album_genre = _first_genres(database.get_tag_sets("album"), names)
        own = _first_genres(database.get_tag_sets("song"), names)
        self.song_genre = {songid: own.get(songid) or self.album_genre.get(song[0])
                           for songid, song in self.songs.items()}
        self.genres = {}
        for songid, genre in self.song_genre.items():
            if genre:
                self.genres.setdefault(genre, [set(), 0])[1] += 1
                self.genres[genre][0].add(self.songs[songid][0])

    # -- questions ------------------------------------------------------------------

    def album_duration(self, albumid):
        return sum(int(self.songs[songid][3] or 0) for songid in self.album_songs.get(albumid, ()))

    def search(self, kind, query):
        """Visible IDs of ``kind`` ("artist", "album", "song") whose names match ``query``.

        Every word of the query must begin a word of the name (case and accents
        ignored, a trailing ``*`` dropped; other punctuation such as ``%`` only
        separates words); an empty query (or ``""``) matches everything, one of
        punctuation only nothing.  Names where every query word is a whole word
        come first; each part is in ascending ID order, so paging is stable.
        """
        text = query.strip().strip('"').rstrip("*")
        query_words = words(text)
        if text and not query_words:
            return []
        if kind == "artist":
            everything, index = [a for a in self.artists if self.artist_albums.get(a)], \
                self.artist_index
        elif kind == "album":
            everything, index = self.visible_albums, self.album_index
        else:
            everything, index = self.song_ids, self.song_index
        if not query_words:
            return sorted(everything)
        allowed = set(everything)
        hits = index.match(query_words) & allowed
        exact = index.match(query_words, exact=True) & hits
        return sorted(exact) + sorted(hits - exact)


def build_in_thread(database):
    """A :class:`Catalog` of ``database`` built in the hub's thread pool; the caller waits.

    The thread reads through its own read-only connection to ``database.path``;
    a database without a file (``:memory:``) is read here, on the hub.

    Raises:
        DatabaseError: the file cannot be opened or read.
    """
    if not database.path or database.path == ":memory:":
        return Catalog(database)
    return in_thread(_build_from_file, database.path)


def _build_from_file(path):
    reader = MusicDatabase(path, readonly=True)
    try:
        return Catalog(reader)
    finally:
        reader.close()


class SharedBuild:
    """Runs ``build()`` once for all the greenlets that ask for the same ``token``.

    The first caller of a token builds; callers with that token that come
    while it runs wait for its result (or its exception).  A new token (the
    library changed) starts a new build, never joining one of older data.
    """

    def __init__(self, build):
        self._build = build
        self._running = None  # (token, AsyncResult) of the build under way

    def __call__(self, token):
        running = self._running
        if running is not None and running[0] == token:
            return running[1].get()
        result = gevent.event.AsyncResult()
        self._running = (token, result)
        try:
            value = self._build()
        except BaseException as error:
            result.set_exception(error)
            raise
        finally:
            if self._running is not None and self._running[1] is result:
                self._running = None
        result.set(value)
        return value


def _first_genres(tagsets, names):
    found = {}
    for objectid, tagset in tagsets.items():
        for tag in tagset["genres"]:
            if tag["tagid"] in names:
                found[objectid] = names[tag["tagid"]]
                break
    return found
