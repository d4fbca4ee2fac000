"""Task type ``completeartworkscales``: write the scaled artwork copies that are missing.

MusicDB 8 does this at start: after ``[albumcover] scales`` gained a size, or
copies were deleted by hand, the WebUI would show broken images.  One album
artwork at a time in the thread pool; progress counts artwork files.
"""

import logging
import os

import gevent

from musicdb.lib.media import artwork as albumartwork
from musicdb.lib.threads import in_thread
from musicdb.taskmanagement.task import TaskType

log = logging.getLogger(__name__)

NAME = "completeartworkscales"


class CompleteArtworkScales(TaskType):
    name = NAME
    resumable = True  # it only adds what is missing: running it again is harmless

    def run(self, task, app):
        """Returns how many copies were written; an unreadable artwork is logged and skipped."""
        directory = os.path.join(app.cfg.directories.data, "webdata", "artwork")
        names = [row["artworkpath"] for row in app.database.rows(
            "SELECT DISTINCT artworkpath FROM albums WHERE artworkpath != ?",
            (albumartwork.DEFAULT_ARTWORK,)) if row["artworkpath"]]
        task.progress(0, len(names))
        pool, written = gevent.get_hub().threadpool, 0
        for name in names:
            try:
                written += in_thread(albumartwork.complete_scales, directory, name, app.cfg.albumcover.scales, pool=pool)
            except albumartwork.ArtworkError as error:
                log.warning("Cannot complete the scaled copies: %s", error)
            task.advance()
        if written:
            log.info("Wrote %d missing scaled artwork copies", written)
        task.set_result({"written": written})
        return written
