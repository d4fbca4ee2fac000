"""API area: statistics and relationships (api-playback.md §2, api-library.md §4).

``UpdateSongStatistic``/``UpdateVideoStatistic`` are forced broadcasts of
``GetSong``/``GetVideo``; ``CutSongRelationship``/``CutVideoRelationship``
are answered (for a request) by ``GetSongRelationship``/``GetVideoRelationship``
- both wired in the handler table.  Counters change in one SQL statement,
so two clients liking a song at once both count.
"""

import logging

from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.ws.errors import NotFound

from . import handler
from .arguments import ANY, ID, MAX_ID, STR, STRICT_ID

log = logging.getLogger(__name__)

MODIFIERS = {"inc": 1, "love": 1, "yes": 1, "dec": -1, "hate": -1,
             "reset": 0, "none": 0, "no": 0}
COUNTERS = ("likes", "dislikes")                # modifier adds (reset adds 0, as in MusicDB 8)
FLAGS = {"favorite": "favorite", "disable": "disabled",   # modifier sets 1 / -1 / 0
         "liverecording": "liverecording", "badaudio": "badaudio"}


def _update_statistic(ctx, target, mediaid, statistic, modifier, flags):
    """Change one statistic column of a song/video row; unknown names are logged and ignored.

    Raises:
        NotFound: the song/video does not exist.
    """
    table, key = f"{target}s", f"{target}id"
    if ctx.database.value(f"SELECT 1 FROM {table} WHERE {key} = ?", (mediaid,)) is None:
        raise NotFound(f"There is no {target} with ID {mediaid}")
    if ctx.cfg.debug.disablestats:
        return
    if statistic == "lastplayed":
        if isinstance(modifier, bool) or not isinstance(modifier, int) or modifier < 0:
            log.warning("lastplayed needs a unix time, not %r", modifier)
            return
        sql, value = f"UPDATE {table} SET lastplayed = ? WHERE {key} = ?", modifier
    elif statistic in COUNTERS or statistic in flags:
        value = MODIFIERS.get(modifier) if isinstance(modifier, str) else None
        if value is None:
            log.warning("Unknown modifier %r for %s", modifier, statistic)
            return
        column = statistic if statistic in COUNTERS else flags[statistic]
        update = f"{column} + ?" if statistic in COUNTERS else "?"
        sql = f"UPDATE {table} SET {column} = {update} WHERE {key} = ?"
    else:
        log.warning("Unknown %s statistic %r", target, statistic)
        return
    ctx.database.execute(sql, (value, mediaid))


@handler("UpdateSongStatistic", args={"songid": ID, "statistic": STR, "modifier": ANY},
         forced=("GetSong", "songid"))
def update_song_statistic(args, ctx):
    _update_statistic(ctx, "song", args["songid"], args["statistic"], args["modifier"], FLAGS)


@handler("UpdateVideoStatistic", args={"videoid": ID, "statistic": STR, "modifier": ANY},
         forced=("GetVideo", "videoid"))
def update_video_statistic(args, ctx):
    flags = dict(FLAGS, lyricsvideo="lyricsvideo")
    _update_statistic(ctx, "video", args["videoid"], args["statistic"], args["modifier"], flags)


def _cut(ctx, target, mediaid, related):
    """Delete one relation; a failing tracker database is logged, not reported (as in MusicDB 8)."""
    if ctx.cfg.debug.disabletracker:
        return
    if isinstance(related, bool) or not isinstance(related, int) or not 0 < related <= MAX_ID:
        log.warning("Cut%sRelationship: related ID %r is no ID", target.title(), related)
        return
    try:
        ctx.trackerdb.cut_relation(target, mediaid, related)
    except DatabaseError as error:
        log.error("Cannot cut the %s relation %d - %d: %s", target, mediaid, related, error)


@handler("CutSongRelationship", args={"songid": STRICT_ID, "relatedsongid": ANY},
         answered_by=("GetSongRelationship", "songid"))
def cut_song_relationship(args, ctx):
    _cut(ctx, "song", args["songid"], args["relatedsongid"])


@handler("CutVideoRelationship", args={"videoid": STRICT_ID, "relatedvideoid": ANY},
         answered_by=("GetVideoRelationship", "videoid"))
def cut_video_relationship(args, ctx):
    _cut(ctx, "video", args["videoid"], args["relatedvideoid"])


def _related(ctx, target, mediaid):
    """``[(entry, weight)]`` of the related songs/videos that still exist, are not hated nor disabled."""
    weights = {row["id"]: row["weight"] for row in ctx.trackerdb.relations(target, mediaid)}
    entries = ctx.database.get_entries(f"{target}s", weights)
    return [(entries[entryid], weight) for entryid, weight in weights.items()
            if entryid in entries and entries[entryid]["favorite"] != -1
            and not entries[entryid]["disabled"]]


@handler("GetSongRelationship", args={"songid": STRICT_ID})
def get_song_relationship(args, ctx):
    """The songs played right before or after the song, with how often (``weight``).

    Raises:
        NotFound: the song does not exist.
    """
    db = ctx.database
    song = db.get_song(args["songid"])
    if song is None:
        raise NotFound(f"There is no song with ID {args['songid']}")
    related = _related(ctx, "song", song["id"])
    tags = db.get_tag_sets("song", [entry["id"] for entry, _ in related])
    albums = db.get_entries("albums", {entry["albumid"] for entry, _ in related})
    artists = db.get_entries("artists", {entry["artistid"] for entry, _ in related})
    songs = [{"song": entry, "tags": tags[entry["id"]], "weight": weight,
              "album": albums.get(entry["albumid"]), "artist": artists.get(entry["artistid"])}
             for entry, weight in related]
    songs.sort(key=_song_order)
    return {"songid": args["songid"], "song": song, "album": db.get_album(song["albumid"]),
            "artist": db.get_artist(song["artistid"]), "songs": songs}


def _song_order(item):
    album, artist, song = item["album"] or {}, item["artist"] or {}, item["song"]
    return (artist.get("name") or "", _number(album.get("release")), album.get("name") or "",
            _number(song["cd"]), _number(song["number"]))


def _number(value):
    """Sort keys for numbers that may be null or text after a broken import."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


@handler("GetVideoRelationship", args={"videoid": STRICT_ID})
def get_video_relationship(args, ctx):
    """The videos played right before or after the video.

    Raises:
        NotFound: the video does not exist.
    """
    db = ctx.database
    if db.get_video(args["videoid"]) is None:
        raise NotFound(f"There is no video with ID {args['videoid']}")
    related = _related(ctx, "video", args["videoid"])
    tags = db.get_tag_sets("video", [entry["id"] for entry, _ in related])
    artists = db.get_entries("artists", {entry["artistid"] for entry, _ in related})
    videos = [{"video": entry, "tags": tags[entry["id"]], "weight": weight,
               "artist": artists.get(entry["artistid"])} for entry, weight in related]
    videos.sort(key=lambda item: ((item["artist"] or {}).get("name") or "",
                                  _number(item["video"]["release"])))
    return {"videoid": args["videoid"], "videos": videos}
