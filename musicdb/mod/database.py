"""``musicdb database import|remove|check [PATH]``: the library from the command line.

``import`` reads the whole music directory, or one artist, album or song
path, into the database (MusicDB 8 could only add single paths), then
prints one summary line: added, updated, unchanged, failed, missing.
Running it again adds nothing twice and updates changed files.  It may run
while the server runs (SQLite WAL, one short transaction per album);
``kill -USR1 <server pid>`` makes the server reload its caches and every
WebUI refresh.  A second import at the same time is refused.

The import runs as a task (``libraryimport``, :mod:`musicdb.taskmanagement`)
of a task manager in this process: its state and progress are in
``<data>/tasks/<id>.json`` for a server to show, and an import killed in the
middle is failed ("interrupted by a restart") when a server or the next
import starts.

Progress: a tqdm bar with songs/s on the terminal (stderr, else stdout), fed
from the task's progress; when neither is one (a pipe, a log file, cron)
there is no bar (its ``\\r`` updates would be garbage there), only the summary.

Songs in the database whose files are gone are listed as missing and kept
(an unmounted disk must not cost their statistics and tags);
``import --remove-missing`` removes them, with their tags, lyrics and play
relations, and albums and artists left empty.

``remove`` deletes the database entries of a song, album or artist path
(the files stay; the path may be gone already) and their play relations.
``check`` tells what a path is and lists names that break the naming scheme
and files that cannot be read.

PATH: absolute, relative to the current directory, or relative to the music
directory (tried in this order).  Exit code 0, or 1 on an error, when a check
found problems, or when an import could store nothing because every file failed.
"""

import contextlib
import os
import sys
import time

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from musicdb.lib import datadir, importer
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.db.trackerdb import TrackerDatabase
from musicdb.lib.media.errors import MediaError
from musicdb.lib.musicdirectory import PathError
from musicdb.lib.storage import StorageError, storage_error
from musicdb.mdbapi import events
from musicdb.mdbapi.app import App
from musicdb.taskmanagement import libraryimport
from musicdb.taskmanagement.manager import TaskManager
from musicdb.taskmanagement.tasktypes import default_types

PROGRESS_INTERVAL = 0.1  # seconds between the task's progress updates (file and bar)
RELOAD_HINT = "A running server shows the changes after: kill -USR1 <server pid>"


def add_arguments(parser):
    parser.set_defaults(module="database")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    imports = commands.add_parser("import", help="import the music directory or a part of it")
    imports.add_argument("path", nargs="?", default=None,
                         help="artist, album or song path (default: the whole music directory)")
    imports.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                         help="threads reading and hashing files (default: %(default)s)")
    imports.add_argument("--remove-missing", action="store_true",
                         help="remove songs whose files are gone (with their tags, lyrics "
                              "and play relations) instead of only listing them")
    remove = commands.add_parser("remove", help="remove a song, album or artist from the database")
    remove.add_argument("path", help="song, album or artist path (the files stay)")
    check = commands.add_parser("check", help="check a path against the naming scheme")
    check.add_argument("path", nargs="?", default=None,
                       help="artist, album, song or video path (default: everything)")


