"""The video streaming state machine (filled in by the playback work)."""

import logging

log = logging.getLogger(__name__)

_running = False


def StartVideoStreamingThread(ctx):
    global _running
    _running = True
    log.debug("Video streaming started")


def StopVideoStreamingThread():
    global _running
    _running = False
    log.debug("Video streaming stopped")
