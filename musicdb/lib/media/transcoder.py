"""MP3 frames of one song in the stream's format, read without blocking the event loop.

The audio stream mixes the frames of many songs and its own silence frames in
one HTTP stream, so every frame it sends must have one format: MPEG-1 Layer
III at :attr:`StreamFormat.samplerate`, two channels.  A song that is already
such an MP3 is passed through frame by frame (its bitrate may differ: every
player handles a bitrate change between frames, as in any VBR file); anything
else - FLAC, Ogg, AAC, mono or 48 kHz MP3s - is transcoded by ``ffmpeg`` to a
constant bitrate MP3.  With ``transcode_all`` every song is transcoded, so the
stream has one constant bitrate.

Why the care: a file read or a pipe read on the gevent hub would stall every
WebSocket client and listener.  File reads go to the hub's threadpool; ffmpeg
runs as a :mod:`gevent.subprocess` whose stdout is read cooperatively, and the
back-pressure of the bounded frame queue stops ffmpeg (through the full pipe)
when the stream is far enough ahead.
"""

import logging
import os
import shutil
from dataclasses import dataclass

import gevent
import gevent.queue
import gevent.subprocess

from musicdb.lib.media import mp3
from musicdb.lib.media.errors import MediaError, convert_error
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

READ_SIZE = 64 * 1024
# Garbage after the first frame, in bytes, that makes a file damaged, not merely
# untidy: real files have a few stray bytes at most, a 320 kbit/s second is 40 KiB.
MAX_GARBAGE = 64 * 1024
QUEUE_FRAMES = 256          # about 6.7 s at 44.1 kHz: smooths slow disks and ffmpeg start
STDERR_KEEP = 2000          # characters of ffmpeg's error output kept for the log
_END = object()


class TranscodeError(MediaError):
    """ffmpeg is missing, cannot be started, or failed."""


class TranscoderUnavailable(TranscodeError):
    """There is no ``ffmpeg`` on PATH, so only MP3s of the stream format can be played."""


@dataclass(frozen=True)
class StreamFormat:
    """The one format of every frame in the stream."""

    bitrate: int = 320          # kbit/s, for transcoded songs and silence
    samplerate: int = 44100
    transcode_all: bool = False

    def accepts(self, header):
        """True if frames with this header can go into the stream unchanged."""
        return (header.version == mp3.MPEG1 and header.layer == 3
                and header.samplerate == self.samplerate and header.channels == 2)

    def silence(self):
        """One silent frame of this format (see :func:`mp3.silent_frame`)."""
        data = mp3.silent_frame(self.bitrate, self.samplerate)
        return mp3.Frame(data, mp3.parse_header(data))


def find_ffmpeg():
    """The path of ``ffmpeg`` on PATH, or None."""
    return shutil.which("ffmpeg")


class Transcoder:
    """A running ``ffmpeg`` that writes ``path`` as MP3 in ``fmt`` to its stdout.

    Raises:
        TranscoderUnavailable: no ffmpeg on PATH.
        TranscodeError: ffmpeg could not be started.
    """

    def __init__(self, path, fmt, ffmpeg=None):
        ffmpeg = ffmpeg or find_ffmpeg()
        if not ffmpeg:
            raise TranscoderUnavailable("ffmpeg is not installed (not on PATH)")
        command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                   "-i", "file:" + os.path.abspath(path), "-map", "0:a:0", "-vn",
                   "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", f"{fmt.bitrate}k",
                   "-ar", str(fmt.samplerate), "-ac", "2", "-id3v2_version", "0",
                   "-write_id3v1", "0", "-write_xing", "0", "-f", "mp3", "pipe:1"]
        with convert_error(OSError, TranscodeError, "cannot start ffmpeg"):
            self.process = gevent.subprocess.Popen(
                command, stdin=gevent.subprocess.DEVNULL, stdout=gevent.subprocess.PIPE,
                stderr=gevent.subprocess.PIPE)
        self._errors = ""
        self._stderr_reader = gevent.spawn(self._collect_errors)

    def read(self, size=READ_SIZE):
        """Up to ``size`` bytes of MP3 data as soon as some are there; b"" at the end."""
        return self.process.stdout.read1(size)

    def finish(self):
        """Wait for ffmpeg to exit.

        Raises:
            TranscodeError: ffmpeg failed (its error output is in the message).
        """
        code = self.process.wait()
        self._stderr_reader.join()
        if code != 0:
            reason = self._errors.strip().splitlines()[:1] or [f"exit code {code}"]
            raise TranscodeError(f"ffmpeg failed: {reason[0]}")

    def close(self):
        """Stop ffmpeg if it still runs and release its pipes."""
        stop_ffmpeg(self.process, self._stderr_reader)

    def _collect_errors(self):
        for line in self.process.stderr:
            self._errors = (self._errors + line.decode("utf-8", "replace"))[-STDERR_KEEP:]


