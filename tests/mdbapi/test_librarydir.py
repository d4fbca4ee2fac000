"""librarydir: entry and music-directory edits keep files, rows, queues, tracker and search
consistent, refuse hostile paths, and undo a rename whose database write failed."""

import os
import shutil

import pytest

from musicdb.lib import datadir
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.renamejournal import RenameJournal
from musicdb.mdbapi import events, librarydir, server
from musicdb.mdbapi.librarydir import EditError, EditFailed, EntryNotFound

HOSTILE = ["../escape", "/etc", "Band/../../escape", "a\0b", "bad\udcffname",
           "x" * 300, "Link/inside"]


@pytest.fixture
def home(library_home, tmp_path):
    home = library_home()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", home.music / "Link")
    return home


@pytest.fixture
def app(home):
    datadir.prepare(home.cfg.directories.data)   # as the server does before build_app
    database = home.database()
    app = server.build_app(home.cfg, database)
    app.mise.UpdateCache()
    yield app
    database.close()
    app.trackerdb.close()


@pytest.fixture
def heard():
    """The domain events emitted during the test, by name."""
    names = []
    subscriber = lambda event: names.append(event.name)  # noqa: E731
    events.subscribe(subscriber)
    yield names
    events.unsubscribe(subscriber)


def first_song(app):
    return app.database.get_table("songs")[0]


def snapshot(home, app):
    """Every file below the music root and every path in the database."""
    files = sorted(os.path.relpath(os.path.join(d, f), home.music)
                   for d, _, names in os.walk(home.music) for f in names + _)
    rows = {table: sorted(app.database.known_paths(table))
            for table in ("artists", "albums", "songs", "videos")}
    return files, rows


# -- removals ---------------------------------------------------------------------------------

def test_removing_a_song_keeps_its_file_and_clears_everything_that_named_it(app, home, heard):
    """Row, tracker relations, queue entries and search hits go; the file and album count stay right."""
    song = first_song(app)
    other = app.database.get_table("songs")[1]["id"]
    app.trackerdb.add_relation("song", song["id"], other)
    app.songqueue.add(song["id"], "last")
    before = app.database.get_album(song["albumid"])["numofsongs"]
    librarydir.remove_song(app, song["id"])
    assert app.database.get_song(song["id"]) is None
    assert (home.music / song["path"]).is_file()
    assert app.database.get_album(song["albumid"])["numofsongs"] == before - 1
    assert app.trackerdb.relations("song", other) == []
    assert song["id"] not in [e["songid"] for e in app.songqueue.entries()]
    assert song["id"] not in app.mise.songs.ids
    assert events.LIBRARY_CHANGED in heard and events.SONGQUEUE_CHANGED in heard


def test_removing_the_queue_head_makes_the_next_song_the_head(app, heard):
    """A removed current song leaves the queue at once and the new head is announced."""
    songs = app.database.get_table("songs")
    app.songqueue.add(songs[0]["id"], "next")
    app.songqueue.add(songs[1]["id"], "last")
    librarydir.remove_song(app, songs[0]["id"])
    assert app.songqueue.current()["songid"] != songs[0]["id"]
    assert events.SONGQUEUE_HEAD in heard


def test_removing_an_album_and_an_artist_keeps_the_files(app, home):
    """Album and artist rows (with songs) go, every file stays."""
    files_before = snapshot(home, app)[0]
    album = app.database.get_table("albums")[0]
    librarydir.remove_album(app, album["id"])
    assert app.database.get_album(album["id"]) is None
    assert app.database.get_album_songs(album["id"]) == []
    artist = app.database.get_table("artists")[0]
    librarydir.remove_artist(app, artist["id"])
    assert app.database.get_artist(artist["id"]) is None
    assert app.database.get_albums(artist["id"]) == []
    assert artist["id"] not in app.mise.artists.ids
    assert snapshot(home, app)[0] == files_before


@pytest.mark.parametrize("call", [librarydir.remove_song, librarydir.remove_album,
                                  librarydir.remove_artist])
