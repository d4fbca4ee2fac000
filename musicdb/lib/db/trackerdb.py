"""``tracker.db``: which songs and videos were played one after the other (schema version 4)."""

from .sqlite import Database, apply_schema

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


class TrackerDatabase(Database):
    """The tracker database of one server.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path):
        super().__init__(path)
        apply_schema(self, SCHEMA, SCHEMA_VERSION, "tracker")
