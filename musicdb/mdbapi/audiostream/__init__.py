"""The audio stream: the song queue as one live MP3 stream, served by this server itself.

MusicDB 8 sent its frames to an Icecast server; we serve the listeners
ourselves (api-playback.md §3.4).  Three parts, each knowing only the one
below it:

* :mod:`.engine` - :class:`AudioStream` (``app.audiostream``): queue head to
  MP3 frames in real time, pause as silence, the command FIFO, the heartbeat.
* :mod:`.broadcast` - :class:`Broadcaster` and :class:`Listener`: fan-out
  through bounded per-listener buffers, ICY titles (:func:`icy_metadata`).
* :mod:`.endpoint` - the HTTP endpoint at ``[Icecast] mountname``, behind
  the access rule it shares with the music files (``lib/http/access``).
* :mod:`.icecast` - :class:`IcecastFeed` (``app.icecastfeed``): the stream
  pushed to an external Icecast server as its source, when
  ``[icecastsource] enable`` says so; a sink of the Broadcaster.

``StartAudioStreamingThread``/``StopAudioStreamingThread`` keep MusicDB 8's
names; one :class:`~musicdb.lib.service.ServiceSlot` holds the running stream.
"""

from musicdb.lib.service import ServiceSlot
from musicdb.lib.media.transcoder import StreamFormat

from . import endpoint, icecast
from .broadcast import METAINT, Broadcaster, Listener, icy_metadata
from .endpoint import STREAM_NAME
from .engine import AudioStream
from .icecast import IcecastFeed

__all__ = ["AudioStream", "Broadcaster", "IcecastFeed", "Listener", "METAINT",
           "STREAM_NAME", "StartAudioStreamingThread", "StopAudioStreamingThread",
           "current", "http_routes", "icy_metadata", "stream_format"]

_slot = ServiceSlot()


def current():
    """The running :class:`AudioStream`, or None."""
    return _slot.instance


def stream_format(cfg):
    """The :class:`StreamFormat` of the configuration (``[Icecast] bitrate``, ``transcodeall``)."""
    icecast = cfg.icecast
    return StreamFormat(bitrate=int(getattr(icecast, "bitrate", 320)),
                        transcode_all=bool(getattr(icecast, "transcodeall", False)))


def http_routes(cfg):
    """The router's extra routes: ``{[Icecast] mountname: the stream endpoint}``."""
    return endpoint.http_routes(cfg, current)


player_check = endpoint.player_check


def StartAudioStreamingThread(app):
    """Create the stream as ``app.audiostream`` and start it (paused); once per server."""
    cfg = app.cfg
    app.audiostream = _slot.start(lambda: AudioStream(
        app, stream_format(cfg), enabled=not cfg.debug.disableicecast,
        maxlisteners=cfg.icecast.maxlisteners))
    app.icecastfeed = icecast.start_feed(app, app.audiostream)


def StopAudioStreamingThread():
    """Stop the Icecast feed and the stream (its listeners are disconnected); safe when none runs."""
    icecast.stop_feed()
    _slot.stop()
