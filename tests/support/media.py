"""Real media files: short sine tones and test pictures encoded by ffmpeg."""

import os
import shutil
import subprocess

import pytest

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")


def encode_tone(path, *codec, seconds=3, frequency=440, channels=2):
    """Write a sine tone of ``seconds`` to ``path`` with the ffmpeg ``codec`` options."""
    command = [FFMPEG, "-loglevel", "error", "-y", "-f", "lavfi",
               "-i", f"sine=frequency={frequency}:duration={seconds}",
               "-ac", str(channels), "-map_metadata", "-1", *codec, str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path


def encode_song(path, seconds=3, frequency=440, rate=44100, channels=2, codec="libmp3lame",
                bitrate="320k", extra=()):
    """Write a song of ``seconds`` to ``path`` (its directories are made) in ``codec``."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    options = ["-ar", str(rate), "-c:a", codec, *(["-b:a", bitrate] if bitrate else []), *extra]
    return encode_tone(path, *options, seconds=seconds, frequency=frequency, channels=channels)


def make_video(path, seconds=3):
    """A short H.264 test picture (320x180) made by ffmpeg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc=duration={seconds}:size=320x180:rate=10", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)
    return path