def test_removing_an_unknown_id_is_refused(app, call):
    with pytest.raises(EntryNotFound):
        call(app, 999999)


# -- songs ------------------------------------------------------------------------------------

def test_a_removed_song_can_be_created_again_from_its_file(app, heard):
    """CreateSongEntry reads the file like the import and puts the song in its album."""
    song = first_song(app)
    librarydir.remove_song(app, song["id"])
    songid = librarydir.create_song(app, song["path"])
    created = app.database.get_song(songid)
    for key in ("path", "name", "number", "cd", "albumid", "artistid", "checksum"):
        assert created[key] == song[key]
    assert songid in app.mise.songs.ids
    with pytest.raises(EditError, match="already"):
        librarydir.create_song(app, song["path"])


def test_a_song_outside_a_known_album_is_not_created(app, home):
    song = first_song(app)
    os.makedirs(home.music / "New" / "2020 - Fresh")
    shutil.copy(home.music / song["path"], home.music / "New" / "2020 - Fresh" / "01 A.mp3")
    with pytest.raises(EditError, match="album"):
        librarydir.create_song(app, "New/2020 - Fresh/01 A.mp3")


def test_updating_a_song_follows_a_file_moved_by_hand(app, home):
    """Path, name and number come from the new file name; statistics stay."""
    song = first_song(app)
    app.database.set_statistic("songs", song["id"], "likes", 3)
    newpath = song["path"].rsplit("/", 1)[0] + "/07 Renamed." + song["path"].rsplit(".", 1)[1]
    os.rename(home.music / song["path"], home.music / newpath)
    librarydir.update_song(app, song["id"], newpath)
    updated = app.database.get_song(song["id"])
    assert (updated["path"], updated["name"], updated["number"]) == (newpath, "Renamed", 7)
    assert updated["likes"] == 3


def test_an_unknown_song_id_or_missing_file_is_refused(app):
    song = first_song(app)
    with pytest.raises(EntryNotFound):
        librarydir.update_song(app, 999999, song["path"])
    with pytest.raises(EditError):
        librarydir.update_song(app, song["id"], "Nobody/2000 - None/01 X.mp3")


# -- albums and artists -----------------------------------------------------------------------

def test_updating_an_album_follows_a_directory_moved_by_hand(app, home):
    album = app.database.get_table("albums")[0]
    artist = album["path"].split("/")[0]
    os.rename(home.music / album["path"], home.music / artist / "1999 - Moved")
    librarydir.update_album(app, album["id"], artist + "/1999 - Moved")
    updated = app.database.get_album(album["id"])
    assert (updated["name"], updated["release"]) == ("Moved", 1999)
    for song in app.database.get_album_songs(album["id"]):
        assert song["path"].startswith(artist + "/1999 - Moved/")
        assert (home.music / song["path"]).is_file()


def test_creating_an_artist_makes_its_directory_once(app, home):
    """A new name gets a directory and an entry; the same name again gives the same entry."""
    created = librarydir.create_artist(app, "Néw Bänd")
    assert (home.music / "Néw Bänd").is_dir()
    assert created == {"id": created["id"], "name": "Néw Bänd", "path": "Néw Bänd"}
    assert librarydir.create_artist(app, "Néw Bänd") == created
    (home.music / "Blocker").write_text("x")
    assert librarydir.create_artist(app, "Blocker") is None


@pytest.mark.parametrize("name", ["..", ".hidden", "a/b", "a\0b", "bad\udcff", "x" * 300, 5])
def test_hostile_artist_names_are_refused(app, home, name):
    before = snapshot(home, app)
    with pytest.raises(EditError):
        librarydir.create_artist(app, name)
    assert snapshot(home, app) == before


def test_updating_an_artist_follows_its_directory(app, home):
    artist = app.database.get_table("artists")[0]
    os.rename(home.music / artist["path"], home.music / "Renamed Artist")
    librarydir.update_artist(app, artist["id"], "Renamed Artist")
    assert app.database.get_artist(artist["id"])["name"] == "Renamed Artist"
    for album in app.database.get_albums(artist["id"]):
        assert album["path"].startswith("Renamed Artist/")
        for song in app.database.get_album_songs(album["id"]):
            assert (home.music / song["path"]).is_file()