class FrameSource:
    """The frames of one song file, produced by a greenlet into a bounded queue.

    :meth:`take` never waits.  When the song is over, :attr:`finished` is
    true; when it could not be read or decoded, :attr:`error` says why (and
    :attr:`finished` is true as well).  :meth:`close` stops the work at once.
    """

    def __init__(self, path, fmt, ffmpeg=None):
        self.path = path
        self.fmt = fmt
        self.ffmpeg = ffmpeg
        self.error = None
        self.transcoded = False
        self.finished = False
        self._frames = gevent.queue.Queue(QUEUE_FRAMES)
        self._greenlet = gevent.spawn(self._run)

    def take(self):
        """The next frame, or None if none is ready (yet, or any more)."""
        if self.finished:
            return None
        try:
            item = self._frames.get_nowait()
        except gevent.queue.Empty:
            return None
        if item is _END:
            self.finished = True
            return None
        return item

    def close(self, block=False):
        """Stop reading (and ffmpeg); with ``block`` wait until that happened."""
        self.finished = True
        self._greenlet.kill(block=block)

    def _run(self):
        try:
            count = self._produce()
            if count == 0:
                self.error = "no MPEG audio frames"
        except TranscodeError as error:
            self.error = str(error)
        except OSError as error:
            self.error = f"cannot read the file: {error.strerror or error}"
        except gevent.GreenletExit:
            raise
        except Exception as error:  # a decoder bug must not end the stream
            log.exception("Reading %s failed", self.path)
            self.error = f"unexpected error: {error}"
        self._frames.put(_END)

    def _produce(self):
        """Queue all frames of the song; returns how many."""
        if self.fmt.transcode_all or not self.path.lower().endswith(".mp3"):
            return self._transcode()
        handle = in_thread(open, self.path, "rb")
        try:
            return self._pass_through(handle)
        finally:
            # In a worker thread: a read still running there holds the file's lock.
            gevent.get_hub().threadpool.spawn(handle.close)

    def _pass_through(self, handle):
        """Queue the file's own frames if their format fits, else transcode it."""
        parser, count = mp3.FrameParser(), 0
        while True:
            data = in_thread(handle.read, READ_SIZE)
            frames = parser.feed(data) if data else parser.finish()
            if parser.first is not None and not self.fmt.accepts(parser.first):
                log.debug("%s is not %d Hz stereo MPEG-1 Layer III; transcoding it",
                          self.path, self.fmt.samplerate)
                return self._transcode()
            count += self._put(frames)
            if parser.first is not None and parser.garbage_run > MAX_GARBAGE:
                raise TranscodeError(f"the file is damaged: no MPEG audio frame in "
                                     f"{parser.garbage_run} bytes after {count} frames")
            if not data:
                if count == 0 and (self.ffmpeg or find_ffmpeg()):
                    return self._transcode()    # e.g. free-format bitrate: ffmpeg may read it
                return count

    def _transcode(self):
        self.transcoded = True
        transcoder = Transcoder(self.path, self.fmt, self.ffmpeg)
        try:
            parser, count = mp3.FrameParser(), 0
            while True:
                data = transcoder.read()
                count += self._put(parser.feed(data) if data else parser.finish())
                if not data:
                    transcoder.finish()
                    return count
        finally:
            transcoder.close()

    def _put(self, frames):
        for frame in frames:
            self._frames.put(frame)
        return len(frames)


def stop_ffmpeg(process, stderr_reader):
    """Kill ``process`` if it still runs, reap it, stop the greenlet reading its error
    output and close its pipes; safe to call twice."""
    if process.poll() is None:
        process.kill()
    process.wait()
    stderr_reader.kill()
    for pipe in (process.stdout, process.stderr):
        try:
            pipe.close()
        except OSError:
            pass
