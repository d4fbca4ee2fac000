"""``tracker.db``: which songs and videos were played one after the other (schema version 4)."""

from .sqlite import Database, apply_schema, create_indexes

SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, value TEXT DEFAULT '');
CREATE TABLE songrelations (id INTEGER PRIMARY KEY AUTOINCREMENT, songida INTEGER,
    songidb INTEGER, weight INTEGER DEFAULT 1);
CREATE TABLE videorelations (id INTEGER PRIMARY KEY AUTOINCREMENT, videoida INTEGER,
    videoidb INTEGER, weight INTEGER DEFAULT 1);
CREATE TABLE playedsongs (id INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER,
    timestamp INTEGER DEFAULT 0, random INTEGER DEFAULT 0);
CREATE TABLE playedvideos (id INTEGER PRIMARY KEY AUTOINCREMENT, videoid INTEGER,
    timestamp INTEGER DEFAULT 0, random INTEGER DEFAULT 0);
"""


# Ours, like music.db's: MusicDB 8 has none, so every relation lookup scanned the table.
INDEXES = """
CREATE INDEX IF NOT EXISTS songrelations_a ON songrelations (songida);
CREATE INDEX IF NOT EXISTS songrelations_b ON songrelations (songidb);
CREATE INDEX IF NOT EXISTS videorelations_a ON videorelations (videoida);
CREATE INDEX IF NOT EXISTS videorelations_b ON videorelations (videoidb);
CREATE INDEX IF NOT EXISTS playedsongs_songid ON playedsongs (songid);
CREATE INDEX IF NOT EXISTS playedvideos_videoid ON playedvideos (videoid);
"""


class TrackerDatabase(Database):
    """The tracker database of one server.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path):
        super().__init__(path)
        apply_schema(self, SCHEMA, SCHEMA_VERSION, "tracker")
        create_indexes(self, INDEXES)
