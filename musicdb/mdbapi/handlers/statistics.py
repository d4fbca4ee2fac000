"""API area: statistics and relationships (api-playback.md §2, api-library.md §4).

``UpdateSongStatistic``/``UpdateVideoStatistic`` are forced broadcasts of
``GetSong``/``GetVideo``; ``CutSongRelationship``/``CutVideoRelationship``
are answered (for a request) by ``GetSongRelationship``/``GetVideoRelationship``
- both wired in the handler table.  Counters change in one SQL statement,
so two clients liking a song at once both count.
"""

import logging

from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.storage import storage_error
from musicdb.lib.ws.errors import NotFound

from . import handler
from .arguments import anything, db_id, MAX_ID, string, strict_id

log = logging.getLogger(__name__)


def _update_statistic(app, target, mediaid, statistic, modifier):
    """Change one statistic of a song/video; unknown names are logged and ignored.

    Raises:
        NotFound: the song/video does not exist.
    """
    library = app.library
    if not library.exists(target, mediaid):
        raise NotFound(f"There is no {target} with ID {mediaid}")
    if not app.cfg.debug.disablestats:
        library.change_statistic(target, mediaid, statistic, modifier)


@handler("UpdateSongStatistic", args={"songid": db_id, "statistic": string, "modifier": anything},
         forced=("GetSong", "songid"))
def update_song_statistic(args, app):
    _update_statistic(app, "song", args["songid"], args["statistic"], args["modifier"])


@handler("UpdateVideoStatistic", args={"videoid": db_id, "statistic": string, "modifier": anything},
         forced=("GetVideo", "videoid"))
def update_video_statistic(args, app):
    _update_statistic(app, "video", args["videoid"], args["statistic"], args["modifier"])


def _cut(app, target, mediaid, related):
    """Delete one relation; a failing tracker database is logged, not reported (as in MusicDB 8),
    except a full or read-only disk: the caller learns that nothing was cut.

    Raises:
        StorageError: the tracker database cannot be written.
    """
    if app.cfg.debug.disabletracker:
        return
    if isinstance(related, bool) or not isinstance(related, int) or not 0 < related <= MAX_ID:
        log.warning("Cut%sRelationship: related ID %r is no ID", target.title(), related)
        return
    try:
        app.trackerdb.cut_relation(target, mediaid, related)
    except DatabaseError as error:
        refusal = storage_error(error)
        if refusal is not None:
            raise refusal from None
        log.error("Cannot cut the %s relation %d - %d: %s", target, mediaid, related, error)


@handler("CutSongRelationship", args={"songid": strict_id, "relatedsongid": anything},
         answered_by=("GetSongRelationship", "songid"))
def cut_song_relationship(args, app):
    _cut(app, "song", args["songid"], args["relatedsongid"])


@handler("CutVideoRelationship", args={"videoid": strict_id, "relatedvideoid": anything},
         answered_by=("GetVideoRelationship", "videoid"))
def cut_video_relationship(args, app):
    _cut(app, "video", args["videoid"], args["relatedvideoid"])


def _weights(app, target, mediaid):
    """``{related ID: weight}`` from the tracker database."""
    return {row["id"]: row["weight"] for row in app.trackerdb.relations(target, mediaid)}


@handler("GetSongRelationship", args={"songid": strict_id})
def get_song_relationship(args, app):
    """The songs played right before or after the song, with how often (``weight``).

    Raises:
        NotFound: the song does not exist.
    """
    library = app.library
    found = library.song(args["songid"])
    if found is None:
        raise NotFound(f"There is no song with ID {args['songid']}")
    song = found["song"]
    songs = library.song_relationship(_weights(app, "song", song["id"]))
    return {"songid": args["songid"], "song": song, "album": found["album"],
            "artist": found["artist"], "songs": songs}


@handler("GetVideoRelationship", args={"videoid": strict_id})
def get_video_relationship(args, app):
    """The videos played right before or after the video.

    Raises:
        NotFound: the video does not exist.
    """
    library = app.library
    if not library.exists("video", args["videoid"]):
        raise NotFound(f"There is no video with ID {args['videoid']}")
    videos = library.video_relationship(_weights(app, "video", args["videoid"]))
    return {"videoid": args["videoid"], "videos": videos}
