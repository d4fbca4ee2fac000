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

    # -- relations and plays ---------------------------------------------------------------

    def add_relation(self, target, ida, idb):
        """Record that ``ida`` and ``idb`` were played one after the other (weight + 1).

        Relations are undirected (the smaller ID in ``…ida``); an ID with itself
        is ignored.

        Raises:
            DatabaseError: the tracker database cannot be written.
        """
        if ida == idb:
            return
        sql = _SQL[target]
        with self.transaction():
            if not self.execute(sql["bump"], _pair(ida, idb)).rowcount:
                self.execute(sql["insert"], _pair(ida, idb))

    def cut_relation(self, target, ida, idb):
        """Delete the relation between ``ida`` and ``idb`` (either order)."""
        if ida != idb:
            self.execute(_SQL[target]["cut"], _pair(ida, idb))

    def relations(self, target, mediaid):
        """Every relation of ``mediaid`` as ``[{"id": other ID, "weight": n}]``."""
        return self.rows(_SQL[target]["relations"], (mediaid, mediaid))

    def add_played(self, target, mediaid, timestamp, israndom):
        """Append a ``played…`` row: ``mediaid`` was played to its end at ``timestamp``."""
        self.execute(_SQL[target]["played"], (mediaid, timestamp, int(bool(israndom))))

    def forget(self, target, mediaid):
        """Remove all relations and played rows of a song/video deleted from the library."""
        sql = _SQL[target]
        with self.transaction():
            self.execute(sql["forget"], (mediaid, mediaid))
            self.execute(sql["forget_played"], (mediaid,))


def _pair(ida, idb):
    return (ida, idb) if ida < idb else (idb, ida)


# Each target's statements, written out: table names are never built from values.
_SQL = {
    "song": {
        "bump": "UPDATE songrelations SET weight = weight + 1 WHERE songida = ? AND songidb = ?",
        "insert": "INSERT INTO songrelations (songida, songidb, weight) VALUES (?, ?, 1)",
        "cut": "DELETE FROM songrelations WHERE songida = ? AND songidb = ?",
        "relations": "SELECT songidb AS id, weight FROM songrelations WHERE songida = ? "
                     "UNION ALL SELECT songida AS id, weight FROM songrelations WHERE songidb = ?",
        "played": "INSERT INTO playedsongs (songid, timestamp, random) VALUES (?, ?, ?)",
        "forget": "DELETE FROM songrelations WHERE songida = ? OR songidb = ?",
        "forget_played": "DELETE FROM playedsongs WHERE songid = ?",
    },
    "video": {
        "bump": "UPDATE videorelations SET weight = weight + 1 WHERE videoida = ? AND videoidb = ?",
        "insert": "INSERT INTO videorelations (videoida, videoidb, weight) VALUES (?, ?, 1)",
        "cut": "DELETE FROM videorelations WHERE videoida = ? AND videoidb = ?",
        "relations": "SELECT videoidb AS id, weight FROM videorelations WHERE videoida = ? "
                     "UNION ALL SELECT videoida AS id, weight FROM videorelations "
                     "WHERE videoidb = ?",
        "played": "INSERT INTO playedvideos (videoid, timestamp, random) VALUES (?, ?, ?)",
        "forget": "DELETE FROM videorelations WHERE videoida = ? OR videoidb = ?",
        "forget_played": "DELETE FROM playedvideos WHERE videoid = ?",
    },
}
