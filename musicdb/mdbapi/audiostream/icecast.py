"""The Icecast feed: our live stream pushed to an external Icecast server as its source.

Configured in ``[icecastsource]`` and off unless ``enable = True``: MusicDB 8's
``[Icecast]`` keys describe the server it fed through libshout, and such a
configuration must not start pushing somewhere by itself
(foundations.md §1).  :class:`IcecastFeed` is a Service next to the local
stream; its :class:`SinkBuffer` is a sink of the stream's Broadcaster.  The
producer never waits for it: when Icecast is slow the buffer drops its
oldest blocks of frames (whole frames, so what reaches Icecast still
decodes), for this sink only, and local listeners and WebSocket clients
notice nothing.

Two greenlets: one connects and pushes the audio, retrying with
exponential back-off up to ``retrymax`` seconds; one sends the title
(Icecast's ``/admin/metadata`` call) when a block of a new song reaches the
feed.  The state (:meth:`IcecastFeed.state`) is in GetAudioStreamState as
``icecast`` and each change of it is one log line.
"""

import logging
import time
from collections import deque

import gevent
import gevent.event

from musicdb.lib.icecast import IcecastError, SourceConfig, SourceConnection, update_metadata
from musicdb.lib.service import Service, ServiceSlot
from musicdb.mdbapi import events
from .broadcast import icy_title

log = logging.getLogger(__name__)

RETRY_FIRST = 1.0       # seconds before the first retry; doubled up to retrymax
STABLE_AFTER = 10.0     # a connection that lasted this long resets the back-off
DROP_LOG_INTERVAL = 10.0
SEND_BUFFER_SECONDS = 1.0   # the source socket's own buffer (Linux doubles it)

OFF, CONNECTING, CONNECTED, RETRYING = "off", "connecting", "connected", "retrying"


class SinkBuffer:
    """The Broadcaster's sink for the feed: at most ``limit`` bytes, the oldest dropped first.

    ``push`` never refuses (the Broadcaster drops a listener whose ``push``
    returns False; the feed must stay).  While the feed is not connected the
    sink is inactive and keeps nothing, so a reconnection starts with live
    audio instead of stale seconds.
    """

    def __init__(self, limit):
        self.limit = limit
        self.active = False
        self.dropped = 0            # bytes dropped because Icecast was too slow
        self._blocks = deque()
        self._queued = 0
        self._ready = gevent.event.Event()

    def push(self, data, meta):
        if not self.active:
            return True
        self._blocks.append((data, meta))
        self._queued += len(data)
        while self._queued > self.limit and len(self._blocks) > 1:
            dropped = len(self._blocks.popleft()[0])
            self._queued -= dropped
            self.dropped += dropped
        self._ready.set()
        return True

    def take(self, timeout=None):
        """The blocks buffered so far (waits until there is one, or ``timeout``); [] if none."""
        self._ready.wait(timeout)
        self._ready.clear()
        blocks = list(self._blocks)
        self._blocks.clear()
        self._queued = 0
        return blocks

    def activate(self, flag):
        self.active = flag
        self._blocks.clear()
        self._queued = 0


