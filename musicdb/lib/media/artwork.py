"""Album artwork files in ``<data>/webdata/artwork/`` (spec api-uploads.md §8).

``<Artist> - <Album>.jpg`` holds the full-size image, ``<N>x<N>/<same name>``
one copy per ``[albumcover] scales`` value, shrunk to fit N×N (aspect ratio
kept, never enlarged, bicubic, optimised progressive JPEG).  The WebUI loads
exactly these names; ``default.jpg`` stands for albums without artwork.

Every file is written to a temporary name and renamed, so a killed import
never leaves half an image behind.  This is blocking work (Pillow): run it in
a worker thread or process.

Images are decoded only after their header passed a pixel bound
(:data:`MAX_PIXELS`, a constructor-style argument of every function that
decodes): a crafted file (a "decompression bomb", e.g. a 100,000 x 100,000 PNG
of a few kilobytes) is refused before Pillow allocates its pixels.  Pillow's
own ``Image.MAX_IMAGE_PIXELS`` is set to the same bound for every other use
in the process.  JPEGs are decoded at the smallest size the largest scale
needs (``Image.draft``), which makes scaling big covers several times faster.

Pillow's and the OS's errors become :class:`ArtworkError` (a
:class:`~musicdb.lib.media.errors.MediaError`) at each public function.
"""

import contextlib
import io
import logging
import os
import tempfile

from PIL import Image, ImageDraw

from musicdb.lib.media.errors import MediaError, convert_error

log = logging.getLogger(__name__)

DEFAULT_ARTWORK = "default.jpg"
DEFAULT_SIZE = 500
#: File names of album covers in an album directory, best first (compared lower-cased).
COVER_FILES = ("cover.jpg", "cover.jpeg", "folder.jpg", "folder.jpeg", "front.jpg",
               "front.jpeg", "cover.png", "folder.png", "front.png")
DIVISION_SLASH = "\u2215"
#: The largest image (in pixels) that is decoded: 8,000 x 8,000 and a little more.
MAX_PIXELS = 64_000_000
#: The largest image file that is read (bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above it and refuses above twice it


class ArtworkError(MediaError):
    """Image data that Pillow cannot read, or an artwork file that cannot be written."""


# Everything Pillow or the file system raises for bad data or an unwritable directory.
_IMAGE_ERRORS = (OSError, ValueError, Image.DecompressionBombError)


def artwork_name(artistname, albumname):
    """``"<Artist> - <Album>.jpg"`` with every ``/`` replaced by ``∕`` (as MusicDB 8)."""
    artist = artistname.replace("/", DIVISION_SLASH)
    album = albumname.replace("/", DIVISION_SLASH)
    return f"{artist} - {album}.jpg"


def unique_artwork_name(artistname, albumname, release, taken):
    """``<Artist> - <Album>.jpg``, else with the year, else numbered: never a name in ``taken``
    (another album's file: two releases of one title; artist "A - B" with album "C" and
    artist "A" with album "B - C")."""
    variants = ([albumname] + ([f"{albumname} ({release})"] if release else [])
                + [f"{albumname} ({number})" for number in range(2, 10000)])
    return next(filename for filename in
                (artwork_name(artistname, variant) for variant in variants)
                if filename not in taken)


def cover_file(albumdir):
    """The cover image file in an album directory (``cover.jpg``, ``folder.jpg`` …), or None."""
    try:
        names = {name.lower(): name for name in os.listdir(albumdir)}
    except OSError:
        return None
    for candidate in COVER_FILES:
        if candidate in names and os.path.isfile(os.path.join(albumdir, names[candidate])):
            return os.path.join(albumdir, names[candidate])
    return None


def write_artwork(data, directory, name, scales, max_pixels=MAX_PIXELS):
    """Write image ``data`` as ``directory/name`` plus one scaled copy per edge length.

    JPEG data is stored byte for byte (as MusicDB 8 does); other formats
    (PNG covers) are converted, so the ``.jpg`` name never lies.  Every scale
    is rewritten: the data may be a new cover for an existing name.

    Raises:
        ArtworkError: the data is no readable image, has more than
            ``max_pixels`` pixels, or a file cannot be written.
    """
    with convert_error(_IMAGE_ERRORS, ArtworkError, f"artwork {name!r}"), \
            open_image(io.BytesIO(data), max_pixels, f"artwork {name!r}") as image:
        if image.format != "JPEG":
            image.load()
            data = _jpeg_bytes(image)
        _shrink_for(image, scales)
        image.load()
        _write_atomic(os.path.join(directory, name), data)
        _write_scales(image, directory, name, scales)
    return name


