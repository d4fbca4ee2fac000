"""The audio stream: the song queue as one live MP3 stream, served by this server itself.

MusicDB 8 sent its frames to an Icecast server; we serve the listeners
ourselves (api-playback.md §3.4).  The parts:

* :class:`AudioStream` (``ctx.audiostream``) - one producer greenlet takes the
  queue head (``ctx.songqueue.current()``), reads its frames
  (:class:`~musicdb.lib.transcoder.FrameSource`: MP3 pass-through or ffmpeg)
  and paces them in real time, at most :data:`LEAD` seconds ahead.  While
  paused, or while nothing can be played, it sends silent frames of the same
  format, so listeners stay connected and the played time stands still.
  Commands (play, pause, toggle, next) go through a bounded FIFO and are
  executed by the producer at a frame boundary within milliseconds.
* A heartbeat greenlet sends ``MusicDB:AudioStream``/``onTimeChanged`` every
  second at all times - paused, idle, without songs, with the stream switched
  off - because the WebUI's watchdog reconnects after a silent gap
  (protocol.md §6.4).
* :class:`Broadcaster` fans every produced block out to all listeners through
  bounded per-listener buffers; a listener that falls :data:`BUFFER_SECONDS`
  behind is dropped and never slows the others.  :class:`Listener` is also the
  WSGI response body its request greenlet writes.
* :func:`http_routes` gives the router the Icecast-like endpoint at
  ``[Icecast] mountname`` (access rules in :class:`ListenerAccess`;
  ``maxlisteners = 0`` lets nobody in).  ``audio/mpeg``, ``icy-*`` headers,
  no Content-Length, ICY titles with ``Icy-MetaData: 1``.  An HTTP/1.1
  request gets the body chunked (gevent's WSGI server does that for bodies of
  unknown length; every player decodes it); HTTP/1.0 gets the raw stream, as
  from Icecast.

Better than MusicDB 8: a missing, unreadable or undecodable file is logged
and skipped (not tracked); a queue entry whose song was deleted is skipped;
any exception is caught and logged, and the loop goes on with silence.
"""

import base64
import binascii
import hmac
import ipaddress
import logging
import os
import socket
import time
from collections import deque
from urllib.parse import parse_qs

import gevent
import gevent.event

from musicdb.lib.media.transcoder import FrameSource, StreamFormat, find_ffmpeg
from . import events

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0
TICK = 0.1              # seconds between two producer runs
LEAD = 0.5              # seconds of audio sent ahead of real time, at most
MIN_LEAD = 0.15         # below this, silence fills in for a song that is still loading
MAX_BEHIND = 1.0        # the producer fell further behind (stalled hub): restart pacing
BURST_SECONDS = 1.0     # a new listener first gets the latest second, so playback starts at once
BUFFER_SECONDS = 4.0    # a listener with more unsent audio than this is dropped
SEND_BUFFER_SECONDS = 1.0   # the socket's own buffer (Linux doubles it)
IDLE_RETRY = 2.0        # seconds between looking for a song while the queue is empty
ERROR_LOG_INTERVAL = 10.0
MAX_COMMANDS = 50
METAINT = 16000         # audio bytes between two ICY metadata blocks (Icecast's default)
STREAM_NAME = "MusicDB Stream"

_WAIT = object()        # the song's frames are not there yet

_stream = None


