"""Task type ``musicimport``: import one album directory or one video (api-uploads.md §7).

An album is imported with :func:`musicdb.lib.importer.import_music` (file
reading in the thread pool), a video with
:class:`musicdb.lib.videoimport.VideoImporter`, which also makes its frames
and previews (ffprobe and ffmpeg are subprocesses); the ``origin`` its upload was
annotated with is applied (:mod:`.importhints`).  Any failure is the
InternalError "Importing album failed" (or "Importing video failed") and
``importfailed``; success ``importcomplete`` (then ``sys:refresh``).
"""

import logging

import gevent

from musicdb.lib import importer, safepath
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.media.errors import MediaError
from musicdb.lib.musicdirectory import MusicDirectory, PathError
from musicdb.lib.videoimport import VideoImporter
from musicdb.taskmanagement import importhints
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
        kind = IMPORTS.get(data.get("contenttype"))
        if kind is None:
            return task.set_state("invalidcontent", notice="InternalError",
                                  message="Unsupported content type")
        importer_of, key, failure = kind
        try:
            result = importer_of(app, data.get(key))
        except (importer.ImportBusy, PathError, safepath.UnsafePath, DatabaseError,
                MediaError, OSError, ValueError) as error:
            log.warning("Importing %r failed: %s", data.get(key), error)
            task.message(failure)
            return task.set_state("importfailed", reason=str(error))
        task.update(result=result)
        return task.set_state("importcomplete")


def import_album(app, albumpath):
    """Import the album directory ``albumpath``; returns the counts.

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
    return {"added": summary.added, "updated": summary.updated,
            "unchanged": summary.unchanged, "failed": summary.failed}


def import_video(app, videopath):
    """Import the video file ``videopath`` with its frames and previews; returns the counts.

    Raises:
        ValueError: the path is unsafe, no video file, or the video cannot be read.
        PathError, DatabaseError: from the importer.
    """
    relpath, absolute = safepath.resolve(app.cfg.directories.music, videopath)
    directory = MusicDirectory.from_config(app.cfg)
    if directory.kind(relpath) != "video":
        raise ValueError(f"{safepath.shown(relpath)} is no video file")
    summary = VideoImporter(app.cfg, app.database).run(absolute)
    if summary.failures:
        raise ValueError("; ".join(reason for _path, reason in summary.failures))
    _apply_hint(app, relpath)
    return {"added": summary.added, "unchanged": summary.unchanged, "framed": summary.framed}


def _apply_hint(app, relpath):
    """The ``origin`` its upload was annotated with overrides the video's (MusicDB 8)."""
    origin = importhints.take(app.cfg, relpath).get("origin")
    video = app.database.find_video_by_path(relpath) if origin else None
    if video is not None:
        app.database.update_video(video["id"], origin=origin)


# content type -> (import function, the task key of its path, MusicDB 8's failure message)
IMPORTS = {"album": (import_album, "albumpath", ALBUM_FAILED),
           "video": (import_video, "videopath", VIDEO_FAILED)}
