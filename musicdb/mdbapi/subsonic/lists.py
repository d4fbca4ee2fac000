"""Lists: album lists of ten kinds, random songs, songs by genre, starred, now playing."""

import random

from . import models, views
from .api import endpoint
from .wire import GENERIC, SubsonicError

STREAM_USER = "MusicDB"          # getNowPlaying: the live stream is everyone's player
STREAM_PLAYER = "MusicDB stream"


def _name_key(cat, albumid):
    return (models.text(cat.albums[albumid].get("name")).lower(), albumid)


def _artist_key(cat, albumid):
    album = cat.albums[albumid]
    artist = cat.artists.get(album["artistid"]) or {}
    return (models.text(artist.get("name")).lower(), models.number(album.get("release")),
            models.text(album.get("name")).lower(), albumid)


def _by_year(params, cat, albums):
    first, last = params.integer("fromYear", None, None), params.integer("toYear", None, None)
    low, high = min(first, last), max(first, last)
    chosen = [i for i in albums if low <= models.number(cat.albums[i].get("release")) <= high]
    chosen.sort(key=lambda i: (models.number(cat.albums[i].get("release")), _name_key(cat, i)),
                reverse=first > last)
    return chosen


def _ranked(albums, scores):
    return sorted((i for i in albums if scores.get(i)), key=lambda i: (-scores[i], i))


def album_order(params, ctx):
    """The visible album IDs of the list ``type``, in its order.

    Raises:
        SubsonicError: 10 without ``type`` (or a year/genre it needs), 0 for an unknown type.
    """
    kind, cat = params.required("type"), views.catalog(ctx)
    albums = list(cat.visible_albums)
    if kind == "random":
        return random.sample(albums, len(albums))
    if kind == "newest":
        return sorted(albums, key=lambda i: (-models.number(cat.albums[i].get("added")), -i))
    if kind == "alphabeticalByName":
        return sorted(albums, key=lambda i: _name_key(cat, i))
    if kind == "alphabeticalByArtist":
        return sorted(albums, key=lambda i: _artist_key(cat, i))
    if kind == "highest":
        return _ranked(albums, views.annotation(ctx, "ratings", "album"))
    if kind == "frequent":
        return _ranked(albums, views.album_plays(ctx))
    if kind == "recent":
        return _ranked(albums, views.album_last_played(ctx))
    if kind == "starred":
        return _ranked(albums, views.annotation(ctx, "stars", "album"))
    if kind == "byYear":
        return _by_year(params, cat, albums)
    if kind == "byGenre":
        genre = params.required("genre")
        return sorted((i for i in albums if cat.album_genre.get(i) == genre),
                      key=lambda i: _name_key(cat, i))
    raise SubsonicError(GENERIC, "Unknown album list type: %s" % kind[:40])


def _page(params, ctx):
    size, offset = params.count("size", 10), params.offset("offset")
    return album_order(params, ctx)[offset:offset + size]


@endpoint("getAlbumList")
def album_list(params, ctx):
    return {"albumList": {"album": views.album_dirs(ctx, _page(params, ctx))}}


@endpoint("getAlbumList2")
def album_list2(params, ctx):
    return {"albumList2": {"album": views.album_ids3(ctx, _page(params, ctx))}}


@endpoint("getRandomSongs")
def random_songs(params, ctx):
    size, cat = params.count("size", 10), views.catalog(ctx)
    genre = params.get("genre")
    first = params.integer("fromYear", -(10**6), None)
    last = params.integer("toYear", 10**6, None)
    pool = cat.song_ids
    if genre or params.get("fromYear") or params.get("toYear"):
        pool = [i for i in pool if (not genre or cat.song_genre.get(i) == genre)
                and first <= models.number(cat.albums[cat.songs[i][0]].get("release")) <= last]
    chosen = random.sample(pool, min(size, len(pool)))
    return {"randomSongs": {"song": views.songs_by_ids(ctx, chosen)}}


@endpoint("getSongsByGenre")
def songs_by_genre(params, ctx):
    genre = params.required("genre")
    count, offset = params.count("count", 10), params.offset("offset")
    cat = views.catalog(ctx)
    songids = [i for i in cat.song_ids if cat.song_genre.get(i) == genre][offset:offset + count]
    return {"songsByGenre": {"song": views.songs_by_ids(ctx, songids)}}


def _starred(ctx):
    cat = views.catalog(ctx)
    artists = sorted(i for i in views.annotation(ctx, "stars", "artist") if i in cat.artists)
    albums = sorted(i for i in views.annotation(ctx, "stars", "album") if i in cat.albums
                    and i in set(cat.visible_albums))
    songs = [song for song in ctx.app.library.favorite_songs() if song["id"] in cat.songs]
    return artists, albums, views.song_children(ctx, songs)


@endpoint("getStarred")
def starred(params, ctx):
    artists, albums, songs = _starred(ctx)
    return {"starred": {"artist": views.artist_entries(ctx, artists),
                        "album": views.album_dirs(ctx, albums), "song": songs}}


@endpoint("getStarred2")
def starred2(params, ctx):
    artists, albums, songs = _starred(ctx)
    return {"starred2": {"artist": views.artist_ids3(ctx, artists),
                         "album": views.album_ids3(ctx, albums), "song": songs}}


@endpoint("getNowPlaying")
def now_playing(params, ctx):
    """The song the live stream plays now (the song queue's head), while it plays."""
    stream, queue = ctx.app.audiostream, ctx.app.songqueue
    if stream is None or queue is None or not stream.state()["isplaying"]:
        return {"nowPlaying": {"entry": []}}
    head = queue.current()
    entries = views.songs_by_ids(ctx, [head["songid"]]) if head else []
    for entry in entries:
        entry.update({"username": STREAM_USER, "playerId": 0, "playerName": STREAM_PLAYER,
                      "minutesAgo": int(stream.played_time() // 60)})
    return {"nowPlaying": {"entry": entries}}
