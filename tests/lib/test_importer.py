"""Importing the music directory into the database (musicdb.lib.importer)."""

import hashlib
import os
import shutil
import sqlite3
import threading
import time

import gevent
import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPOS, TRCK
from PIL import Image

from musicdb.demo.library import FORMATS, make_broken_file
from musicdb.lib.db.trackerdb import TrackerDatabase
from musicdb.lib.importer import forget, import_music, remove_missing, remove_path
from musicdb.lib.musicdirectory import PathError
from tests.support import main_thread_times


def rows(library, sql, params=()):
    database = library.database()
    try:
        return database.rows(sql, params)
    finally:
        database.close()


def albums_of(songs):
    albums = {}
    for song in songs:
        albums.setdefault(song["path"].rsplit("/", 1)[0], []).append(song)
    return albums


# -- what an import stores --------------------------------------------------------------

def test_every_format_is_imported_with_names_and_numbers_from_the_path(imported_library):
    """Each generated file (mp3, flac, ogg, opus, m4a) is one song row like MusicDB 8 fills it."""
    library = imported_library
    stored = {row["path"]: row for row in rows(library, "SELECT * FROM songs")}
    assert {song["format"] for song in library.songs} == set(FORMATS)
    assert len(stored) == len(library.songs)
    for song in library.songs:
        row = stored[song["path"]]
        assert (row["name"], row["number"], row["cd"]) == (song["title"], song["track"], song["cd"])
        assert row["disabled"] == 0 and row["likes"] == 0 and row["lyricsstate"] == 0
        assert row["playtime"] == song["seconds"]
        assert row["bitrate"] > 0
        data = (library.music / song["path"]).read_bytes()
        assert row["checksum"] == hashlib.sha256(data).hexdigest()
    assert library.summary.line() == \
        f"{len(library.songs)} added, 0 updated, 0 unchanged, 0 failed, 0 missing"


def test_albums_and_artists_get_their_columns_from_path_and_files(imported_library):
    """numofsongs, numofcds (highest CD), release, name from the path, added = directory mtime."""
    library = imported_library
    albums = {row["path"]: row for row in rows(library, "SELECT * FROM albums")}
    artists = {row["artistid"]: row for row in rows(library, "SELECT * FROM artists")}
    for path, songs in albums_of(library.songs).items():
        album = albums[path]
        assert album["name"] == songs[0]["album"] and album["release"] == songs[0]["release"]
        assert album["numofsongs"] == len(songs)
        assert album["numofcds"] == max(song["cd"] for song in songs)
        assert album["added"] == int(os.stat(library.music / path).st_mtime)
        assert album["hidden"] == 0 and album["origin"] in ("internet", "CD")
        artist = artists[album["artistid"]]
        assert artist["name"] == artist["path"] == songs[0]["artist"] == path.split("/")[0]
    assert len(albums) == len(albums_of(library.songs))


def test_album_artwork_is_written_with_every_scale(imported_library):
    """Embedded covers become <Artist> - <Album>.jpg plus NxN copies; others use default.jpg."""
    library = imported_library
    artwork = library.data / "webdata" / "artwork"
    assert (artwork / "default.jpg").is_file()
    albums = {row["path"]: row for row in rows(library, "SELECT * FROM albums")}
    for scale in (150, 200, 500, 1000):  # group-writable whatever the umask (MusicDB 8)
        assert (artwork / f"{scale}x{scale}").stat().st_mode & 0o777 == 0o775
    for path, songs in albums_of(library.songs).items():
        name = albums[path]["artworkpath"]
        if not songs[0]["artwork"]:
            assert name == "default.jpg"
            continue
        expected = f"{songs[0]['artist']} - {songs[0]['album']}.jpg".replace("/", "\u2215")
        assert name == expected
        assert Image.open(artwork / name).format == "JPEG"
        for scale in (150, 200, 500, 1000):
            with Image.open(artwork / f"{scale}x{scale}" / name) as scaled:
                assert scaled.size == (96, 96)  # small covers are never enlarged


