"""Task type ``libraryimport``: import the music directory, or one path in it, into the database.

``python musicdb.py database import`` runs it in its own process
(:mod:`musicdb.mod.database`), so a server sees the import in ``<data>/tasks``
and a killed import is failed at the next start.  Params: ``path`` (relative
to the music directory, or absolute inside it; ``""`` for all) and
``workers`` (threads reading files; None: the hub's thread pool, which the
server must use).  Progress counts songs; the result holds the summary's
counts (the in-process result is the :class:`~musicdb.lib.importer.ImportSummary`).
"""

import gevent
import gevent.threadpool

from musicdb.lib import importer
from musicdb.taskmanagement.task import TaskType

NAME = "libraryimport"


class LibraryImport(TaskType):
    name = NAME

    def run(self, task, app):
        """Raises what :func:`musicdb.lib.importer.import_music` raises (PathError,
        ImportBusy, DatabaseError)."""
        params = task.params
        workers = params.get("workers")
        own = workers is not None
        pool = gevent.threadpool.ThreadPool(max(1, workers)) if own \
            else gevent.get_hub().threadpool
        try:
            summary = importer.import_music(app.cfg, app.database, params.get("path") or "",
                                            pool, ImportProgress(task))
        finally:
            if own:
                pool.kill()
        task.set_result({"added": summary.added, "updated": summary.updated,
                         "unchanged": summary.unchanged, "failed": summary.failed,
                         "missing": len(summary.missing),
                         "videos": summary.videos.added if summary.videos else 0})
        return summary


class ImportProgress:
    """The importer's tqdm-like progress (``reset(total=…)``, ``update(n)``) fed into the task."""

    def __init__(self, task):
        self.task = task

    def reset(self, total=None):
        self.task.progress(0, total)

    def update(self, count=1):
        self.task.advance(count)