# -- renames ----------------------------------------------------------------------------------

def renamed_song_path(song, name="09 New Name"):
    return song["path"].rsplit("/", 1)[0] + f"/{name}." + song["path"].rsplit(".", 1)[1]


def test_renaming_a_song_file_moves_file_and_entry(app, home):
    song = first_song(app)
    newpath = renamed_song_path(song)
    assert librarydir.rename_music_file(app, song["path"], newpath) is True
    assert (home.music / newpath).is_file() and not (home.music / song["path"]).exists()
    updated = app.database.get_song(song["id"])
    assert (updated["path"], updated["name"], updated["number"]) == (newpath, "New Name", 9)
    assert not os.path.exists(RenameJournal(str(home.data)).path)


def test_a_song_rename_off_the_scheme_or_into_another_directory_answers_false(app, home):
    song = first_song(app)
    before = snapshot(home, app)
    assert librarydir.rename_music_file(app, song["path"], renamed_song_path(song, "NoNumber")) \
        is False
    other = app.database.get_table("albums")[-1]["path"]
    assert librarydir.rename_music_file(app, song["path"], other + "/01 X.mp3") is False
    assert snapshot(home, app) == before


def test_renames_that_collide_are_refused(app, home):
    """Another file's name, or its NFD spelling, is refused; nothing changes."""
    songs = app.database.get_album_songs(first_song(app)["albumid"])
    before = snapshot(home, app)
    with pytest.raises(EditError, match="collides"):
        librarydir.rename_music_file(app, songs[0]["path"], songs[1]["path"])
    albums = app.database.get_albums(songs[0]["artistid"])
    if len(albums) > 1:
        with pytest.raises(EditError, match="collides"):
            librarydir.rename_album_directory(app, albums[0]["path"], albums[1]["path"])
    os.mkdir(home.music / "Caf\u00e9")
    artist = app.database.get_table("artists")[0]["path"]
    with pytest.raises(EditError, match="collides"):
        librarydir.rename_artist_directory(app, artist, "Cafe\u0301")
    os.rmdir(home.music / "Caf\u00e9")
    assert snapshot(home, app) == before


def test_renaming_an_album_directory_moves_album_and_songs(app, home):
    album = app.database.get_table("albums")[0]
    newpath = album["path"].split("/")[0] + "/1990 - Other Name"
    assert librarydir.rename_album_directory(app, album["path"], newpath) is True
    updated = app.database.get_album(album["id"])
    assert (updated["path"], updated["name"], updated["release"]) == (newpath, "Other Name", 1990)
    for song in app.database.get_album_songs(album["id"]):
        assert (home.music / song["path"]).is_file()
    assert album["id"] in app.mise.albums.ids


def test_renaming_an_artist_directory_moves_everything_below(app, home):
    artist = app.database.get_table("artists")[0]
    assert librarydir.rename_artist_directory(app, artist["path"], "Brand New") is True
    assert app.database.get_artist(artist["id"])["path"] == "Brand New"
    for album in app.database.get_albums(artist["id"]):
        assert album["path"].startswith("Brand New/")
        for song in app.database.get_album_songs(album["id"]):
            assert (home.music / song["path"]).is_file()


def test_changing_the_artist_directory_of_an_album_creates_the_artist(app, home):
    album = app.database.get_table("albums")[0]
    assert librarydir.change_artist_directory(app, album["path"], "Other Artist") is True
    artist = app.database.find_artist_by_path("Other Artist")
    updated = app.database.get_album(album["id"])
    assert updated["artistid"] == artist["id"]
    assert updated["path"] == "Other Artist/" + album["path"].split("/")[1]
    for song in app.database.get_album_songs(album["id"]):
        assert song["artistid"] == artist["id"] and (home.music / song["path"]).is_file()


