"""music.db and tracker.db: MusicDB 8's schema, its files opened unchanged, safe transactions."""

import sqlite3

import pytest

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.db.trackerdb import TrackerDatabase

# A music.db as MusicDB 8.2 creates it (foundations.md §3), with some content.
MUSICDB8_SQL = """
CREATE TABLE meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, value TEXT DEFAULT '');
INSERT INTO meta (key, value) VALUES ('version', 5);
CREATE TABLE artists (artistid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, path TEXT);
CREATE TABLE albums (albumid INTEGER PRIMARY KEY AUTOINCREMENT, artistid INTEGER, name TEXT,
  path TEXT, numofsongs INTEGER, numofcds INTEGER, origin TEXT, release INTEGER,
  artworkpath TEXT DEFAULT 'default.jpg', bgcolor TEXT DEFAULT '#101010',
  fgcolor TEXT DEFAULT '#F0F0F0', hlcolor TEXT DEFAULT '#909090', added INTEGER DEFAULT 0,
  hidden INTEGER DEFAULT 0);
CREATE TABLE songs (songid INTEGER PRIMARY KEY AUTOINCREMENT, albumid INTEGER, artistid INTEGER,
  name TEXT, path TEXT, number INTEGER, cd INTEGER, disabled INTEGER, playtime INTEGER,
  bitrate INTEGER, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0,
  favorite INTEGER DEFAULT 0, lyricsstate INTEGER DEFAULT 0, checksum TEXT DEFAULT "",
  lastplayed INTEGER DEFAULT 0, liverecording INTEGER DEFAULT 0, badaudio INTEGER DEFAULT 0);
CREATE TABLE lyrics (songid INTEGER, lyrics TEXT);
CREATE TABLE tags (tagid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, class INTEGER,
  parentid INTEGER DEFAULT NULL, icontype INTEGER DEFAULT NULL, icon TEXT DEFAULT NULL,
  color TEXT DEFAULT NULL, posx INTEGER DEFAULT NULL, posy INTEGER DEFAULT NULL);
INSERT INTO tags (name, class, posx) VALUES ("Other", 1, 0);
CREATE TABLE albumtags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, albumid INTEGER, tagid INTEGER,
  confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
CREATE TABLE songtags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER, tagid INTEGER,
  confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
CREATE TABLE videos (videoid INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER, albumid INTEGER,
  artistid INTEGER, name TEXT, path TEXT, disabled INTEGER DEFAULT 0, playtime INTEGER,
  origin TEXT, release INTEGER, added INTEGER, codec TEXT, xresolution INTEGER,
  yresolution INTEGER, framesdirectory TEXT, thumbnailfile TEXT, previewfile TEXT,
  likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, favorite INTEGER DEFAULT 0,
  liverecording INTEGER DEFAULT 0, badaudio INTEGER DEFAULT 0, checksum TEXT DEFAULT "",
  lastplayed INTEGER DEFAULT 0, lyricsvideo INTEGER DEFAULT 0, bgcolor TEXT DEFAULT '#101010',
  fgcolor TEXT DEFAULT '#F0F0F0', hlcolor TEXT DEFAULT '#909090', vbegin INTEGER DEFAULT 0,
  vend INTEGER DEFAULT NULL);
CREATE TABLE videotags (entryid INTEGER PRIMARY KEY AUTOINCREMENT, videoid INTEGER,
  tagid INTEGER, confidence REAL DEFAULT 1.0, approval INTEGER DEFAULT 1);
INSERT INTO artists (name, path) VALUES ('Ärzte', 'Ärzte');
INSERT INTO albums (artistid, name, path, numofsongs, numofcds, origin, release)
  VALUES (1, 'Debil', 'Ärzte/1984 - Debil', 1, 1, 'internet', 1984);
INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, playtime, bitrate)
  VALUES (1, 1, 'Zu spät', 'Ärzte/1984 - Debil/01 Zu spät.mp3', 1, 1, 0, 180, 320000);
"""

