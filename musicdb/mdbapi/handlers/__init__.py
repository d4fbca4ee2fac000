"""The WebSocket API: one small handler per MusicDB function, registered in :data:`TABLE`.

A handler is ``func(args, app)``: ``args`` are the validated arguments,
``app`` the server's :class:`~musicdb.mdbapi.app.App`.  It adapts the spec's
argument and answer keys to the application and returns plain data; the
generic part (validation, dispatch, error packets) is
:mod:`musicdb.lib.ws.rpc`.  API areas register their handlers by being
imported in :func:`load_areas`.
"""

import importlib

from musicdb.lib.ws.rpc import HandlerTable

AREAS = (
    "system",      # Bounce
    "library",     # artists, albums, songs, videos, tags, lyrics, relationships (read)
    "state",       # MDB state, WebUI and Randy configuration
    "search",      # Find
    "playback",    # stream states, PlayNext*, VideoEnded
    "queues",      # song and video queue
    "statistics",  # statistics, relationships (GetSong/VideoRelationship) and their cuts
    "video",       # video stream state, PlayNextVideo, VideoEnded
    "randyconfig", # Load/SaveRandyConfiguration
    "entries",     # Create/Update/Remove song, album and artist entries
    "musicdir",    # FindNewContent, FindAlbumSongFiles, renames in the music directory
    "tags",        # tag edits: Set/Remove Song/Album/VideoTag, Add/Delete/ModifyTag...
    "settings",    # lyrics, album and video settings (HideAlbum, colours, time frame, ...)
    "uploads",     # uploads, integration, music/artwork imports, file-system scan (tasks)
)

TABLE = HandlerTable()
handler = TABLE.handler


def load_areas():
    """Import every API area (idempotent); returns the filled :data:`TABLE`."""
    for area in AREAS:
        importlib.import_module(f"{__name__}.{area}")
    return TABLE


def call(name, arguments, app):
    """Run the API function ``name`` with raw ``arguments`` (see ``HandlerTable.call``)."""
    return load_areas().call(name, arguments, app)
