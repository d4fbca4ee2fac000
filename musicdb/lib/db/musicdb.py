"""``music.db``: artists, albums, songs, videos, lyrics and tags (MusicDB 8 schema, version 5).

:class:`MusicDatabase` owns the schema and the small queries on it.  Rows go
out as plain dicts with the primary key renamed to ``id``, the shape the
WebUI reads (api-library.md §1).
"""

import sqlite3

from .sqlite import Database, DatabaseError, apply_schema, create_indexes

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, value TEXT DEFAULT '');
CREATE TABLE artists (artistid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, path TEXT);
CREATE TABLE albums (
    albumid INTEGER PRIMARY KEY AUTOINCREMENT, artistid INTEGER, name TEXT, path TEXT,
    numofsongs INTEGER, numofcds INTEGER, origin TEXT, release INTEGER,
    artworkpath TEXT DEFAULT 'default.jpg', bgcolor TEXT DEFAULT '#101010',
    fgcolor TEXT DEFAULT '#F0F0F0', hlcolor TEXT DEFAULT '#909090',
    added INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0);
CREATE TABLE songs (
    songid INTEGER PRIMARY KEY AUTOINCREMENT, albumid INTEGER, artistid INTEGER, name TEXT,
    path TEXT, number INTEGER, cd INTEGER, disabled INTEGER, playtime INTEGER, bitrate INTEGER,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, favorite INTEGER DEFAULT 0,
    lyricsstate INTEGER DEFAULT 0, checksum TEXT DEFAULT '', lastplayed INTEGER DEFAULT 0,
    liverecording INTEGER DEFAULT 0, badaudio INTEGER DEFAULT 0);
CREATE TABLE videos (
    videoid INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER DEFAULT NULL,
    albumid INTEGER DEFAULT NULL, artistid INTEGER, name TEXT, path TEXT,
    disabled INTEGER DEFAULT 0, playtime INTEGER, origin TEXT, release INTEGER, added INTEGER,
    codec TEXT, xresolution INTEGER, yresolution INTEGER, framesdirectory TEXT,
    thumbnailfile TEXT, previewfile TEXT, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0,
    favorite INTEGER DEFAULT 0, liverecording INTEGER DEFAULT 0, badaudio INTEGER DEFAULT 0,
    checksum TEXT DEFAULT '', lastplayed INTEGER DEFAULT 0, lyricsvideo INTEGER DEFAULT 0,
    bgcolor TEXT DEFAULT '#101010', fgcolor TEXT DEFAULT '#F0F0F0',
    hlcolor TEXT DEFAULT '#909090', vbegin INTEGER DEFAULT 0, vend INTEGER DEFAULT NULL);
CREATE TABLE lyrics (songid INTEGER, lyrics TEXT);
CREATE TABLE tags (
    tagid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, class INTEGER,
    parentid INTEGER DEFAULT NULL, icontype INTEGER DEFAULT NULL, icon TEXT DEFAULT NULL,
    color TEXT DEFAULT NULL, posx INTEGER DEFAULT NULL, posy INTEGER DEFAULT NULL);
INSERT INTO tags (name, class, posx) VALUES ('Other', 1, 0);
CREATE TABLE albumtags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, albumid INTEGER,
    tagid INTEGER, confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
CREATE TABLE songtags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER,
    tagid INTEGER, confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
CREATE TABLE videotags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, videoid INTEGER,
    tagid INTEGER, confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
