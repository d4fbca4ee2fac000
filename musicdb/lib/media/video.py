"""What ffprobe tells of a music video: playtime, codec and resolution (api-editing.md §1.2).

Blocking (a subprocess): callers run :func:`probe` in a thread pool.
"""

import json
import subprocess
from dataclasses import dataclass
from fractions import Fraction

from .errors import MediaError

FFPROBE_TIMEOUT = 30  # seconds; a hung ffprobe must not block an import forever


class VideoError(MediaError):
    """ffprobe is missing, failed, or found no video stream."""


@dataclass(frozen=True)
class VideoInfo:
    playtime: int      # seconds, rounded container duration
    codec: str         # codec of the first video stream, e.g. "h264"
    xresolution: int   # width times the sample aspect ratio (square pixels)
    yresolution: int


def probe(path):
    """The :class:`VideoInfo` of the video file ``path``.

    Raises:
        VideoError: ffprobe cannot read it or it has no video stream.
    """
    command = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-of", "json",
               "-show_entries", "stream=codec_name,width,height,sample_aspect_ratio"
               ":format=duration", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFPROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise VideoError(f"{path}: ffprobe failed: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()[-300:]
        raise VideoError(f"{path}: ffprobe cannot read it: {message}")
    try:
        found = json.loads(done.stdout)
        stream = found["streams"][0]
        duration = float(found.get("format", {}).get("duration") or 0)
        width, height = int(stream["width"]), int(stream["height"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise VideoError(f"{path}: no video stream") from None
    return VideoInfo(round(duration), stream.get("codec_name") or "",
                     round(width * _aspect(stream.get("sample_aspect_ratio"))), height)


def _aspect(text):
    """``"4:3"`` -> 4/3; missing, ``"0:1"`` or garbage -> 1."""
    try:
        ratio = Fraction(*(int(part) for part in text.split(":")))
    except (AttributeError, ValueError, TypeError, ZeroDivisionError):
        return 1
    return ratio if ratio > 0 else 1
