"""``musicdb stats``: how much the library holds (artists, albums, songs, videos, tags, lyrics)."""

import os
import sys

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError

LINES = (("artists", "Artists"), ("albums", "Albums"), ("hiddenalbums", "  hidden"),
         ("songs", "Songs"), ("videos", "Videos"), ("lyrics", "Songs with lyrics"),
         ("genres", "Genres"), ("subgenres", "Sub-genres"), ("moods", "Moods"),
         ("songtags", "Song tags"), ("albumtags", "Album tags"), ("videotags", "Video tags"))


def add_arguments(parser):
    parser.set_defaults(module="stats")


def run(args, cfg):
    try:
        database = MusicDatabase(os.path.join(cfg.directories.data, "music.db"))
    except DatabaseError as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    try:
        print(format_counts(database.count_rows()))
    finally:
        database.close()
    return 0


def format_counts(counts):
    """One ``label: count`` line per entry of LINES, the numbers aligned."""
    width = max(len(label) for _, label in LINES)
    return "\n".join(f"{label + ':':<{width + 1}} {counts[key]:>8,}" for key, label in LINES)
