"""The audio streaming loop (filled in by the playback work).

For now the loop provides the heartbeat every WebUI needs: ``MusicDB:AudioStream``
/ ``onTimeChanged`` once per second (protocol.md §6.4).
"""

import logging

import gevent

from . import events

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0

_greenlet = None


def StartAudioStreamingThread(ctx):
    """Start the streaming greenlet; ``ctx`` is the server's handler context."""
    global _greenlet
    if _greenlet is not None:
        return
    _greenlet = gevent.spawn(_loop)
    log.debug("Audio streaming loop started")


def StopAudioStreamingThread():
    global _greenlet
    if _greenlet is not None:
        _greenlet.kill()
        _greenlet = None
        log.debug("Audio streaming loop stopped")


def _loop():
    while True:
        events.notify("MusicDB:AudioStream", "onTimeChanged", 0)
        gevent.sleep(HEARTBEAT_INTERVAL)
