"""``musicdb stats``: how much the library holds (artists, albums, songs, videos, tags, lyrics)."""

from musicdb.mod.common import open_music_database

LINES = (("artists", "Artists"), ("albums", "Albums"), ("hiddenalbums", "  hidden"),
         ("songs", "Songs"), ("videos", "Videos"), ("lyrics", "Songs with lyrics"),
         ("genres", "Genres"), ("subgenres", "Sub-genres"), ("moods", "Moods"),
         ("songtags", "Song tags"), ("albumtags", "Album tags"), ("videotags", "Video tags"))


def add_arguments(parser):
    parser.set_defaults(module="stats")


def run(args, cfg):
    database = open_music_database(cfg)
    if database is None:
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
