"""The playback engine: the song queue as one live stream of MP3 frames.

One producer greenlet takes the queue head (``app.songqueue.current()``),
reads its frames (:class:`~musicdb.lib.media.transcoder.FrameSource`: MP3
pass-through or ffmpeg) and paces them in real time, at most :data:`LEAD`
seconds ahead, to the :class:`~.broadcast.Broadcaster`.  While paused, or
while nothing can be played, it sends silent frames of the same format, so
listeners stay connected and the played time stands still.  Commands (play,
pause, toggle, next) go through a bounded FIFO and are executed by the
producer at a frame boundary within milliseconds.

A heartbeat greenlet emits the played time every second at all times -
paused, idle, without songs, with the stream switched off - because the
WebUI's watchdog reconnects after a silent gap (protocol.md §6.4).

Better than MusicDB 8: a missing, unreadable or undecodable file is logged
and skipped (not tracked); a queue entry whose song was deleted is skipped;
any exception is caught and logged, and the loop goes on with silence.
"""

import logging
import os
import time
from collections import deque

import gevent
import gevent.event
import gevent.pool

from musicdb.lib.service import Service
from musicdb.lib.storage import StorageError
from musicdb.lib.media.transcoder import FrameSource, StreamFormat, find_ffmpeg
from musicdb.mdbapi import events
from .broadcast import Broadcaster, icy_metadata

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0
TICK = 0.1              # seconds between two producer runs
MIN_TICK_GAP = 0.02     # after a late tick, the next one comes at least this much later
LEAD = 0.5              # seconds of audio sent ahead of real time, at most
MIN_LEAD = 0.15         # below this, silence fills in for a song that is still loading
MAX_BEHIND = 1.0        # the producer fell further behind (stalled hub): restart pacing
BURST_SECONDS = 1.0     # a new listener first gets the latest second, so playback starts at once
BUFFER_SECONDS = 4.0    # a listener with more unsent audio than this is dropped
IDLE_RETRY = 2.0        # seconds between looking for a song while the queue is empty
ERROR_LOG_INTERVAL = 10.0
FINISH_TIMEOUT = 10.0   # seconds close() waits for the pop of a song that ended
MAX_COMMANDS = 50

_WAIT = object()        # the song's frames are not there yet


def next_tick_after(due, now):
    """When the tick after the one that was ``due`` runs, ``now`` being its end.

    Ticks keep to a grid of TICK: one that came late (a long round of the
    event loop) is followed by one that comes early, so the gap a listener
    sees between two deliveries is not the lateness plus a whole TICK.
    After a very late tick the next comes MIN_TICK_GAP later, not at once.
    """
    return max(due + TICK, now + MIN_TICK_GAP)


