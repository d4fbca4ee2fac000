"""The command line: ``musicdb [--config FILE] [--version] [-v|-q] MODULE ...``.

Each module is ``musicdb/mod/<name>.py`` with ``add_arguments(parser)`` and
``run(args, cfg) -> exit code``; :data:`MODULES` lists them.  Errors the user
can fix (no config, a bad value) are one line on stderr and exit code 1.
"""

import argparse
import importlib
import os
import sys

from musicdb import __version__
from musicdb.lib import logsetup
from musicdb.lib.cfg import defaults
from musicdb.lib.cfg.musicdb import ConfigError, MusicDBConfig

MODULES = {
    "server": "Run the MusicDB server (WebSocket API, WebUI, stream).",
    "database": "Import, remove or check music: database import|remove|check [PATH].",
    "artwork": "Album artwork cache: artwork [-u] [--rescale] [--album PATH [--artwork FILE]].",
    "videoframes": "Video frames and previews: videoframes [-u] [--video PATH].",
    "tags": "List, add, rename or delete genres, sub-genres and moods: tags [list|add|rename|delete|mood].",
    "stats": "Print how many artists, albums, songs, videos, tags and lyrics the library holds.",
    "mise": "Search artists, albums and songs from the shell: mise QUERY.",
    "user": "Accounts that may log in: user add|passwd|remove|list|token [NAME].",
    "subsonic": "Subsonic clients: subsonic password USER | apikey create USER NAME|list|revoke NAME.",
    "demo": "Generate a demo library: into DEST, or into the empty music directory and import it.",
}

SYSTEM_CONFIG = "/etc/musicdb.ini"


def build_parser():
    parser = argparse.ArgumentParser(prog="musicdb", description="MusicDB music server")
    parser.add_argument("--config", metavar="FILE",
                        help=f"configuration file (default: {SYSTEM_CONFIG} if it exists, "
                             "else a local default under $MUSICDB_HOME or ~/.musicdb)")
    parser.add_argument("--version", action="version", version=f"MusicDB {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log everything (DEBUG)")
    parser.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    modules = parser.add_subparsers(dest="module", metavar="MODULE")
    for name, helptext in MODULES.items():
        sub = modules.add_parser(name, help=helptext, description=helptext)
        importlib.import_module(f"{__name__}.{name}").add_arguments(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 1 if exit_.code else 0
    if args.module is None:
        parser.print_usage(sys.stderr)
        print("musicdb: error: a module is required (one of: " + ", ".join(MODULES) + ")",
              file=sys.stderr)
        return 1
    args.local_home = not args.config and not os.path.exists(SYSTEM_CONFIG)
    try:
        cfg = MusicDBConfig(config_path(args.config))
    except (ConfigError, OSError) as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    logsetup.configure(cfg, verbose=args.verbose, quiet=args.quiet)
    module = importlib.import_module(f"{__name__}.{args.module}")
    return module.run(args, cfg)


def config_path(given):
    """The config to read: the given one, the system one, or the local default (created)."""
    if given:
        return given
    if os.path.exists(SYSTEM_CONFIG):
        return SYSTEM_CONFIG
    return defaults.ensure_local_home(defaults.local_home())
