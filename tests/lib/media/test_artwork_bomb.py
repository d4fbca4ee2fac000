"""Decompression bombs: images whose header announces more pixels than allowed are never decoded."""

import struct
import subprocess
import sys
import zlib

import pytest

from musicdb.lib.media import artwork
from musicdb.lib.media.artwork import ArtworkError
from tests.support import ROOT

BOMB_EDGE = 20_000  # 400 million pixels: 400 MB once decoded, 50 kB as a file


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(edge=BOMB_EDGE):
    """A valid 1-bit grey PNG of edge x edge black pixels; its IDAT is a few dozen kB."""
    row = b"\0" * (1 + (edge + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(edge)) + compressor.flush()
    header = struct.pack(">IIBBBBB", edge, edge, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "cover.png"
    path.write_bytes(bomb_png())
    return path


def test_a_decompression_bomb_is_refused_and_writes_nothing(bomb, tmp_path):
    """write_artwork refuses a PNG of 400 million pixels by its header and leaves no file."""
    with pytest.raises(ArtworkError, match="(?i)decompression bomb"):
        artwork.write_artwork(bomb.read_bytes(), tmp_path, "A - B.jpg", [150, 500])
    assert list(tmp_path.iterdir()) == []


def test_importing_a_bomb_file_is_refused(bomb, tmp_path):
    """import_artwork (the uploads' function) refuses the same file."""
    with pytest.raises(ArtworkError, match="decompression bomb"):
        artwork.import_artwork(bomb, tmp_path, "A - B.jpg", [150])


def test_a_bomb_stored_as_artwork_is_not_rescaled(bomb, tmp_path):
    """complete_scales refuses a full-size artwork file that is a bomb."""
    (tmp_path / "A - B.jpg").write_bytes(bomb.read_bytes())
    with pytest.raises(ArtworkError):
        artwork.complete_scales(tmp_path, "A - B.jpg", [150])


def test_the_pixel_bound_is_an_argument(tmp_path):
    """An image one pixel over a small bound is refused; at the bound it is written."""
    from tests.lib.media.test_artwork import image_bytes
    data = image_bytes(size=(64, 48))
    with pytest.raises(ArtworkError):
        artwork.write_artwork(data, tmp_path, "A - B.jpg", [10], max_pixels=64 * 48 - 1)
    artwork.write_artwork(data, tmp_path, "A - B.jpg", [10], max_pixels=64 * 48)
    assert (tmp_path / "10x10" / "A - B.jpg").is_file()


def test_an_oversized_image_file_is_refused_before_reading_it_all(tmp_path):
    """read_image_file stops at max_bytes + 1."""
    path = tmp_path / "big.jpg"
    path.write_bytes(b"\xff" * 1001)
    with pytest.raises(ArtworkError, match="larger than 1000 bytes"):
        artwork.read_image_file(path, max_bytes=1000)


def test_refusing_a_bomb_costs_no_memory(bomb):
    """A process that is handed the bomb stays far below the 400 MB the pixels would take."""
    script = (
        "import resource, sys\n"
        "from musicdb.lib.media import artwork\n"
        "try:\n"
        f"    artwork.import_artwork({str(bomb)!r}, {str(bomb.parent)!r}, 'x.jpg', [150])\n"
        "except artwork.ArtworkError:\n"
        "    pass\n"
        "else:\n"
        "    sys.exit('accepted')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 150_000  # kB