def test_a_failing_database_write_leaves_file_and_rows_as_before(app, home, monkeypatch):
    """The database turns read-only after the rename: the file goes back, no journal stays."""
    def read_only(*args, **kwargs):
        raise DatabaseError("attempt to write a readonly database")
    album = app.database.get_table("albums")[0]
    song = app.database.get_album_songs(album["id"])[0]
    before = snapshot(home, app)
    monkeypatch.setattr(app.database, "update_song", read_only)
    with pytest.raises(EditFailed, match="readonly"):
        librarydir.rename_album_directory(app, album["path"], album["path"] + " X")
    with pytest.raises(EditFailed):
        librarydir.rename_music_file(app, song["path"], renamed_song_path(song))
    monkeypatch.setattr(app.database, "update_artist", read_only)
    with pytest.raises(EditFailed):
        librarydir.rename_artist_directory(app, album["path"].split("/")[0], "Gone")
    assert snapshot(home, app) == before
    assert not os.path.exists(RenameJournal(str(home.data)).path)


def test_two_renames_to_one_name_at_once_keep_both_files(app, home, monkeypatch):
    """While the first rename's journal is written (in the thread pool) the event loop
    serves a second rename to the same name: it is refused, no file is replaced."""
    import threading
    import gevent
    songs = app.database.get_album_songs(first_song(app)["albumid"])
    target = renamed_song_path(songs[0])
    writing, release = threading.Event(), threading.Event()
    begin = RenameJournal.begin

    def slow_begin(journal, record):
        writing.set()
        assert release.wait(30)
        begin(journal, record)

    monkeypatch.setattr(RenameJournal, "begin", slow_begin)
    first = gevent.spawn(librarydir.rename_music_file, app, songs[0]["path"], target)
    while not writing.is_set():
        gevent.sleep(0.001)
    second = gevent.spawn(librarydir.rename_music_file, app, songs[1]["path"], target)
    gevent.sleep(0.01)
    assert not second.ready()   # waits for the first edit
    release.set()
    assert first.get(timeout=30) is True
    with pytest.raises(EditError, match="collides"):
        second.get(timeout=30)
    assert (home.music / songs[1]["path"]).is_file() and (home.music / target).is_file()
    assert app.database.get_song(songs[0]["id"])["path"] == target
    assert app.database.get_song(songs[1]["id"])["path"] == songs[1]["path"]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused_by_every_call_that_takes_one(app, home, path):
    """Each call refuses each hostile form with an EditError and changes nothing."""
    song, album = first_song(app), app.database.get_table("albums")[0]
    calls = [lambda: librarydir.create_song(app, path),
             lambda: librarydir.update_song(app, song["id"], path),
             lambda: librarydir.update_album(app, album["id"], path),
             lambda: librarydir.update_artist(app, album["artistid"], path),
             lambda: librarydir.find_album_song_files(app, path),
             lambda: librarydir.rename_music_file(app, song["path"], path),
             lambda: librarydir.rename_music_file(app, path, song["path"]),
             lambda: librarydir.rename_album_directory(app, album["path"], path),
             lambda: librarydir.rename_album_directory(app, path, album["path"]),
             lambda: librarydir.rename_artist_directory(app, album["path"].split("/")[0], path),
             lambda: librarydir.rename_artist_directory(app, path, "Fine"),
             lambda: librarydir.change_artist_directory(app, path, "Fine"),
             lambda: librarydir.change_artist_directory(app, album["path"], path)]
    before = snapshot(home, app)
    for number, call in enumerate(calls):
        with pytest.raises(EditError):
            call()
            pytest.fail(f"call {number} accepted {path!r}")
    assert snapshot(home, app) == before


# -- crash repair -----------------------------------------------------------------------------

