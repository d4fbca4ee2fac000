"""API area: the song and video queues (api-playback.md §2).

Entry IDs travel as decimal strings; the queues (``app.songqueue``,
``app.videoqueue``) persist and announce every change themselves.  Inputs
MusicDB 8 answered with a warning and ``null`` (an unknown song, an entry
that is not queued) still get ``null``; values it could not handle at all
(wrong types, garbage positions) are rejected with ``InvalidArguments``
before anything changes.
"""

import logging

from . import handler
from .arguments import anything, db_id, strict_id, Optional, one_of

log = logging.getLogger(__name__)


def position(value):
    """``"next"``, ``"last"`` or a queue entry ID (decimal string or integer)."""
    if value in ("next", "last"):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError('must be "next", "last" or a queue entry ID')


def entry_string(value):
    """A queue entry ID as the decimal string the WebUI sends (integers are refused, as in MusicDB 8)."""
    if not isinstance(value, str) or not value.strip().isdigit():
        raise ValueError("must be a queue entry ID as decimal string")
    return int(value)


def _queue_answer(app, queue, key, lookup):
    """The queue, head first, each entry with its song or video, album and artist.

    Entries whose song/video was deleted are left out; ``album``/``artist`` are
    null for a video that has none (a lookup of NULL finds nothing).
    """
    db, result = app.database, []
    for entry in queue.entries():
        media = lookup(entry[f"{key}id"])
        if media is not None:
            result.append({"entryid": str(entry["entryid"]), "israndom": entry["israndom"],
                           key: media, "album": db.get_album(media["albumid"]),
                           "artist": db.get_artist(media["artistid"])})
    return result


@handler("GetSongQueue")
def get_song_queue(args, app):
    return _queue_answer(app, app.songqueue, "song", app.database.get_song)


@handler("GetVideoQueue")
def get_video_queue(args, app):
    return _queue_answer(app, app.videoqueue, "video", app.database.get_video)


@handler("AddSongToQueue", args={"songid": strict_id, "position": position})
def add_song_to_queue(args, app):
    app.songqueue.add(args["songid"], args["position"])


@handler("AddVideoToQueue", args={"videoid": strict_id, "position": position})
def add_video_to_queue(args, app):
    app.videoqueue.add(args["videoid"], args["position"])


@handler("AddRandomSongToQueue", args={"position": one_of("next", "last"),
                                       "albumid": Optional(db_id)})
def add_random_song_to_queue(args, app):
    """A random song of the whole (genre filtered) collection, or of ``albumid``."""
    albumid = args["albumid"]
    pick = (lambda: app.randy.get_song_from_album(albumid)) if albumid else None
    app.songqueue.add_random(args["position"], pick)


@handler("AddRandomVideoToQueue", args={"position": one_of("next", "last")})
def add_random_video_to_queue(args, app):
    app.videoqueue.add_random(args["position"])


@handler("AddAlbumToQueue", args={"albumid": db_id, "position": position, "cd": Optional(anything)})
def add_album_to_queue(args, app):
    """Queue the album (or one CD of it) in GetSortedAlbumCDs order; disabled and hated songs are left out.

    The songs go in as one change: one save and one ``onSongQueueChanged``
    (MusicDB 8 saved and announced every song on its own).
    """
    album = app.database.get_album(args["albumid"])
    if album is None:
        log.warning("AddAlbumToQueue: album %s does not exist", args["albumid"])
        return
    cds, cd = app.library.album_cds(album), args["cd"]
    if isinstance(cd, int) and not isinstance(cd, bool):
        if cd >= len(cds) or cd < -len(cds):
            log.warning("AddAlbumToQueue: album %s has no CD index %d", album["id"], cd)
            return
        cds = [cds[cd]]
    songids = [entry["song"]["id"] for disc in cds for entry in disc
               if entry["song"]["disabled"] != 1 and entry["song"]["favorite"] != -1]
    app.songqueue.add_many(songids, args["position"])


@handler("MoveSongInQueue", args={"entryid": entry_string, "afterid": entry_string})
def move_song_in_queue(args, app):
    app.songqueue.move(args["entryid"], args["afterid"])


@handler("MoveVideoInQueue", args={"entryid": entry_string, "afterid": entry_string})
def move_video_in_queue(args, app):
    app.videoqueue.move(args["entryid"], args["afterid"])


@handler("RemoveSongFromQueue", args={"entryid": entry_string})
def remove_song_from_queue(args, app):
    """Removing the current song skips it (the audio stream moves on)."""
    audiostream = app.audiostream
    app.songqueue.remove(args["entryid"], skip=audiostream.play_next if audiostream else None)


@handler("RemoveVideoFromQueue", args={"entryid": entry_string})
def remove_video_from_queue(args, app):
    """Removing the current video is PlayNextVideo (a plain pop while the video stream is off)."""
    videostream = app.videostream
    app.videoqueue.remove(args["entryid"],
                          skip=videostream.play_next if videostream.running else None)
