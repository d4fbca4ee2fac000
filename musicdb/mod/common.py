"""What several commands share."""

import os
import sys

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError


def open_music_database(cfg):
    """``music.db`` of ``cfg``, or None after one line on stderr saying why it cannot be opened."""
    try:
        return MusicDatabase(os.path.join(cfg.directories.data, "music.db"))
    except DatabaseError as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return None
