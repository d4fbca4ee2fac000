"""One song file encoded by ``ffmpeg`` for a client that asked for another format or bitrate.

Unlike :mod:`.transcoder` (frames for the one audio stream), this serves a
single client: ffmpeg writes the file in the requested codec and bitrate,
from an offset, to a pipe that the caller reads cooperatively
(:mod:`gevent.subprocess`), so the hub never waits on it.  The caller must
:meth:`Encoder.close` it; that kills ffmpeg when the client went away.
"""

import os

import gevent
import gevent.subprocess

from musicdb.lib.media.errors import convert_error
from musicdb.lib.media.transcoder import (READ_SIZE, STDERR_KEEP, TranscodeError,
                                          TranscoderUnavailable, find_ffmpeg, stop_ffmpeg)

# format name -> (ffmpeg encoder, ffmpeg muxer, Content-Type, file suffix)
FORMATS = {
    "mp3": ("libmp3lame", "mp3", "audio/mpeg", "mp3"),
    "opus": ("libopus", "ogg", "audio/ogg", "opus"),
    "aac": ("aac", "adts", "audio/aac", "aac"),
}


def command(ffmpeg, path, fmt, bitrate, offset=0):
    """The ffmpeg command line that writes ``path`` as ``fmt`` at ``bitrate`` kbit/s to stdout."""
    encoder, muxer = FORMATS[fmt][:2]
    seek = ["-ss", str(int(offset))] if offset > 0 else []
    extra = ["-write_xing", "0", "-id3v2_version", "0"] if fmt == "mp3" else []
    return [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", *seek,
            "-i", "file:" + os.path.abspath(path), "-map", "0:a:0", "-vn", "-map_metadata", "-1",
            "-c:a", encoder, "-b:a", f"{int(bitrate)}k", *extra, "-f", muxer, "pipe:1"]


class Encoder:
    """A running ffmpeg that encodes one file; :meth:`read` its output, then :meth:`close`.

    Raises:
        TranscoderUnavailable: no ffmpeg on PATH.
        TranscodeError: ffmpeg could not be started.
    """

    def __init__(self, path, fmt, bitrate, offset=0, ffmpeg=None):
        ffmpeg = ffmpeg or find_ffmpeg()
        if not ffmpeg:
            raise TranscoderUnavailable("ffmpeg is not installed (not on PATH)")
        with convert_error(OSError, TranscodeError, "cannot start ffmpeg"):
            self.process = gevent.subprocess.Popen(
                command(ffmpeg, path, fmt, bitrate, offset), stdin=gevent.subprocess.DEVNULL,
                stdout=gevent.subprocess.PIPE, stderr=gevent.subprocess.PIPE)
        self.errors = ""
        self._stderr_reader = gevent.spawn(self._collect_errors)

    @property
    def pid(self):
        return self.process.pid

    def read(self, size=READ_SIZE):
        """Up to ``size`` bytes as soon as some are there; b"" at the end."""
        return self.process.stdout.read1(size)

    def close(self):
        """Kill ffmpeg if it still runs, reap it and release its pipes; safe to call twice."""
        stop_ffmpeg(self.process, self._stderr_reader)

    def _collect_errors(self):
        for line in self.process.stderr:
            self.errors = (self.errors + line.decode("utf-8", "replace"))[-STDERR_KEEP:]
