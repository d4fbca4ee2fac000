"""API area: the video stream (api-playback.md §2, §3.5).

The commands go to the video stream's loop (``app.videostream``), which
executes them in order and announces the results itself.
"""

import logging

from . import handler
from .arguments import string

log = logging.getLogger(__name__)


def video_entry(value):
    """``entryid`` of VideoEnded: a decimal string or an integer; other text is None (ignored)."""
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("must be a queue entry ID")


@handler("GetVideoStreamState")
def get_video_stream_state(args, app):
    """The video stream state and the current video; an empty queue gets a random video
    (only with videos enabled)."""
    state = app.videostream.state()
    result = {"isstreaming": state["isstreaming"], "isplaying": state["isplaying"],
              "currententry": str(state["currententry"]) if state["currententry"] else None}
    head = app.videoqueue.current()
    video = app.database.get_video(head["videoid"]) if head is not None else None
    if video is not None:
        result["video"] = video
        result["artist"] = app.database.get_artist(video["artistid"])
        result["videotags"] = app.database.get_video_tags(video["id"])
    result["hasqueue"] = video is not None
    return result


@handler("SetVideoStreamState", args={"state": string})
def set_video_stream_state(args, app):
    """Switch video streaming on/off; ``playpause`` toggles the state at call time.

    Any other ``state`` is logged and ignored, as for SetAudioStreamState.
    """
    state = args["state"]
    if state not in ("play", "pause", "playpause"):
        log.warning("SetVideoStreamState: unknown state %r ignored", state)
    elif state == "playpause":
        app.videostream.set_streaming(not app.videostream.state()["isstreaming"])
    else:
        app.videostream.set_streaming(state == "play")


@handler("PlayNextVideo")
def play_next_video(args, app):
    app.videostream.play_next()


@handler("VideoEnded", args={"entryid": video_entry})
def video_ended(args, app):
    """A client finished the entry; only the current entry's first report counts."""
    if args["entryid"] is None:
        log.warning("VideoEnded with a non-numeric entry ID; ignored")
        return
    app.videostream.video_ended(args["entryid"])
