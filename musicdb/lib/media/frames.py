"""Still frames of a video: one frame by ffmpeg, scaled JPEG copies by Pillow.

A video's frames directory (``<artwork dir>/<framesdirectory>``, api-uploads.md
§8) holds, as MusicDB 8 writes it: ``frame-01.jpg`` … (``[videoframes]
frames`` of them, square pixels), ``frame-NN (W×H).jpg`` per ``[videoframes]
scales`` entry, the animated WebP ``preview.webp`` and ``preview (W×H).webp``
(every frame shown ``previewlength``·1000/n ms, endless loop).  The WebUI
loads ``videoframes/<framesdirectory>/<thumbnailfile or previewfile>`` with
`` (150×83)`` before the extension in its lists.

ffmpeg runs with :mod:`subprocess`: under gevent's monkey patch it is
cooperative and must run in a greenlet of the hub's thread (gevent watches
children only on its default loop, so not in a worker thread).  The image work
is blocking: :func:`generate_frames` hands it to ``offload`` (the caller's
thread pool).
"""

import contextlib
import io
import os
import subprocess

from PIL import Image

from .artwork import MAX_PIXELS, _jpeg_bytes, _write_atomic, open_image
from .errors import MediaError, convert_error

THUMBNAIL, PREVIEW = "frame-01.jpg", "preview.webp"
TIMES = "\u00d7"
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
    with open_image(source, MAX_PIXELS) as image:
        image.load()
        for width, height in parse_scales(scales):
            copy = image.copy()
            copy.thumbnail((width, height), Image.BICUBIC)
            name = scaled_name(f"{stem}{extension}", width, height)
            _write_atomic(os.path.join(directory, name),
                          _jpeg_bytes(copy, optimize=True, progressive=True))


def parse_scales(scales):
    """``["50x27", "150x83"]`` -> ``[(50, 27), (150, 83)]``."""
    return [tuple(int(part) for part in scale.lower().split("x")) for scale in scales]


def scaled_name(filename, width, height):
    """``"frame-01.jpg"`` -> ``"frame-01 (150×83).jpg"`` (× is U+00D7, as the WebUI builds it)."""
    stem, extension = os.path.splitext(filename)
    return f"{stem} ({width}{TIMES}{height}){extension}"


def frame_times(playtime, count):
    """MusicDB 8's frame positions: ``L/(n+1) · (i + ½)`` seconds for i = 0 … n-1."""
    return [playtime / (count + 1) * (index + 0.5) for index in range(count)]


def generate_frames(video, directory, playtime, count, previewlength, scales, offload=None):
    """Write the frames, their scaled copies and the previews of ``video`` into ``directory``.

    Files that exist are kept (delete them to have them made again).
    ``offload(function, *args)`` runs the Pillow and file work (default: here).
    Returns how many files were written.

    Raises:
        MediaError: ffmpeg or Pillow failed, or the directory cannot be written.
    """
    offload = offload or _here
    offload(make_directory, directory)
    sizes = parse_scales(scales)
    frames, written = [], 0
    for index, seconds in enumerate(frame_times(playtime, count), start=1):
        frame = os.path.join(directory, f"frame-{index:02d}.jpg")
        if not os.path.isfile(frame):
            extract_frame(video, round(seconds, 3), frame)
            written += 1
        missing = [f"{w}x{h}" for w, h in sizes
                   if not os.path.isfile(os.path.join(directory, scaled_name(frame, w, h)))]
        if missing:
            offload(write_scaled, frame, missing)
            written += len(missing)
        frames.append(frame)
    return written + offload(_write_previews, directory, frames, previewlength, sizes)


def _here(function, *args):
    return function(*args)


@convert_error(OSError, FrameError)
def _write_previews(directory, frames, previewlength, sizes):
    """``preview.webp`` from the full frames, ``preview (W×H).webp`` from the scaled ones."""
    written = 0
    targets = [(PREVIEW, frames)] + [
        (scaled_name(PREVIEW, w, h), [scaled_name(frame, w, h) for frame in frames])
        for w, h in sizes]
    for name, sources in targets:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            continue
        _write_atomic(path, _animated_webp(sources, previewlength * 1000 // len(sources)))
        written += 1
    return written


def _animated_webp(paths, milliseconds):
    images = []
    try:
        for path in paths:
            with open_image(path, MAX_PIXELS) as image:
                images.append(image.convert("RGB"))
        buffer = io.BytesIO()
        images[0].save(buffer, format="WEBP", save_all=True, append_images=images[1:],
                       duration=milliseconds, loop=0, quality=80)
        return buffer.getvalue()
    finally:
        for image in images:
            image.close()


@convert_error(OSError, FrameError)
def make_directory(path):
    """Create a frames directory (rwxrwxr-x as MusicDB 8)."""
    os.makedirs(path, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o775)