TRACKER8_SQL = """
CREATE TABLE meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, value TEXT DEFAULT '');
INSERT INTO meta (key, value) VALUES ('version', 4);
CREATE TABLE songrelations (id INTEGER PRIMARY KEY AUTOINCREMENT, songida INTEGER,
  songidb INTEGER, weight INTEGER DEFAULT 1);
CREATE TABLE videorelations (id INTEGER PRIMARY KEY AUTOINCREMENT, videoida INTEGER,
  videoidb INTEGER, weight INTEGER DEFAULT 1);
CREATE TABLE playedsongs (id INTEGER PRIMARY KEY AUTOINCREMENT, songid INTEGER,
  timestamp INTEGER DEFAULT 0, random INTEGER DEFAULT 0);
CREATE TABLE playedvideos (id INTEGER PRIMARY KEY AUTOINCREMENT, videoid INTEGER,
  timestamp INTEGER DEFAULT 0, random INTEGER DEFAULT 0);
INSERT INTO songrelations (songida, songidb, weight) VALUES (1, 2, 3);
"""


def make(path, sql):
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()


def columns(db, table):
    return [(row["name"], row["type"], row["dflt_value"])
            for row in db.rows(f"PRAGMA table_info({table})")]


def test_new_database_has_musicdb8_schema_and_version(tmp_path):
    made = MusicDatabase(str(tmp_path / "music.db"))
    make(str(tmp_path / "ref.db"), MUSICDB8_SQL)
    reference = MusicDatabase(str(tmp_path / "ref.db"))
    for table in ("artists", "albums", "songs", "videos", "lyrics", "tags",
                  "albumtags", "songtags", "videotags", "meta"):
        assert [c[:2] for c in columns(made, table)] == [c[:2] for c in columns(reference, table)]
    assert made.value("SELECT value FROM meta WHERE key='version'") == "5"
    assert made.get_tag(1)["name"] == "Other" and made.get_tag(1)["class"] == 1
    assert made.get_album(1) is None


def test_musicdb8_database_opens_with_its_data_unchanged(tmp_path):
    path = str(tmp_path / "music.db")
    make(path, MUSICDB8_SQL)
    db = MusicDatabase(path)
    song = db.get_song(1)
    assert song["id"] == 1 and song["name"] == "Zu spät" and song["playtime"] == 180
    assert db.get_album(1)["artworkpath"] == "default.jpg"
    assert db.get_artist(1) == {"id": 1, "name": "Ärzte", "path": "Ärzte"}


def test_new_database_defaults_match_the_spec(tmp_path):
    db = MusicDatabase(str(tmp_path / "music.db"))
    db.execute("INSERT INTO albums (artistid, name, path) VALUES (1, 'A', 'x/A')")
    album = db.get_album(1)
    assert (album["bgcolor"], album["fgcolor"], album["hlcolor"]) == ("#101010", "#F0F0F0", "#909090")
    assert album["hidden"] == 0 and album["added"] == 0


def test_musicdb8_tracker_database_opens_unchanged(tmp_path):
    path = str(tmp_path / "tracker.db")
    make(path, TRACKER8_SQL)
    db = TrackerDatabase(path)
    assert db.row("SELECT songida, songidb, weight FROM songrelations") == \
        {"songida": 1, "songidb": 2, "weight": 3}


def test_relation_lookups_use_an_index(tmp_path):
    db = TrackerDatabase(str(tmp_path / "tracker.db"))
    plan = db.rows("EXPLAIN QUERY PLAN SELECT * FROM songrelations WHERE songidb = 3")
    assert any("USING INDEX" in row["detail"] for row in plan)


def test_new_tracker_database_has_version_4(tmp_path):
    db = TrackerDatabase(str(tmp_path / "tracker.db"))
    assert db.value("SELECT value FROM meta WHERE key='version'") == "4"
    assert db.rows("SELECT * FROM playedsongs") == []


def test_unknown_schema_version_is_refused_clearly(tmp_path):
    path = str(tmp_path / "music.db")
    make(path, MUSICDB8_SQL.replace("('version', 5)", "('version', 3)"))
    with pytest.raises(DatabaseError, match="version 3"):
        MusicDatabase(path)


def test_a_file_that_is_no_database_is_refused(tmp_path):
    path = tmp_path / "music.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=str(path)):
        MusicDatabase(str(path))


def test_failed_transaction_leaves_nothing_behind(tmp_path):
    db = MusicDatabase(str(tmp_path / "music.db"))
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.execute("INSERT INTO artists (name, path) VALUES ('A', 'A')")
            with db.transaction():
                db.execute("INSERT INTO artists (name, path) VALUES ('B', 'B')")
            raise RuntimeError("interrupted")
    assert db.rows("SELECT * FROM artists") == []


def test_database_uses_wal_so_other_processes_can_read_while_it_writes(tmp_path):
    db = MusicDatabase(str(tmp_path / "music.db"))
    assert db.value("PRAGMA journal_mode") == "wal"