def test_reimport_restores_missing_scaled_artwork(library_home):
    """A scale directory that is gone (a new [albumcover] scales value, or deleted by hand)
    is filled again from the full-size artwork on the next import."""
    library = library_home()
    artwork = library.data / "webdata" / "artwork"
    names = {row["artworkpath"] for row in rows(library, "SELECT artworkpath FROM albums")}
    names.discard("default.jpg")
    shutil.rmtree(artwork / "200x200")
    (artwork / "150x150" / next(iter(names))).unlink()
    library.import_()
    for name in names:
        for scale in (150, 200):
            with Image.open(artwork / f"{scale}x{scale}" / name) as scaled:
                assert scaled.format == "JPEG" and scaled.size == (96, 96)


def test_albums_whose_artwork_names_collide_get_files_of_their_own(library_home):
    """"A - B"/"2000 - C" and "A"/"2000 - B - C" both make "A - B - C.jpg": the second album
    gets another name instead of overwriting the first one's artwork."""
    library = library_home(imported=False)
    cover = next(s for s in library.songs if s["format"] == "mp3" and s["artwork"])["path"]
    for album in ("A - B/2000 - C", "A/2000 - B - C", "A/2000 - B - C (2000)"):
        (library.music / album).mkdir(parents=True)
        shutil.copy(library.music / cover, library.music / album / "01 Song.mp3")
    library.import_()
    names = [row["artworkpath"] for row in rows(
        library, "SELECT artworkpath FROM albums WHERE path LIKE 'A%' ORDER BY albumid")]
    assert len(set(names)) == 3 and "default.jpg" not in names
    assert all((library.data / "webdata" / "artwork" / "150x150" / name).is_file()
               for name in names)


def test_cover_file_in_the_album_folder_is_used_and_scaled(library_home, tmp_path):
    """An album without embedded art takes folder.png, converted to JPEG, scaled to fit NxN."""
    library = library_home(imported=False)
    album = next(path for path, songs in albums_of(library.songs).items()
                 if not songs[0]["artwork"])
    Image.new("RGB", (800, 600), (200, 30, 30)).save(library.music / album / "Folder.png")
    library.import_()
    name = rows(library, "SELECT * FROM albums WHERE path = ?", (album,))[0]["artworkpath"]
    artwork = library.data / "webdata" / "artwork"
    with Image.open(artwork / name) as full, Image.open(artwork / "150x150" / name) as small:
        assert (full.format, full.size) == ("JPEG", (800, 600))
        assert small.size[0] == 150 and small.size[1] in (112, 113)  # aspect ratio kept


def test_broken_file_is_reported_by_path_and_the_rest_is_imported(library_home):
    """A file with an audio extension but no audio is skipped and named in the summary."""
    library = library_home(imported=False)
    album = next(iter(albums_of(library.songs)))
    make_broken_file(library.music / album / "99 Broken.mp3")
    summary = library.import_()
    assert summary.failed == 1 and summary.failures[0][0] == f"{album}/99 Broken.mp3"
    assert summary.added == len(library.songs)
    assert not rows(library, "SELECT * FROM songs WHERE path LIKE '%Broken.mp3'")


def test_album_of_only_broken_files_creates_no_entries(library_home):
    """Neither artist nor album rows appear for a directory without one readable song."""
    library = library_home(imported=False)
    make_broken_file(library.music / "Broken Band" / "2001 - Noise" / "01 Hiss.flac")
    summary = library.import_()
    assert summary.failed == 1
    assert not rows(library, "SELECT * FROM artists WHERE path = 'Broken Band'")
    assert not rows(library, "SELECT * FROM albums WHERE path LIKE 'Broken Band/%'")


def add_latin1_names(library):
    """Copy a song into an album directory and under a file name that are Latin-1 bytes."""
    song = library.songs[0]
    source = bytes(library.music / song["path"])
    album = bytes(library.music / song["path"].rsplit("/", 1)[0])
    os.makedirs(bytes(library.music) + b"/Band/2000 - Caf\xe9")
    shutil.copy(source, bytes(library.music) + b"/Band/2000 - Caf\xe9/01 Song.mp3")
    shutil.copy(source, album + b"/98 Caf\xe9.mp3")


def test_names_that_are_not_utf8_are_reported_and_the_rest_is_imported(library_home):
    """Latin-1 file names (old disks) fail by name instead of crashing the whole import."""
    library = library_home(imported=False)
    add_latin1_names(library)
    summary = library.import_()
    album = library.songs[0]["path"].rsplit("/", 1)[0]
    assert sorted(path for path, _ in summary.failures) == \
        ["Band/2000 - Caf\\xe9/01 Song.mp3", f"{album}/98 Caf\\xe9.mp3"]
    assert all("not valid UTF-8" in reason for _, reason in summary.failures)
    assert summary.added == len(library.songs)
    assert not rows(library, "SELECT * FROM artists WHERE path = 'Band'")