def icy_metadata(title):
    """The ICY metadata block announcing ``title`` (length byte, then 16-byte padded text)."""
    text = f"StreamTitle='{title[:500]}';".encode("utf-8")[:255 * 16]
    blocks = -(-len(text) // 16)
    return bytes((blocks,)) + text.ljust(blocks * 16, b"\0")


# -- listeners ---------------------------------------------------------------------------

class Listener:
    """One HTTP listener: a bounded buffer filled by the producer, emptied by its request.

    Iterating yields what is buffered whenever there is something; the WSGI
    server writes it to the socket.  ``push`` returns False when the buffer
    exceeds ``limit`` bytes: the listener is too slow and must be dropped.
    """

    def __init__(self, address, icy, limit, on_close):
        self.address = address
        self.icy = icy
        self.limit = limit
        self.dropped = False
        self.sent = 0
        self._on_close = on_close
        self._chunks = []
        self._queued = 0
        self._ready = gevent.event.Event()
        self._until_meta = METAINT
        self._last_meta = None
        self._greenlet = None
        self._writing = False

    def push(self, data, meta):
        """Buffer one block of frames (ICY metadata inserted every METAINT bytes)."""
        if self.icy:
            self._push_with_metadata(data, meta)
        else:
            self._chunks.append(data)
            self._queued += len(data)
        self._ready.set()
        return self._queued <= self.limit

    def _push_with_metadata(self, data, meta):
        pos = 0
        while pos < len(data):
            part = data[pos:pos + self._until_meta]
            self._chunks.append(part)
            self._queued += len(part)
            pos += len(part)
            self._until_meta -= len(part)
            if self._until_meta == 0:
                block = b"\0" if meta is self._last_meta else meta
                self._last_meta = meta
                self._chunks.append(block)
                self._until_meta = METAINT

    def __iter__(self):
        self._greenlet = gevent.getcurrent()
        while not self.dropped:
            self._ready.wait()
            self._ready.clear()
            if self.dropped or not self._chunks:
                continue
            data = b"".join(self._chunks)
            self._chunks.clear()
            self._queued = 0
            self._writing = True
            yield data
            self._writing = False
            self.sent += len(data)

    def drop(self):
        """Disconnect: end the iteration, or abort a write that does not progress."""
        self.dropped = True
        self._ready.set()
        if self._writing and self._greenlet is not None:
            # GreenletExit ends the request quietly; closing the socket would log a traceback.
            self._greenlet.kill(block=False)

    def close(self):
        """Called by the WSGI server when the response ends for any reason."""
        self.dropped = True
        self._on_close(self)


class Broadcaster:
    """Every listener of the stream; sends each block of frames to all of them."""

    def __init__(self, maxlisteners, limit, burst):
        self.maxlisteners = maxlisteners
        self.limit = limit
        self.burst = burst
        self.listeners = set()
        self._recent = deque()
        self._recent_bytes = 0

    def add(self, address, icy):
        """A new :class:`Listener` primed with the latest audio; None if the stream is full."""
        if len(self.listeners) >= self.maxlisteners:
            return None
        listener = Listener(address, icy, self.limit + self.burst, self._remove)
        for data, meta in self._recent:
            listener.push(data, meta)
        self.listeners.add(listener)
        log.info("Stream listener %s connected (%d listening)", address, len(self.listeners))
        return listener

    def send(self, segments):
        """Send ``[(frames bytes, ICY metadata block), ...]`` to every listener."""
        for data, meta in segments:
            self._remember(data, meta)
            for listener in list(self.listeners):
                if not listener.push(data, meta):
                    log.warning("Stream listener %s does not keep up; dropping it",
                                listener.address)
                    self._remove(listener)
                    listener.drop()

    def drop_all(self):
        for listener in list(self.listeners):
            self._remove(listener)
            listener.drop()

    def _remember(self, data, meta):
        self._recent.append((data, meta))
        self._recent_bytes += len(data)
        while self._recent and self._recent_bytes - len(self._recent[0][0]) >= self.burst:
            self._recent_bytes -= len(self._recent.popleft()[0])

    def _remove(self, listener):
        if listener in self.listeners:
            self.listeners.discard(listener)
            log.info("Stream listener %s disconnected (%d listening)", listener.address,
                     len(self.listeners))


# -- the stream --------------------------------------------------------------------------

class AudioStream:
    """The audio stream of one server (``ctx.audiostream``).

    With ``enabled`` false (``[debug] disableicecast``) nothing is streamed:
    the state stays "not connected, not playing", the heartbeat sends ``0``,
    and play commands are still answered with ``onStatusChanged``.
    """

    def __init__(self, ctx, fmt=None, enabled=True, maxlisteners=100):
        self.ctx = ctx
        self.fmt = fmt or StreamFormat()
        self.enabled = enabled
        bytes_per_second = self.fmt.bitrate * 125
        self.broadcaster = Broadcaster(maxlisteners, int(BUFFER_SECONDS * bytes_per_second),
                                       int(BURST_SECONDS * bytes_per_second))
        self._silence = self.fmt.silence()
        self._ffmpeg = find_ffmpeg()
        self._running = False
        self._playing = False
        self._entry = None          # the queue entry being streamed (the head)
        self._source = None
        self._played = 0.0
        self._meta = icy_metadata("")
        self._clock = 0.0           # the moment up to which audio has been sent
        self._retry_at = 0.0
        self._commands = deque()
        self._wakeup = gevent.event.Event()
        self._greenlets = []
        self._last_error_log = -ERROR_LOG_INTERVAL

    # -- the contract (contracts.md) ----------------------------------------------------

    def state(self):
        """``{"isconnected", "isplaying"}``; connected = our stream endpoint is serving."""
        return {"isconnected": self.enabled and self._running, "isplaying": self._playing}

    def played_time(self):
        """Seconds of the current song streamed so far; the integer 0 without a song or stream."""
        if self._entry is None or not self.enabled:
            return 0
        return round(self._played, 2)

    def play(self, flag):
        """Queue the command Play(flag); ``onStatusChanged`` follows when it ran."""
        self._push(("play", bool(flag)))

    def toggle(self):
        """Queue a play/pause toggle, decided when it runs (two toggles cancel out)."""
        self._push(("toggle", None))

    def play_next(self, entryid=None):
        """Queue PlayNextSong: leave the current song untracked, go to the next one.

        The skip names the entry to leave (``entryid``, default: the queue
        head now), so a song that ends by itself before the command runs
        is not followed by a second, unwanted skip of its successor.
        """
        if entryid is None:
            entryid = self._queue_call("head_entryid")
        self._push(("next", entryid))

    # -- life cycle ---------------------------------------------------------------------

    def start(self):
        self._running = True
        events.subscribe(self._on_event)
        self._greenlets = [gevent.spawn(self._heartbeat), gevent.spawn(self._run)]

    def stop(self):
        self._running = False
        events.unsubscribe(self._on_event)
        gevent.killall(self._greenlets)
        self._greenlets = []
        self._close_source(block=True)
        self.broadcaster.drop_all()

    def _on_event(self, event):
        """A changed song queue may have a head again: look at it on the next tick."""
        if event.name in (events.SONGQUEUE_CHANGED, events.SONGQUEUE_HEAD):
            self._retry_at = 0.0

    # -- commands -------------------------------------------------------------------------

    def _push(self, command):
        if len(self._commands) >= MAX_COMMANDS:
            log.warning("Audio stream: too many pending commands; dropping %s", command[0])
            return
        self._commands.append(command)
        self._wakeup.set()

    def _execute(self, name, value):
        if name == "next":
            self._skip(value)
            return
        flag = (not self._playing) if name == "toggle" else value
        self._playing = flag and self.enabled
        log.info("Audio stream %s", "playing" if self._playing else "paused")
        events.emit(events.AUDIOSTREAM_STATUS)

    # -- the producer ---------------------------------------------------------------------

    def _run(self):
        """The producer: commands first, then a tick when due; nothing ends it but stop()."""
        next_tick = time.monotonic()
        while True:
            self._wakeup.clear()
            while self._commands:
                self._guarded(self._execute, *self._commands.popleft())
            if self.enabled and time.monotonic() >= next_tick:
                self._guarded(self._tick)
                next_tick = time.monotonic() + TICK
            timeout = max(0.0, next_tick - time.monotonic()) if self.enabled else None
            self._wakeup.wait(timeout)

    def _tick(self):
        """Send the frames due until ``now + LEAD``: song frames while playing, else silence."""
        now = time.monotonic()
        if self._clock < now - MAX_BEHIND:
            self._clock = now
        self._guarded(self._sync_head, now)
        segments = []
        while self._clock < now + LEAD:
            frame = self._guarded(self._song_frame) if self._playing else None
            if frame is _WAIT:
                if self._clock > now + MIN_LEAD:
                    break
                frame = None
            frame = frame or self._silence
            self._clock += frame.duration
            if segments and segments[-1][1] is self._meta:
                segments[-1][0].append(frame.data)
            else:
                segments.append(([frame.data], self._meta))
        self.broadcaster.send([(b"".join(frames), meta) for frames, meta in segments])

    def _sync_head(self, now):
        """Follow the queue head: a new head (removed, skipped elsewhere) restarts the song."""
        if self._entry is None and now < self._retry_at:
            return
        head = self._queue_call("current")
        if head is None:
            self._retry_at = now + IDLE_RETRY
        if head is None or self._entry is None or head["entryid"] != self._entry["entryid"]:
            self._change_entry(head)

    def _song_frame(self):
        """The next frame of the current song, None for silence, _WAIT while it loads."""
        if self._entry is None:
            return None
        if self._source is None and not self._open_source():
            return None
        frame = self._source.take()
        if frame is not None:
            self._played += frame.duration
            return frame
        if not self._source.finished:
            return _WAIT
        if self._source.error:
            self._song_failed(self._source.error)
        else:
            self._song_ended()
        if self._entry is not None and self._source is None:
            self._open_source()     # starts loading the next song at once
        return _WAIT

    def _open_source(self):
        songid = self._entry["songid"]
        song = self.ctx.database.get_song(songid)
        if song is None:
            log.warning("Song %s in the queue no longer exists; skipping it", songid)
            self._advance()
            return False
        path = os.path.join(self.ctx.cfg.directories.music, song["path"])
        self._source = FrameSource(path, self.fmt, self._ffmpeg)
        self._meta = icy_metadata(self._title(song))
        log.debug("Streaming song %s (%s)", songid, song["path"])
        return True

    def _title(self, song):
        artist = self.ctx.database.get_artist(song["artistid"])
        return f"{artist['name']} - {song['name']}" if artist else song["name"]

    def _song_ended(self):
        """Natural end: tracker and statistics first, then the queue moves on."""
        entry = self._entry
        self._close_source()
        tracker = getattr(self.ctx, "playtracker", None)
        if tracker is not None:
            try:
                tracker.song_played(entry["songid"], entry["israndom"])
            except Exception:
                log.exception("Tracking song %s failed", entry["songid"])
        self._advance()

    def _song_failed(self, reason):
        log.warning("Cannot stream song %s (%s): %s; skipping it", self._entry["songid"],
                    self._source.path, reason)
        self._advance()
        events.emit(events.AUDIOSTREAM_STATUS)

    def _advance(self):
        """Pop our song off the queue (unless the queue already moved on) and take the new head."""
        entry = self._entry
        self._close_source()
        if entry is None:
            self._change_entry(self._queue_call("current"))
        else:
            self._change_entry(self._queue_call("next", entry["entryid"]))

    def _skip(self, entryid):
        """PlayNextSong: the entry is popped untracked if it is still the head; the new head starts at 0."""
        if entryid is None:
            return
        head = self._queue_call("next", entryid)
        if head is None or self._entry is None or head["entryid"] != self._entry["entryid"]:
            self._change_entry(head)

    def _change_entry(self, entry):
        self._close_source()
        self._entry = entry
        self._played = 0.0
        if entry is None:
            self._meta = icy_metadata("")

    def _close_source(self, block=False):
        if self._source is not None:
            self._source.close(block)
            self._source = None

    def _queue_call(self, name, *args):
        queue = getattr(self.ctx, "songqueue", None)
        return getattr(queue, name)(*args) if queue is not None else None

    def _guarded(self, function, *args):
        """Run one step; an exception is logged (rate-limited) and the song given up."""
        try:
            return function(*args)
        except Exception:
            now = time.monotonic()
            if now - self._last_error_log >= ERROR_LOG_INTERVAL:
                self._last_error_log = now
                log.exception("Audio stream: %s failed; going on with silence",
                              getattr(function, "__name__", function))
            self._close_source()
            self._entry = None
            self._retry_at = now + IDLE_RETRY
            events.emit(events.AUDIOSTREAM_STATUS)
            return None

    # -- heartbeat ------------------------------------------------------------------------

    def _heartbeat(self):
        """``onTimeChanged`` once per second, whatever else happens (protocol.md §6.4)."""
        due = time.monotonic()
        while True:
            try:
                events.emit(events.AUDIOSTREAM_TIME, self.played_time())
            except Exception:
                log.exception("Sending the heartbeat failed")
            due = max(due + HEARTBEAT_INTERVAL, time.monotonic())
            gevent.sleep(due - time.monotonic())


# -- the HTTP endpoint ---------------------------------------------------------------------

class ListenerAccess:
    """Who may listen: ``[Icecast] allow`` (addresses, prefixes, networks) and ``password``."""

    def __init__(self, allow=(), password=""):
        self.password = password or ""
        self.networks, self.prefixes = [], []
        for item in allow:
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.prefixes.append(item)

    def allowed_address(self, address):
        if not self.networks and not self.prefixes:
            return True
        try:
            ip = ipaddress.ip_address(address)
            ip = getattr(ip, "ipv4_mapped", None) or ip
        except ValueError:
            return False
        if any(ip in network for network in self.networks):
            return True
        return any(str(ip).startswith(prefix) for prefix in self.prefixes)

    def authorized(self, environ):
        """True without a password, or with it as HTTP Basic password or ``?password=``."""
        if not self.password:
            return True
        given = parse_qs(environ.get("QUERY_STRING", "")).get("password", [""])[0]
        given = given or _basic_password(environ.get("HTTP_AUTHORIZATION", ""))
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))