"""

# Indexes are ours: MusicDB 8 has none, and a 20,000-song library needs them.
# They do not change what an old server reads from the file.
INDEXES = """
CREATE INDEX IF NOT EXISTS songs_albumid ON songs (albumid);
CREATE INDEX IF NOT EXISTS songs_path ON songs (path);
CREATE INDEX IF NOT EXISTS albums_artistid ON albums (artistid);
CREATE INDEX IF NOT EXISTS songtags_songid ON songtags (songid);
CREATE INDEX IF NOT EXISTS albumtags_albumid ON albumtags (albumid);
CREATE INDEX IF NOT EXISTS videotags_videoid ON videotags (videoid);
CREATE INDEX IF NOT EXISTS lyrics_songid ON lyrics (songid);
"""

# Every SQL text is a constant or joined from constant fragments and ``?``
# placeholders; values are always parameters.
_SELECT = {"artists": "SELECT * FROM artists", "albums": "SELECT * FROM albums",
           "songs": "SELECT * FROM songs", "videos": "SELECT * FROM videos",
           "tags": "SELECT * FROM tags"}
_TAG_MAPPINGS = {
    "song": "SELECT entryid, songid, tagid, confidence, approval FROM songtags",
    "album": "SELECT entryid, albumid, tagid, confidence, approval FROM albumtags",
    "video": "SELECT entryid, videoid, tagid, confidence, approval FROM videotags"}

# (table, column, add) -> the UPDATE of one statistic, adding to the column or setting it.
_STATISTIC_KEYS = {"songs": "songid", "videos": "videoid"}
_STATISTICS = {"songs": ("likes", "dislikes", "favorite", "disabled", "liverecording",
                         "badaudio", "lastplayed"),
               "videos": ("likes", "dislikes", "favorite", "disabled", "liverecording",
                          "badaudio", "lastplayed", "lyricsvideo")}
_STATISTIC_UPDATES = {
    (table, column, add): ("UPDATE " + table + " SET " + column + " = "
                           + (column + " + ?" if add else "?")
                           + " WHERE " + _STATISTIC_KEYS[table] + " = ?")
    for table, columns in _STATISTICS.items() for column in columns for add in (False, True)}

TAG_CLASS_GENRE = 1
TAG_CLASS_SUBGENRE = 2
TAG_CLASS_MOOD = 3


def as_entry(row, key):
    """A row as the API shows it: the primary key ``key`` first, named ``id``."""
    if row is None:
        return None
    entry = {"id": row[key]}
    entry.update((name, value) for name, value in row.items() if name != key)
    return entry


def _marks(count):
    """``?,?,?``: ``count`` parameter placeholders for an ``IN (...)`` list."""
    return ",".join("?" * count)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _as_int(value):
    """An ID as the database stores it: decimal strings become integers."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _empty_tag_set(key, objectid):
    return {key: objectid, "genres": [], "subgenres": [], "moods": []}


