"""Task type ``musicimport``: import one album directory (api-uploads.md §7).

The album is imported with :func:`musicdb.lib.importer.import_music` (file
reading in the thread pool).  Any failure is the InternalError "Importing
album failed" and ``importfailed``; success ``importcomplete`` (then
``sys:refresh``).  Video imports are refused the same way ("Importing video
failed") until the video importer exists.
"""

import logging

import gevent

from musicdb.lib import importer, safepath
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.musicdirectory import MusicDirectory, PathError
from musicdb.taskmanagement.mdb8 import MusicDB8Task

log = logging.getLogger(__name__)

NAME = "musicimport"
ALBUM_FAILED = "Importing album failed"
VIDEO_FAILED = "Importing video failed"


class MusicImport(MusicDB8Task):
    name = NAME
    contenttype = "album"
    initial = "startmusicimport"
    steps = {"startmusicimport": "import_music"}

    def import_music(self, task, app):
        data = task.as_dict()
        if data.get("contenttype") != "album":
            task.message(VIDEO_FAILED)
            return task.set_state("importfailed", reason="video import is not available")
        try:
            summary = import_album(app, data.get("albumpath"))
        except (importer.ImportBusy, PathError, safepath.UnsafePath, DatabaseError,
                OSError, ValueError) as error:
            log.warning("Importing album %r failed: %s", data.get("albumpath"), error)
            task.message(ALBUM_FAILED)
            return task.set_state("importfailed", reason=str(error))
        task.update(result={"added": summary.added, "updated": summary.updated,
                            "unchanged": summary.unchanged, "failed": summary.failed})
        return task.set_state("importcomplete")


def import_album(app, albumpath):
    """Import the album directory ``albumpath``; returns the ImportSummary.

    Raises:
        ValueError: the path is unsafe, no album directory, or no song was imported.
        PathError, ImportBusy, DatabaseError: from the importer.
    """
    relpath, _absolute = safepath.resolve(app.cfg.directories.music, albumpath)
    if MusicDirectory.from_config(app.cfg).kind(relpath) != "album":
        raise ValueError(f"{safepath.shown(relpath)} is no album directory")
    summary = importer.import_music(app.cfg, app.database, relpath,
                                    gevent.get_hub().threadpool)
    if summary.failed or not summary.imported:
        raise ValueError(f"{summary.failed} songs failed, {summary.imported} imported")
    return summary
