"""API area playback: the audio stream's state and commands (api-playback.md §2).

The commands only queue work for the stream's producer greenlet
(``app.audiostream``), which answers every play/pause command with
``MusicDB:AudioStream``/``onStatusChanged`` within milliseconds - the WebUI's
play button reports failure unless the state reaches it within 1.5 s.
"""

import logging

from . import handler
from .arguments import string

log = logging.getLogger(__name__)

STATE_COMMANDS = ("play", "pause", "playpause")


def audio_stream_state(args, app):
    """The stream flags and, if there is a current song, the song with album, artist and tags.

    Reading the head may let Randy fill an empty queue (``songqueue.current()``).
    A head whose song was deleted is reported as ``hasqueue: false`` (MusicDB 8
    sent nothing at all); the stream skips such an entry by itself.

    With ``[icecastsource] enable`` the answer also has ``icecast``: the
    feed's state (``{"state", "reason"}``).  Without it the answer has
    exactly the spec's keys.  The legacy WebUI reads only the keys it
    knows (``args.isconnected``, ``args.isplaying``, ``args.song``...; it
    never walks over the keys), so the extra key changes nothing there.
    """
    state = app.audiostream.state()
    result = {"isconnected": state["isconnected"], "isplaying": state["isplaying"]}
    if app.icecastfeed is not None:
        result["icecast"] = app.icecastfeed.state()
    head = app.songqueue.current() if app.songqueue is not None else None
    details = _song_details(app.database, head["songid"]) if head else None
    if details:
        result.update(details)
    result["hasqueue"] = bool(details)
    return result


def _song_details(database, songid):
    song = database.get_song(songid)
    if song is None:
        return None
    return {"song": song, "album": database.get_album(song["albumid"]),
            "artist": database.get_artist(song["artistid"]),
            "songtags": database.get_song_tags(songid),
            "albumtags": database.get_album_tags(song["albumid"])}


def apply_stream_state(args, app):
    """Queue Play(true), Play(false) or a toggle; any other ``state`` is logged and ignored."""
    state = args["state"]
    if state not in STATE_COMMANDS:
        log.warning("SetAudioStreamState: unknown state %r ignored", state)
        return None
    if state == "playpause":
        app.audiostream.toggle()
    else:
        app.audiostream.play(state == "play")
    return None


@handler("GetAudioStreamState")
def get_audio_stream_state(args, app):
    return audio_stream_state(args, app)


@handler("GetStreamState")
def get_stream_state(args, app):
    """Deprecated alias of GetAudioStreamState; the answer keeps its own name."""
    return audio_stream_state(args, app)


@handler("SetAudioStreamState", args={"state": string})
def set_audio_stream_state(args, app):
    return apply_stream_state(args, app)


@handler("SetStreamState", args={"state": string})
def set_stream_state(args, app):
    """Deprecated alias of SetAudioStreamState."""
    return apply_stream_state(args, app)


@handler("PlayNextSong")
def play_next_song(args, app):
    """Queue the skip: the song ends untracked and the next one becomes current."""
    app.audiostream.play_next()
    return None
