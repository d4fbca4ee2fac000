"""The MDB state file and the genre filter it defines (api-library.md §2)."""

import configparser
import os
import threading

import pytest

from musicdb.lib import datadir
from musicdb.mdbapi.mdbstate import MDBState, album_passes, video_passes


def tag(tagid, name, tagclass=1, parentid=None):
    return {"id": tagid, "name": name, "class": tagclass, "parentid": parentid}


EXAMPLE_TAGS = [tag(1, "Other"), tag(3, "Rock"), tag(4, "Metal"), tag(7, "Punk", 2, 3),
                tag(8, "Grunge", 2, 3), tag(9, "Doom", 2, 4), tag(20, "Happy", 3)]


@pytest.fixture
def state(tmp_path):
    return MDBState(str(tmp_path / "state" / "state.ini"))


def write(state, text):
    os.makedirs(os.path.dirname(state.path), exist_ok=True)
    with open(state.path, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_as_musicdb8(path):
    """Parse like MusicDB 8 does (plain ConfigParser, case-sensitive keys)."""
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def test_the_spec_example_gives_its_filter_lists_ids_and_tree(state):
    write(state, "[meta]\nversion = 4\n[MusicDB]\nuimode = audio\n[GenreFilter]\n"
                 "Rock = True\nMetal = False\n[SubgenreFilter:Rock]\nPunk = False\n")
    selection = state.selection(EXAMPLE_TAGS)
    assert selection.genres == ["Rock"]
    assert selection.subgenres == {"Other": [], "Rock": ["Grunge"], "Metal": ["Doom"]}
    assert selection.active_ids == [8, 3]
    assert selection.tree == {3: [8]}


def test_a_missing_state_file_is_created_with_version_4_and_audio_mode(state):
    assert state.uimode() == "audio"
    assert state.selection(EXAMPLE_TAGS).genres == []
    saved = read_as_musicdb8(state.path)
    assert saved.get("meta", "version") == "4" and saved.get("MusicDB", "uimode") == "audio"


def test_an_old_state_file_is_upgraded_and_loses_its_albumfilter_section(state):
    write(state, "[meta]\nversion = 2\n[albumfilter]\nx = 1\n[GenreFilter]\nRock = yes\n")
    assert state.selection(EXAMPLE_TAGS).genres == ["Rock"]
    saved = read_as_musicdb8(state.path)
    assert not saved.has_section("albumfilter")
    assert saved.get("meta", "version") == "4" and saved.get("MusicDB", "uimode") == "audio"
    assert saved.get("GenreFilter", "Rock") == "yes"


def test_booleans_are_read_leniently_and_garbage_counts_as_default(state):
    write(state, "[meta]\nversion = 4\n[MusicDB]\nuimode = cinema\n[GenreFilter]\n"
                 "Rock = ON\nMetal = maybe\nOther = 1\n[SubgenreFilter:Rock]\nPunk = no\n"
                 "Grunge = ???\n")
    selection = state.selection(EXAMPLE_TAGS)
    assert selection.genres == ["Other", "Rock"]
    assert selection.subgenres["Rock"] == ["Grunge"]
    assert state.uimode() == "audio"


def test_set_stores_genre_subgenre_and_uimode_as_musicdb8_text(state):
    assert state.set("GenreFilter", "Rock", True)
    assert state.set("SubgenreFilter:Rock", "Punk", False)
    assert state.set("MusicDB", "uimode", "video")
    saved = read_as_musicdb8(state.path)
    assert saved.get("GenreFilter", "Rock") == "True"
    assert saved.get("SubgenreFilter:Rock", "Punk") == "False"
    assert state.uimode() == "video"
    assert state.selection(EXAMPLE_TAGS).tree == {3: [8]}


def test_set_with_a_wrong_value_type_or_unknown_category_stores_nothing(state):
    state.set("GenreFilter", "Rock", True)
    before = open(state.path, encoding="utf-8").read()
    for category, name, value in (("GenreFilter", "Rock", "false"), ("GenreFilter", "Rock", 0),
                                  ("SubgenreFilter", "Punk", False),
                                  ("MusicDB", "uimode", "cinema"), ("MusicDB", "other", "audio"),
                                  ("Nonsense", "Rock", True), ("GenreFilter", "A=B", True),
                                  ("GenreFilter", "", True), ("GenreFilter", "x\ny", True)):
        assert not state.set(category, name, value)
    assert open(state.path, encoding="utf-8").read() == before


def test_subgenre_category_takes_the_genre_between_the_first_two_colons(state):
    state.set("SubgenreFilter:Rock:ignored", "Punk", False)
    assert read_as_musicdb8(state.path).get("SubgenreFilter:Rock", "Punk") == "False"


def test_genre_names_keep_their_case_and_colons(state):
    tags = [tag(2, "Drum:Bass"), tag(5, "rock")]
    state.set("GenreFilter", "Drum:Bass", True)
    assert state.selection(tags).genres == ["Drum:Bass"]


def test_subgenres_of_the_same_name_under_two_genres_are_told_apart(state):
    """MusicDB 8 failed on such a collision; we look sub-genres up by name and parent."""
    tags = [tag(3, "Rock"), tag(4, "Metal"), tag(7, "Progressive", 2, 3),
            tag(9, "Progressive", 2, 4)]
    state.set("GenreFilter", "Rock", True)
    state.set("GenreFilter", "Metal", True)
    state.set("SubgenreFilter:Metal", "Progressive", False)
    assert state.selection(tags).tree == {3: [7], 4: []}
    assert state.selection(tags).active_ids == [7, 3, 4]


def test_an_edit_of_the_file_by_hand_counts_from_the_next_read(state):
    state.set("GenreFilter", "Rock", True)
    assert state.selection(EXAMPLE_TAGS).genres == ["Rock"]
    write(state, "[meta]\nversion = 4\n[GenreFilter]\nMetal = true\nRock = false\n")
    assert state.selection(EXAMPLE_TAGS).genres == ["Metal"]


def test_a_corrupt_state_file_counts_as_defaults_and_is_replaced_on_the_next_set(state):
    write(state, "this is not INI\n")
    assert state.selection(EXAMPLE_TAGS).genres == []
    state.set("GenreFilter", "Metal", True)
    assert read_as_musicdb8(state.path).get("GenreFilter", "Metal") == "True"


def test_writes_leave_no_temporary_files(state):
    for value in (True, False, True):
        state.set("GenreFilter", "Rock", value)
    assert os.listdir(os.path.dirname(state.path)) == ["state.ini"]


def assignment(tagid, name="x"):
    return {"tagid": tagid, "name": name}


def tagset(genres=(), subgenres=()):
    return {"genres": [assignment(t) for t in genres],
            "subgenres": [assignment(t) for t in subgenres], "moods": []}


@pytest.mark.parametrize("genres, subgenres, passes", [
    ((3,), (8,), True), ((3,), (7,), False), ((3,), (), True), ((3,), (9,), False),
    ((4,), (), False), ((), (), False), ((4, 3), (8,), True)])
def test_album_filter_follows_the_spec_example_tree(genres, subgenres, passes):
    assert album_passes({3: [8]}, tagset(genres, subgenres)) is passes


def test_a_genre_without_selected_subgenres_passes_any_of_its_albums():
    assert album_passes({3: []}, tagset((3,), (7,)))
    assert album_passes({}, tagset())


def test_video_filter_uses_genre_names_only():
    rock = {"genres": [assignment(3, "Rock")], "subgenres": [], "moods": []}
    assert video_passes(["Rock"], rock)
    assert not video_passes([], rock)
    assert video_passes([], tagset())


def test_an_unreadable_state_file_is_not_overwritten_by_a_read(state):
    """A hand edit with a typo reads as the defaults but stays for its owner to repair."""
    text = "[meta]\nversion = 4\n[GenreFilter]\nRock = True\nthis line has no equals sign\n"
    write(state, text)
    assert state.selection(EXAMPLE_TAGS).genres == []
    assert open(state.path, encoding="utf-8").read() == text


def test_a_value_that_could_not_be_written_is_not_shown_as_stored(state, monkeypatch):
    state.set("GenreFilter", "Rock", True)

    def broken_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datadir, "write_atomic", broken_disk)
    with pytest.raises(OSError):
        state.set("GenreFilter", "Metal", True)
    assert state.selection(EXAMPLE_TAGS).genres == ["Rock"]


def test_writes_run_outside_the_event_loop_thread(state, write_threads):
    """The fsync of an atomic write can take long on a busy disk; it must not stall clients."""
    state.set("GenreFilter", "Rock", True)
    assert write_threads and threading.get_ident() not in write_threads
    assert state.selection(EXAMPLE_TAGS).genres == ["Rock"]


def test_a_state_that_cannot_be_created_still_reads_as_the_defaults(state, monkeypatch):
    def broken_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datadir, "write_atomic", broken_disk)
    assert state.uimode() == "audio"
    assert state.selection(EXAMPLE_TAGS).genres == []
