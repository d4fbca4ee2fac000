"""The library layer: the queries that every API shares (WebSocket, editing, web page, Subsonic).

:class:`Library` is built from the music database and the MDB state (whose
genre filter some lists apply).  Its methods return plain data, new dicts and
lists on every call, in the shapes and orders of api-library.md §4; an API
adapts their keys to its wire.  Unknown IDs give None (or empty lists): what
that means for a caller is the API's decision.

List answers read each table once and group in Python, so a 20,000-song
library costs a handful of queries, not one per album.  The large ones are
also kept, encoded, in :attr:`Library.answers` (:class:`AnswerCache`) once
:meth:`Library.watch` connects the cache to the domain events that announce a
change of the library.
"""

import logging
import weakref
from collections import OrderedDict

from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, TAG_CLASS_MOOD, TAG_CLASS_SUBGENRE

from . import events
from .catalog import SharedBuild, build_in_thread
from .mdbstate import GenreSelection, album_passes, video_passes
from .tagging import Tagging

log = logging.getLogger(__name__)

TAG_LISTS = ((TAG_CLASS_GENRE, "genres"), (TAG_CLASS_SUBGENRE, "subgenres"),
             (TAG_CLASS_MOOD, "moods"))
TABLES = ("songs", "albums", "artists", "tags")
MAX_FIND_LIMIT = 200  # hits of each kind Find returns at most (README: a deliberate difference)
MAX_CDS = 1000  # CD lists of an album at most (the largest box sets have a few hundred)
CACHE_SIZE = 64  # encoded answers kept (a few filters, plus GetAlbums per artist)
CACHE_CHARS = 16 * 2**20  # and their total length: the artists list of 20,000 songs is 1.5 MB
# Events after which a cached answer may be stale: the library changed in this
# process (edits), or another process changed it and the server was told (SIGUSR1).
STALE_AFTER = frozenset((events.LIBRARY_CHANGED, events.CACHES_UPDATED))
NO_SELECTION = GenreSelection([], {}, [], {})
MODIFIERS = {"inc": 1, "love": 1, "yes": 1, "dec": -1, "hate": -1,
             "reset": 0, "none": 0, "no": 0}
COUNTERS = ("likes", "dislikes")  # the modifier adds (reset adds 0, as in MusicDB 8)
SONG_FLAGS = {"favorite": "favorite", "disable": "disabled",  # the modifier sets 1 / -1 / 0
              "liverecording": "liverecording", "badaudio": "badaudio"}
VIDEO_FLAGS = dict(SONG_FLAGS, lyricsvideo="lyricsvideo")


# -- orders -------------------------------------------------------------------------

