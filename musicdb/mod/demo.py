"""``musicdb demo [DEST]``: generate the demo library.

With ``DEST`` the files are written there and nothing else happens (tests,
benchmarks, trying a player).  Without it the configured music directory gets
them, but only while it is empty, and they are imported at once: the quick
start's demo (:func:`musicdb.demo.quickstart.import_demo`) on demand.

The generator is imported in :func:`run`: building the command line must not
load it into every ``musicdb server``.
"""

import sys

from musicdb.lib.media.errors import MediaError

DEMO_FORMATS = "mp3,flac,ogg,opus,m4a"


def add_arguments(parser):
    parser.add_argument("dest", nargs="?", default=None,
                        help="directory to fill (default: the empty music directory, "
                             "which is then imported)")
    parser.add_argument("--songs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--formats", default=DEMO_FORMATS,
                        help=f"comma separated subset of {DEMO_FORMATS}")
    parser.add_argument("--no-artwork", action="store_true")


def run(args, cfg):
    try:
        if args.dest is None:
            return _import(args, cfg)
        return _generate(args)
    except (ValueError, RuntimeError, OSError, MediaError) as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1


def _generate(args):
    from musicdb.demo.library import generate_library

    files = generate_library(args.dest, songs=args.songs, seed=args.seed,
                             formats=tuple(args.formats.split(",")), seconds=args.seconds,
                             artwork=not args.no_artwork, progress=True)
    print(f"{len(files)} songs written to {args.dest}")
    return 0


def _import(args, cfg):
    from musicdb.demo.quickstart import import_demo

    summary = import_demo(cfg, songs=args.songs, seconds=args.seconds, seed=args.seed,
                          formats=tuple(args.formats.split(",")),
                          artwork=not args.no_artwork)
    if summary is None:
        print(f"musicdb: {cfg.directories.music} is not empty; give a DEST to generate "
              "the demo library elsewhere", file=sys.stderr)
        return 1
    print(f"Demo library in {cfg.directories.music}: {summary.line()}")
    return 0
