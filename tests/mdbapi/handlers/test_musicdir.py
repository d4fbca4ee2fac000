"""The music-directory calls over real WebSocket connections (api-editing.md §5): answers,
files and database afterwards, hostile paths refused, and a crash repaired at the next start."""

import os
import shutil

import pytest

from musicdb.lib.renamejournal import RenameJournal
from tests.mdbapi.handlers.test_entries import rows
from tests.support import Client, ServerProcess

HOSTILE = ["../escape", "/tmp", "A/../../x", "a\u0000b", "bad\udcffname", "x" * 300, "Link/x"]


@pytest.fixture
def running(library_home, tmp_path):
    home = library_home()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", home.music / "Link")
    server = ServerProcess(home.home)
    caller, observer = Client(server), Client(server)
    yield home, server, caller, observer
    caller.close()
    observer.close()
    server.stop()


def test_find_new_content_and_album_song_files(running):
    """A new album shows in FindNewContent; FindAlbumSongFiles describes its files."""
    home, _, caller, _ = running
    assert caller.request("FindNewContent") == {"albums": [], "videos": []}
    song = rows(home, "songs")[0]
    os.makedirs(home.music / "Fresh" / "2020 - New")
    shutil.copy(home.music / song["path"], home.music / "Fresh" / "2020 - New" / "01 Start.mp3")
    found = caller.request("FindNewContent")
    assert found["albums"] == [{"path": "Fresh/2020 - New", "artistname": "Fresh",
                                "albumname": "New", "release": 2020}]
    files = caller.request("FindAlbumSongFiles", {"albumpath": "Fresh/2020 - New"})
    assert [entry["path"] for entry in files] == ["Fresh/2020 - New/01 Start.mp3"]
    assert files[0]["fromfile"] == {"songname": "Start", "albumname": "New",
                                    "artistname": "Fresh", "releaseyear": 2020,
                                    "cdnumber": 1, "songnumber": 1}
    assert set(files[0]["frommeta"]) == {"songname", "albumname", "artistname", "releaseyear",
                                         "origin", "cdnumber", "songnumber", "haslyrics",
                                         "hasartwork"}


def test_renames_move_files_and_entries(running):
    """RenameMusicFile, RenameAlbumDirectory, RenameArtistDirectory, ChangeArtistDirectory."""
    home, _, caller, observer = running
    song = rows(home, "songs")[0]
    folder, ext = song["path"].rsplit("/", 1)[0], song["path"].rsplit(".", 1)[1]
    newsong = f"{folder}/08 Renamed.{ext}"
    assert caller.request("RenameMusicFile", {"oldpath": song["path"], "newpath": newsong})
    assert observer.request("GetSong", {"songid": song["id"]})["song"]["name"] == "Renamed"
    artist = folder.split("/")[0]
    assert caller.request("RenameAlbumDirectory", {"oldpath": folder,
                                                   "newpath": artist + "/1980 - Old"})
    assert caller.request("RenameArtistDirectory", {"oldpath": artist, "newpath": "Renamed Band"})
    moved = caller.request("GetSong", {"songid": song["id"]})
    assert moved["song"]["path"] == f"Renamed Band/1980 - Old/08 Renamed.{ext}"
    assert moved["album"]["name"] == "Old" and moved["artist"]["name"] == "Renamed Band"
    assert caller.request("ChangeArtistDirectory", {"oldalbumpath": "Renamed Band/1980 - Old",
                                                    "newartistdirectory": "Third Band"})
    moved = caller.request("GetSong", {"songid": song["id"]})
    assert moved["artist"]["name"] == "Third Band"
    assert (home.music / moved["song"]["path"]).is_file()
    assert any(hit["artist"]["name"] == "Third Band"
               for hit in caller.request("Find", {"searchstring": "Third Band",
                                                  "limit": 5})["artists"])


def test_a_rename_that_does_not_apply_answers_false(running):
    home, _, caller, _ = running
    song = rows(home, "songs")[0]
    assert caller.request("RenameMusicFile", {"oldpath": song["path"] + "x",
                                              "newpath": song["path"] + "y"}) is False
    assert caller.request("RenameAlbumDirectory", {"oldpath": "No/Such",
                                                   "newpath": "No/Other"}) is False


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_paths_are_refused_by_every_path_call(running, path):
    """Every call taking a path answers one MusicDB:Error for every hostile form."""
    home, _, caller, _ = running
    album = rows(home, "albums")[0]["path"]
    calls = [("FindAlbumSongFiles", {"albumpath": path}),
             ("RenameMusicFile", {"oldpath": path, "newpath": "A/B/01 C.mp3"}),
             ("RenameAlbumDirectory", {"oldpath": album, "newpath": path}),
             ("RenameArtistDirectory", {"oldpath": album.split("/")[0], "newpath": path}),
             ("ChangeArtistDirectory", {"oldalbumpath": album, "newartistdirectory": path}),
             ("CreateSongEntry", {"newpath": path}),
             ("UpdateSongEntry", {"songid": 1, "newpath": path}),
             ("UpdateAlbumEntry", {"albumid": 1, "newpath": path}),
             ("UpdateArtistEntry", {"artistid": 1, "newpath": path}),
             ("CreateArtistEntry", {"name": path})]
    before = sorted(os.listdir(home.music)), rows(home, "albums")
    for fncname, arguments in calls:
        caller.send("request", fncname, arguments, fncname)
        error = caller.error()
        assert error["arguments"]["request"]["fncsig"] == fncname
        assert error["arguments"]["code"] == "InvalidArguments", error
    assert (sorted(os.listdir(home.music)), rows(home, "albums")) == before


def test_a_journal_left_by_a_crash_is_repaired_at_the_next_start(running):
    """A rename that died before its database commit is undone when the server starts."""
    home, server, caller, observer = running
    caller.close()
    observer.close()
    server.stop()
    album = rows(home, "albums")[0]
    newpath = album["path"] + " (half done)"
    RenameJournal(str(home.data)).begin(
        {"table": "albums", "id": album["id"], "old": album["path"], "new": newpath})
    os.rename(home.music / album["path"], home.music / newpath)
    restarted = ServerProcess(home.home)
    try:
        assert (home.music / album["path"]).is_dir() and not (home.music / newpath).exists()
        assert not os.path.exists(RenameJournal(str(home.data)).path)
    finally:
        restarted.stop()
