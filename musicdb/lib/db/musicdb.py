"""``music.db``: artists, albums, songs, videos, lyrics and tags (MusicDB 8 schema, version 5).

:class:`MusicDatabase` owns the schema and the small queries on it.  Rows go
out as plain dicts with the primary key renamed to ``id``, the shape the
WebUI reads (api-library.md §1).
"""

from .sqlite import Database, apply_schema

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


class MusicDatabase(Database):
    """The music database of one server.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path):
        super().__init__(path)
        apply_schema(self, SCHEMA, SCHEMA_VERSION, "music")
        with self.transaction():
            for statement in INDEXES.split(";"):
                if statement.strip():
                    self.execute(statement)

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
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self.execute(f"UPDATE {table} SET {assignments} WHERE {key} = ?",
                         (*columns.values(), rowid))

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
        pointing to an artist that no longer exists.  Returns the removed song IDs.
        """
        songids = []
        with self.transaction():
            for row in self.rows("SELECT albumid FROM albums WHERE artistid = ?", (artistid,)):
                songids += self.remove_album(row["albumid"])
            self.execute("DELETE FROM videotags WHERE videoid IN "
                         "(SELECT videoid FROM videos WHERE artistid = ?)", (artistid,))
            self.execute("DELETE FROM videos WHERE artistid = ?", (artistid,))
            self.execute("DELETE FROM artists WHERE artistid = ?", (artistid,))
        return songids
