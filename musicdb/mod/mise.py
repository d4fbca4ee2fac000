"""``musicdb mise QUERY``: search the library from the shell, as the WebUI's search does."""

from musicdb.mdbapi.library import Library
from musicdb.mdbapi.mise import MusicDBMicroSearchEngine
from musicdb.mod.common import open_music_database


def add_arguments(parser):
    parser.set_defaults(module="mise")
    parser.add_argument("query", nargs="+", help="what to search (words are joined by spaces)")
    parser.add_argument("--limit", type=int, default=5, help="hits per kind (default: 5)")


def run(args, cfg):
    database = open_music_database(cfg)
    if database is None:
        return 1
    try:
        mise = MusicDBMicroSearchEngine(database)
        mise.UpdateCache()
        found = Library(database, mise=mise).find(" ".join(args.query), args.limit)
    finally:
        database.close()
    print(format_hits(found))
    return 0


def format_hits(found):
    """Artists, albums and songs found, best first, with their artist (and album)."""
    lines = ["Artists:"] + [f"  {hit['artist']['name']}" for hit in found["artists"]]
    lines += ["Albums:"] + [f"  {hit['artist']['name']} – {hit['album']['name']}"
                            for hit in found["albums"]]
    lines += ["Songs:"] + [f"  {hit['artist']['name']} – {hit['album']['name']} – "
                           f"{hit['song']['name']}" for hit in found["songs"]]
    return "\n".join(lines)