def _basic_password(header):
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    return decoded.partition(":")[2]


def http_routes(cfg):
    """The router's extra routes: ``{[Icecast] mountname: the stream endpoint}``."""
    access = ListenerAccess(cfg.icecast.allow, cfg.icecast.password)

    def stream_app(environ, start_response):
        return _serve_listener(environ, start_response, access)
    return {cfg.icecast.mountname: stream_app}


def _serve_listener(environ, start_response, access):
    stream = _stream
    address = environ.get("REMOTE_ADDR", "")
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _refuse(start_response, "405 Method Not Allowed", [("Allow", "GET, HEAD")])
    if stream is None or not stream.enabled:
        return _refuse(start_response, "503 Service Unavailable")
    if not access.allowed_address(address):
        log.info("Stream listener %s refused: address not allowed", address)
        return _refuse(start_response, "403 Forbidden")
    if not access.authorized(environ):
        return _refuse(start_response, "401 Unauthorized",
                       [("WWW-Authenticate", f'Basic realm="{STREAM_NAME}"')])
    icy = environ.get("HTTP_ICY_METADATA", "").strip() == "1"
    if environ["REQUEST_METHOD"] == "HEAD":
        start_response("200 OK", _stream_headers(stream, icy))
        return []
    listener = stream.broadcaster.add(f"{address}:{environ.get('REMOTE_PORT', '')}", icy)
    if listener is None:
        log.warning("Stream listener %s refused: %d listeners already", address,
                    stream.broadcaster.maxlisteners)
        return _refuse(start_response, "503 Service Unavailable", [("Retry-After", "30")])
    _limit_send_buffer(environ, SEND_BUFFER_SECONDS * stream.fmt.bitrate * 125)
    start_response("200 OK", _stream_headers(stream, icy))
    return listener


