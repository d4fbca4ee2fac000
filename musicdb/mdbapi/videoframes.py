"""A video's thumbnail chosen by its time (api-editing.md, SetVideoThumbnail).

Frames live in ``<data>/webdata/artwork/<framesdirectory>/`` (the WebUI loads
``videoframes/<framesdirectory>/<thumbnailfile>``).  The frame is extracted
by ffmpeg (a cooperative subprocess) and scaled by Pillow in gevent's thread
pool, then the video row names ``thumbnail.jpg``.  A video's frames directory
is made by its import or ``musicdb videoframes`` (:mod:`musicdb.lib.videoimport`);
a video without one is refused rather than given a directory the other
frames would not share.
"""

import os

import gevent

from musicdb.lib.media import frames
from musicdb.lib.threads import in_thread
from musicdb.lib.ws.errors import InvalidArguments, NotFound

THUMBNAIL = "thumbnail.jpg"


def frames_root(cfg):
    return os.path.join(cfg.directories.data, "webdata", "artwork")


def set_thumbnail(app, videoid, timestamp):
    """Make the frame at ``timestamp`` seconds the video's thumbnail.

    Raises:
        NotFound: the video, or its file, does not exist.
        InvalidArguments: ``timestamp`` lies outside the video, or it has no frames directory.
        FrameError: ffmpeg or Pillow failed (an InternalError for the client).
    """
    tagging = app.library.tagging
    video = tagging.existing("video", videoid)
    playtime = video["playtime"] or 0
    if not 0 <= timestamp <= playtime:
        raise InvalidArguments(f"{timestamp} s lies outside the video (0 to {playtime} s)")
    if not video["framesdirectory"]:
        raise InvalidArguments(f"Video {videoid} has no frames directory yet: its frames "
                               "have not been generated")
    source = os.path.join(app.cfg.directories.music, video["path"])
    if not os.path.isfile(source):
        raise NotFound(f"The file of video {videoid} is missing: {video['path']}")
    directory = os.path.join(frames_root(app.cfg), video["framesdirectory"])
    pool = gevent.get_hub().threadpool
    in_thread(frames.make_directory, directory, pool=pool)
    target = os.path.join(directory, THUMBNAIL)
    # ffmpeg from this greenlet: gevent cannot watch a child process of a worker thread.
    frames.extract_frame(source, timestamp, target)
    in_thread(frames.write_scaled, target, app.cfg.videoframes.scales, pool=pool)
    tagging.set_video_thumbnail(videoid, THUMBNAIL)
