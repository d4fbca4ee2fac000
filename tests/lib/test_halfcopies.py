"""Half-copies of uploads in the music directory: their names and the sweep at start."""

import pytest

from musicdb.lib import halfcopies
from musicdb.lib.musicdirectory import MusicDirectory

SHA = "3f786850e387550fdab836ed7e6dc881de23001b"
UUID = "9b060349-00c7-4656-adb3-867c5e1c79ce"  # fixed: every xdist worker collects the same IDs


@pytest.mark.parametrize("taskid", [SHA, UUID])
def test_a_half_copys_name_names_its_task(taskid):
    name = halfcopies.name_of(taskid)
    assert name.startswith(".") and name.endswith(".musicdb-upload")
    assert halfcopies.owner_of(name) == taskid


@pytest.mark.parametrize("name", [
    f"{SHA}.musicdb-upload", f".{SHA}.musicdb-upload.bak", f".{SHA}.musicdb-upload\n",
    f".{SHA.upper()}.musicdb-upload", f".{SHA[:-1]}.musicdb-upload", f".{SHA}.mp3",
    ".notes.musicdb-upload", f".{UUID}x.musicdb-upload", f"..{SHA}.musicdb-upload",
    f".{{{UUID}}}.musicdb-upload", "01 Song.mp3"])
def test_names_that_only_look_similar_are_no_half_copies(name):
    assert halfcopies.owner_of(name) is None


def test_the_sweep_removes_only_half_copies_of_tasks_not_kept(tmp_path):
    music = tmp_path / "music"
    album = music / "Band" / "2020 - Album"
    nested = album / "CD1"
    nested.mkdir(parents=True)
    kept_id, gone = SHA, "a" * 40
    orphans = [album / halfcopies.name_of(gone), nested / halfcopies.name_of(UUID),
               music / halfcopies.name_of(gone)]
    kept = [album / halfcopies.name_of(kept_id), album / "01 Song.mp3",
            album / f".{gone}.musicdb-upload.bak", album / f"{gone}.musicdb-upload",
            album / f".{gone.upper()}.musicdb-upload", album / ".notes.musicdb-upload"]
    for path in orphans + kept:
        path.write_bytes(b"data")
    (music / "Band" / halfcopies.name_of("b" * 40)).mkdir()   # a directory: no half-copy
    removed = halfcopies.sweep(str(music), keep={kept_id})
    assert removed == sorted(str(path.relative_to(music)) for path in orphans)
    assert not any(path.exists() for path in orphans)
    assert all(path.exists() for path in kept)
    assert (music / "Band" / halfcopies.name_of("b" * 40)).is_dir()


def test_the_sweep_neither_follows_nor_removes_symbolic_links(tmp_path):
    music, outside = tmp_path / "music", tmp_path / "outside"
    (music / "Band").mkdir(parents=True)
    outside.mkdir()
    target = outside / halfcopies.name_of(SHA)
    target.write_bytes(b"someone else's")
    (music / "Band" / "Linked").symlink_to(outside, target_is_directory=True)
    link = music / "Band" / halfcopies.name_of("c" * 40)
    link.symlink_to(target)
    assert halfcopies.sweep(str(music)) == []
    assert target.read_bytes() == b"someone else's"
    assert link.is_symlink()


def test_the_sweep_of_a_missing_directory_removes_nothing(tmp_path):
    assert halfcopies.sweep(str(tmp_path / "none")) == []


def test_hidden_paths_are_no_songs_albums_or_videos(tmp_path):
    """A half-copy given by its path (``database import PATH``) is no song either."""
    album = tmp_path / "Band" / "2020 - Album"
    album.mkdir(parents=True)
    (album / halfcopies.name_of(SHA)).write_bytes(b"x")
    (album / ".hidden.mp3").write_bytes(b"x")
    (tmp_path / "Band" / ".2020 - Hidden").mkdir()
    directory = MusicDirectory(str(tmp_path))
    for relpath in (f"Band/2020 - Album/{halfcopies.name_of(SHA)}",
                    "Band/2020 - Album/.hidden.mp3", "Band/.2020 - Hidden"):
        assert directory.kind(relpath) is None
    assert directory.kind("Band/2020 - Album") == "album"