def odd_album(library):
    """A free-form album of MP3s with real-world tags: ID3v2.3 Latin-1 with "3/12", "2/2"
    and a full date, ID3v1 only, no tags at all; plus a FLAC with an upper-case extension."""
    mp3 = next(s for s in library.songs if s["format"] == "mp3")["path"]
    flac = next(s for s in library.songs if s["format"] == "flac")["path"]
    album = library.music / "Odd Band" / "Greatest Hits"
    album.mkdir(parents=True)
    for name in ("Track Three.MP3", "Old.mp3", "Nothing.mp3"):
        shutil.copy(library.music / mp3, album / name)
        ID3(album / name).delete(album / name)
    tags = ID3()
    for frame in (TIT2(encoding=0, text="Caf\xe9"), TALB(encoding=0, text="Gr\xfc\xdfe"),
                  TRCK(encoding=0, text="3/12"), TPOS(encoding=0, text="2/2"),
                  TDRC(encoding=0, text="2001-05-03")):
        tags.add(frame)
    tags.save(album / "Track Three.MP3", v2_version=3)
    with open(album / "Old.mp3", "ab") as handle:
        handle.write(b"TAG" + b"Old Song".ljust(30, b"\0") + b"Old Artist".ljust(30, b"\0")
                     + b"Old Album".ljust(30, b"\0") + b"1987" + bytes(28) + b"\0\x04\x11")
    loud = library.music / "Odd Band" / "2003 - Loud"
    loud.mkdir()
    shutil.copy(library.music / flac, loud / "01 Shout.FLAC")


def test_real_world_tags_and_names_fill_in_where_the_path_does_not_tell(library_home):
    """Free-form names take title, track ("3/12"), CD ("2/2") and year from ID3v2.3 Latin-1
    or ID3v1 tags; untagged files keep their file name; .FLAC is a song."""
    library = library_home(imported=False)
    odd_album(library)
    summary = library.import_()
    assert summary.failed == 0 and summary.added == len(library.songs) + 4
    album = rows(library, "SELECT * FROM albums WHERE path = 'Odd Band/Greatest Hits'")[0]
    # release: the first song in file order whose tags give a year ("Nothing.mp3" has none)
    assert (album["name"], album["release"], album["numofsongs"]) == ("Greatest Hits", 1987, 3)
    songs = {row["path"].rsplit("/", 1)[1]: (row["name"], row["number"], row["cd"])
             for row in rows(library, "SELECT * FROM songs WHERE albumid = ?", (album["albumid"],))}
    assert songs == {"Track Three.MP3": ("Caf\xe9", 3, 2), "Old.mp3": ("Old Song", 4, 1),
                     "Nothing.mp3": ("Nothing", 0, 1)}
    loud = rows(library, "SELECT * FROM songs WHERE path = 'Odd Band/2003 - Loud/01 Shout.FLAC'")
    assert [(row["name"], row["number"], row["cd"]) for row in loud] == [("Shout", 1, 1)]


def test_songs_in_cd_sub_directories_are_reported_not_silently_skipped(library_home):
    """Album/CD1/01 Song.mp3 is no MusicDB layout: each such file is a named failure."""
    library = library_home(imported=False)
    mp3 = next(s for s in library.songs if s["format"] == "mp3")["path"]
    for cd in ("CD1", "CD2"):
        (library.music / "Band" / "2002 - Double" / cd).mkdir(parents=True)
        shutil.copy(library.music / mp3, library.music / "Band" / "2002 - Double" / cd / "01 A.mp3")
    summary = library.import_()
    assert summary.added == len(library.songs) and summary.failed == 2
    assert [path for path, _ in summary.failures] == \
        ["Band/2002 - Double/CD1/01 A.mp3", "Band/2002 - Double/CD2/01 A.mp3"]
    assert all("sub-directory" in reason for _, reason in summary.failures)
    assert not rows(library, "SELECT * FROM albums WHERE path = 'Band/2002 - Double'")


# -- re-import --------------------------------------------------------------------------