class IcecastFeed(Service):
    """Pushes the stream of ``broadcaster`` to Icecast (``config``: a SourceConfig).

    ``limit`` bytes of audio wait for a slow Icecast at most; ``retrymax``
    caps the back-off between two connection attempts.
    """

    name = "Icecast feed"

    def __init__(self, broadcaster, config, limit, retrymax=60.0, off_reason="not started"):
        super().__init__()
        self.broadcaster = broadcaster
        self.config = config
        self.retrymax = retrymax
        self.sink = SinkBuffer(limit)
        self._state, self._reason = OFF, off_reason
        self._connection = None
        self._title = ""
        self._sent_title = None
        self._title_due = gevent.event.Event()
        self._last_drop_log = -DROP_LOG_INTERVAL
        self._reported_drops = 0

    def state(self):
        """``{"state": "off"|"connecting"|"connected"|"retrying", "reason": str|None}``."""
        return {"state": self._state, "reason": self._reason}

    def loops(self):
        return [self._run, self._titles]

    def start(self):
        if not self.running:
            self.broadcaster.add_sink(self.sink)
            self._set_state(CONNECTING, None)
        super().start()

    def close(self):
        self.broadcaster.remove_sink(self.sink)
        self.sink.activate(False)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._set_state(OFF, "stopped")

    # -- the connection -----------------------------------------------------------------

    def _run(self):
        """Connect, push until the connection fails, wait, again; only stop() ends it."""
        delay = RETRY_FIRST
        while True:
            started = time.monotonic()
            try:
                self._connect()
                self._pump()
            except IcecastError as error:
                self._report_drops()
                self._close_connection()
                if time.monotonic() - started >= STABLE_AFTER:
                    delay = RETRY_FIRST
                self._set_state(RETRYING, str(error), delay)
                gevent.sleep(delay)
                delay = min(delay * 2, self.retrymax)

    def _connect(self):
        self._connection = SourceConnection(self.config).open()
        self.sink.activate(True)
        self._sent_title = None
        self._set_state(CONNECTED, None)
        self._title_due.set()

    def _pump(self):
        """Send what the sink holds, as it comes; note new titles on the way."""
        while True:
            blocks = self.sink.take()
            if not blocks:
                continue
            for _, meta in blocks:
                self._note_title(meta)
            self._report_drops()
            self._connection.send(b"".join(data for data, _ in blocks))

    def _close_connection(self):
        self.sink.activate(False)
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _report_drops(self):
        """A warning (at most every DROP_LOG_INTERVAL s) when the sink dropped audio."""
        now = time.monotonic()
        due = now - self._last_drop_log >= DROP_LOG_INTERVAL
        if self.sink.dropped > self._reported_drops and due:
            seconds = (self.sink.dropped - self._reported_drops) / (self.config.bitrate * 125)
            log.warning("Icecast feed %s does not keep up: %.1f s of audio dropped for it",
                        self.config.where, seconds)
            self._reported_drops = self.sink.dropped
            self._last_drop_log = now

    def _set_state(self, state, reason, delay=None):
        """Record the state; a new state or reason is one log line and onStatusChanged.

        The same failure again (Icecast still away, the password still wrong)
        is only a debug line, so a long outage does not flood the log.
        """
        if (state, reason) == (self._state, self._reason):
            log.debug("Icecast feed %s: %s again; next attempt in %g s", self.config.where,
                      reason, delay)
            return
        self._state, self._reason = state, reason
        if state == CONNECTED:
            log.info("Icecast feed connected to %s", self.config.where)
        elif state == RETRYING:
            log.error("Icecast feed %s: %s; retrying in %g s, then less often (at most every "
                      "%g s)", self.config.where, reason, delay, self.retrymax)
        events.emit(events.AUDIOSTREAM_STATUS)

    # -- the title ------------------------------------------------------------------------

    def _note_title(self, meta):
        title = icy_title(meta)
        if title and title != self._title:
            self._title = title
            self._title_due.set()

    def _titles(self):
        """Send the newest title whenever it differs from the one Icecast shows."""
        while True:
            self._title_due.wait()
            self._title_due.clear()
            title = self._title
            if self._state != CONNECTED or not title or title == self._sent_title:
                continue
            try:
                update_metadata(self.config, title)
                self._sent_title = title
                log.debug("Icecast feed title: %s", title)
            except IcecastError as error:
                log.warning("Icecast feed %s: %s", self.config.where, error)


def source_config(cfg, fmt):
    """The SourceConfig of ``[icecastsource]`` for a stream of format ``fmt``."""
    section = cfg.icecastsource
    return SourceConfig(host=section.host, port=section.port, mount=section.mount,
                        user=section.user, password=section.password, tls=section.tls,
                        verify_tls=section.verifytls, ca_file=section.cafile,
                        protocol=section.protocol,
                        name=section.name, description=section.description,
                        genre=section.genre, url=section.url, public=section.public,
                        bitrate=fmt.bitrate, samplerate=fmt.samplerate,
                        timeout=section.timeout,
                        send_buffer=int(SEND_BUFFER_SECONDS * fmt.bitrate * 125))


_slot = ServiceSlot()


def start_feed(app, stream):
    """Start the feed for ``stream`` if ``[icecastsource] enable``; returns it (or None)."""
    section = getattr(app.cfg, "icecastsource", None)   # a test's hand-made cfg may lack it
    if section is None or not section.enable:
        return None
    if not stream.enabled:
        reason = "the audio stream is disabled ([debug] disableicecast)"
        log.info("Icecast feed not started: %s", reason)
        return IcecastFeed(stream.broadcaster, source_config(app.cfg, stream.fmt), 0,
                           off_reason=reason)
    limit = int(section.buffer * stream.fmt.bitrate * 125)
    return _slot.start(lambda: IcecastFeed(stream.broadcaster, source_config(app.cfg, stream.fmt),
                                           limit, section.retrymax))


def stop_feed():
    _slot.stop()
