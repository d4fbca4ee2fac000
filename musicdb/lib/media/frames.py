"""Still frames of a video: one frame by ffmpeg, scaled JPEG copies by Pillow.

Blocking (a subprocess and image work): callers run these in a thread pool.
"""

import contextlib
import os
import subprocess

from PIL import Image

from .artwork import _jpeg_bytes, _write_atomic
from .errors import MediaError, convert_error

FFMPEG_TIMEOUT = 60  # seconds for one frame; a seek into a long video takes a moment


class FrameError(MediaError):
    """A frame could not be extracted or scaled."""


def extract_frame(video, seconds, target):
    """Write the frame at ``seconds`` of ``video`` to the JPEG ``target``, square pixels.

    Raises:
        FrameError: ffmpeg is missing, failed or wrote nothing.
    """
    command = ["ffmpeg", "-v", "error", "-y", "-ss", str(seconds), "-i", video,
               "-frames:v", "1", "-vf", "scale=iw*sar:ih", target]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FrameError(f"{video}: ffmpeg failed: {error}") from None
    if done.returncode != 0 or not os.path.isfile(target):
        message = done.stderr.decode(errors="replace").strip()[-300:]
        raise FrameError(f"{video}: no frame at {seconds} s: {message or 'ffmpeg wrote nothing'}")


@convert_error(OSError, FrameError)
def write_scaled(source, scales):
    """Next to ``source`` (``name.jpg``), ``name (W×H).jpg`` for every ``"WxH"`` of ``scales``,
    fitting into W×H with the aspect kept, as progressive JPEGs."""
    directory, filename = os.path.split(source)
    stem, extension = os.path.splitext(filename)
    with Image.open(source) as image:
        image.load()
        for scale in scales:
            width, height = (int(part) for part in scale.lower().split("x"))
            copy = image.copy()
            copy.thumbnail((width, height), Image.BICUBIC)
            name = f"{stem} ({width}\u00d7{height}){extension}"
            _write_atomic(os.path.join(directory, name),
                          _jpeg_bytes(copy, optimize=True, progressive=True))


def make_directory(path):
    """Create a frames directory (rwxrwxr-x as MusicDB 8)."""
    os.makedirs(path, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o775)
