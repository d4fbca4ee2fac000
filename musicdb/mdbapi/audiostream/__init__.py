"""The audio stream: the song queue as one live MP3 stream, served by this server itself.

MusicDB 8 sent its frames to an Icecast server; we serve the listeners
ourselves (api-playback.md §3.4).  Three parts, each knowing only the one
below it:

* :mod:`.engine` - :class:`AudioStream` (``ctx.audiostream``): queue head to
  MP3 frames in real time, pause as silence, the command FIFO, the heartbeat.
* :mod:`.broadcast` - :class:`Broadcaster` and :class:`Listener`: fan-out
  through bounded per-listener buffers, ICY titles (:func:`icy_metadata`).
* :mod:`.endpoint` - the HTTP endpoint at ``[Icecast] mountname`` and its
  access rules (:class:`ListenerAccess`).

``StartAudioStreamingThread``/``StopAudioStreamingThread`` keep MusicDB 8's
names; one :class:`~musicdb.lib.service.ServiceSlot` holds the running stream.
"""

from musicdb.lib.service import ServiceSlot
from musicdb.lib.media.transcoder import StreamFormat

from . import endpoint
from .broadcast import METAINT, Broadcaster, Listener, icy_metadata
from .endpoint import STREAM_NAME, ListenerAccess
from .engine import AudioStream

__all__ = ["AudioStream", "Broadcaster", "Listener", "ListenerAccess", "METAINT",
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


def StartAudioStreamingThread(ctx):
    """Create the stream as ``ctx.audiostream`` and start it (paused); once per server."""
    cfg = ctx.cfg
    ctx.audiostream = _slot.start(lambda: AudioStream(
        ctx, stream_format(cfg), enabled=not cfg.debug.disableicecast,
        maxlisteners=cfg.icecast.maxlisteners))


def StopAudioStreamingThread():
    """Stop the running stream (its listeners are disconnected); safe when none runs."""
    _slot.stop()
