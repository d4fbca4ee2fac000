"""The video stream state machine (api-playback.md §3.5).

Videos are not streamed by the server: every client plays the file itself
and reports the end with ``VideoEnded``.  The server only keeps which queue
entry is current.  :class:`VideoStream` (``app.videostream``) holds the
state ``{"isstreaming", "isplaying", "currententry"}`` and executes the
commands ``SetStreamState(bool)``, ``PlayNextVideo`` and
``VideoEnded(entryid)`` one by one in its greenlet; after each one it
announces the queue head with ``MusicDB:VideoStream``/``onStreamNextVideo``
when streaming is on and no video is playing.

With videos enabled this is the loop MusicDB 8 intended (8.2 never started
it); it blocks on its command queue instead of polling.  With
``[debug] disablevideos`` the state stays off and commands are dropped
(8.2 let them pile up unconsumed).  The stream is a
:class:`~musicdb.lib.service.Service`, started and stopped like the audio
stream.
"""

import logging

import gevent.queue

from musicdb.lib.service import Service, ServiceSlot
from musicdb.mdbapi import events

log = logging.getLogger(__name__)

MAX_PENDING = 100   # commands waiting; more are dropped with a warning

_slot = ServiceSlot()


class VideoStream(Service):
    """The video stream of one server (``app.videostream``)."""

    name = "video stream"

    def __init__(self, app):
        super().__init__()
        self.app = app
        self.enabled = not app.cfg.debug.disablevideos
        self._state = {"isstreaming": False, "isplaying": False, "currententry": 0}
        self._current = None          # the queue entry last made current
        self._commands = gevent.queue.Queue(MAX_PENDING)

    def state(self):
        """A copy: ``{"isstreaming": bool, "isplaying": bool, "currententry": int}``."""
        return dict(self._state)

    # -- commands (executed in order by the loop) ---------------------------------------

    def set_streaming(self, streaming):
        """SetStreamState: ``onStatusChanged`` follows when it ran."""
        self._push(("stream", bool(streaming)))

    def play_next(self, entryid=None):
        """Skip ``entryid`` (default: the queue head now) if it is still the head when this runs.

        Naming the entry keeps a skip that races with a ``VideoEnded`` of the
        same video from skipping its successor too.
        """
        if entryid is None:
            entryid = self.app.videoqueue.head_entryid()
        self._push(("next", entryid))

    def video_ended(self, entryid):
        """A client's VideoEnded; only the first report of the current entry counts."""
        self._push(("ended", entryid))

    def _push(self, command):
        """Queue a command for the loop; dropped while it does not run, or when too many wait."""
        if not self.running:
            log.debug("Video stream off; dropping command %s", command[0])
            return
        try:
            self._commands.put_nowait(command)
        except gevent.queue.Full:
            log.warning("Too many pending video commands; dropping %s", command[0])

    # -- life cycle ------------------------------------------------------------------------

    def loops(self):
        return [self._run] if self.enabled else []

    def start(self):
        """Streaming on, the queue head current; disabled: only announce the state (off)."""
        if self.running:
            return
        if not self.enabled:
            events.emit(events.VIDEOSTREAM_STATUS, self.state())
            return
        self._state["isstreaming"] = True
        head = self.app.videoqueue.current()
        if head is not None:
            self._current = head
            self._state["currententry"] = head["entryid"]
        super().start()

    def close(self):
        """Forget the commands the loop did not get to."""
        while not self._commands.empty():
            self._commands.get_nowait()

    def _run(self):
        """Execute the commands in order, each followed by the announcement of the next video."""
        while True:
            name, value = self._commands.get()
            try:
                self._execute(name, value)
                self._announce()
            except Exception:
                log.exception("Video stream command %s failed", name)

    def _execute(self, name, value):
        """Run one command: SetStreamState, PlayNextVideo or VideoEnded (api-playback.md §3.5)."""
        if name == "stream":
            self._state["isstreaming"] = value
            events.emit(events.VIDEOSTREAM_STATUS, self.state())
        elif name == "next":
            if value is not None and self.app.videoqueue.head_entryid() == value:
                self.app.videoqueue.next(value)
                self._state["isplaying"] = False
        elif name == "ended":
            self._ended(value)

    def _ended(self, entryid):
        """Only the first report of the current entry counts (several clients may send it)."""
        if entryid != self._state["currententry"] or self._current is None:
            log.debug("Ignoring VideoEnded for entry %s (current: %s)",
                      entryid, self._state["currententry"])
            return
        self.app.tracker.video_played(self._current["videoid"], self._current["israndom"])
        self.app.videoqueue.next(entryid)
        self._state["isplaying"] = False

    def _announce(self):
        """Streaming and no video playing: the queue head is next (``onStreamNextVideo``)."""
        if not self._state["isstreaming"] or self._state["isplaying"]:
            return
        head = self.app.videoqueue.current()
        if head is None:
            return
        video = self.app.database.get_video(head["videoid"])
        self._state.update(isplaying=True, currententry=head["entryid"])
        self._current = head
        events.emit(events.VIDEOSTREAM_NEXT,
                    {"video": video, "entry": dict(head), "state": self.state()})


def StartVideoStreamingThread(app):
    """Create the video stream as ``app.videostream`` and start it; once per server."""
    app.videostream = _slot.start(lambda: VideoStream(app))
    if not app.videostream.enabled:
        log.debug("Video stream disabled ([debug] disablevideos)")


def StopVideoStreamingThread():
    """Stop the running video stream; safe when none runs."""
    _slot.stop()
