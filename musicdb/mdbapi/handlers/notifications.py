"""Domain events as MusicDB packets: the WebSocket API's one subscriber to the event bus.

Each event name maps to a small function that returns the packet every
client gets (protocol.md §7), or None when WebSocket clients are not told.
The server module subscribes and hands each packet to the WebSocket server's
``broadcast``; the packet is encoded once there, whatever the client count.
"""

from musicdb.lib.ws import protocol
from musicdb.mdbapi import events


def video_state(state):
    """The video stream state as clients see it: ``currententry`` as a decimal string."""
    return {"isstreaming": state["isstreaming"], "isplaying": state["isplaying"],
            "currententry": str(state["currententry"])}


def _fixed(fncname, fncsig):
    return lambda data: protocol.notification(fncname, fncsig)


def _next_video(data):
    queue = dict(data["entry"], entryid=str(data["entry"]["entryid"]))
    return protocol.notification("MusicDB:VideoStream", "onStreamNextVideo", {
        "video": data["video"], "queue": queue, "streamstate": video_state(data["state"])})


CHUNKSIZE = 409600   # what MusicDB 8's WebUI slices (4096 x 100 bytes)


def _task(data):
    """``MusicDB:Task`` (api-uploads.md §5); ``tasklist`` is left out of a ChunkRequest."""
    task = data["task"]
    arguments = {"taskid": task["id"], "offset": task.get("offset"), "chunksize": CHUNKSIZE,
                 "state": task["state"], "task": task, "message": data.get("message")}
    if data["signal"] != "ChunkRequest":
        arguments["tasklist"] = data.get("tasklist")
    return protocol.notification("MusicDB:Task", data["signal"], arguments)


PACKETS = {
    events.TASK_NOTICE: _task,
    events.SONGQUEUE_CHANGED: _fixed("MusicDB:SongQueue", "onSongQueueChanged"),
    events.SONGQUEUE_HEAD: _fixed("MusicDB:SongQueue", "onSongChanged"),
    events.VIDEOQUEUE_CHANGED: _fixed("MusicDB:VideoQueue", "onVideoQueueChanged"),
    events.VIDEOQUEUE_HEAD: _fixed("MusicDB:VideoQueue", "onVideoChanged"),
    events.AUDIOSTREAM_STATUS: _fixed("MusicDB:AudioStream", "onStatusChanged"),
    events.AUDIOSTREAM_TIME: lambda seconds: protocol.notification(
        "MusicDB:AudioStream", "onTimeChanged", seconds),
    events.VIDEOSTREAM_STATUS: lambda state: protocol.notification(
        "MusicDB:VideoStream", "onStatusChanged", video_state(state)),
    events.VIDEOSTREAM_NEXT: _next_video,
    events.RANDY_NOTHING_QUALIFIES: lambda data: protocol.notification(
        "MusicDB:Randy", "onNothingQualifies", data),
    events.CACHES_UPDATED: lambda data: protocol.server_broadcast(
        "sys:refresh", "UpdateCaches", None),
    events.CLIENT_BROADCAST: lambda packet: packet,
}


def packet_for(event):
    """The packet for ``event``, or None when WebSocket clients do not hear of it."""
    build = PACKETS.get(event.name)
    return build(event.data) if build is not None else None
