"""Media: stream, download, getCoverArt, getLyrics, getLyricsBySongId.

Files are served by :mod:`musicdb.lib.http.files` (Content-Length, ETag,
one ``Range`` -> 206, unsatisfiable -> 416, HEAD without a body).  Every ID
is parsed, and the entry looked up, before a file is opened, so a bad ID is
error 70 in the requested format.  Cover art is one of the stored scales of
``<data>/webdata/artwork/`` (the smallest at least ``size``, else the
original), never resized per request; albums without artwork get the
default image.  ``stream`` transcodes only when asked (:mod:`.transcode`:
``format``, ``maxBitRate``, ``timeOffset``, ``estimateContentLength``);
``download`` is always the original file.
"""

import os

from musicdb.lib.http import files

from . import ids, models, transcode, views
from .api import Media, endpoint
from musicdb.mdbapi.catalog import fold
from .wire import NOT_FOUND, SubsonicError

DEFAULT_ARTWORK = "default.jpg"


def _song(ctx, text):
    _, number = ids.parse(text, ("song",))
    song = ctx.app.library.entries("songs", [number]).get(number)
    if song is None:
        raise SubsonicError(NOT_FOUND, "not found")
    return song


def _file_app(root, relpath, cache_control="no-cache"):
    def app(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":  # a form POST reads like a GET
            environ = dict(environ, REQUEST_METHOD="GET")
        return files.serve_file(environ, start_response, root, relpath, cache_control)
    return app


def _song_path(ctx, song):
    """``(music root, relative path, absolute path)`` of the song's existing file."""
    root, path = ctx.app.cfg.directories.music, models.text(song.get("path"))
    target = files.resolve(root, path) if path else None
    if target is None or not os.path.isfile(target):
        raise SubsonicError(NOT_FOUND, "The song's file is missing")
    return root, path, target


def _song_file(ctx, song):
    root, path, _ = _song_path(ctx, song)
    return Media(_file_app(root, path))


@endpoint("stream")
def stream(params, ctx):
    song = _song(ctx, params.required("id"))
    fmt = params.get("format", "").strip().lower()
    max_bitrate = params.integer("maxBitRate", 0, 0, 10**6)
    offset = params.integer("timeOffset", 0, 0, 10**7)
    plan = transcode.plan(song, fmt, max_bitrate, offset)
    if plan is None or not ctx.transcoding.available:
        return _song_file(ctx, song)
    _, _, target = _song_path(ctx, song)
    head = ctx.environ.get("REQUEST_METHOD") == "HEAD"
    return Media(ctx.transcoding.app(plan, target, params.flag("estimateContentLength"), head))


@endpoint("download")
def download(params, ctx):
    return _song_file(ctx, _song(ctx, params.required("id")))


def _artwork_file(ctx, album, size):
    """The relative path below the artwork directory that answers ``size``."""
    root = models.artwork_dir(ctx.app)
    name = (album or {}).get("artworkpath") or DEFAULT_ARTWORK
    if files.resolve(root, name) is None or not os.path.isfile(os.path.join(root, name)):
        name = DEFAULT_ARTWORK
    if size:
        for scale in sorted(int(s) for s in ctx.app.cfg.albumcover.scales):
            candidate = "%dx%d/%s" % (scale, scale, name)
            if scale >= size and os.path.isfile(os.path.join(root, candidate)):
                return candidate
    return name


@endpoint("getCoverArt")
def cover_art(params, ctx):
    kind, number = ids.parse_cover(params.required("id"))
    size = params.integer("size", 0, 0, 10**6)
    if kind == "song":
        song = ctx.app.library.entries("songs", [number]).get(number)
        number = song["albumid"] if song else None
    album = ctx.app.library.entries("albums", [number]).get(number) if number else None
    if album is None:
        raise SubsonicError(NOT_FOUND, "not found")
    root = models.artwork_dir(ctx.app)
    relpath = _artwork_file(ctx, album, size)
    if not os.path.isfile(os.path.join(root, relpath)):
        raise SubsonicError(NOT_FOUND, "No artwork")
    return Media(_file_app(root, relpath))


@endpoint("getLyrics")
def lyrics(params, ctx):
    artist, title = fold(params.get("artist", "")), fold(params.get("title", ""))
    cat = views.catalog(ctx)
    for songid in cat.song_ids:
        albumid, artistid, name, _ = cat.songs[songid]
        if fold(name) != title or (artist and fold(cat.artists[artistid]["name"]) != artist):
            continue
        found = ctx.app.library.song_lyrics(songid)
        if found and found["lyrics"]:
            return {"lyrics": {"artist": models.text(found["artist"]["name"]),
                               "title": models.text(name), "value": found["lyrics"]}}
    return {"lyrics": {"value": ""}}  # value is required, even when nothing is found


@endpoint("getLyricsBySongId")
def lyrics_by_song(params, ctx):
    song = _song(ctx, params.required("id"))
    found = ctx.app.library.song_lyrics(song["id"])
    if not found or not found["lyrics"]:
        return {"lyricsList": {"structuredLyrics": []}}
    lines = [{"value": line} for line in found["lyrics"].splitlines()]
    return {"lyricsList": {"structuredLyrics": [{
        "displayArtist": models.text((found["artist"] or {}).get("name")),
        "displayTitle": models.text(song.get("name")), "lang": "xxx", "synced": False,
        "offset": 0, "line": lines}]}}
