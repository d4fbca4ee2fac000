"""Annotation: star, unstar, setRating, scrobble.

A song's star is music.db's ``favorite`` = 1 (the WebUI's "love"): the
WebUI and every other API see it.  Unstar clears only that (a hated song
stays hated).  Stars of albums and artists, ratings and plays are kept per
user in ``subsonic.db``; a submitted scrobble also sets the song's music.db
``lastplayed`` (never back to an older time), as a play of the stream does.
Every ID of a request is parsed and checked before anything is stored, so a
bad one (error 70) changes nothing.
"""

import time

from . import ids
from .api import endpoint
from .wire import GENERIC, NOT_FOUND, SubsonicError

_TABLES = {"song": "songs", "album": "albums", "artist": "artists"}


def _targets(params, ctx):
    """``[(kind, number)]`` of ``id``, ``albumId`` and ``artistId``, all existing."""
    targets = [ids.parse(text) for text in params.all("id")]
    targets += [ids.parse(text, ("album",)) for text in params.all("albumId")]
    targets += [ids.parse(text, ("artist",)) for text in params.all("artistId")]
    for kind, number in targets:
        if not ctx.app.library.entries(_TABLES[kind], [number]):
            raise SubsonicError(NOT_FOUND, "not found")
    return targets


@endpoint("star")
def star(params, ctx):
    now = int(time.time())
    for kind, number in _targets(params, ctx):
        if kind == "song":
            ctx.app.library.change_statistic("song", number, "favorite", "love")
        ctx.annotations.star(ctx.user, kind, number, now)
    return {}


@endpoint("unstar")
def unstar(params, ctx):
    for kind, number in _targets(params, ctx):
        if kind == "song":
            song = ctx.app.library.entries("songs", [number])[number]
            if song["favorite"] == 1:
                ctx.app.library.change_statistic("song", number, "favorite", "none")
        ctx.annotations.unstar(ctx.user, kind, number)
    return {}


@endpoint("setRating")
def set_rating(params, ctx):
    kind, number = ids.parse(params.required("id"))
    rating = params.integer("rating", None, 0)
    if rating > 5:
        raise SubsonicError(GENERIC, "rating must be 0-5")
    if not ctx.app.library.entries(_TABLES[kind], [number]):
        raise SubsonicError(NOT_FOUND, "not found")
    ctx.annotations.set_rating(ctx.user, kind, number, rating)
    return {}


@endpoint("scrobble")
def scrobble(params, ctx):
    songids = [ids.parse(text, ("song",))[1] for text in params.all("id")]
    if not songids:
        raise SubsonicError(10, "Required parameter is missing: id")
    times = params.all("time")
    found = ctx.app.library.entries("songs", songids)
    if any(songid not in found for songid in songids):
        raise SubsonicError(NOT_FOUND, "not found")
    if not params.flag("submission", True):
        return {}
    for position, songid in enumerate(songids):
        when = int(time.time())
        if position < len(times) and times[position].isdigit() and len(times[position]) < 16:
            when = int(times[position]) // 1000
        ctx.annotations.played(ctx.user, songid, when)
        _set_last_played(ctx, found[songid], when)
    return {}


def _set_last_played(ctx, song, when):
    if ctx.app.cfg.debug.disablestats or (song.get("lastplayed") or 0) >= when:
        return
    ctx.app.library.change_statistic("song", song["id"], "lastplayed", when)