class AudioStream(Service):
    """The audio stream of one server (``app.audiostream``); it starts paused.

    With ``enabled`` false (``[debug] disableicecast``) nothing is streamed:
    the state stays "not connected, not playing", the heartbeat sends ``0``,
    and play commands are still answered with ``onStatusChanged``.
    """

    name = "audio stream"

    def __init__(self, app, fmt=None, enabled=True, maxlisteners=100):
        super().__init__()
        self.app = app
        self.fmt = fmt or StreamFormat()
        self.enabled = enabled
        bytes_per_second = self.fmt.bitrate * 125
        self.broadcaster = Broadcaster(maxlisteners, int(BUFFER_SECONDS * bytes_per_second),
                                       int(BURST_SECONDS * bytes_per_second))
        self._silence = self.fmt.silence()
        self._ffmpeg = find_ffmpeg()
        self._playing = False
        self._entry = None          # the queue entry being streamed (the head)
        self._source = None
        self._played = 0.0
        self._meta = icy_metadata("")
        self._clock = 0.0           # the moment up to which audio has been sent
        self._retry_at = 0.0
        self._commands = deque()
        self._finishing = gevent.pool.Group()  # greenlets tracking and popping songs that ended
        self._wakeup = gevent.event.Event()
        self._last_error_log = -ERROR_LOG_INTERVAL

    # -- the contract (contracts.md) ----------------------------------------------------

    def state(self):
        """``{"isconnected", "isplaying"}``; connected = our stream endpoint is serving."""
        return {"isconnected": self.enabled and self.running, "isplaying": self._playing}

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

    def loops(self):
        return [self._heartbeat, self._run]

    def start(self):
        """Spawn the heartbeat and the producer; follow the song queue's changes."""
        if not self.running:
            events.subscribe(self._on_event)
            self._log_mode()
        super().start()

    def close(self):
        """Stop following the queue; end the song's decoder; disconnect every listener."""
        events.unsubscribe(self._on_event)
        self._finishing.join(FINISH_TIMEOUT)
        self._close_source(block=True)
        self.broadcaster.drop_all()

    def _log_mode(self):
        if not self.enabled:
            log.info("Audio stream disabled ([debug] disableicecast); sending the heartbeat only")
        elif self._ffmpeg is None:
            log.warning("ffmpeg not found: only %d Hz stereo MP3 songs can be streamed",
                        self.fmt.samplerate)

    def _on_event(self, event):
        """A changed song queue may have a head again: look at it on the next tick."""
        if event.name in (events.SONGQUEUE_CHANGED, events.SONGQUEUE_HEAD):
            self._retry_at = 0.0

    # -- commands -------------------------------------------------------------------------

    def _push(self, command):
        """Queue a command for the producer; beyond MAX_COMMANDS it is dropped with a warning."""
        if len(self._commands) >= MAX_COMMANDS:
            log.warning("Audio stream: too many pending commands; dropping %s", command[0])
            return
        self._commands.append(command)
        self._wakeup.set()

    def _execute(self, name, value):
        """Run one command; every play/pause/toggle is announced, even one that changes nothing."""
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
                next_tick = next_tick_after(next_tick, time.monotonic())
            timeout = max(0.0, next_tick - time.monotonic()) if self.enabled else None
            # The tick's timer has the loop's highest priority: when it is due, it runs before
            # the sockets that became readable in the same round (a busy server's requests).
            with gevent.Timeout(timeout, False, priority=2):
                self._wakeup.wait()

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
        """Follow the queue head: a new head (removed, skipped elsewhere) restarts the song.
        Not while the song that ended is being popped: the head is ours once that is saved."""
        if len(self._finishing):
            return
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
        """Start reading the current entry's song; False (and skipped) if the song is gone."""
        songid = self._entry["songid"]
        song = self.app.database.get_song(songid)
        if song is None:
            log.warning("Song %s in the queue no longer exists; skipping it", songid)
            self._advance()
            return False
        path = os.path.join(self.app.cfg.directories.music, song["path"])
        self._source = FrameSource(path, self.fmt, self._ffmpeg)
        self._meta = icy_metadata(self._title(song))
        log.debug("Streaming song %s (%s)", songid, song["path"])
        return True

    def _title(self, song):
        """The ICY title: "Artist - Song"."""
        artist = self.app.database.get_artist(song["artistid"])
        return f"{artist['name']} - {song['name']}" if artist else song["name"]

    def _song_ended(self):
        """Natural end: the next entry plays at once.  Tracking and the queue's pop (which
        waits for its save, tens of milliseconds on a busy disk) follow in a greenlet of
        their own, so that the stream does not go quiet meanwhile."""
        ended = self._entry
        self._change_entry(self._entry_after(ended))
        self._finishing.spawn(self._finish_song, ended)

    def _entry_after(self, entry):
        """The queue entry after ``entry`` (the head if ``entry`` is gone already), or None."""
        entries = self._queue_call("entries") or []
        ids = [queued["entryid"] for queued in entries]
        if entry["entryid"] not in ids:
            return entries[0] if entries else None
        index = ids.index(entry["entryid"]) + 1
        return entries[index] if index < len(entries) else None

    def _finish_song(self, entry):
        """Tracker and statistics first, then the song leaves the queue (once, see next)."""
        tracker = self.app.tracker
        if tracker is not None:
            try:
                tracker.song_played(entry["songid"], entry["israndom"])
            except Exception:
                log.exception("Tracking song %s failed", entry["songid"])
        self._guarded(self._queue_call, "next", entry["entryid"])
        self._wakeup.set()      # the next tick looks at the head again

    def _song_failed(self, reason):
        """Unreadable or undecodable: skipped untracked, with a warning."""
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
        """Make ``entry`` (or None) the song being streamed, from its start."""
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
        """``app.songqueue.<name>(*args)``; None without a queue."""
        queue = getattr(self.app, "songqueue", None)
        return getattr(queue, name)(*args) if queue is not None else None

    def _guarded(self, function, *args):
        """Run one step; an exception is logged (rate-limited) and the song given up."""
        try:
            return function(*args)
        except Exception as error:
            now = time.monotonic()
            if now - self._last_error_log >= ERROR_LOG_INTERVAL:
                self._last_error_log = now
                if isinstance(error, StorageError):   # the queue could not be saved: no bug
                    log.error("Audio stream: the queue cannot move on: %s", error.reason)
                else:
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
