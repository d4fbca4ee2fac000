"""Fan-out: every produced block of frames goes to every listener, with ICY titles.

Each :class:`Listener` has a bounded buffer, so a slow one is dropped
(:meth:`Broadcaster.send`) instead of slowing the others; it is also the
iterable its request greenlet writes to the socket.  Nothing here knows
HTTP or the song queue.
"""

import logging
from collections import deque

import gevent
import gevent.event

log = logging.getLogger(__name__)

METAINT = 16000         # audio bytes between two ICY metadata blocks (Icecast's default)


def icy_metadata(title):
    """The ICY metadata block announcing ``title`` (length byte, then 16-byte padded text)."""
    text = f"StreamTitle='{title[:500]}';".encode("utf-8")[:255 * 16]
    blocks = -(-len(text) // 16)
    return bytes((blocks,)) + text.ljust(blocks * 16, b"\0")


def icy_title(meta):
    """The title in an ICY metadata block made by :func:`icy_metadata` ("" for none)."""
    text = bytes(meta[1:]).rstrip(b"\0").decode("utf-8", "replace")
    prefix, suffix = "StreamTitle='", "';"
    if text.startswith(prefix) and text.endswith(suffix):
        return text[len(prefix):-len(suffix)]
    return ""


class Listener:
    """One listener: a bounded buffer filled by the producer, emptied by its request.

    Iterating yields what is buffered whenever there is something, until the
    listener is dropped.  ``push`` returns False when the buffer exceeds
    ``limit`` bytes: the listener is too slow and must be dropped.
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
            self._append(data)
        self._ready.set()
        return self._queued <= self.limit

    def _push_with_metadata(self, data, meta):
        """A title block at every METAINT bytes; an unchanged title is the empty block."""
        pos = 0
        while pos < len(data):
            part = data[pos:pos + self._until_meta]
            self._append(part)
            pos += len(part)
            self._until_meta -= len(part)
            if self._until_meta == 0:
                self._chunks.append(b"\0" if meta is self._last_meta else meta)
                self._last_meta = meta
                self._until_meta = METAINT

    def _append(self, data):
        self._chunks.append(data)
        self._queued += len(data)

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

    def close(self, reason="closed"):
        """The request ended (for ``reason``): forget this listener."""
        self.dropped = True
        self._on_close(self, reason)


class Broadcaster:
    """Every listener of the stream; sends each block of frames to all of them.

    ``limit`` bytes of unsent audio make a listener too slow; a new listener
    first gets the latest ``burst`` bytes, so playback starts at once.
    """

    def __init__(self, maxlisteners, limit, burst):
        self.maxlisteners = maxlisteners
        self.limit = limit
        self.burst = burst
        self.listeners = set()
        self.sinks = []         # feeds of other servers (Icecast): never dropped, never counted
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
            for sink in self.sinks:
                sink.push(data, meta)
            for listener in list(self.listeners):
                if not listener.push(data, meta):
                    log.warning("Stream listener %s does not keep up; dropping it",
                                listener.address)
                    self._remove(listener, "too slow")
                    listener.drop()

    def add_sink(self, sink):
        """Send every block to ``sink.push(data, meta)`` too; the sink bounds its own buffer."""
        if sink not in self.sinks:
            self.sinks.append(sink)

    def remove_sink(self, sink):
        if sink in self.sinks:
            self.sinks.remove(sink)

    def drop_all(self):
        """Disconnect everybody (the stream stops)."""
        for listener in list(self.listeners):
            self._remove(listener, "stream stopped")
            listener.drop()

    def _remember(self, data, meta):
        """Keep the latest ``burst`` bytes for the next new listener."""
        self._recent.append((data, meta))
        self._recent_bytes += len(data)
        while self._recent and self._recent_bytes - len(self._recent[0][0]) >= self.burst:
            self._recent_bytes -= len(self._recent.popleft()[0])

    def _remove(self, listener, reason):
        if listener in self.listeners:
            self.listeners.discard(listener)
            log.debug("Stream listener %s disconnected: %s (%d listening)", listener.address,
                      reason, len(self.listeners))
