"""Transcoding for ``stream``: when it happens, at what bitrate, and how many run at once.

Only when asked: ``format`` names mp3, opus or aac and the file is another
format, or ``maxBitRate`` is below the file's bitrate.  Everything else (and
every server without ffmpeg) gets the original file with ranges.  Bitrates
snap down to :data:`LADDER`.  A transcode has no ranges; ``timeOffset``
seeks, and ``estimateContentLength`` sends the length that the duration and
bitrate promise (the body is cut or padded to it, as players rely on it).

At most ``limit`` ffmpeg processes run for Subsonic clients at once; the
next request fails at once (error 0), because a queued transcode is a
player that hangs.  ffmpeg dies with its client: the WSGI server closes the
body when the client went away, and :meth:`EncodedBody.close` kills it.
"""

import logging
import os
from dataclasses import dataclass

from musicdb.lib.media.encoder import FORMATS, Encoder
from musicdb.lib.media.errors import MediaError

from .wire import GENERIC, SubsonicError

log = logging.getLogger(__name__)

LADDER = (64, 96, 128, 160, 192, 256, 320)  # kbit/s
DEFAULT_BITRATE = 192  # a format change without maxBitRate
MAX_TRANSCODES = 2     # the default of [subsonic] maxtranscodes
LOSSY = frozenset(("mp3", "ogg", "opus", "aac", "m4a"))  # a lossless file's bitrate is no cap
PAD = b"\0" * 4096


@dataclass(frozen=True)
class Plan:
    """What to encode: ``fmt`` at ``bitrate`` kbit/s from ``offset`` s, ``duration`` s long."""

    fmt: str
    bitrate: int
    offset: int
    duration: float

    @property
    def content_type(self):
        return FORMATS[self.fmt][2]

    @property
    def length(self):
        """The estimated body length in bytes (duration x bitrate / 8)."""
        return int(self.duration * self.bitrate * 1000 / 8)


def snap(kbps):
    """The largest step of the ladder at most ``kbps`` (the lowest step for less)."""
    return max([step for step in LADDER if step <= kbps] or [LADDER[0]])


def plan(song, fmt, max_bitrate, offset):
    """The :class:`Plan` of a stream request, or None: send the original file."""
    suffix = os.path.splitext(str(song.get("path") or ""))[1][1:].lower()
    source = int(song.get("bitrate") or 0) // 1000
    lower = 0 < max_bitrate < source
    if fmt not in FORMATS and not lower:
        return None
    if fmt == suffix and not lower:
        return None
    target = fmt if fmt in FORMATS else (suffix if suffix in FORMATS else "mp3")
    bitrate = snap(max_bitrate) if max_bitrate > 0 else DEFAULT_BITRATE
    if source and suffix in LOSSY:  # no more bits than a lossy source has
        bitrate = min(bitrate, snap(source))
    duration = max(0.0, float(song.get("playtime") or 0) - offset)
    return Plan(target, bitrate, offset, duration)


class Transcoding:
    """The ffmpeg of the server and a count of the transcodes running (at most ``limit``)."""

    def __init__(self, ffmpeg, limit=MAX_TRANSCODES):
        self.ffmpeg = ffmpeg
        self.limit = limit
        self.running = 0

    @property
    def available(self):
        return bool(self.ffmpeg) and self.limit > 0

    def app(self, the_plan, path, estimate, head=False):
        """The WSGI app that answers with ``path`` encoded by ``the_plan``; ``head``: no body.

        A HEAD request never starts ffmpeg nor takes a place.

        Raises:
            SubsonicError: ``limit`` transcodes run already, or ffmpeg did not start.
        """
        headers = [("Content-Type", the_plan.content_type), ("Cache-Control", "no-cache"),
                   ("Accept-Ranges", "none")]
        if estimate:
            headers.append(("Content-Length", str(the_plan.length)))
        if head:
            return _answer(headers, [])
        return self._start(the_plan, path, estimate, headers)

    def _start(self, the_plan, path, estimate, headers):
        if self.running >= self.limit:
            raise SubsonicError(GENERIC, "Too many transcodes at once (%d); try again later"
                                % self.limit)
        try:
            encoder = Encoder(path, the_plan.fmt, the_plan.bitrate, the_plan.offset, self.ffmpeg)
        except MediaError as error:
            log.error("Subsonic stream of %s: %s", path, error)
            raise SubsonicError(GENERIC, "Cannot transcode the song") from None
        self.running += 1
        return _answer(headers, EncodedBody(encoder, the_plan.length if estimate else None,
                                            self._finished))

    def _finished(self):
        self.running -= 1


def _answer(headers, body):
    def app(environ, start_response):
        start_response("200 OK", headers)
        return body
    return app


class EncodedBody:
    """The WSGI body of one transcode: ffmpeg's output, cut or padded to ``length`` if given.

    :meth:`close` (called by the WSGI server at the end, also when the client
    went away) kills ffmpeg and frees the transcode's place.
    """

    def __init__(self, encoder, length, finished):
        self.encoder = encoder
        self.length = length
        self._finished = finished
        self._closed = False

    def __iter__(self):
        """ffmpeg's output, read one chunk ahead: ffmpeg is reaped and its place freed
        before the last bytes go out, so a client's next request finds the place free."""
        sent, pending = 0, self.encoder.read()
        while pending:
            if self.length is not None:
                pending = pending[:self.length - sent]
            more = self.length is None or sent + len(pending) < self.length
            following = self.encoder.read() if more else b""
            if not following:
                self._finish()
            sent += len(pending)
            yield pending
            pending = following
        self._finish()
        while self.length is not None and sent < self.length:  # ffmpeg made less than promised
            data = PAD[:self.length - sent]
            sent += len(data)
            yield data

    def _finish(self):
        if not self._closed and self.encoder.errors.strip():
            log.warning("ffmpeg: %s", self.encoder.errors.strip().splitlines()[0])
        self.close()

    def close(self):
        if not self._closed:
            self._closed = True
            self.encoder.close()
            self._finished()
