"""``subsonic.db``: what Subsonic clients record that music.db has no place for.

Stars of albums and artists, ratings (songs, albums, artists) and play counts
(scrobbles), per user.  A song's star is music.db's ``favorite`` (the WebUI's
"love") and is not kept here; only the time a client starred it is.  Kinds are
``"song"``, ``"album"`` and ``"artist"``.
"""

from .sqlite import Database, apply_schema, create_indexes

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, value TEXT DEFAULT '');
CREATE TABLE stars (user TEXT, kind TEXT, itemid INTEGER, created INTEGER,
    PRIMARY KEY (user, kind, itemid));
CREATE TABLE ratings (user TEXT, kind TEXT, itemid INTEGER, rating INTEGER,
    PRIMARY KEY (user, kind, itemid));
CREATE TABLE plays (user TEXT, songid INTEGER, count INTEGER DEFAULT 0, lastplayed INTEGER,
    PRIMARY KEY (user, songid));
"""

INDEXES = """
CREATE INDEX IF NOT EXISTS plays_songid ON plays (songid);
"""

KINDS = ("song", "album", "artist")


class AnnotationDatabase(Database):
    """Stars, ratings and plays of Subsonic clients.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path):
        super().__init__(path)
        apply_schema(self, SCHEMA, SCHEMA_VERSION, "subsonic")
        create_indexes(self, INDEXES)

    def star(self, user, kind, itemid, when):
        self.execute("INSERT OR IGNORE INTO stars (user, kind, itemid, created) VALUES (?, ?, ?, ?)",
                     (user, kind, itemid, when))

    def unstar(self, user, kind, itemid):
        self.execute("DELETE FROM stars WHERE user = ? AND kind = ? AND itemid = ?",
                     (user, kind, itemid))

    def stars(self, user, kind):
        """``{itemid: created}`` of the user's stars of one kind."""
        rows = self.rows("SELECT itemid, created FROM stars WHERE user = ? AND kind = ?",
                         (user, kind))
        return {row["itemid"]: row["created"] for row in rows}

    def set_rating(self, user, kind, itemid, rating):
        """Store a rating 1-5; 0 removes it."""
        if rating:
            self.execute("INSERT OR REPLACE INTO ratings (user, kind, itemid, rating) "
                         "VALUES (?, ?, ?, ?)", (user, kind, itemid, rating))
        else:
            self.execute("DELETE FROM ratings WHERE user = ? AND kind = ? AND itemid = ?",
                         (user, kind, itemid))

    def ratings(self, user, kind):
        """``{itemid: rating}`` of the user's ratings of one kind."""
        rows = self.rows("SELECT itemid, rating FROM ratings WHERE user = ? AND kind = ?",
                         (user, kind))
        return {row["itemid"]: row["rating"] for row in rows}

    def played(self, user, songid, when):
        """Count one play of ``songid`` by ``user`` at ``when`` (unix seconds)."""
        with self.transaction():
            if not self.execute("UPDATE plays SET count = count + 1, lastplayed = max(lastplayed, ?) "
                                "WHERE user = ? AND songid = ?", (when, user, songid)).rowcount:
                self.execute("INSERT INTO plays (user, songid, count, lastplayed) "
                             "VALUES (?, ?, 1, ?)", (user, songid, when))

    def plays(self, user):
        """``{songid: (count, lastplayed)}`` of one user."""
        rows = self.rows("SELECT songid, count, lastplayed FROM plays WHERE user = ?", (user,))
        return {row["songid"]: (row["count"], row["lastplayed"]) for row in rows}