class MusicDatabase(Database):
    """The music database of one server.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path, readonly=False):
        super().__init__(path, readonly)
        if not readonly:  # a reader opens a file the server has checked already
            apply_schema(self, SCHEMA, SCHEMA_VERSION, "music")
            create_indexes(self, INDEXES)

    # -- single entries by ID (None when the ID does not exist) -------------------

    def get_artist(self, artistid):
        return as_entry(self.row("SELECT * FROM artists WHERE artistid = ?", (artistid,)), "artistid")

    def get_album(self, albumid):
        return as_entry(self.row("SELECT * FROM albums WHERE albumid = ?", (albumid,)), "albumid")

    def get_song(self, songid):
        return as_entry(self.row("SELECT * FROM songs WHERE songid = ?", (songid,)), "songid")

    def get_video(self, videoid):
        return as_entry(self.row("SELECT * FROM videos WHERE videoid = ?", (videoid,)), "videoid")

    def get_tag(self, tagid):
        return as_entry(self.row("SELECT * FROM tags WHERE tagid = ?", (tagid,)), "tagid")

    # == Read methods: lists, tag sets, statistics (developer LIBRARY-API) =========
    # Used by the read API (handlers/library.py, state.py, search.py) and by
    # others for GetSong-like answers.  Lists come in database order (ascending
    # row ID, api-library.md §0); callers sort.  Tag sets are api-library.md §1.6.
    # Big lists (2,000 albums with their tags for the artists view) are built
    # from plain tuples with the primary key renamed to ``id`` (``_entries``):
    # about three times faster than sqlite3.Row -> dict -> as_entry.

    _TAG_LISTS = {TAG_CLASS_GENRE: "genres", TAG_CLASS_SUBGENRE: "subgenres",
                  TAG_CLASS_MOOD: "moods"}
    _TAG_TARGETS = {"song": ("songtags", "songid"), "album": ("albumtags", "albumid"),
                    "video": ("videotags", "videoid")}
    _TABLES = {"artists": "artistid", "albums": "albumid", "songs": "songid",
               "videos": "videoid", "tags": "tagid"}
    _CHUNK = 500  # IDs per "IN (...)" query, well below SQLite's variable limit

    def get_table(self, table):
        """All rows of ``table`` (artists, albums, songs, videos or tags) as entries.

        Raises:
            ValueError: ``table`` is not one of those.
        """
        key = self._key(table)
        return self._entries(_SELECT[table] + " ORDER BY " + key, key=key)

    def get_artists(self):
        """All artists (also those without albums)."""
        return self.get_table("artists")

    def get_albums(self, artistid=None, hidden=None):
        """Albums, of one artist if ``artistid`` is given, only (non-)hidden if ``hidden`` is a bool."""
        where, params = [], []
        if artistid is not None:
            where.append("artistid = ?")
            params.append(artistid)
        if hidden is not None:
            where.append("hidden = 1" if hidden else "(hidden IS NULL OR hidden != 1)")
        sql = _SELECT["albums"]
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self._entries(sql + " ORDER BY albumid", params, key="albumid")

    def get_album_songs(self, albumid):
        """All songs of an album (disabled ones included)."""
        return self._entries("SELECT * FROM songs WHERE albumid = ? ORDER BY songid", (albumid,),
                             key="songid")

    def get_videos(self, artistid=None):
        """Videos, of one artist if ``artistid`` is given (disabled ones included)."""
        if artistid is None:
            return self.get_table("videos")
        return self._entries("SELECT * FROM videos WHERE artistid = ? ORDER BY videoid",
                             (artistid,), key="videoid")

    def get_entries(self, table, ids):
        """``{id: entry}`` for those of ``ids`` that exist in ``table``.

        Raises:
            ValueError: ``table`` is not a known table.
        """
        key = self._key(table)
        found = {}
        for chunk in _chunks(list(ids), self._CHUNK):
            sql = _SELECT[table] + " WHERE " + key + " IN (" + _marks(len(chunk)) + ")"
            for entry in self._entries(sql, chunk, key=key):
                found[entry["id"]] = entry
        return found

    def get_tags(self):
        """All tag definitions (every class) in tag-ID order."""
        return self.get_table("tags")

    def get_lyrics(self, songid):
        """The stored lyrics text of a song, or None."""
        return self.value("SELECT lyrics FROM lyrics WHERE songid = ? ORDER BY rowid LIMIT 1",
                          (songid,))

    def get_song_tags(self, songid):
        """The song's tag set ``{"songid", "genres", "subgenres", "moods"}``; ``songid`` echoed."""
        return self.get_tag_sets("song", [songid])[songid]

    def get_album_tags(self, albumid):
        """The album's tag set ``{"albumid", "genres", "subgenres", "moods"}``."""
        return self.get_tag_sets("album", [albumid])[albumid]

    def get_video_tags(self, videoid):
        """The video's tag set ``{"videoid", "genres", "subgenres", "moods"}``."""
        return self.get_tag_sets("video", [videoid])[videoid]

    def get_tag_sets(self, target, ids=None):
        """``{id: tag set}`` for every ID in ``ids`` (all tagged objects if None).

        An ID without tags gets empty lists.  Assignments of tags that no
        longer exist, or whose class is not 1-3, are skipped (MusicDB 8 failed
        on the latter).  The first key of each set echoes the ID as passed
        (``"5"`` stays a string); the assignments carry the stored integer.

        Raises:
            ValueError: ``target`` is not "song", "album" or "video".
        """
        if target not in self._TAG_TARGETS:
            raise ValueError(f"unknown tag target {target!r}")
        key = self._TAG_TARGETS[target][1]
        tags = {tag["id"]: tag for tag in self.get_tags() if tag["class"] in self._TAG_LISTS}
        sets = {} if ids is None else {objectid: _empty_tag_set(key, objectid) for objectid in ids}
        lookup = {_as_int(objectid): objectid for objectid in sets}
        mappings = self._tag_mappings(target, None if ids is None else list(lookup))
        for entryid, rowid, tagid, confidence, approval in mappings:
            tag = tags.get(tagid)
            if tag is None:
                continue
            objectid = lookup.get(rowid, rowid)
            tagset = sets.get(objectid) or sets.setdefault(objectid, _empty_tag_set(key, objectid))
            tagset[self._TAG_LISTS[tag["class"]]].append(
                {"entryid": entryid, key: rowid, "tagid": tagid, "confidence": confidence,
                 "approval": approval, **tag})
        return sets

    def _tag_mappings(self, target, ids):
        """Mapping rows ``(entryid, objectid, tagid, confidence, approval)`` in entry-ID order."""
        sql, key = _TAG_MAPPINGS[target], self._TAG_TARGETS[target][1]
        if ids is None:
            return self._tuples(sql + " ORDER BY entryid")
        found = []
        for chunk in _chunks([i for i in ids if i is not None], self._CHUNK):
            found += self._tuples(sql + " WHERE " + key + " IN (" + _marks(len(chunk)) + ")", chunk)
        found.sort()
        return found

    # -- summaries for other APIs (Subsonic lists and search) ------------------------

    def get_song_summaries(self):
        """``(songid, albumid, artistid, name, playtime, disabled)`` of every song, by ID."""
        return self._tuples("SELECT songid, albumid, artistid, name, playtime, disabled "
                            "FROM songs ORDER BY songid")

    def get_favorite_songs(self):
        """The songs whose ``favorite`` is 1 (loved), by ID."""
        return self._entries("SELECT * FROM songs WHERE favorite = 1 ORDER BY songid",
                             key="songid")

    # -- statistics (UpdateSongStatistic, UpdateVideoStatistic) ---------------------

    def exists(self, table, rowid):
        """Whether ``table`` (artists, albums, songs, videos, tags) has the row ``rowid``.

        Raises:
            ValueError: ``table`` is not a known table.
        """
        key = self._key(table)
        return self.value("SELECT 1 FROM " + table + " WHERE " + key + " = ?", (rowid,)) is not None

    def set_statistic(self, table, rowid, column, value, add=False):
        """Set (or with ``add`` increase by) a statistic column of a song or video, in one statement.

        Raises:
            ValueError: not a statistic column of that table.
        """
        sql = _STATISTIC_UPDATES.get((table, column, add))
        if sql is None:
            raise ValueError(f"{column} is no statistic of {table}")
        self.execute(sql, (value, rowid))

    def get_tag_usage(self):
        """``{tagid: {"songs", "albums", "videos", "children"}}`` counts for every used tag ID."""
        usage = {}
        queries = (("songs", "SELECT tagid, count(*) FROM songtags GROUP BY tagid"),
                   ("albums", "SELECT tagid, count(*) FROM albumtags GROUP BY tagid"),
                   ("videos", "SELECT tagid, count(*) FROM videotags GROUP BY tagid"),
                   ("children", "SELECT parentid, count(*) FROM tags "
                                "WHERE parentid IS NOT NULL GROUP BY parentid"))
        for name, sql in queries:
            for tagid, count in self._tuples(sql):
                counts = usage.setdefault(tagid, dict.fromkeys(
                    ("songs", "albums", "videos", "children"), 0))
                counts[name] = count
        return usage

    def _key(self, table):
        """The primary key column of ``table``.

        Raises:
            ValueError: ``table`` is not a known table.
        """
        key = self._TABLES.get(table)
        if key is None:
            raise ValueError(f"unknown table {table!r}")
        return key

    def _entries(self, sql, params=(), key=None):
        """All rows as dicts in column order; the column ``key`` (if given) first, named ``id``.

        Built from plain tuples: about three times faster than sqlite3.Row -> dict.
        """
        with self._lock:
            cursor = self._tuple_cursor(sql, params)
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        if key is None:
            return [dict(zip(names, row)) for row in rows]
        index = names.index(key)
        order = [index] + [i for i in range(len(names)) if i != index]
        names = ["id"] + [names[i] for i in order[1:]]
        if index == 0:  # MusicDB 8's tables: the primary key is the first column
            return [dict(zip(names, row)) for row in rows]
        return [dict(zip(names, [row[i] for i in order])) for row in rows]

    def _tuples(self, sql, params=()):
        with self._lock:
            return self._tuple_cursor(sql, params).fetchall()

    def _tuple_cursor(self, sql, params):
        try:
            cursor = self.conn.cursor()
            cursor.row_factory = None
            return cursor.execute(sql, params)
        except sqlite3.Error as error:
            raise DatabaseError(f"{self.path}: {error}", self.path, error) from None

    # == Write methods: import, update and removal of library entries ==============
    # (developer IMPORT; used by musicdb.lib.importer and `musicdb database`.)
    # Callers group them in one transaction() per album, so a killed import
    # leaves whole albums or nothing.

    _ALBUM_COLUMNS = frozenset(("artistid", "name", "path", "numofsongs", "numofcds", "origin",
                                "release", "artworkpath", "added", "hidden"))
    _SONG_COLUMNS = frozenset(("albumid", "artistid", "name", "path", "number", "cd", "disabled",
                               "playtime", "bitrate", "checksum", "lyricsstate"))

    def find_artist_by_path(self, path):
        """The artist entry whose directory is ``path``, or None."""
        return as_entry(self.row("SELECT * FROM artists WHERE path = ?", (path,)), "artistid")

    def find_album_by_path(self, path):
        """The album entry (hidden ones included) whose directory is ``path``, or None."""
        return as_entry(self.row("SELECT * FROM albums WHERE path = ?", (path,)), "albumid")

    def find_song_by_path(self, path):
        """The song entry whose file is ``path``, or None."""
        return as_entry(self.row("SELECT * FROM songs WHERE path = ?", (path,)), "songid")

    def add_artist(self, name, path):
        """Insert an artist; returns its ID."""
        return self.execute("INSERT INTO artists (name, path) VALUES (?, ?)",
                            (name, path)).lastrowid

    def add_album(self, artistid, name, path, release, origin, added):
        """Insert an album with the table's default artwork and colours; returns its ID.

        ``numofsongs``/``numofcds`` start at 0: :meth:`recount_album` sets them
        once the songs are in.
        """
        return self.execute(
            "INSERT INTO albums (artistid, name, path, numofsongs, numofcds, origin, release, "
            "added, hidden) VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0)",
            (artistid, name, path, origin, release, added)).lastrowid

    def add_song(self, albumid, artistid, name, path, number, cd, playtime, bitrate, checksum):
        """Insert an enabled song with zeroed statistics; returns its ID."""
        return self.execute(
            "INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, playtime, "
            "bitrate, checksum) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (albumid, artistid, name, path, number, cd, playtime, bitrate, checksum)).lastrowid

    def update_album(self, albumid, **columns):
        """Set some columns of an album (names from a fixed list).

        Raises:
            ValueError: a column that may not be set this way.
        """
        self._update("albums", "albumid", self._ALBUM_COLUMNS, albumid, columns)

    def update_song(self, songid, **columns):
        """Set some columns of a song; statistics and tags stay as they are.

        Raises:
            ValueError: a column that may not be set this way.
        """
        self._update("songs", "songid", self._SONG_COLUMNS, songid, columns)

    def _update(self, table, key, allowed, rowid, columns):
        unknown = set(columns) - allowed
        if unknown:
            raise ValueError(f"cannot set {table} column(s) {sorted(unknown)}")
        if columns:
            # Identifiers from the constant sets above only; every value is a parameter.
            names = [name for name in columns if name in allowed]
            assignments = ", ".join(name + " = ?" for name in names)
            self.execute("UPDATE " + table + " SET " + assignments + " WHERE " + key + " = ?",
                         (*(columns[name] for name in names), rowid))

    def artwork_names(self, exclude=None):
        """The set of artwork file names the albums use (but album ``exclude``)."""
        return {row[0] for row in self._tuples(
            "SELECT DISTINCT artworkpath FROM albums WHERE albumid IS NOT ?", (exclude,))}

    def recount_album(self, albumid):
        """Set ``numofsongs`` and ``numofcds`` (highest CD number, 0 without songs)."""
        self.execute(
            "UPDATE albums SET numofsongs = (SELECT count(*) FROM songs WHERE albumid = :id), "
            "numofcds = (SELECT coalesce(max(cd), 0) FROM songs WHERE albumid = :id) "
            "WHERE albumid = :id", {"id": albumid})

    def set_lyrics_from_file(self, songid, lyrics):
        """Store lyrics read from the file (lyrics state 1) unless the song has lyrics."""
        if self.value("SELECT count(*) FROM lyrics WHERE songid = ?", (songid,)):
            return
        self.execute("INSERT INTO lyrics (songid, lyrics) VALUES (?, ?)", (songid, lyrics))
        self.execute("UPDATE songs SET lyricsstate = 1 WHERE songid = ?", (songid,))

    def remove_song(self, songid):
        """Delete a song with its lyrics and tag mappings (the file stays)."""
        with self.transaction():
            self.execute("DELETE FROM songtags WHERE songid = ?", (songid,))
            self.execute("DELETE FROM lyrics WHERE songid = ?", (songid,))
            self.execute("DELETE FROM songs WHERE songid = ?", (songid,))

    def remove_album(self, albumid):
        """Delete an album, its songs and its tag mappings; returns the removed song IDs."""
        with self.transaction():
            songids = [row["songid"] for row in
                       self.rows("SELECT songid FROM songs WHERE albumid = ?", (albumid,))]
            for songid in songids:
                self.remove_song(songid)
            self.execute("DELETE FROM albumtags WHERE albumid = ?", (albumid,))
            self.execute("DELETE FROM albums WHERE albumid = ?", (albumid,))
        return songids

    def remove_artist(self, artistid):
        """Delete an artist with all albums (hidden ones too), songs and videos.

        MusicDB 8 skipped hidden albums and videos and left them orphaned,
        pointing to an artist that no longer exists.  Returns ``(removed song
        IDs, removed video IDs)`` (their tracker rows are the caller's).
        """
        songids = []
        with self.transaction():
            for row in self.rows("SELECT albumid FROM albums WHERE artistid = ?", (artistid,)):
                songids += self.remove_album(row["albumid"])
            videoids = [row["videoid"] for row in
                        self.rows("SELECT videoid FROM videos WHERE artistid = ?", (artistid,))]
            self.execute("DELETE FROM videotags WHERE videoid IN "
                         "(SELECT videoid FROM videos WHERE artistid = ?)", (artistid,))
            self.execute("DELETE FROM videos WHERE artistid = ?", (artistid,))
            self.execute("DELETE FROM artists WHERE artistid = ?", (artistid,))
        return songids, videoids

    # -- entries and the music directory (developer EDIT-ENTRIES; mdbapi/librarydir.py) --

    _VIDEO_COLUMNS = frozenset(("artistid", "name", "path", "release", "origin"))
    _PATHS = {"artists": "SELECT path FROM artists", "albums": "SELECT path FROM albums",
              "songs": "SELECT path FROM songs", "videos": "SELECT path FROM videos"}

    def find_video_by_path(self, path):
        """The video entry whose file is ``path``, or None."""
        return as_entry(self.row("SELECT * FROM videos WHERE path = ?", (path,)), "videoid")

    def add_video(self, artistid, name, path, release, playtime, origin, added, codec,
                  xresolution, yresolution, checksum):
        """Insert an enabled video with zeroed statistics, the table's colours, the whole
        video as its time frame and no frames yet; returns its ID."""
        return self.execute(
            "INSERT INTO videos (artistid, name, path, disabled, playtime, origin, release, "
            "added, codec, xresolution, yresolution, framesdirectory, thumbnailfile, "
            "previewfile, checksum, vbegin, vend) "
            "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, 0, ?)",
            (artistid, name, path, playtime, origin, release, added, codec, xresolution,
             yresolution, checksum, playtime)).lastrowid

    def set_video_frames(self, videoid, framesdirectory, thumbnailfile, previewfile):
        """Name a video's frames directory, thumbnail and preview (relative to the artwork
        directory, and to the frames directory)."""
        self.execute("UPDATE videos SET framesdirectory = ?, thumbnailfile = ?, previewfile = ? "
                     "WHERE videoid = ?", (framesdirectory, thumbnailfile, previewfile, videoid))

    def known_paths(self, table):
        """The set of stored paths of ``table`` (artists, albums, songs or videos)."""
        return {row[0] for row in self._tuples(self._PATHS[table])}

    def update_artist(self, artistid, name, path):
        """Set an artist's name and directory."""
        self.execute("UPDATE artists SET name = ?, path = ? WHERE artistid = ?",
                     (name, path, artistid))

    def update_video(self, videoid, **columns):
        """Set some columns of a video (artist, name, path, release, origin).

        Raises:
            ValueError: a column that may not be set this way.
        """
        self._update("videos", "videoid", self._VIDEO_COLUMNS, videoid, columns)

    def set_lastplayed(self, target, mediaid, timestamp):
        """A song's or video's ``lastplayed`` (unix seconds); ``target`` is "song" or "video"."""
        self.execute(_LASTPLAYED[target], (timestamp, mediaid))

    # == Write methods: tags, lyrics, album and video settings (issue 11) ===========
    # Used by musicdb.mdbapi.tagging; callers check IDs and values first and group
    # multi-row edits in one transaction().

    def get_tag_mapping(self, target, objectid, tagid):
        """``{"entryid", "confidence", "approval"}`` of one mapping, or None."""
        return self.row(_MAPPING_SQL[target]["get"], (objectid, tagid))

    def set_tag_mapping(self, target, objectid, tagid, confidence, approval):
        """Insert or overwrite one mapping (no approval check: the caller's rule)."""
        sql = _MAPPING_SQL[target]
        with self.transaction():
            if self.row(sql["get"], (objectid, tagid)) is None:
                self.execute(sql["insert"], (objectid, tagid, confidence, approval))
            else:
                self.execute(sql["update"], (confidence, approval, objectid, tagid))

    def remove_tag_mapping(self, target, objectid, tagid):
        """Delete one mapping; returns whether one existed."""
        return self.execute(_MAPPING_SQL[target]["delete"], (objectid, tagid)).rowcount > 0

    def album_tag_counts(self, albumid):
        """``({tagid: songs}, songs)``: approved genre/sub-genre mappings of the album's songs."""
        counts = dict(self._tuples(
            "SELECT st.tagid, count(*) FROM songtags st "
            "JOIN songs s ON s.songid = st.songid JOIN tags t ON t.tagid = st.tagid "
            "WHERE s.albumid = ? AND st.approval != 0 AND t.class IN (1, 2) "
            "GROUP BY st.tagid", (albumid,)))
        songs = self.value("SELECT count(*) FROM songs WHERE albumid = ?", (albumid,))
        return counts, songs

    def find_tag(self, name, tagclass):
        """The first tag of ``tagclass`` named exactly ``name``, or None."""
        return as_entry(self.row("SELECT * FROM tags WHERE name = ? AND class = ? "
                                 "ORDER BY tagid LIMIT 1", (name, tagclass)), "tagid")

    def add_tag(self, name, tagclass, parentid=None):
        """Insert a tag without icon, colour or position; returns its ID."""
        return self.execute("INSERT INTO tags (name, class, parentid) VALUES (?, ?, ?)",
                            (name, tagclass, parentid)).lastrowid

    def update_tag(self, tagid, **columns):
        """Set some columns of a tag (name, parentid, icontype, icon, color, posx, posy).

        Raises:
            ValueError: a column that may not be set this way.
        """
        self._update("tags", "tagid", self._TAG_COLUMNS, tagid, columns)

    def remove_tag(self, tagid):
        """Delete a tag, its sub-genres and every song, album and video mapping of them all.

        Returns the IDs of the removed tags.
        """
        with self.transaction():
            tagids = [tagid] + [row[0] for row in self._tuples(
                "SELECT tagid FROM tags WHERE parentid = ?", (tagid,))]
            for removed in tagids:
                for statement in _REMOVE_TAG:
                    self.execute(statement, (removed,))
        return tagids

    def set_lyrics(self, songid, lyrics, lyricsstate):
        """Store (``lyrics`` None: delete) a song's lyrics and set its lyrics state."""
        with self.transaction():
            self.execute("DELETE FROM lyrics WHERE songid = ?", (songid,))
            if lyrics is not None:
                self.execute("INSERT INTO lyrics (songid, lyrics) VALUES (?, ?)", (songid, lyrics))
            self.execute("UPDATE songs SET lyricsstate = ? WHERE songid = ?", (lyricsstate, songid))

    def update_album_settings(self, albumid, **columns):
        """Set album settings: hidden, origin, added, bgcolor, fgcolor, hlcolor."""
        self._update("albums", "albumid", self._ALBUM_SETTINGS, albumid, columns)

    def update_video_settings(self, videoid, **columns):
        """Set video settings: bgcolor, fgcolor, hlcolor, vbegin, vend, thumbnailfile."""
        self._update("videos", "videoid", self._VIDEO_SETTINGS, videoid, columns)

    def count_rows(self):
        """``{table: rows}`` of the library tables, plus hidden albums and lyrics."""
        return {name: self.value(sql) for name, sql in _COUNT.items()}

    _TAG_COLUMNS = frozenset(("name", "parentid", "icontype", "icon", "color", "posx", "posy"))
    _ALBUM_SETTINGS = frozenset(("hidden", "origin", "added", "bgcolor", "fgcolor", "hlcolor"))
    _VIDEO_SETTINGS = frozenset(("bgcolor", "fgcolor", "hlcolor", "vbegin", "vend",
                                 "thumbnailfile"))


_LASTPLAYED = {"song": "UPDATE songs SET lastplayed = ? WHERE songid = ?",
               "video": "UPDATE videos SET lastplayed = ? WHERE videoid = ?"}

_MAPPING_SQL = {
    target: {
        "get": "SELECT entryid, confidence, approval FROM " + table + " WHERE " + key
               + " = ? AND tagid = ? ORDER BY entryid LIMIT 1",
        "insert": "INSERT INTO " + table + " (" + key + ", tagid, confidence, approval) "
                  "VALUES (?, ?, ?, ?)",
        "update": "UPDATE " + table + " SET confidence = ?, approval = ? WHERE " + key
                  + " = ? AND tagid = ?",
        "delete": "DELETE FROM " + table + " WHERE " + key + " = ? AND tagid = ?"}
    for target, (table, key) in MusicDatabase._TAG_TARGETS.items()}
_REMOVE_TAG = ("DELETE FROM songtags WHERE tagid = ?", "DELETE FROM albumtags WHERE tagid = ?",
               "DELETE FROM videotags WHERE tagid = ?", "DELETE FROM tags WHERE tagid = ?")
_COUNT = {"artists": "SELECT count(*) FROM artists", "albums": "SELECT count(*) FROM albums",
          "hiddenalbums": "SELECT count(*) FROM albums WHERE hidden = 1",
          "songs": "SELECT count(*) FROM songs", "videos": "SELECT count(*) FROM videos",
          "lyrics": "SELECT count(DISTINCT songid) FROM lyrics",
          "genres": "SELECT count(*) FROM tags WHERE class = 1",
          "subgenres": "SELECT count(*) FROM tags WHERE class = 2",
          "moods": "SELECT count(*) FROM tags WHERE class = 3",
          "songtags": "SELECT count(*) FROM songtags", "albumtags": "SELECT count(*) FROM albumtags",
          "videotags": "SELECT count(*) FROM videotags"}
