"""``subsonic.db``: what Subsonic clients record that music.db has no place for.

Stars of albums and artists, ratings (songs, albums, artists), play counts
(scrobbles), playlists and the saved play queue, per user.  A song's star is music.db's ``favorite`` (the WebUI's
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

# Tables added after version 1: created on open, so a version-1 file gains them.
ADDITIONS = """
CREATE TABLE IF NOT EXISTS playlists (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT,
    name TEXT, comment TEXT DEFAULT '', public INTEGER DEFAULT 0, created INTEGER,
    changed INTEGER);
CREATE TABLE IF NOT EXISTS playlist_songs (playlistid INTEGER, position INTEGER,
    songid INTEGER, PRIMARY KEY (playlistid, position));
CREATE TABLE IF NOT EXISTS playqueues (user TEXT PRIMARY KEY, current INTEGER,
    position INTEGER, changed INTEGER, changedby TEXT);
CREATE TABLE IF NOT EXISTS playqueue_songs (user TEXT, position INTEGER, songid INTEGER,
    PRIMARY KEY (user, position));
CREATE INDEX IF NOT EXISTS plays_songid ON plays (songid);
CREATE INDEX IF NOT EXISTS playlists_user ON playlists (user);
"""

KINDS = ("song", "album", "artist")


# The statement that sets each field a client may change (no SQL built from names).
_PLAYLIST_FIELDS = {
    "name": "UPDATE playlists SET name = ? WHERE id = ?",
    "comment": "UPDATE playlists SET comment = ? WHERE id = ?",
    "public": "UPDATE playlists SET public = ? WHERE id = ?",
}

class AnnotationDatabase(Database):
    """Stars, ratings and plays of Subsonic clients.

    Raises:
        DatabaseError: the file cannot be opened or has an unknown schema version.
    """

    def __init__(self, path):
        super().__init__(path)
        apply_schema(self, SCHEMA, SCHEMA_VERSION, "subsonic")
        create_indexes(self, ADDITIONS)

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

    # -- playlists ----------------------------------------------------------------------

    def playlists(self, user):
        """The playlists ``user`` may read (their own and public ones), without songs."""
        return self.rows("SELECT p.*, (SELECT count(*) FROM playlist_songs s WHERE "
                         "s.playlistid = p.id) AS songcount FROM playlists p "
                         "WHERE p.user = ? OR p.public ORDER BY p.id", (user,))

    def playlist(self, playlistid):
        """The playlist row (a dict) with ``songids`` in order, or None."""
        row = self.row("SELECT * FROM playlists WHERE id = ?", (playlistid,))
        if row is None:
            return None
        found = dict(row)
        found["songids"] = self.playlist_songs(playlistid)
        return found

    def playlist_songs(self, playlistid):
        return [r["songid"] for r in self.rows(
            "SELECT songid FROM playlist_songs WHERE playlistid = ? ORDER BY position",
            (playlistid,))]

    def create_playlist(self, user, name, songids, when):
        """A new playlist of ``user``; returns its ID."""
        with self.transaction():
            playlistid = self.execute(
                "INSERT INTO playlists (user, name, created, changed) VALUES (?, ?, ?, ?)",
                (user, name, when, when)).lastrowid
            self._set_songs(playlistid, songids)
        return playlistid

    def update_playlist(self, playlistid, when, songids=None, **fields):
        """Set ``fields`` (name, comment, public) and, unless None, the songs."""
        with self.transaction():
            for name, value in fields.items():
                if name in _PLAYLIST_FIELDS and value is not None:
                    self.execute(_PLAYLIST_FIELDS[name], (value, playlistid))
            if songids is not None:
                self._set_songs(playlistid, songids)
            self.execute("UPDATE playlists SET changed = ? WHERE id = ?", (when, playlistid))

    def delete_playlist(self, playlistid):
        with self.transaction():
            self.execute("DELETE FROM playlist_songs WHERE playlistid = ?", (playlistid,))
            self.execute("DELETE FROM playlists WHERE id = ?", (playlistid,))

    def _set_songs(self, playlistid, songids):
        self.execute("DELETE FROM playlist_songs WHERE playlistid = ?", (playlistid,))
        self.executemany("INSERT INTO playlist_songs (playlistid, position, songid) "
                         "VALUES (?, ?, ?)", [(playlistid, i, s) for i, s in enumerate(songids)])

    # -- the play queue -----------------------------------------------------------------

    def play_queue(self, user):
        """``{"songids", "current" (index or None), "position", "changed", "changedby"}``
        of the queue ``user`` saved, or None."""
        row = self.row("SELECT * FROM playqueues WHERE user = ?", (user,))
        if row is None:
            return None
        found = dict(row)
        found["songids"] = [r["songid"] for r in self.rows(
            "SELECT songid FROM playqueue_songs WHERE user = ? ORDER BY position", (user,))]
        return found

    def save_play_queue(self, user, songids, current, position, when, client):
        """Replace ``user``'s saved queue; no songs removes it."""
        with self.transaction():
            self.execute("DELETE FROM playqueue_songs WHERE user = ?", (user,))
            self.execute("DELETE FROM playqueues WHERE user = ?", (user,))
            if not songids:
                return
            self.execute("INSERT INTO playqueues (user, current, position, changed, changedby) "
                         "VALUES (?, ?, ?, ?, ?)", (user, current, position, when, client))
            self.executemany("INSERT INTO playqueue_songs (user, position, songid) "
                             "VALUES (?, ?, ?)", [(user, i, s) for i, s in enumerate(songids)])