def test_reimport_adds_nothing_and_touches_no_row(library_home):
    """Running the import twice leaves every row as it was and reports all songs unchanged."""
    library = library_home()
    before = rows(library, "SELECT * FROM songs ORDER BY songid")
    albums = rows(library, "SELECT * FROM albums ORDER BY albumid")
    summary = library.import_()
    assert summary.line() == \
        f"0 added, 0 updated, {len(library.songs)} unchanged, 0 failed, 0 missing"
    assert rows(library, "SELECT * FROM songs ORDER BY songid") == before
    assert rows(library, "SELECT * FROM albums ORDER BY albumid") == albums


def test_reimport_without_the_import_cache_hashes_and_still_finds_nothing_new(library_home):
    """Losing importcache.db only costs time: checksums decide, nothing is added twice."""
    library = library_home()
    os.remove(library.data / "importcache.db")
    summary = library.import_()
    assert summary.unchanged == len(library.songs) and summary.added == summary.updated == 0


def test_changed_file_updates_its_row_and_keeps_statistics(library_home):
    """A retagged file gets the new checksum in place; likes and the song ID stay."""
    library = library_home()
    song = next(s for s in library.songs if s["format"] == "flac")
    database = library.database()
    songid = database.find_song_by_path(song["path"])["id"]
    database.execute("UPDATE songs SET likes = 5 WHERE songid = ?", (songid,))
    database.close()
    audio = FLAC(library.music / song["path"])
    audio["COMMENT"] = "retagged"
    audio.save()
    summary = library.import_()
    row = rows(library, "SELECT * FROM songs WHERE songid = ?", (songid,))[0]
    assert (summary.updated, summary.added) == (1, 0)
    assert row["likes"] == 5
    data = (library.music / song["path"]).read_bytes()
    assert row["checksum"] == hashlib.sha256(data).hexdigest()


def test_renamed_song_file_keeps_its_row(library_home):
    """A file renamed in its album keeps song ID and statistics (MusicDB 8 lost them)."""
    library = library_home()
    song = library.songs[0]
    old = library.music / song["path"]
    newpath = song["path"].rsplit("/", 1)[0] + f"/{song['track']:02d} Renamed Song.{song['format']}"
    songid = rows(library, "SELECT songid FROM songs WHERE path = ?", (song["path"],))[0]["songid"]
    old.rename(library.music / newpath)
    summary = library.import_()
    row = rows(library, "SELECT * FROM songs WHERE songid = ?", (songid,))[0]
    assert (row["path"], row["name"]) == (newpath, "Renamed Song")
    assert (summary.added, summary.updated, summary.missing) == (0, 1, [])
    assert len(rows(library, "SELECT * FROM songs")) == len(library.songs)


def test_renamed_album_directory_keeps_the_album_row(library_home):
    """A renamed album directory moves album and songs; name and release follow the path."""
    library = library_home()
    path, songs = next(iter(albums_of(library.songs).items()))
    before = rows(library, "SELECT albumid, numofsongs FROM albums WHERE path = ?", (path,))[0]
    newpath = f"{songs[0]['artist']}/1999 - Moved Album"
    (library.music / path).rename(library.music / newpath)
    summary = library.import_()
    album = rows(library, "SELECT * FROM albums WHERE albumid = ?", (before["albumid"],))[0]
    assert (album["path"], album["name"], album["release"]) == (newpath, "Moved Album", 1999)
    assert album["numofsongs"] == before["numofsongs"]
    assert (summary.added, summary.updated) == (0, len(songs))
    moved = rows(library, "SELECT path FROM songs WHERE albumid = ?", (before["albumid"],))
    assert all(row["path"].startswith(newpath + "/") for row in moved)


def test_album_renamed_with_a_bonus_track_added_keeps_its_row(library_home):
    """Renaming an album directory and adding a file at once still moves the album row
    (tags, colours, artwork stay); the new file is one more song of it, no row is left empty."""
    library = library_home()
    path, songs = next(iter(albums_of(library.songs).items()))
    albumid = rows(library, "SELECT albumid FROM albums WHERE path = ?", (path,))[0]["albumid"]
    newpath = f"{songs[0]['artist']}/2010 - Remastered"
    (library.music / path).rename(library.music / newpath)
    bonus = library.music / newpath / f"1-99 Bonus.{songs[0]['format']}"
    shutil.copy(library.music / newpath / songs[0]["path"].rsplit("/", 1)[1], bonus)
    with open(bonus, "ab") as handle:
        handle.write(b"\0")
    summary = library.import_()
    album = rows(library, "SELECT * FROM albums WHERE albumid = ?", (albumid,))[0]
    assert (album["path"], album["numofsongs"]) == (newpath, len(songs) + 1)
    assert (summary.added, summary.updated, summary.missing) == (1, len(songs), [])
    assert not rows(library, "SELECT * FROM albums WHERE numofsongs = 0")


