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
