"""Walking the music directory (musicdb.lib.musicdirectory)."""

import os

import pytest

from musicdb.lib.musicdirectory import MusicDirectory, PathError


def touch(root, *paths):
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "music"
    touch(root, "Band/2000 - Album/1-10 Ten.mp3", "Band/2000 - Album/2-01 Eleven.FLAC",
          "Band/2000 - Album/1-02 Two.ogg", "Band/2000 - Album/cover.jpg",
          "Band/2000 - Album/._1-02 Two.ogg", "Band/2000 - Album/README",
          "Band/2001 - Video.m4v", "Band/2002 - Empty/notes.txt",
          "lost+found/2000 - X/01 Y.mp3")
    return root


def test_songs_are_listed_in_cd_and_track_order_with_audio_extensions_only(tree):
    """Covers, text files and macOS ._ files are no songs; 1-10 comes before 2-01."""
    directory = MusicDirectory(tree, ignoreartists=["lost+found"])
    assert directory.songs("Band/2000 - Album") == [
        "Band/2000 - Album/1-02 Two.ogg", "Band/2000 - Album/1-10 Ten.mp3",
        "Band/2000 - Album/2-01 Eleven.FLAC"]


def test_album_dirs_skip_ignored_artists_and_albums_without_songs(tree):
    directory = MusicDirectory(tree, ignoreartists=["lost+found"])
    assert [album.path for album in directory.album_dirs()] == ["Band/2000 - Album"]
    assert directory.videos("Band") == ["Band/2001 - Video.m4v"]


def test_album_dirs_name_songs_in_sub_directories_as_nested(tree):
    """An album whose songs lie in CD1/ is listed with them as nested, never as songs."""
    touch(tree, "Band/2003 - Box/CD1/01 One.mp3", "Band/2003 - Box/CD1/cover.jpg")
    albums = {album.path: album for album in MusicDirectory(tree).album_dirs("Band")}
    assert albums["Band/2003 - Box"].songs == ()
    assert albums["Band/2003 - Box"].nested == ("Band/2003 - Box/CD1/01 One.mp3",)
    assert albums["Band/2000 - Album"].nested == ()


def test_kind_tells_artist_album_song_and_video(tree):
    directory = MusicDirectory(tree)
    assert directory.kind("Band") == "artist"
    assert directory.kind("Band/2000 - Album") == "album"
    assert directory.kind("Band/2000 - Album/1-10 Ten.mp3") == "song"
    assert directory.kind("Band/2001 - Video.m4v") == "video"
    assert directory.kind("Band/2000 - Album/cover.jpg") is None
    assert directory.kind("Nobody") is None


def test_relative_accepts_root_relative_and_absolute_paths_inside(tree):
    directory = MusicDirectory(tree)
    assert directory.relative("Band/2000 - Album") == "Band/2000 - Album"
    assert directory.relative(str(tree / "Band")) == "Band"
    assert directory.relative("Gone/2000 - Deleted") == "Gone/2000 - Deleted"
    assert directory.relative(str(tree)) == ""


@pytest.mark.parametrize("path", ["..", "Band/../../etc", "/etc/passwd"])
def test_relative_refuses_paths_that_leave_the_root(tree, path):
    with pytest.raises(PathError):
        MusicDirectory(tree).relative(path)


def test_relative_refuses_a_symlink_out_of_the_root(tree, tmp_path):
    """A link inside the root that leads outside is refused, one staying inside is fine."""
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tree / "Escape")
    os.symlink(tree / "Band", tree / "Alias")
    directory = MusicDirectory(tree)
    with pytest.raises(PathError):
        directory.relative("Escape")
    assert directory.relative("Alias/2000 - Album") == "Alias/2000 - Album"
    assert "Escape" not in directory.artists() and "Alias" in directory.artists()


def test_root_reached_through_a_symlink_accepts_real_paths(tree, tmp_path):
    """With music = a link to the real directory, paths under the real directory are inside."""
    os.symlink(tree, tmp_path / "link")
    directory = MusicDirectory(tmp_path / "link")
    assert directory.relative(str(tree / "Band")) == "Band"