def test_new_song_in_a_known_album_is_added_and_counted(library_home):
    """Copying a file into an imported album adds one row and raises numofsongs."""
    library = library_home()
    path, songs = next(iter(albums_of(library.songs).items()))
    source = library.music / songs[0]["path"]
    copy = library.music / path / f"1-99 Bonus.{songs[0]['format']}"
    shutil.copy(source, copy)
    with open(copy, "ab") as handle:
        handle.write(b"\0")  # another checksum, so it is no move of songs[0]
    summary = library.import_()
    album = rows(library, "SELECT * FROM albums WHERE path = ?", (path,))[0]
    assert (summary.added, summary.unchanged) == (1, len(library.songs))
    assert album["numofsongs"] == len(songs) + 1


# -- songs whose files are gone --------------------------------------------------------

def delete_files(library):
    """Delete one whole album directory and one song of another album; returns their paths."""
    albums = albums_of(library.songs)
    gone_album, rest = next((path, songs) for path, songs in albums.items())
    other = next(songs for path, songs in albums.items()
                 if path != gone_album and len(songs) > 1)
    shutil.rmtree(library.music / gone_album)
    os.remove(library.music / other[0]["path"])
    return [song["path"] for song in rest], other[0]["path"]


def test_deleted_song_is_listed_as_missing_and_keeps_its_row(library_home):
    """Re-import after deleting files: the songs are reported missing, their rows and likes stay
    (an unmounted disk must not wipe statistics); nothing else changes."""
    library = library_home()
    album, song = delete_files(library)
    database = library.database()
    database.execute("UPDATE songs SET likes = 3 WHERE path = ?", (song,))
    database.close()
    summary = library.import_()
    assert summary.missing == sorted(album + [song])
    assert summary.unchanged == len(library.songs) - len(album) - 1
    assert rows(library, "SELECT likes FROM songs WHERE path = ?", (song,)) == [{"likes": 3}]
    assert len(rows(library, "SELECT * FROM songs")) == len(library.songs)


def test_remove_missing_drops_songs_relations_and_emptied_albums(library_home):
    """remove_missing deletes the missing songs with tags and tracker rows; an album left
    without songs goes too, the other album is recounted, present songs stay."""
    library = library_home()
    album, song = delete_files(library)
    database = library.database()
    tracker = TrackerDatabase(str(library.data / "tracker.db"))
    ids = {row["path"]: row["songid"] for row in database.rows("SELECT songid, path FROM songs")}
    kept = next(songid for path, songid in ids.items() if path not in album + [song])
    tracker.execute("INSERT INTO songrelations (songida, songidb) VALUES (?, ?)", (kept, ids[song]))
    tracker.execute("INSERT INTO playedsongs (songid) VALUES (?)", (ids[album[0]],))
    database.execute("INSERT INTO songtags (songid, tagid) VALUES (?, 1)", (ids[song],))
    summary = library.import_()
    assert remove_missing(library.cfg, database, summary, tracker) == len(album) + 1
    assert len(database.rows("SELECT * FROM songs")) == len(library.songs) - len(album) - 1
    assert database.find_album_by_path(album[0].rsplit("/", 1)[0]) is None
    other = database.find_album_by_path(song.rsplit("/", 1)[0])
    assert other["numofsongs"] == len(database.get_album_songs(other["id"]))
    assert not database.rows("SELECT * FROM songtags")
    assert not tracker.rows("SELECT * FROM songrelations") + tracker.rows("SELECT * FROM playedsongs")
    assert library.import_().missing == []
    database.close()
    tracker.close()


def test_remove_missing_removes_an_artist_left_without_albums(library_home):
    """When every album of an artist is gone from disk, the artist entry goes too."""
    library = library_home()
    artist = library.songs[-1]["artist"]
    shutil.rmtree(library.music / artist)
    database = library.database()
    remove_missing(library.cfg, database, library.import_())
    assert database.find_artist_by_path(artist) is None
    assert not database.rows("SELECT * FROM songs WHERE path LIKE ?", (artist + "/%",))
    database.close()