def run(args, cfg):
    command = {"import": run_import, "remove": run_remove, "check": run_check}[args.command]
    try:
        return command(args, cfg)
    except (PathError, LookupError, DatabaseError, OSError, MediaError,
            importer.ImportBusy, StorageError) as error:
        refusal = storage_error(error)
        print(f"musicdb: {refusal.reason if refusal else error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # every album stored so far is complete
        print("musicdb: interrupted; what was stored is consistent, run the command again "
              "to complete it", file=sys.stderr)
        return 130


def target(given, cfg):
    """The path to hand to the importer: absolute, or relative to the music root."""
    if given is None:
        return ""
    if os.path.isabs(given) or not os.path.exists(given):
        return given
    return os.path.abspath(given)


def open_database(cfg):
    datadir.prepare(cfg.directories.data, cfg.websocket.port)
    return MusicDatabase(os.path.join(cfg.directories.data, "music.db"))


def run_import(args, cfg):
    database = open_database(cfg)
    try:
        started = time.monotonic()
        summary = import_with_progress(args, cfg, database)
        report_import(summary, time.monotonic() - started, args.remove_missing)
        if args.remove_missing and summary.missing:
            with open_tracker(cfg) as tracker:
                removed = importer.remove_missing(cfg, database, summary, tracker)
            print(f"Removed {removed} missing songs from the database (with their tags, "
                  "lyrics and play relations).")
    finally:
        database.close()
    return 1 if summary.failed and not summary.imported else 0


def import_with_progress(args, cfg, database):
    """Run the import as a task (``libraryimport``) of a task manager in this process:
    its state is in ``<data>/tasks`` for a server to see, a killed import is failed at
    the next start, and the bar shows the task's progress."""
    manager = TaskManager(App(cfg=cfg, database=database), default_types(), adopt=False,
                          progress_interval=PROGRESS_INTERVAL)
    manager.open()
    try:
        with progress_bar() as bar:
            follow = task_progress_to(bar, libraryimport.NAME)
            events.subscribe(follow)
            try:
                return manager.run(libraryimport.NAME, {"path": target(args.path, cfg),
                                                        "workers": args.workers})
            finally:
                events.unsubscribe(follow)
    finally:
        manager.close()


def task_progress_to(bar, typename):
    """An event subscriber that moves ``bar`` to the progress of the ``typename`` task."""
    def follow(event):
        if event.name != events.TASK_CHANGED or event.data.get("type") != typename:
            return
        done, total = event.data["progress"]["done"], event.data["progress"]["total"]
        if total is not None and total != bar.total:
            bar.reset(total=total)
        if done > bar.n:
            bar.update(done - bar.n)
    return follow


@contextlib.contextmanager
def progress_bar(unit="song"):
    """A tqdm bar on the terminal: stderr, else stdout (``2>errors.log``); with neither
    a terminal a disabled one (its ``\\r`` updates would be garbage in a log).

    Log records go above the bar instead of through it.  A terminal that
    reports no size (a pty without one) gets 80 columns, not an empty bar.
    """
    stream = next((stream for stream in (sys.stderr, sys.stdout) if stream.isatty()), None)
    if stream is None:
        with tqdm(disable=True) as bar:
            yield bar
        return
    try:
        sized = all(os.get_terminal_size(stream.fileno()))
    except OSError:
        sized = False
    shape = {} if sized else {"ncols": 80, "nrows": 24}  # tqdm prints nothing for 0 x 0
    with logging_redirect_tqdm(), tqdm(unit=unit, file=stream, **shape) as bar:
        yield bar


def report_import(summary, seconds, removing=False):
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    for path in summary.missing:
        print(f"missing: {path}", file=sys.stderr)
    songs = summary.imported + summary.failed
    rate = songs / seconds if seconds > 0 else 0.0
    print(f"Import: {summary.line()} ({songs} songs in {seconds:.1f} s, {rate:.0f} songs/s)")
    if summary.videos is not None:
        for path, reason in summary.videos.failures:
            print(f"failed: {path}: {reason}", file=sys.stderr)
        print(f"Videos: {summary.videos.line()}")
    if summary.missing and not removing:
        print(f"{len(summary.missing)} songs in the database have no file any more; they stay "
              "with their statistics and tags (database import --remove-missing removes them).")
    if summary.added or summary.updated or (summary.missing and removing) \
            or (summary.videos is not None and summary.videos.added):
        print(RELOAD_HINT)


@contextlib.contextmanager
def open_tracker(cfg):
    tracker = TrackerDatabase(os.path.join(cfg.directories.data, "tracker.db"))
    try:
        yield tracker
    finally:
        tracker.close()


def run_remove(args, cfg):
    database = open_database(cfg)
    try:
        with open_tracker(cfg) as tracker:
            kind, songs = importer.remove_path(cfg, database, target(args.path, cfg), tracker)
    finally:
        database.close()
    print(f"Removed {kind} {args.path} from the database ({songs} songs); the files stay.")
    print(RELOAD_HINT)
    return 0


def run_check(args, cfg):
    kind, problems = importer.check_path(cfg, target(args.path, cfg))
    for problem in problems:
        print(problem)
    shown = args.path or cfg.directories.music
    if kind is None or problems:
        print(f"{shown}: {len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{shown}: valid {kind} path")
    return 0
