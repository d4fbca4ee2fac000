"""The video queue: which video the clients play, head first (api-playback.md §3.2).

Like the song queue (:class:`~musicdb.mdbapi.mediaqueue.MediaQueue`), saved to
``<data>/state/videoqueue.csv``, announced as ``MusicDB:VideoQueue``
(``onVideoQueueChanged``, ``onVideoChanged``), refilled by Randy's video
selection, blacklisting only the video.  With ``[debug] disablevideos`` the
head is always absent (``onVideoChanged`` is never sent) and Randy never
fills the queue; adding, moving and removing still work.
"""

import os

from . import events
from .mediaqueue import MediaQueue


class VideoQueue(MediaQueue):
    """The server's one video queue (``app.videoqueue``)."""

    KEY = "videoid"
    COLUMN = "VideoID"
    CHANGED = events.VIDEOQUEUE_CHANGED
    HEAD_CHANGED = events.VIDEOQUEUE_HEAD
    FILENAME = "videoqueue.csv"

    def __init__(self, cfg, database, randy):
        self.disabled = cfg.debug.disablevideos
        super().__init__(os.path.join(cfg.directories.data, "state", self.FILENAME),
                         lookup=database.get_video, pick=randy.get_video,
                         queued=randy.videos_queued, can_fill=lambda: not self.disabled)

    def current(self):
        """The head entry, or None (always None with videos disabled)."""
        if self.disabled:
            return None
        return super().current()

    def _shown_head(self):
        """With videos disabled clients never see a head, so its changes are not announced."""
        return None if self.disabled else super()._shown_head()