def test_remove_missing_refuses_when_the_music_directory_is_empty(library_home):
    """An unmounted music directory (no song file found) never empties the library."""
    library = library_home()
    shutil.rmtree(library.music)
    library.music.mkdir()
    summary = library.import_()
    assert len(summary.missing) == len(library.songs)
    database = library.database()
    with pytest.raises(PathError, match="no song files"):
        remove_missing(library.cfg, database, summary)
    assert len(database.rows("SELECT * FROM songs")) == len(library.songs)
    database.close()


def test_import_of_one_album_lists_only_its_missing_songs(library_home):
    """Missing songs are looked for below the imported path only."""
    library = library_home()
    album, song = delete_files(library)
    summary = library.import_(song.rsplit("/", 1)[0])
    assert summary.missing == [song]


# -- what is imported -------------------------------------------------------------------

def test_ignore_lists_skip_artists_albums_and_songs(library_home):
    """[music] ignoreartists/ignorealbums/ignoresongs name directories and files never imported."""
    albums = albums_of(library_home(name="probe", imported=False).songs)
    paths = list(albums)
    artist = paths[0].split("/")[0]
    album = next(p for p in paths if not p.startswith(artist + "/"))
    song = next(s for p, ss in albums.items() if p != album and not p.startswith(artist + "/")
                for s in ss)
    extra = (f"[music]\nignoreartists = {artist} / lost+found\n"
             f"ignorealbums = {album.split('/')[1]}\nignoresongs = {song['path'].split('/')[2]}\n")
    library = library_home(extra=extra)
    stored = {row["path"] for row in rows(library, "SELECT path FROM songs")}
    assert not any(path.startswith(artist + "/") or path.startswith(album + "/")
                   for path in stored)
    assert song["path"] not in stored and stored


def test_import_of_one_album_path_imports_only_that_album(library_home):
    """A path to an album imports its songs and nothing else; absolute paths work too."""
    library = library_home(imported=False)
    path, songs = next(iter(albums_of(library.songs).items()))
    summary = library.import_(str(library.music / path))
    assert summary.added == len(songs)
    assert {row["path"] for row in rows(library, "SELECT path FROM songs")} == \
        {song["path"] for song in songs}


def test_paths_outside_the_music_directory_are_refused(library_home, tmp_path):
    """.. and absolute paths elsewhere raise PathError before anything is read."""
    library = library_home(imported=False)
    with pytest.raises(PathError):
        library.import_("../data")
    with pytest.raises(PathError):
        library.import_(str(tmp_path))
    assert not rows(library, "SELECT * FROM songs")


def test_symlinked_album_out_of_the_root_is_not_imported(library_home, demo_library, tmp_path):
    """A symlink pointing out of the music directory is skipped (MusicDB 8 followed it)."""
    library = library_home(imported=False)
    outside = tmp_path / "outside"
    path = next(iter(albums_of(library.songs)))
    shutil.copytree(demo_library.root / path, outside / "2000 - Elsewhere")
    artistdir = library.music / path.split("/")[0]
    os.symlink(outside / "2000 - Elsewhere", artistdir / "2000 - Elsewhere")
    os.symlink(outside, library.music / "Outside Artist")
    summary = library.import_()
    assert summary.added == len(library.songs)
    assert not rows(library, "SELECT * FROM albums WHERE name = 'Elsewhere'")


# -- removal ----------------------------------------------------------------------------

def test_remove_album_deletes_rows_tags_and_tracker_entries_not_files(library_home):
    """remove_path on an album drops its songs, their tags and play relations; files stay."""
    library = library_home()
    path, songs = next(iter(albums_of(library.songs).items()))
    database = library.database()
    ids = [r["songid"] for r in database.rows("SELECT songid FROM songs WHERE path LIKE ?",
                                                  (path + "/%",))]
    other = database.value("SELECT songid FROM songs WHERE path NOT LIKE ?", (path + "/%",))
    database.execute("INSERT INTO songtags (songid, tagid) VALUES (?, 1)", (ids[0],))
    tracker = TrackerDatabase(str(library.data / "tracker.db"))
    tracker.execute("INSERT INTO songrelations (songida, songidb) VALUES (?, ?)", (ids[0], other))
    assert remove_path(library.cfg, database, path, tracker) == ("album", len(songs))
    assert not database.rows("SELECT * FROM songs WHERE path LIKE ?", (path + "/%",))
    assert not database.rows("SELECT * FROM songtags WHERE songid = ?", (ids[0],))
    assert not database.find_album_by_path(path)
    assert not tracker.rows("SELECT * FROM songrelations")
    assert (library.music / songs[0]["path"]).is_file()
    database.close()
    tracker.close()