def import_artwork(image_path, directory, name, scales, max_pixels=MAX_PIXELS,
                   max_bytes=MAX_FILE_BYTES):
    """Make the image file ``image_path`` the artwork ``directory/name`` with all its scales.

    The function the uploads (``InitiateArtworkImport``, an uploaded
    ``imagefile``) and ``musicdb artwork --artwork FILE`` use; it replaces
    whatever artwork had this name.  Blocking: run it in a thread pool.
    Returns ``name``.

    Raises:
        ArtworkError: the file cannot be read, is larger than ``max_bytes``,
            is no image, has more than ``max_pixels`` pixels, or the artwork
            cannot be written.
    """
    return write_artwork(read_image_file(image_path, max_bytes), directory, name, scales,
                         max_pixels)


@convert_error(OSError, ArtworkError)
def read_image_file(path, max_bytes=MAX_FILE_BYTES):
    """The bytes of an image file of at most ``max_bytes``.

    Raises:
        ArtworkError: the file cannot be read or is larger.
    """
    with open(path, "rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArtworkError(f"{path}: the image file is larger than {max_bytes} bytes")
    return data


def open_image(source, max_pixels=MAX_PIXELS, label=None):
    """Open an image (a path or a binary stream) whose header announces at most ``max_pixels``.

    Only the header is read here; the pixels are decoded by ``load()`` later,
    so a decompression bomb never reaches the decoder.

    Raises:
        ArtworkError: no image, or a larger one (the message starts with ``label``).
    """
    label = label or (source if isinstance(source, (str, os.PathLike)) else "image")
    with convert_error(_IMAGE_ERRORS, ArtworkError, label):
        image = Image.open(source)
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ArtworkError(f"{label}: the image has {width} x {height} pixels, more than the "
                           f"{max_pixels} allowed: refused (a decompression bomb?)")
    return image


def complete_scales(directory, name, scales, max_pixels=MAX_PIXELS):
    """Write the scaled copies of ``directory/name`` that are missing; returns how many.

    For artwork written before a scale was added to ``[albumcover] scales``,
    or copies deleted by hand: the WebUI loads every scale and shows a broken
    image where one is missing.

    Raises:
        ArtworkError: the full-size image cannot be read or a copy cannot be written.
    """
    missing = [scale for scale in scales
               if not os.path.isfile(os.path.join(directory, f"{scale}x{scale}", name))]
    if not missing:
        return 0
    with convert_error(_IMAGE_ERRORS, ArtworkError, f"artwork {name!r}"), \
            open_image(os.path.join(directory, name), max_pixels, f"artwork {name!r}") as image:
        _shrink_for(image, missing)
        image.load()
        _write_scales(image, directory, name, missing)
    return len(missing)


def _shrink_for(image, scales):
    """Let a JPEG decode at the smallest power-of-two reduction still >= the largest scale."""
    if image.format == "JPEG" and scales:
        largest = max(scales)
        image.draft("RGB", (largest, largest))


@convert_error(_IMAGE_ERRORS, ArtworkError, "default artwork")
def ensure_default_artwork(directory):
    """Create ``directory/default.jpg`` (a neutral dark image) if it is missing.

    Raises:
        ArtworkError: the directory or file cannot be written.
    """
    path = os.path.join(directory, DEFAULT_ARTWORK)
    if os.path.exists(path):
        return path
    os.makedirs(directory, exist_ok=True)
    image = Image.new("RGB", (DEFAULT_SIZE, DEFAULT_SIZE), (16, 16, 16))
    draw = ImageDraw.Draw(image)
    centre, radius = DEFAULT_SIZE // 2, DEFAULT_SIZE * 2 // 5
    draw.ellipse((centre - radius,) * 2 + (centre + radius,) * 2, fill=(36, 36, 36))
    draw.ellipse((centre - 40,) * 2 + (centre + 40,) * 2, fill=(144, 144, 144))
    draw.ellipse((centre - 8,) * 2 + (centre + 8,) * 2, fill=(16, 16, 16))
    _write_atomic(path, _jpeg_bytes(image), 0o644)
    log.info("Created the default artwork %s", path)
    return path


def _jpeg_bytes(image, **options):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90, **options)
    return buffer.getvalue()


def _write_scales(image, directory, name, scales):
    """Largest first, each scale shrunk from the one before: a 1000 px copy costs a
    quarter of the work from a 2000 px cover, the small ones almost nothing."""
    source = image
    for scale in sorted(set(scales), reverse=True):
        source = _write_scaled(source, os.path.join(directory, f"{scale}x{scale}"), name, scale)


def _write_scaled(image, directory, name, scale):
    if not os.path.isdir(directory):
        os.makedirs(directory, exist_ok=True)
        # rwxrwxr-x as MusicDB 8 (the umask would drop the group's w): a server running
        # as another member of the group must write artwork here too.
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o775)
    copy = image.copy()
    copy.thumbnail((scale, scale), Image.BICUBIC)
    _write_atomic(os.path.join(directory, name),
                  _jpeg_bytes(copy, optimize=True, progressive=True))
    return copy


def _write_atomic(path, data, mode=0o664):
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".artwork-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
