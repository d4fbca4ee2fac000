"""Album artwork files: names, scaled copies, and ArtworkError for every failure."""

import io
import os

import pytest
from PIL import Image

from musicdb.lib.media.artwork import (DEFAULT_ARTWORK, ArtworkError, artwork_name,
                                       complete_scales, ensure_default_artwork,
                                       write_artwork)


def image_bytes(fmt="JPEG", size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_artwork_name_replaces_slashes_with_division_slashes():
    assert artwork_name("AC/DC", "Back/Black") == "AC\u2215DC - Back\u2215Black.jpg"


def test_jpeg_is_stored_byte_for_byte_with_a_copy_per_scale(tmp_path):
    """The full-size file is the given JPEG; each scale fits in N×N, aspect kept."""
    data = image_bytes()
    assert write_artwork(data, tmp_path, "A - B.jpg", [50, 150]) == "A - B.jpg"
    assert (tmp_path / "A - B.jpg").read_bytes() == data
    with Image.open(tmp_path / "50x50" / "A - B.jpg") as small:
        assert small.size == (50, 33) and small.format == "JPEG"


def test_png_is_converted_so_the_jpg_name_does_not_lie(tmp_path):
    write_artwork(image_bytes("PNG"), tmp_path, "A - B.jpg", [])
    with Image.open(tmp_path / "A - B.jpg") as image:
        assert image.format == "JPEG"


def test_data_that_is_no_image_is_an_artwork_error_naming_the_file(tmp_path):
    with pytest.raises(ArtworkError, match="'A - B.jpg'"):
        write_artwork(b"no image", tmp_path, "A - B.jpg", [50])
    assert os.listdir(tmp_path) == []


def test_unwritable_directory_is_an_artwork_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ArtworkError):
        write_artwork(image_bytes(), blocker, "A - B.jpg", [])


def test_complete_scales_writes_only_the_missing_copies(tmp_path):
    write_artwork(image_bytes(), tmp_path, "A - B.jpg", [50])
    assert complete_scales(tmp_path, "A - B.jpg", [50, 100]) == 1
    assert (tmp_path / "100x100" / "A - B.jpg").is_file()
    assert complete_scales(tmp_path, "A - B.jpg", [50, 100]) == 0


def test_complete_scales_of_a_missing_image_is_an_artwork_error(tmp_path):
    with pytest.raises(ArtworkError, match="'gone.jpg'"):
        complete_scales(tmp_path, "gone.jpg", [50])


def test_default_artwork_is_created_once(tmp_path):
    path = ensure_default_artwork(tmp_path / "artwork")
    assert os.path.basename(path) == DEFAULT_ARTWORK
    before = os.stat(path).st_mtime_ns
    assert ensure_default_artwork(tmp_path / "artwork") == path
    assert os.stat(path).st_mtime_ns == before


def test_default_artwork_in_an_unwritable_place_is_an_artwork_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ArtworkError, match="default artwork"):
        ensure_default_artwork(blocker / "artwork")