def test_remove_artist_also_removes_hidden_albums_and_videos(library_home):
    """MusicDB 8 left hidden albums and videos of a removed artist orphaned; we remove them,
    and the videos' play relations with them."""
    library = library_home()
    artist = library.songs[0]["artist"]
    database = library.database()
    artistid = database.find_artist_by_path(artist)["id"]
    database.execute("UPDATE albums SET hidden = 1 WHERE artistid = ?", (artistid,))
    videoid = database.execute("INSERT INTO videos (artistid, name, path) VALUES (?, 'V', ?)",
                               (artistid, f"{artist}/2000 - V.mp4")).lastrowid
    tracker = TrackerDatabase(str(library.data / "tracker.db"))
    tracker.execute("INSERT INTO videorelations (videoida, videoidb) VALUES (?, 99)", (videoid,))
    tracker.execute("INSERT INTO playedvideos (videoid) VALUES (?)", (videoid,))
    kind, removed = remove_path(library.cfg, database, artist, tracker)
    assert kind == "artist" and removed == sum(s["artist"] == artist for s in library.songs)
    for table in ("albums", "songs", "videos"):
        assert not database.rows(f"SELECT * FROM {table} WHERE artistid = ?", (artistid,))
    assert not tracker.rows("SELECT * FROM videorelations") + tracker.rows(
        "SELECT * FROM playedvideos")
    database.close()
    tracker.close()


def test_forgetting_many_songs_never_holds_the_tracker_lock_long(tmp_path):
    """With 200,000 relations each forget takes milliseconds: a server recording a played
    song meanwhile waits for one song's transaction, not for all 300."""
    tracker = TrackerDatabase(str(tmp_path / "tracker.db"))
    relations = [(number % 20000, number * 7 % 20000) for number in range(200000)]
    with tracker.transaction():
        tracker.executemany("INSERT INTO songrelations (songida, songidb) VALUES (?, ?)",
                            relations)
    waits, done = [], threading.Event()

    def play():
        other = sqlite3.connect(str(tmp_path / "tracker.db"), timeout=10, isolation_level=None)
        while not done.is_set():
            started = main_thread_times()  # the forgetting thread's: its CPU waits don't count
            other.execute("BEGIN IMMEDIATE")
            now = main_thread_times()
            waits.append((now[0] - started[0]) - (now[1] - started[1]))
            other.execute("INSERT INTO playedsongs (songid) VALUES (1)")
            other.execute("COMMIT")
            time.sleep(0.002)
        other.close()

    player = threading.Thread(target=play)
    player.start()
    try:
        forget(tracker, range(300))
    finally:
        done.set()
        player.join()
    assert not tracker.value("SELECT count(*) FROM songrelations WHERE songida < 300")
    tracker.close()
    assert len(waits) > 10 and max(waits) < 0.5


def test_removing_an_unknown_path_raises_lookup_error(library_home):
    library = library_home()
    database = library.database()
    with pytest.raises(LookupError):
        remove_path(library.cfg, database, "Nobody/2000 - Nothing")
    database.close()


# -- the server's side: never block the hub -------------------------------------------

def test_import_in_a_greenlet_leaves_the_hub_free(library_home):
    """Reading, hashing and opening the import cache run in threads: a ticking greenlet
    never waits 100 ms (the music database is open already, as in the server).  Time the
    hub's thread spent waiting for a CPU on a busy machine is not the import's.  The ticks
    cover the whole import without a hole, however few of them a fast import leaves."""
    library = library_home(imported=False)
    database = library.database()
    gaps, done = [], []

    def tick():
        last = main_thread_times()
        while not done:
            gevent.sleep(0.005)
            now = main_thread_times()
            gaps.append((now[0] - last[0]) - (now[1] - last[1]))
            last = now

    ticker = gevent.spawn(tick)
    summary = gevent.spawn(import_music, library.cfg, database).get(timeout=60)
    done.append(True)
    ticker.join()
    database.close()
    assert summary.added == len(library.songs)
    assert gaps and max(gaps) < 0.1

