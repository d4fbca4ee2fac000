"""Playlists: getPlaylists, getPlaylist, createPlaylist, updatePlaylist, deletePlaylist.

A user's playlists live in ``subsonic.db`` (``pl-N``); others see them only
when public, and only the owner changes them (else error 50).  ``pl-0`` is
the live song queue as a read-only playlist: changing or deleting it is
error 50.  Every song ID is parsed and checked before anything is stored,
so a bad one (error 70) changes nothing.
"""

import time

from . import ids, models, views
from .api import endpoint
from .wire import GENERIC, NOT_AUTHORIZED, NOT_FOUND, SubsonicError

QUEUE_NAME = "MusicDB song queue"
QUEUE_OWNER = "MusicDB"
MAX_NAME = 200
MAX_COMMENT = 2000
MAX_SONGS = 10000


def _refused(what):
    return SubsonicError(NOT_AUTHORIZED, "User is not authorized to %s." % what)


def _number(text):
    """The playlist number of ``pl-N`` (0 for the song queue); else error 70."""
    if text == ids.QUEUE_PLAYLIST:
        return 0
    return ids.parse(text, ("playlist",))[1]


def song_numbers(ctx, texts):
    """Song numbers of the IDs ``texts``, all existing (error 70 otherwise), at most MAX_SONGS."""
    if len(texts) > MAX_SONGS:
        raise SubsonicError(GENERIC, "At most %d songs per list" % MAX_SONGS)
    numbers = [ids.parse(text, ("song",))[1] for text in texts]
    found = ctx.app.library.entries("songs", sorted(set(numbers))) if numbers else {}
    if any(number not in found for number in numbers):
        raise SubsonicError(NOT_FOUND, "not found")
    return numbers


def _limited(text, limit=MAX_NAME, what="name"):
    """``text`` (None stays None) unless it is longer than ``limit`` (error 0)."""
    if text is not None and len(text) > limit:
        raise SubsonicError(GENERIC, "A playlist %s has at most %d characters" % (what, limit))
    return text


def _queue_songids(ctx):
    queue = ctx.app.songqueue
    return [entry["songid"] for entry in queue.entries()] if queue is not None else []


def _summary(ctx, row, songs, readonly):
    """A Playlist object; ``songs`` are the playlist's Child objects."""
    entry = {"id": ids.make("playlist", row["id"]) if row["id"] else ids.QUEUE_PLAYLIST,
             "name": models.text(row["name"]), "comment": models.text(row["comment"]),
             "owner": row["user"], "public": bool(row["public"]), "songCount": len(songs),
             "duration": sum(song["duration"] for song in songs),
             "created": models.iso(row["created"]), "changed": models.iso(row["changed"]),
             "readonly": readonly}
    if songs and songs[0].get("coverArt"):
        entry["coverArt"] = songs[0]["coverArt"]
    return entry


def _queue_row(ctx):
    """pl-0's row: created and changed when the queue last changed (stable between calls)."""
    queue = ctx.app.songqueue
    changed = int(queue.changed) if queue is not None else 0
    return {"id": 0, "name": QUEUE_NAME, "comment": "The songs the live stream plays next",
            "user": QUEUE_OWNER, "public": True, "created": changed, "changed": changed}


def _readable(ctx, number):
    """``(row, songids)`` of a playlist the caller may read; error 70 otherwise."""
    if number == 0:
        return _queue_row(ctx), _queue_songids(ctx)
    row = ctx.annotations.playlist(number)
    if row is None or (row["user"] != ctx.user and not row["public"]):
        raise SubsonicError(NOT_FOUND, "not found")
    return row, row["songids"]


def _owned(ctx, text):
    """The number of a playlist the caller owns: 50 for the queue or another's, 70 unknown."""
    number = _number(text)
    if number == 0:
        raise _refused("change the song queue's playlist")
    row = ctx.annotations.playlist(number)
    if row is None or (row["user"] != ctx.user and not row["public"]):
        raise SubsonicError(NOT_FOUND, "not found")
    if row["user"] != ctx.user:
        raise _refused("change another user's playlist")
    return number


def _with_songs(ctx, number):
    row, songids = _readable(ctx, number)
    songs = views.songs_by_ids(ctx, songids)
    return dict(_summary(ctx, row, songs, row["user"] != ctx.user), entry=songs)


@endpoint("getPlaylists")
def get_playlists(params, ctx):
    if params.get("username") not in (None, "", ctx.user):
        raise _refused("read another user's playlists")
    lists = [_summary(ctx, _queue_row(ctx), views.songs_by_ids(ctx, _queue_songids(ctx)), True)]
    for row in ctx.annotations.playlists(ctx.user):
        songs = views.songs_by_ids(ctx, ctx.annotations.playlist_songs(row["id"]))
        lists.append(_summary(ctx, row, songs, row["user"] != ctx.user))
    return {"playlists": {"playlist": lists}}


@endpoint("getPlaylist")
def get_playlist(params, ctx):
    return {"playlist": _with_songs(ctx, _number(params.required("id")))}


@endpoint("createPlaylist")
def create_playlist(params, ctx):
    """A new playlist (``name``), or the songs of one of the caller's (``playlistId``) replaced."""
    songids = song_numbers(ctx, params.all("songId"))
    now = int(time.time())
    if params.get("playlistId"):
        number = _owned(ctx, params.get("playlistId"))
        name = params.get("name")
        ctx.annotations.update_playlist(number, now, songids, name=_limited(name or None))
    else:
        number = ctx.annotations.create_playlist(ctx.user, _limited(params.required("name")),
                                                 songids, now)
    return {"playlist": _with_songs(ctx, number)}


@endpoint("updatePlaylist")
def update_playlist(params, ctx):
    """Rename, comment, publish; remove songs by index (of the list before), then add."""
    number = _owned(ctx, params.required("playlistId"))
    added = song_numbers(ctx, params.all("songIdToAdd"))
    removed = set()
    for text in params.all("songIndexToRemove"):
        if not text.isdigit() or len(text) > 9:
            raise SubsonicError(GENERIC, "Invalid number for songIndexToRemove")
        removed.add(int(text))
    current = ctx.annotations.playlist_songs(number)
    songids = [s for i, s in enumerate(current) if i not in removed] + added
    if len(songids) > MAX_SONGS:
        raise SubsonicError(GENERIC, "At most %d songs per playlist" % MAX_SONGS)
    public = params.get("public")
    ctx.annotations.update_playlist(
        number, int(time.time()), songids if (added or removed) else None,
        name=_limited(params.get("name") or None),
        comment=_limited(params.get("comment"), MAX_COMMENT, "comment"),
        public=None if public is None else int(params.flag("public")))
    return {}


@endpoint("deletePlaylist")
def delete_playlist(params, ctx):
    ctx.annotations.delete_playlist(_owned(ctx, params.required("id")))
    return {}
