"""What several commands share."""

import os
import sys

import gevent.threadpool

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.musicdirectory import MusicDirectory, PathError
from musicdb.mod.database import open_database, target


def open_music_database(cfg):
    """``music.db`` of ``cfg``, or None after one line on stderr saying why it cannot be opened."""
    try:
        return MusicDatabase(os.path.join(cfg.directories.data, "music.db"))
    except DatabaseError as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return None


def entry_by_path(cfg, given, find, kind):
    """The database entry ``find(relpath)`` of a path the user gave.

    Raises:
        PathError: the path leaves the music directory.
        LookupError: no ``kind`` has this path in the database.
    """
    relpath = MusicDirectory.from_config(cfg).relative(target(given, cfg))
    entry = find(relpath)
    if entry is None:
        raise LookupError(f"{relpath}: no {kind} with this path in the database "
                          "(database import it first)")
    return entry


def run_with_pool(cfg, workers, work, errors, interrupted):
    """``work(database, pool)`` with music.db and a thread pool of ``workers`` threads.

    ``errors`` (exception classes) become one line on stderr and exit code 1;
    Ctrl-C prints ``interrupted`` and exits 130.  Both are closed at the end.
    """
    database = open_database(cfg)
    pool = gevent.threadpool.ThreadPool(max(1, workers))
    try:
        return work(database, pool)
    except (PathError, LookupError, DatabaseError, OSError, *errors) as error:
        print(f"musicdb: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"musicdb: interrupted; {interrupted}", file=sys.stderr)
        return 130
    finally:
        pool.kill()
        database.close()
