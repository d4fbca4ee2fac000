"""Real media files for the media tests: short sine tones encoded by ffmpeg."""

import shutil
import subprocess

import pytest

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")


def encode_tone(path, *codec, seconds=3, frequency=440):
    """Write a stereo sine tone of ``seconds`` to ``path`` with the ffmpeg ``codec`` options."""
    command = [FFMPEG, "-loglevel", "error", "-y", "-f", "lavfi",
               "-i", f"sine=frequency={frequency}:duration={seconds}",
               "-ac", "2", "-map_metadata", "-1", *codec, str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path
