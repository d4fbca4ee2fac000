"""API area: tag edits (api-editing.md §2).

Every function here is a forced broadcast (protocol.md §2.4): the handler
table sends ``GetSong``/``GetAlbum``/``GetVideo``/``GetTags`` to every client
after the edit, so each open WebUI redraws.  The edits themselves are
:class:`musicdb.mdbapi.tagging.Tagging`'s, which checks them and raises
``NotFound``/``InvalidArguments`` before writing anything.
"""

from . import handler
from .arguments import Optional, anything, db_id, string


def _tagging(app):
    return app.library.tagging


@handler("SetSongTag", args={"songid": db_id, "tagid": db_id, "approval": Optional(anything),
                             "confidence": Optional(anything)},
         forced=("GetSong", "songid"))
def set_song_tag(args, app):
    """``approval``/``confidence`` count only when both are given (else 1 and 1.0)."""
    approval, confidence = args["approval"], args["confidence"]
    if approval is None or confidence is None:
        approval, confidence = 1, 1.0
    _tagging(app).set_song_tag(args["songid"], args["tagid"], approval, confidence)


@handler("RemoveSongTag", args={"songid": db_id, "tagid": db_id}, forced=("GetSong", "songid"))
def remove_song_tag(args, app):
    _tagging(app).remove_song_tag(args["songid"], args["tagid"])


@handler("SetAlbumTag", args={"albumid": db_id, "tagid": db_id}, forced=("GetAlbum", "albumid"))
def set_album_tag(args, app):
    _tagging(app).set_album_tag(args["albumid"], args["tagid"])


@handler("RemoveAlbumTag", args={"albumid": db_id, "tagid": db_id},
         forced=("GetAlbum", "albumid"))
def remove_album_tag(args, app):
    _tagging(app).remove_album_tag(args["albumid"], args["tagid"])


@handler("SetVideoTag", args={"videoid": db_id, "tagid": db_id}, forced=("GetVideo", "videoid"))
def set_video_tag(args, app):
    _tagging(app).set_video_tag(args["videoid"], args["tagid"])


@handler("RemoveVideoTag", args={"videoid": db_id, "tagid": db_id},
         forced=("GetVideo", "videoid"))
def remove_video_tag(args, app):
    _tagging(app).remove_video_tag(args["videoid"], args["tagid"])


@handler("AddGenre", args={"name": string}, forced=("GetTags", None))
def add_genre(args, app):
    _tagging(app).add_genre(args["name"])


@handler("AddSubgenre", args={"name": string, "parentname": string}, forced=("GetTags", None))
def add_subgenre(args, app):
    """Raises NotFound when no genre is named ``parentname``."""
    _tagging(app).add_subgenre(args["name"], args["parentname"])


@handler("AddMoodFlag", args={"name": string, "icon": Optional(anything),
                              "color": Optional(anything), "posx": Optional(anything),
                              "posy": Optional(anything)},
         forced=("GetTags", None))
def add_mood_flag(args, app):
    _tagging(app).add_mood(args["name"], args["icon"], args["color"], args["posx"], args["posy"])


@handler("DeleteTag", args={"tagid": db_id}, forced=("GetTags", None))
def delete_tag(args, app):
    """Also removes the tag's sub-genres and all their mappings (MusicDB 8 left them)."""
    _tagging(app).delete_tag(args["tagid"])


@handler("ModifyTag", args={"tagid": db_id, "attribute": string, "value": Optional(anything)},
         forced=("GetTags", None))
def modify_tag(args, app):
    _tagging(app).modify_tag(args["tagid"], args["attribute"], args["value"])
