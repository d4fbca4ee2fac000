"""safepath: client paths resolved inside a root, hostile forms refused."""

import os
import unicodedata

import pytest

from musicdb.lib import safepath
from musicdb.lib.safepath import UnsafePath


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "music"
    (root / "Band" / "2001 - Album").mkdir(parents=True)
    (root / "Band" / "2001 - Album" / "01 Song.mp3").write_bytes(b"x")
    return str(root)


def test_a_relative_path_resolves_inside_the_root(root):
    """A plain relative path gives itself and its absolute path."""
    rel, absolute = safepath.resolve(root, "Band/2001 - Album/01 Song.mp3")
    assert rel == "Band/2001 - Album/01 Song.mp3"
    assert absolute == os.path.join(root, "Band", "2001 - Album", "01 Song.mp3")


@pytest.mark.parametrize("path", ["../outside", "Band/../../x", "Band/./x", "/etc/passwd",
                                  "Band//x", "", "Band/\0x", "Band/\udcff.mp3", 7, None])
def test_hostile_forms_are_refused(root, path):
    """Parent and dot components, absolute paths, NUL, non-UTF-8 and non-text are refused."""
    with pytest.raises(UnsafePath):
        safepath.resolve(root, path)


def test_a_symbolic_link_leading_out_is_refused(root, tmp_path):
    """A link inside the root that points outside does not make a path inside."""
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", os.path.join(root, "Link"))
    with pytest.raises(UnsafePath, match="symbolic link"):
        safepath.resolve(root, "Link/file")


def test_a_name_longer_than_the_file_system_allows_is_refused(root):
    """A component over NAME_MAX bytes is refused before the file system sees it."""
    with pytest.raises(UnsafePath, match="longer"):
        safepath.resolve(root, "Band/" + "ä" * 200)


def test_a_name_differing_only_in_normalisation_collides(root):
    """An NFD spelling of an existing NFC name is taken."""
    nfc = unicodedata.normalize("NFC", "Bänd")
    os.mkdir(os.path.join(root, nfc))
    with pytest.raises(UnsafePath, match="collides"):
        safepath.check_new_name(root, unicodedata.normalize("NFD", "Bänd"))


def test_a_name_differing_only_by_case_is_free_on_a_case_sensitive_file_system(root):
    """Linux file systems tell "band" from "Band"."""
    safepath.check_new_name(root, "band")


def test_case_is_judged_by_listing_the_directory(root, monkeypatch):
    """Where the other case of an entry exists without being listed, case is ignored."""
    real = os.path.exists
    monkeypatch.setattr(os.path, "exists",
                        lambda path: path.endswith("bAND") or real(path))
    assert safepath.case_insensitive(root, ["Band"])
    assert safepath.collision(root, "BAND") == "Band"


def test_an_entry_does_not_collide_with_itself(root):
    """Renaming "Band" to an NFD spelling of itself is no collision."""
    assert safepath.collision(root, "Band", own="Band") is None


def test_an_existing_name_collides(root):
    """The exact name of an existing entry is taken."""
    assert safepath.collision(root, "Band") == "Band"
