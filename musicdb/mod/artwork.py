"""``musicdb artwork [-u] [--rescale] [--album PATH [--artwork FILE]]``: the artwork cache.

As MusicDB 8's ``artwork`` module: ``-u`` updates every album (or the one of
``--album``): an album whose artwork file exists gets its missing scaled
copies (``--rescale``: all of them again, e.g. after changing the JPEG
settings), any other album its embedded picture or a cover image of its
directory (``cover.jpg``, ``folder.jpg``, ``front.jpg``, …), else
``default.jpg``.  ``--artwork FILE`` makes that image the album's artwork.
Without ``-u`` the command only tells what an update would find to do.

A tqdm bar counts albums on a terminal (as ``database import``); the summary
line says how many albums were written, completed, unchanged, set to the
default artwork and failed.  Exit code 0, or 1 on an error or a failed album.
Images above :data:`~musicdb.lib.media.artwork.MAX_PIXELS` pixels are refused.
"""

import os
import sys
import time

from musicdb.lib.artworkcache import ArtworkCache
from musicdb.lib.media import artwork as albumartwork
from musicdb.mod.common import entry_by_path, run_with_pool
from musicdb.mod.database import RELOAD_HINT, progress_bar


def add_arguments(parser):
    parser.set_defaults(module="artwork")
    parser.add_argument("-u", "--update", action="store_true",
                        help="update the artwork files (without: only report)")
    parser.add_argument("--album", metavar="PATH", help="only this album directory")
    parser.add_argument("--artwork", metavar="FILE",
                        help="make this image the artwork of --album (replaces its artwork)")
    parser.add_argument("--rescale", action="store_true",
                        help="write every scaled copy again, not only the missing ones")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="threads decoding and scaling images (default: %(default)s)")


def run(args, cfg):
    if args.artwork and not args.album:
        print("musicdb: --artwork needs --album PATH", file=sys.stderr)
        return 1

    def work(database, pool):
        albums = select_albums(args, cfg, database)
        if not args.update:
            return report(cfg, albums)
        return update(args, cfg, database, pool, albums)

    return run_with_pool(cfg, args.workers, work, errors=(albumartwork.ArtworkError,),
                         interrupted="every album done so far is complete")


def select_albums(args, cfg, database):
    """Every album, or the one of ``--album`` (see :func:`.common.entry_by_path`)."""
    if not args.album:
        return database.get_albums()
    return [entry_by_path(cfg, args.album, database.find_album_by_path, "album")]


def update(args, cfg, database, pool, albums):
    started = time.monotonic()
    with progress_bar(unit="album") as bar:
        cache = ArtworkCache(cfg, database, pool, progress=bar)
        if args.artwork:
            name, _ = cache.update_album(albums[0], os.path.abspath(args.artwork))
            print(f"{albums[0]['path']}: artwork {name}")
            print(RELOAD_HINT)
            return 0
        summary = cache.update_all(albums, rescale=args.rescale)
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    seconds = time.monotonic() - started
    print(f"Artwork: {summary.line()} ({len(albums)} albums in {seconds:.1f} s)")
    if summary.written or summary.default:
        print(RELOAD_HINT)
    return 1 if summary.failures else 0


def report(cfg, albums):
    """What ``-u`` would do: albums without artwork, albums with missing scaled copies."""
    directory = os.path.join(cfg.directories.data, "webdata", "artwork")
    scales = [int(scale) for scale in cfg.albumcover.scales]
    without = [a for a in albums if a["artworkpath"] in (None, albumartwork.DEFAULT_ARTWORK)
               or not os.path.isfile(os.path.join(directory, a["artworkpath"]))]
    incomplete = [a for a in albums if a not in without and not all(
        os.path.isfile(os.path.join(directory, f"{n}x{n}", a["artworkpath"])) for n in scales)]
    print(f"{len(albums)} albums: {len(without)} without their own artwork, "
          f"{len(incomplete)} with missing scaled copies")
    if without or incomplete:
        print("Run with -u to update the artwork cache.")
    return 0
