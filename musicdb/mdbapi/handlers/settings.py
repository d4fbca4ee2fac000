"""API area: lyrics and album and video settings (api-editing.md §3).

``SetSongLyrics`` is a forced broadcast of ``GetSong``; the others follow the
client's method (the WebUI sends ``HideAlbum`` as a broadcast, so every client
reloads its artists).  Bad values are refused with ``MusicDB:Error`` before
anything is written, where MusicDB 8 answered ``true``/``false`` or nothing.
"""

from musicdb.mdbapi import videoframes

from . import handler
from .arguments import Optional, anything, boolean, db_id, number, string, strict_id


def _tagging(app):
    return app.library.tagging


@handler("SetSongLyrics", args={"songid": db_id, "lyrics": Optional(anything),
                                "lyricsstate": anything},
         forced=("GetSong", "songid"))
def set_song_lyrics(args, app):
    _tagging(app).set_lyrics(args["songid"], args["lyrics"], args["lyricsstate"])


@handler("HideAlbum", args={"albumid": strict_id, "hide": boolean})
def hide_album(args, app):
    _tagging(app).hide_album(args["albumid"], args["hide"])


@handler("SetAlbumOrigin", args={"albumid": db_id, "origin": string})
def set_album_origin(args, app):
    _tagging(app).set_album_origin(args["albumid"], args["origin"])


@handler("SetAlbumImportTime", args={"albumid": db_id, "importtime": anything})
def set_album_import_time(args, app):
    _tagging(app).set_album_import_time(args["albumid"], args["importtime"])


@handler("SetAlbumColor", args={"albumid": db_id, "colorname": string, "color": anything})
def set_album_color(args, app):
    _tagging(app).set_album_color(args["albumid"], args["colorname"], args["color"])
    return True


@handler("SetVideoColor", args={"videoid": db_id, "colorname": string, "color": anything})
def set_video_color(args, app):
    _tagging(app).set_video_color(args["videoid"], args["colorname"], args["color"])
    return True


@handler("SetVideoTimeFrame", args={"videoid": db_id, "begin": Optional(anything),
                                    "end": Optional(anything)})
def set_video_time_frame(args, app):
    _tagging(app).set_video_time_frame(args["videoid"], args["begin"], args["end"])
    return True


@handler("SetVideoThumbnail", args={"videoid": db_id, "timestamp": number})
def set_video_thumbnail(args, app):
    """Extracts one frame with ffmpeg (in the thread pool) as the video's thumbnail."""
    videoframes.set_thumbnail(app, args["videoid"], args["timestamp"])