def number(value):
    """A stored number as a sort key: anything but an integer (NULL, text) counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def release_year(entry):
    """The release year of an album or video as a sort key (a broken import left NULLs)."""
    return number(entry.get("release"))


def album_order(album):
    """Release year, then lowercase name, then ID: the order never depends on import order."""
    return (release_year(album), str(album.get("name") or "").lower(), album["id"])


def artist_order(artist):
    """Lowercase name order; stable sorts keep ID order for equal names."""
    return (artist["name"] or "").lower()


def tree_key(tree):
    """A genre tree (``{genre ID: [sub-genre IDs]}``) as a hashable cache key."""
    return tuple(sorted((genre, tuple(subs)) for genre, subs in tree.items()))


class Library:
    """Artists, albums, songs, videos, tags, search hits and statistics of one music database."""

    def __init__(self, database, mdbstate=None, mise=None, cache_size=CACHE_SIZE,
                 cache_chars=CACHE_CHARS):
        self.database = database
        self.mdbstate = mdbstate
        self.mise = mise  # the search engine (MiSE) for find()
        self.answers = AnswerCache(cache_size, cache_chars)
        self.tagging = Tagging(database)  # the edits of tags, lyrics and settings
        self._catalog_build = SharedBuild(self._new_catalog)
        self._catalog_built = 0  # the ``built`` time of the last catalog

    def watch(self, bus=events.bus):
        """Enable the answer cache, emptied on every event of ``bus`` in STALE_AFTER."""
        self.answers.watch(bus)

    # -- the genre filter ---------------------------------------------------------

    def genre_selection(self):
        """The MDB state's :class:`GenreSelection` (nothing selected without a state)."""
        if self.mdbstate is None:
            return NO_SELECTION
        return self.mdbstate.selection(self.database.get_tags())

    # -- artists and albums ---------------------------------------------------------

    def artists(self):
        """All artists (those without albums too) in lowercase name order."""
        return sorted(self.database.get_artists(), key=artist_order)

    def albums(self, artistid=None, tree=None):
        """``[{"album", "tags"}]``: non-hidden albums (of one artist) passing ``tree``, by year."""
        return self._album_entries(self.database.get_albums(artistid, hidden=False), tree)

    def artist_albums(self, artistid):
        """The artist's non-hidden albums as plain album dicts, by year (no tag sets)."""
        return sorted(self.database.get_albums(artistid, hidden=False), key=album_order)

    def artists_with_albums(self, tree=None, keep_empty=True):
        """``[{"artist", "albums"}]`` with the albums of :meth:`albums`, lowercase name order.

        Artists without (passing) albums are kept with ``[]`` if ``keep_empty``.
        """
        byartist = {}
        for entry in self.albums(tree=tree):
            byartist.setdefault(entry["album"]["artistid"], []).append(entry)
        return [{"artist": artist, "albums": byartist.get(artist["id"], [])}
                for artist in self.artists() if keep_empty or artist["id"] in byartist]

    def hidden_albums(self):
        """``[{"album", "tags"}]`` of the hidden albums in path order."""
        albums = sorted(self.database.get_albums(hidden=True), key=lambda a: a["path"] or "")
        tagsets = self.database.get_tag_sets("album", [album["id"] for album in albums])
        return [{"album": album, "tags": tagsets[album["id"]]} for album in albums]

    def album(self, albumid):
        """``{"artist", "album", "tags", "cds"}`` of an album (hidden ones too), or None.

        ``albumid`` may be a decimal string; the tag set echoes it as given.
        """
        album = self.database.get_album(int(albumid))
        if album is None:
            return None
        return {"artist": self.database.get_artist(album["artistid"]), "album": album,
                "tags": self.database.get_album_tags(albumid), "cds": self.album_cds(album)}

    def album_cds(self, album):
        """The songs of ``album`` (an album dict or None) with tag sets, one list per CD.

        ``numofcds`` 0: one list sorted by song name; otherwise list ``i`` holds
        CD ``i + 1`` by track number.  At most MAX_CDS lists: ``numofcds`` is the
        highest disc number found in the tags, and one bogus tag (a date as disc
        number) made MusicDB 8 build millions of empty lists until memory ran out.
        """
        songs = self.database.get_album_songs(album["id"]) if album else []
        if not songs:
            return []
        tagsets = self.database.get_tag_sets("song", [song["id"] for song in songs])
        entries = [{"song": song, "tags": tagsets[song["id"]]} for song in songs]
        numofcds = min(number(album["numofcds"]), MAX_CDS)
        if numofcds == 0:
            return [sorted(entries, key=lambda entry: entry["song"]["name"] or "")]
        bycd = {}
        for entry in entries:
            bycd.setdefault(entry["song"]["cd"], []).append(entry)
        return [sorted(bycd.get(cd, []), key=lambda entry: number(entry["song"]["number"]))
                for cd in range(1, numofcds + 1)]

    def album_cds_of(self, albumid):
        """:meth:`album_cds` by album ID; ``[]`` for an unknown album."""
        return self.album_cds(self.database.get_album(int(albumid)))

    def _album_entries(self, albums, tree):
        tagsets = self.database.get_tag_sets("album", [album["id"] for album in albums])
        entries = [{"album": album, "tags": tagsets[album["id"]]} for album in albums
                   if not tree or album_passes(tree, tagsets[album["id"]])]
        return sorted(entries, key=lambda entry: album_order(entry["album"]))

    # -- songs ----------------------------------------------------------------------

    def song(self, songid):
        """``{"song", "artist", "album", "tags"}`` of a song, or None; the tags echo ``songid``."""
        db = self.database
        song = db.get_song(int(songid))
        if song is None:
            return None
        return {"song": song, "artist": db.get_artist(song["artistid"]),
                "album": db.get_album(song["albumid"]), "tags": db.get_song_tags(songid)}

    def song_lyrics(self, songid):
        """``{"songid", "song", "album", "artist", "lyrics", "lyricsstate"}``, or None."""
        db = self.database
        song = db.get_song(int(songid))
        if song is None:
            return None
        return {"songid": songid, "song": song, "album": db.get_album(song["albumid"]),
                "artist": db.get_artist(song["artistid"]), "lyrics": db.get_lyrics(song["id"]),
                "lyricsstate": song["lyricsstate"]}

    # -- whole-library snapshots and batches (Subsonic lists and search) ---------------

    def catalog(self):
        """The :class:`~musicdb.mdbapi.catalog.Catalog` of the library now (cached until a change).

        Built in the thread pool; concurrent callers wait for the same build.
        Raises DatabaseError when the database cannot be read.
        """
        generation = self.answers.generation
        return self.answers.get(("catalog",), lambda: self._catalog_build(generation))

    def _new_catalog(self):
        """A catalog whose ``built`` is later than every earlier one (a client's
        ``ifModifiedSince`` of the last one must not hide a change in the same ms)."""
        catalog = build_in_thread(self.database)
        catalog.built = self._catalog_built = max(catalog.built, self._catalog_built + 1)
        return catalog

    def entries(self, table, ids):
        """``{id: entry}`` of those ``ids`` that exist in "artists", "albums" or "songs"."""
        return self.database.get_entries(table, ids)

    def album_songs(self, albumid):
        """Every song of an album (disabled ones too), by ID."""
        return self.database.get_album_songs(albumid)

    def favorite_songs(self):
        """The loved songs (``favorite`` 1), by ID."""
        return self.database.get_favorite_songs()

    # -- videos ---------------------------------------------------------------------

    def videos(self, artistid=None, genre_names=None):
        """``[{"video", "tags"}]`` by year; filtered (§2.4) when ``genre_names`` is a list."""
        videos = self.database.get_videos(artistid)
        tagsets = self.database.get_tag_sets("video", [video["id"] for video in videos])
        entries = [{"video": video, "tags": tagsets[video["id"]]} for video in videos
                   if genre_names is None or video_passes(genre_names, tagsets[video["id"]])]
        return sorted(entries, key=lambda entry: release_year(entry["video"]))

    def filtered_artists_with_videos(self):
        """``[{"artist", "videos"}]`` through the genre filter; artists without videos omitted."""
        byartist = {}
        for entry in self.videos(genre_names=self.genre_selection().genres):
            byartist.setdefault(entry["video"]["artistid"], []).append(entry)
        return [{"artist": artist, "videos": byartist[artist["id"]]}
                for artist in self.artists() if artist["id"] in byartist]

    def video(self, videoid):
        """``{"artist", "album", "song", "video", "tags"}`` of a video, or None."""
        db = self.database
        video = db.get_video(int(videoid))
        if video is None:
            return None
        return {"artist": db.get_artist(video["artistid"]),
                "album": db.get_album(video["albumid"]) if video["albumid"] else None,
                "song": db.get_song(video["songid"]) if video["songid"] else None,
                "video": video, "tags": db.get_video_tags(videoid)}

    # -- tags and tables ------------------------------------------------------------

    def tags(self):
        """``{"genres", "subgenres", "moods"}``: the tags of each class in tag-ID order."""
        tags = self.database.get_tags()
        return {name: [tag for tag in tags if tag["class"] == tagclass]
                for tagclass, name in TAG_LISTS}

    def tag_statistics(self):
        """Per tag (string ID key): the tag and how many songs, albums, videos, children use it."""
        usage = self.database.get_tag_usage()
        empty = {"songs": 0, "albums": 0, "videos": 0, "children": 0}
        return {str(tag["id"]): {"tag": tag, **usage.get(tag["id"], empty)}
                for tag in self.database.get_tags()}

    def tag_set(self, target, objectid):
        """The tag set of a "song", "album" or "video" (empty lists when unknown)."""
        return self.database.get_tag_sets(target, [objectid])[objectid]

    def tables(self, names):
        """Whole tables of TABLES whose names are ``in names`` (a list, or a string: substrings)."""
        return {name: self.database.get_table(name) for name in TABLES if name in names}

    # -- statistics and relationships -------------------------------------------------

    def exists(self, target, mediaid):
        """Whether the "song" or "video" ``mediaid`` exists."""
        return self.database.exists(target + "s", mediaid)

    def change_statistic(self, target, mediaid, statistic, modifier):
        """Apply UpdateSongStatistic/UpdateVideoStatistic's ``modifier`` to one statistic.

        ``lastplayed`` takes unix seconds; counters (likes, dislikes) add 1, -1
        or 0; flags are set to 1, -1 or 0.  Unknown names and values are
        logged and ignored, as in MusicDB 8.  Returns whether something was stored.
        """
        flags = VIDEO_FLAGS if target == "video" else SONG_FLAGS
        if statistic == "lastplayed":
            if isinstance(modifier, bool) or not isinstance(modifier, int) or modifier < 0:
                log.warning("lastplayed needs a unix time, not %r", modifier)
                return False
            column, value = "lastplayed", modifier
        elif statistic in COUNTERS or statistic in flags:
            value = MODIFIERS.get(modifier) if isinstance(modifier, str) else None
            if value is None:
                log.warning("Unknown modifier %r for %s", modifier, statistic)
                return False
            column = statistic if statistic in COUNTERS else flags[statistic]
        else:
            log.warning("Unknown %s statistic %r", target, statistic)
            return False
        self.database.set_statistic(target + "s", mediaid, column, value,
                                    add=statistic in COUNTERS)
        return True

    def related(self, target, weights):
        """``[(entry, weight)]`` of ``weights`` (``{ID: weight}``): existing, not hated, enabled."""
        entries = self.database.get_entries(target + "s", weights)
        return [(entries[entryid], weight) for entryid, weight in weights.items()
                if entryid in entries and entries[entryid]["favorite"] != -1
                and not entries[entryid]["disabled"]]

    def song_relationship(self, weights):
        """The ``songs`` list of GetSongRelationship for the relation ``weights``."""
        db, related = self.database, self.related("song", weights)
        tags = db.get_tag_sets("song", [entry["id"] for entry, _ in related])
        albums = db.get_entries("albums", {entry["albumid"] for entry, _ in related})
        artists = db.get_entries("artists", {entry["artistid"] for entry, _ in related})
        songs = [{"song": entry, "tags": tags[entry["id"]], "weight": weight,
                  "album": albums.get(entry["albumid"]), "artist": artists.get(entry["artistid"])}
                 for entry, weight in related]
        return sorted(songs, key=_related_song_order)

    def video_relationship(self, weights):
        """The ``videos`` list of GetVideoRelationship for the relation ``weights``."""
        db, related = self.database, self.related("video", weights)
        tags = db.get_tag_sets("video", [entry["id"] for entry, _ in related])
        artists = db.get_entries("artists", {entry["artistid"] for entry, _ in related})
        videos = [{"video": entry, "tags": tags[entry["id"]], "weight": weight,
                   "artist": artists.get(entry["artistid"])} for entry, weight in related]
        return sorted(videos, key=lambda item: ((item["artist"] or {}).get("name") or "",
                                                sort_number(item["video"]["release"])))

    # -- search ---------------------------------------------------------------------

    def find(self, searchstring, limit):
        """``{"artists", "albums", "songs"}`` matching ``searchstring``, best first, ``limit`` each.

        Artists come with their non-hidden albums by year, albums (hidden ones
        too) and songs with their artist (and album); disabled and hated songs
        are skipped.  IDs of a stale search cache are skipped.  A ``limit`` of 0
        or less gives empty lists; one above MAX_FIND_LIMIT counts as that: a
        limit of 10**9 would answer with every song (12 MB at 20,000 songs),
        and a few clients asking that in a loop would starve everyone else.
        """
        artists, albums, songs = self.mise.Find(searchstring)
        limit = min(max(limit, 0), MAX_FIND_LIMIT)
        lookup = _Lookup(self.database)
        return {"artists": self._artist_hits(lookup, artists[:limit]),
                "albums": _album_hits(lookup, albums[:limit]),
                "songs": _song_hits(lookup, songs, limit)}

    def _artist_hits(self, lookup, hits):
        artists = lookup.fetch("artists", [artistid for artistid, _ in hits])
        return [{"artist": artist, "albums": self.artist_albums(artist["id"])}
                for artist in artists if artist is not None]


