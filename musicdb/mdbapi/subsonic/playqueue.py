"""The saved play queue: getPlayQueue, savePlayQueue and the OpenSubsonic indexBasedQueue
extension (getPlayQueueByIndex, savePlayQueueByIndex).

One queue per user in ``subsonic.db``, so a client resumes where another
stopped.  The current song is kept by index: ``current`` (an ID) names its
first occurrence.  Saving without songs removes the queue; an unsaved queue
answers an empty body without ``playQueue``.
"""

import time

from . import ids, models, views
from .api import endpoint
from .playlists import song_numbers
from .wire import GENERIC, SubsonicError

MAX_POSITION = 10**12  # milliseconds


def _save(ctx, params, songids, current):
    if songids and current is not None and not 0 <= current < len(songids):
        raise SubsonicError(GENERIC, "The current song is not in the queue")
    position = params.integer("position", 0, 0, MAX_POSITION)
    ctx.annotations.save_play_queue(ctx.user, songids, current, position, int(time.time()),
                                    params.get("c", "")[:100])
    return {}


def _queue(ctx):
    """``(stored queue, Child entries)`` or ``(None, [])``; songs gone since are left out."""
    stored = ctx.annotations.play_queue(ctx.user)
    if stored is None:
        return None, []
    return stored, views.songs_by_ids(ctx, stored["songids"])


def _common(ctx, stored, entries):
    return {"username": ctx.user, "changed": models.iso(stored["changed"]),
            "changedBy": models.text(stored["changedby"]), "position": stored["position"],
            "entry": entries}


@endpoint("savePlayQueue")
def save_play_queue(params, ctx):
    songids = song_numbers(ctx, params.all("id"))
    current = params.get("current")
    index = None
    if current:
        number = ids.parse(current, ("song",))[1]
        if number not in songids:
            raise SubsonicError(GENERIC, "The current song is not in the queue")
        index = songids.index(number)
    return _save(ctx, params, songids, index)


@endpoint("savePlayQueueByIndex")
def save_play_queue_by_index(params, ctx):
    songids = song_numbers(ctx, params.all("id"))
    index = params.integer("currentIndex", -1, 0, 10**9)
    return _save(ctx, params, songids, None if index < 0 else index)


@endpoint("getPlayQueue")
def get_play_queue(params, ctx):
    stored, entries = _queue(ctx)
    if stored is None:
        return {}
    answer = _common(ctx, stored, entries)
    current = stored["current"]
    if current is not None and current < len(stored["songids"]):
        answer["current"] = ids.make("song", stored["songids"][current])
    return {"playQueue": answer}


@endpoint("getPlayQueueByIndex")
def get_play_queue_by_index(params, ctx):
    stored, entries = _queue(ctx)
    if stored is None:
        return {}
    answer = _common(ctx, stored, entries)
    if stored["current"] is not None and len(entries) == len(stored["songids"]):
        answer["currentIndex"] = stored["current"]
    return {"playQueueByIndex": answer}
