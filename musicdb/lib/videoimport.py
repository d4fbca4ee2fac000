"""Import the music videos of the music directory, and make their frames and previews.

Layout (api-editing.md §1): ``<Artist>/<YYYY> - <Video>.<m4v|mp4|webm>``,
directly in the artist directory.  A new video gets a row as MusicDB 8's
video import writes it (api-uploads.md §7): name and release from the path,
playtime, codec and resolution from ffprobe, origin from its tags, ``added``
= the file's mtime, its SHA-256, ``vbegin`` 0 and ``vend`` = playtime.  A
video already in the database (by path) is left as it is: its statistics,
tags and time frame are the user's.

Frames (:func:`make_frames`): ``<artwork dir>/<Artist>/<Video>`` (``/`` in
names as ``∕``) gets ``[videoframes] frames`` frames, their scaled copies
and animated previews (:mod:`musicdb.lib.media.frames`), and the row names
``frame-01.jpg`` and ``preview.webp``.  The web server publishes the
artwork directory at ``/musicdb/videoframes/``, where the WebUI loads them.

Hashing and Pillow run in ``pool`` (a gevent ThreadPool, default the
hub's); ffprobe and ffmpeg are subprocesses started from the calling greenlet
(cooperative under gevent's monkey patch, which cannot watch children of a
worker thread); database access stays in the calling greenlet.
"""

import logging
import os
from dataclasses import dataclass, field

import gevent

from musicdb.lib.media import frames as videoframes
from musicdb.lib.media import tags as metatags
from musicdb.lib.media import video as videoinfo
from musicdb.lib.media.artwork import DIVISION_SLASH
from musicdb.lib.media.errors import MediaError
from musicdb.lib.musicdirectory import KIND_ARTIST, KIND_VIDEO, MusicDirectory, PathError
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)


@dataclass
class VideoSummary:
    """Videos per outcome; ``failures`` lists ``(relative path, reason)``."""

    added: int = 0
    unchanged: int = 0
    framed: int = 0
    failures: list = field(default_factory=list)

    def line(self):
        return (f"{self.added} added, {self.unchanged} unchanged, {self.framed} given frames, "
                f"{len(self.failures)} failed")


def video_paths(directory, relpath=""):
    """Relative paths of the videos below ``relpath`` (root, an artist, or one video);
    an album or song path has none.

    Raises:
        PathError: the path does not exist in the music directory.
    """
    kind = directory.kind(relpath) if relpath else "root"
    if kind == "root":
        return [video for artist in directory.artists() for video in directory.videos(artist)]
    if kind == KIND_ARTIST:
        return directory.videos(relpath)
    if kind == KIND_VIDEO:
        return [relpath]
    if kind is None:
        raise PathError(f"{relpath}: not in the music directory")
    return []


def name_and_release(relpath):
    """``("Name", 2001)`` of ``Artist/2001 - Name.mp4``; a free-form name gets release 0."""
    stem = os.path.splitext(relpath.split("/")[-1])[0]
    if len(stem) > 7 and stem[:4].isdigit() and stem[4:7] == " - ":
        return stem[7:], int(stem[:4])
    return stem, 0


def frames_directory(artistname, videoname):
    """``<Artist>/<Video>`` with ``/`` in a name as ``∕`` (relative to the artwork directory)."""
    return (f"{artistname.replace('/', DIVISION_SLASH)}/"
            f"{videoname.replace('/', DIVISION_SLASH)}")


def read_file(path):
    """Origin, mtime and checksum of a video file (blocking: runs in the pool).

    Raises:
        OSError: the file cannot be read.
    """
    try:
        origin = metatags.read_metadata(path, probe=False).origin
    except metatags.TagError:
        origin = "internet"
    return {"origin": origin, "added": int(os.stat(path).st_mtime),
            "checksum": metatags.file_checksum(path)}


class VideoImporter:
    """Imports the videos of ``cfg``'s music directory into ``database``."""

    def __init__(self, cfg, database, pool=None, progress=None):
        self.cfg = cfg
        self.db = database
        self.directory = MusicDirectory.from_config(cfg)
        self.artworkdir = os.path.join(cfg.directories.data, "webdata", "artwork")
        self.pool = pool if pool is not None else gevent.get_hub().threadpool
        self.progress = progress

    def run(self, path="", frames=True):
        """Import the videos below ``path``; with ``frames`` also make missing frames.

        Returns a :class:`VideoSummary`; a video that cannot be read is listed
        in its failures and the others are imported.

        Raises:
            PathError: the path leaves the music directory or does not exist.
            DatabaseError: a write failed.
        """
        relpath = self.directory.relative(path)
        paths = in_thread(video_paths, self.directory, relpath, pool=self.pool)
        summary = VideoSummary()
        if self.progress is not None:
            self.progress.reset(total=len(paths))
        for videopath in paths:
            self._import_one(videopath, summary, frames)
            if self.progress is not None:
                self.progress.update(1)
        return summary

    def _import_one(self, videopath, summary, frames):
        video = self.db.find_video_by_path(videopath)
        try:
            if video is None:
                video = self._add(videopath)
                summary.added += 1
            else:
                summary.unchanged += 1
            if frames and self.make_frames(video):
                summary.framed += 1
        except (MediaError, OSError) as error:
            summary.failures.append((videopath, str(error)))
            log.warning("Video %s: %s", videopath, error)

    def _add(self, videopath):
        path = self.directory.absolute(videopath)
        info = videoinfo.probe(path)  # a subprocess: in this greenlet (see media.frames)
        meta = dict(in_thread(read_file, path, pool=self.pool), playtime=info.playtime,
                    codec=info.codec, xresolution=info.xresolution,
                    yresolution=info.yresolution)
        artistpath = videopath.split("/")[0]
        name, release = name_and_release(videopath)
        with self.db.transaction():
            artist = self.db.find_artist_by_path(artistpath)
            artistid = artist["id"] if artist else self.db.add_artist(artistpath, artistpath)
            videoid = self.db.add_video(artistid, name, videopath, release, **meta)
        log.info("Imported video %s", videopath)
        return self.db.get_video(videoid)

    def make_frames(self, video, again=False):
        """Make the frames and previews of ``video`` (an entry) that are missing; returns
        True if files were written.  ``again`` rewrites them all.

        Raises:
            MediaError: ffmpeg or Pillow failed.
            OSError: a file cannot be written or removed.
        """
        artist = self.db.get_artist(video["artistid"])
        relative = video["framesdirectory"] or frames_directory(
            artist["name"] if artist else video["path"].split("/")[0], video["name"])
        directory = os.path.join(self.artworkdir, *relative.split("/"))
        if again:
            in_thread(_remove_frames, directory, pool=self.pool)
        settings = self.cfg.videoframes
        written = videoframes.generate_frames(
            self.directory.absolute(video["path"]), directory, video["playtime"] or 0,
            settings.frames, settings.previewlength, list(settings.scales), self._offload)
        # A thumbnail the user chose (SetVideoThumbnail) stays.
        names = (relative, video["thumbnailfile"] or videoframes.THUMBNAIL,
                 video["previewfile"] or videoframes.PREVIEW)
        if (video["framesdirectory"], video["thumbnailfile"], video["previewfile"]) != names:
            self.db.set_video_frames(video["id"], *names)
        return written > 0


    def _offload(self, function, *args):
        return in_thread(function, *args, pool=self.pool)


def _remove_frames(directory):
    """Delete the files MusicDB makes in a frames directory (the user's files stay)."""
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name.startswith(("frame-", "preview")):
            os.unlink(os.path.join(directory, name))
