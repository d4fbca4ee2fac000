"""The song queue: what the audio stream plays, head first (api-playback.md §3.1).

A :class:`~musicdb.mdbapi.mediaqueue.MediaQueue` of songs, saved to
``<data>/state/songqueue.csv``, announced as ``MusicDB:SongQueue``
(``onSongQueueChanged``, ``onSongChanged``), refilled by Randy's song
selection; every queued song pushes its artist, album and song onto the
blacklists.
"""

import os

from . import events
from .mediaqueue import MediaQueue


class SongQueue(MediaQueue):
    """The server's one song queue (``app.songqueue``)."""

    KEY = "songid"
    COLUMN = "SongID"
    CHANGED = events.SONGQUEUE_CHANGED
    HEAD_CHANGED = events.SONGQUEUE_HEAD
    FILENAME = "songqueue.csv"

    def __init__(self, cfg, database, randy):
        super().__init__(os.path.join(cfg.directories.data, "state", self.FILENAME),
                         lookup=database.get_song, pick=randy.get_song,
                         queued=randy.songs_queued)