def test_a_rename_interrupted_before_the_commit_is_rolled_back(app, home):
    album = app.database.get_table("albums")[0]
    newpath = album["path"] + " (crashed)"
    RenameJournal(str(home.data)).begin(
        {"table": "albums", "id": album["id"], "old": album["path"], "new": newpath})
    os.rename(home.music / album["path"], home.music / newpath)
    assert librarydir.repair(app) == "rolled back"
    assert (home.music / album["path"]).is_dir() and not (home.music / newpath).exists()
    assert librarydir.repair(app) is None


def test_a_rename_interrupted_after_the_commit_is_kept(app, home):
    album = app.database.get_table("albums")[0]
    newpath = album["path"].split("/")[0] + "/2000 - Committed"
    RenameJournal(str(home.data)).begin(
        {"table": "albums", "id": album["id"], "old": album["path"], "new": newpath})
    os.rename(home.music / album["path"], home.music / newpath)
    app.database.update_album(album["id"], path=newpath)
    assert librarydir.repair(app) == "committed"
    assert (home.music / newpath).is_dir()


# -- scans ------------------------------------------------------------------------------------

def test_an_unchanged_library_has_no_new_content(app):
    assert librarydir.find_new_content(app) == {"albums": [], "videos": []}


def test_new_albums_and_videos_are_found_and_described(app, home):
    song = first_song(app)
    os.makedirs(home.music / "Fresh Band" / "2020 - Fresh")
    os.makedirs(home.music / "Fresh Band" / "Loose-Deluxe")
    for album in ("2020 - Fresh", "Loose-Deluxe"):
        shutil.copy(home.music / song["path"], home.music / "Fresh Band" / album / "01 A.mp3")
    (home.music / "Fresh Band" / "2019 - Clip.m4v").write_bytes(b"x")
    (home.music / "Fresh Band" / "Mr. Clip.webm").write_bytes(b"x")
    found = librarydir.find_new_content(app)
    assert found["albums"] == [
        {"path": "Fresh Band/2020 - Fresh", "artistname": "Fresh Band", "albumname": "Fresh",
         "release": 2020},
        {"path": "Fresh Band/Loose-Deluxe", "artistname": "Fresh Band", "albumname": "Loose",
         "release": None}]
    assert found["videos"] == [
        {"path": "Fresh Band/2019 - Clip.m4v", "artistname": "Fresh Band", "videoname": "Clip",
         "release": 2019, "extension": "m4v"},
        {"path": "Fresh Band/Mr. Clip.webm", "artistname": "Fresh Band", "videoname": "Mr Clip",
         "release": None, "extension": "webm"}]


def test_album_song_files_lists_files_not_in_the_database(app, home):
    song = first_song(app)
    album = song["path"].rsplit("/", 1)[0]
    assert librarydir.find_album_song_files(app, album) == []
    librarydir.remove_song(app, song["id"])
    (home.music / album / "02 Broken.mp3").write_bytes(b"not music")
    found = {entry["path"]: entry for entry in librarydir.find_album_song_files(app, album)}
    entry = found[song["path"]]
    assert entry["fromfile"]["songnumber"] == song["number"]
    assert entry["frommeta"]["songname"] and "haslyrics" in entry["frommeta"]
    assert found[album + "/02 Broken.mp3"]["frommeta"]["songname"] is None
    assert librarydir.find_album_song_files(app, "No/Such") == []


def test_a_failing_rename_of_a_file_not_in_the_database_changes_nothing(app, home, monkeypatch):
    """The file system refuses the rename: an EditFailed naming the file, both sides as before."""
    def refuse(old, new):
        raise PermissionError(13, "Permission denied")
    album = app.database.get_table("albums")[0]
    os.makedirs(home.music / "Loose" / "2001 - Loose")
    before = snapshot(home, app)
    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(EditFailed, match="Permission denied"):
        librarydir.rename_album_directory(app, "Loose/2001 - Loose", "Loose/2002 - Loose")
    with pytest.raises(EditFailed, match="Permission denied"):
        librarydir.rename_album_directory(app, album["path"], album["path"] + " 2")
    assert snapshot(home, app) == before
    assert not os.path.exists(RenameJournal(str(home.data)).path)