def sort_number(value):
    """Like :func:`number`, floats kept (relationship sorts of MusicDB 8)."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _related_song_order(item):
    """(artist name, album year, album name, CD, track number), case-sensitive."""
    album, artist, song = item["album"] or {}, item["artist"] or {}, item["song"]
    return (artist.get("name") or "", sort_number(album.get("release")), album.get("name") or "",
            sort_number(song["cd"]), sort_number(song["number"]))


class _Lookup:
    """Entries by ID for one answer, fetched in batches and kept for reuse."""

    def __init__(self, database):
        self.database = database
        self.known = {"artists": {}, "albums": {}, "songs": {}}

    def fetch(self, table, ids):
        """The entries of ``ids`` in that order, None for those that do not exist."""
        known = self.known[table]
        missing = [objectid for objectid in ids if objectid not in known]
        if missing:
            found = self.database.get_entries(table, missing)
            known.update((objectid, found.get(objectid)) for objectid in missing)
        return [known[objectid] for objectid in ids]


def _album_hits(lookup, hits):
    albums = [album for album in lookup.fetch("albums", [albumid for albumid, _ in hits]) if album]
    artists = lookup.fetch("artists", [album["artistid"] for album in albums])
    return [{"artist": artist, "album": album} for artist, album in zip(artists, albums)]


def _song_hits(lookup, hits, limit):
    """The first ``limit`` song hits that are neither disabled nor hated, with artist and album."""
    songs = []
    batch = max(limit * 2, 32)
    for start in range(0, len(hits), batch):
        if len(songs) >= limit:
            break
        found = lookup.fetch("songs", [songid for songid, _ in hits[start:start + batch]])
        songs += [song for song in found
                  if song is not None and not song["disabled"] and song["favorite"] != -1]
    songs = songs[:limit]
    artists = lookup.fetch("artists", [song["artistid"] for song in songs])
    albums = lookup.fetch("albums", [song["albumid"] for song in songs])
    return [{"artist": artist, "album": album, "song": song}
            for artist, album, song in zip(artists, albums, songs)]


class AnswerCache:
    """Answers (any value, usually encoded JSON text) by key, least recently used dropped.

    At most ``size`` answers of together at most ``max_chars`` characters
    (answers that are no strings count 0): each genre filter a user tries
    adds an artists list.

    Inactive, so every :meth:`get` builds afresh, until :meth:`watch` ties it
    to an event bus: only then does it learn when an answer went stale.  The
    bus holds the cache weakly, so a dropped library leaves no subscriber.
    """

    def __init__(self, size=CACHE_SIZE, max_chars=CACHE_CHARS):
        self.size = size
        self.max_chars = max_chars
        self.active = False
        self._answers = OrderedDict()
        self._chars = 0
        self._generation = 0

    def watch(self, bus):
        ref = weakref.ref(self)

        def on_event(event):
            cache = ref()
            if cache is None:
                bus.unsubscribe(on_event)
            elif event.name in STALE_AFTER:
                cache.clear()

        bus.subscribe(on_event)
        self.active = True

    def get(self, key, build):
        """The answer for ``key``; ``build()`` makes it when it is not kept."""
        if not self.active:
            return build()
        if key in self._answers:
            self._answers.move_to_end(key)
            return self._answers[key]
        generation = self._generation
        answer = build()
        if generation == self._generation:  # not built from a library that changed meanwhile
            self._keep(key, answer)
        return answer

    @property
    def generation(self):
        """A number that changes whenever the cache is emptied (the library changed)."""
        return self._generation

    def _keep(self, key, answer):
        self._answers[key] = answer
        self._chars += _chars(answer)
        while len(self._answers) > self.size or self._chars > self.max_chars:
            _, dropped = self._answers.popitem(last=False)
            self._chars -= _chars(dropped)

    def clear(self):
        self._generation += 1
        self._answers.clear()
        self._chars = 0
        log.debug("Library answer cache emptied")

    def __len__(self):
        return len(self._answers)


def _chars(answer):
    return len(answer) if isinstance(answer, str) else 0
