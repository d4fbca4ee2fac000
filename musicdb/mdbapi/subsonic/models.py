"""Library entries as Subsonic objects: Child, AlbumID3, ArtistID3, Artist, directories.

Required fields are always present (Child ``id``/``isDir``/``title``;
AlbumID3 ``id``/``name``/``songCount``/``duration``/``created``; ArtistID3
``albumCount``), whatever NULLs a broken import left in the database.
"""

import hashlib
import os
import posixpath
import time

from musicdb.lib.http import files

from . import ids


def iso(seconds):
    """Unix seconds as ISO 8601 UTC (``1970-01-01T00:00:00Z`` for nothing)."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds or 0)))
    except (TypeError, ValueError, OverflowError, OSError):
        return "1970-01-01T00:00:00Z"


def text(value):
    return "" if value is None else str(value)


def number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def artwork_dir(app):
    return os.path.join(app.cfg.directories.data, "webdata", "artwork")


def cover_id(ctx, album):
    """``al-N-<tag>``: the tag changes with the album's artwork file."""
    if album is None:
        return None
    name = album.get("artworkpath") or "default.jpg"
    tag = ctx.memo.get(("cover", name))
    if tag is None:
        tag = ctx.memo[("cover", name)] = _cover_tag(_artwork_prefix(ctx), name)
    return "%s-%s" % (ids.make("album", album["id"]), tag)


def _artwork_prefix(ctx):
    prefix = ctx.memo.get("artwork/")
    if prefix is None:
        prefix = ctx.memo["artwork/"] = os.path.join(artwork_dir(ctx.app), "")
    return prefix


_tags = {}  # (file name, mtime) -> tag, for the albums of the library


def _cover_tag(prefix, name):
    """Eight hex digits of the artwork file's name and modification time (0: no file)."""
    try:
        mtime = os.stat(prefix + name).st_mtime_ns
    except (OSError, ValueError):
        mtime = 0
    tag = _tags.get((name, mtime))
    if tag is None:
        if len(_tags) >= 100_000:  # files replaced many times over: start afresh
            _tags.clear()
        tag = _tags[(name, mtime)] = hashlib.sha1(
            ("%s\0%d" % (name, mtime)).encode("utf-8", "replace")).hexdigest()[:8]
    return tag


def _bitrate(value):
    value = number(value)
    return value // 1000 if value >= 10000 else value


def _file_size(ctx, path):
    try:
        return os.stat(os.path.join(ctx.app.cfg.directories.music, path)).st_size
    except (OSError, ValueError, TypeError):
        return 0


def child(ctx, song, album, artist, extra=None):
    """A song as a Child; ``extra`` holds genre, starred, userRating, playCount when known."""
    path = text(song.get("path"))
    suffix = posixpath.splitext(path)[1].lstrip(".").lower()
    entry = {
        "id": ids.make("song", song["id"]), "parent": ids.make("album", song["albumid"]),
        "isDir": False, "title": text(song.get("name")),
        "album": text((album or {}).get("name")), "artist": text((artist or {}).get("name")),
        "track": number(song.get("number")), "discNumber": number(song.get("cd")),
        "year": number((album or {}).get("release")), "coverArt": cover_id(ctx, album),
        "size": _file_size(ctx, path), "contentType": files.guess_type(path),
        "suffix": suffix, "duration": number(song.get("playtime")),
        "bitRate": _bitrate(song.get("bitrate")), "path": path,
        "created": iso((album or {}).get("added")), "albumId": ids.make("album", song["albumid"]),
        "artistId": ids.make("artist", song["artistid"]), "type": "music", "isVideo": False,
        "mediaType": "song"}
    extra = dict(extra or {})
    starred_at = extra.pop("starred", None)
    if song.get("favorite") == 1:
        entry["starred"] = iso(starred_at or (album or {}).get("added"))
    entry.update({key: value for key, value in extra.items() if value is not None})
    return entry


def album_id3(ctx, album, artist, song_count, duration, extra=None):
    entry = {
        "id": ids.make("album", album["id"]), "name": text(album.get("name")),
        "artist": text((artist or {}).get("name")), "artistId": ids.make("artist", album["artistid"]),
        "coverArt": cover_id(ctx, album), "songCount": song_count, "duration": duration,
        "created": iso(album.get("added")), "year": number(album.get("release"))}
    entry.update({key: value for key, value in (extra or {}).items() if value is not None})
    return entry


def album_dir(ctx, album, artist, extra=None):
    """An album as a directory Child (getMusicDirectory, getAlbumList, search2)."""
    entry = {
        "id": ids.make("album", album["id"]), "parent": ids.make("artist", album["artistid"]),
        "isDir": True, "title": text(album.get("name")), "album": text(album.get("name")),
        "artist": text((artist or {}).get("name")), "year": number(album.get("release")),
        "coverArt": cover_id(ctx, album), "created": iso(album.get("added"))}
    entry.update({key: value for key, value in (extra or {}).items() if value is not None})
    return entry


def artist_id3(artist, album_count, extra=None):
    entry = {"id": ids.make("artist", artist["id"]), "name": text(artist.get("name")),
             "albumCount": album_count}
    entry.update({key: value for key, value in (extra or {}).items() if value is not None})
    return entry