def _limit_send_buffer(environ, size):
    """Give the request's socket a send buffer of about ``size`` bytes, if it can be found.

    Why: Linux grows a socket's send buffer up to megabytes, which would hide
    a stalled listener for minutes (and hold that much memory per listener).
    WSGI does not expose the socket; gevent's request body reader wraps it.
    """
    try:
        sock = environ["wsgi.input"].rfile.raw._sock
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(size))
    except (AttributeError, KeyError, OSError) as error:
        log.debug("Cannot limit the stream listener's send buffer: %s", error)


def _stream_headers(stream, icy):
    headers = [("Content-Type", "audio/mpeg"), ("Cache-Control", "no-cache"),
               ("Pragma", "no-cache"), ("Connection", "close"),
               ("icy-name", STREAM_NAME), ("icy-br", str(stream.fmt.bitrate)), ("icy-pub", "0")]
    if icy:
        headers.append(("icy-metaint", str(METAINT)))
    return headers


def _refuse(start_response, status, headers=()):
    body = (status + "\n").encode("ascii")
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                            *headers])
    return [body]


# -- start and stop --------------------------------------------------------------------------

def stream_format(cfg):
    """The :class:`StreamFormat` of the configuration (``[Icecast] bitrate``, ``transcodeall``)."""
    icecast = cfg.icecast
    return StreamFormat(bitrate=int(getattr(icecast, "bitrate", 320)),
                        transcode_all=bool(getattr(icecast, "transcodeall", False)))


def StartAudioStreamingThread(ctx):
    """Create the stream as ``ctx.audiostream`` and start its greenlets (paused)."""
    global _stream
    if _stream is not None:
        return
    cfg = ctx.cfg
    _stream = AudioStream(ctx, stream_format(cfg), enabled=not cfg.debug.disableicecast,
                          maxlisteners=cfg.icecast.maxlisteners)
    ctx.audiostream = _stream
    _stream.start()
    if not _stream.enabled:
        log.info("Audio stream disabled ([debug] disableicecast); sending the heartbeat only")
    elif _stream._ffmpeg is None:
        log.warning("ffmpeg not found: only %d Hz stereo MP3 songs can be streamed",
                    _stream.fmt.samplerate)


def StopAudioStreamingThread():
    global _stream
    if _stream is not None:
        _stream.stop()
        _stream = None
        log.debug("Audio streaming loop stopped")
