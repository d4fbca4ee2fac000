"""API area library: read access to artists, albums, songs, videos, tags and lyrics.

Thin adapters from api-library.md §4's argument and answer keys to the
library layer (:mod:`musicdb.mdbapi.library`), which every API shares.  The
large lists (GetArtistsWithAlbums, GetFilteredArtistsWithAlbums, GetAlbums)
are answered from the layer's cache of encoded JSON, spliced into the packet
as :class:`~musicdb.lib.ws.protocol.RawJSON`; the cache key holds the genre
filter, so a changed MDB state (by SetMDBState or by hand) is never answered
from an older one.

Unknown IDs raise NotFound where MusicDB 8 sent nothing; bad types raise
InvalidArguments (both become the ``MusicDB:Error`` notification).
"""

import json


from musicdb.lib.threads import in_thread
from musicdb.lib.ws import protocol
from musicdb.lib.ws.errors import NotFound
from musicdb.mdbapi.library import tree_key

from . import handler
from .arguments import anything, db_id


def _cached(library, key, build):
    """The encoded answer for ``key`` from the library's cache, to splice into the packet."""
    return library.answers.get(key, lambda: protocol.RawJSON(protocol.encode(build())))


# -- argument validators ------------------------------------------------------------

def no_arguments(name, heavy=False):
    """Register a function without arguments: any ``arguments`` value is ignored (protocol.md §2.1)."""
    return handler(name, raw_args=True, heavy=heavy)


def sent_id(value):
    """An ID checked like ID but handed over as sent: answers echo it with the caller's type.

    The string ``"0"`` passes too: MusicDB 8 looked it up and found nothing,
    while the integer 0 failed (api-library.md §0). 
    """
    if not (isinstance(value, str) and value.strip() == "0"):
        db_id(value)
    return value


def artist_or_all(value):
    """GetAlbums' artist: a falsy value (0, "", null, false) means all artists (MusicDB 8 quirk)."""
    if value in (0, "", None, False):
        return None
    if isinstance(value, str) and value.strip() == "0":
        return 0
    return db_id(value)


def table_names(value):
    """A list of table names, or a string (MusicDB 8 tested with ``in``, so substrings match)."""
    if not isinstance(value, (list, str)):
        raise ValueError("must be a list of table names")
    return value


# -- handlers -----------------------------------------------------------------------

@no_arguments("GetArtists")
def get_artists(args, app):
    return app.library.artists()


@no_arguments("GetArtistsWithAlbums", heavy=True)
def get_artists_with_albums(args, app):
    """Unfiltered; artists without (visible) albums are kept with ``"albums": []``."""
    library = app.library
    return _cached(library, ("GetArtistsWithAlbums",), library.artists_with_albums)


@no_arguments("GetFilteredArtistsWithAlbums", heavy=True)
def get_filtered_artists_with_albums(args, app):
    """The genre filter applied; artists left without albums are omitted."""
    library = app.library
    tree = library.genre_selection().tree
    return _cached(library, ("GetFilteredArtistsWithAlbums", tree_key(tree)),
                   lambda: library.artists_with_albums(tree, keep_empty=False))


@no_arguments("GetFilteredArtistsWithVideos")
def get_filtered_artists_with_videos(args, app):
    """Videos filtered by selected genre names only; artists without videos are omitted."""
    return app.library.filtered_artists_with_videos()


@no_arguments("GetHiddenAlbums")
def get_hidden_albums(args, app):
    return app.library.hidden_albums()


@handler("GetAlbums", args={"artistid": artist_or_all, "applyfilter": anything}, heavy=True)
def get_albums(args, app):
    """Non-hidden albums of an artist (of all artists for a falsy ``artistid``)."""
    library = app.library
    tree = library.genre_selection().tree if args["applyfilter"] else {}
    return _cached(library, ("GetAlbums", args["artistid"], tree_key(tree)),
                   lambda: library.albums(args["artistid"], tree))


@handler("GetAlbum", args={"albumid": sent_id})
def get_album(args, app):
    """An album (hidden ones too) with its artist, tag set and songs per CD.

    Raises:
        NotFound: the album does not exist.
    """
    return _existing(app.library.album(args["albumid"]), "album", args["albumid"])


@handler("GetSortedAlbumCDs", args={"albumid": sent_id})
def get_sorted_album_cds(args, app):
    """Songs per CD; ``[]`` for an unknown album (as MusicDB 8)."""
    return app.library.album_cds_of(args["albumid"])


@handler("GetSong", args={"songid": sent_id})
def get_song(args, app):
    """Raises NotFound: the song does not exist."""
    return _existing(app.library.song(args["songid"]), "song", args["songid"])


@handler("GetVideos", args={"artistid": db_id})
def get_videos(args, app):
    """All videos of an artist, never filtered (an ``applyfilter`` argument is ignored)."""
    return app.library.videos(args["artistid"])


@handler("GetVideo", args={"videoid": sent_id})
def get_video(args, app):
    """Raises NotFound: the video does not exist."""
    return _existing(app.library.video(args["videoid"]), "video", args["videoid"])


@no_arguments("GetTags")
def get_tags(args, app):
    """All tags by class in tag-ID order (tags of another class are left out)."""
    return app.library.tags()


@no_arguments("GetTagsStatistics")
def get_tags_statistics(args, app):
    """Per tag (string ID key): how many songs, albums, videos and child tags use it."""
    return app.library.tag_statistics()


@handler("GetSongTags", args={"songid": sent_id})
def get_song_tags(args, app):
    """The tag set; an unknown song has empty lists (as MusicDB 8)."""
    return app.library.tag_set("song", args["songid"])


@handler("GetAlbumTags", args={"albumid": sent_id})
def get_album_tags(args, app):
    return app.library.tag_set("album", args["albumid"])


@handler("GetVideoTags", args={"videoid": sent_id})
def get_video_tags(args, app):
    """Not dispatched by MusicDB 8.2; a harmless extension (the WebUI never sends it)."""
    return app.library.tag_set("video", args["videoid"])


@handler("GetTables", args={"tables": table_names}, heavy=True)
def get_tables(args, app):
    """Whole tables by name; names other than songs, albums, artists, tags are ignored.

    Encoded in the thread pool, row by row: the songs of a 20,000-song library are
    9 MB of JSON, 200 ms of encoding that would otherwise stop every other client.
    """
    tables = app.library.tables(args["tables"])
    return protocol.RawJSON(in_thread(encode_tables, tables))


def encode_tables(tables):
    """``{name: [row, ...]}`` as :func:`protocol.encode` writes it, one row per ``json.dumps``
    call, so the interpreter can switch threads between rows."""
    return "{" + ", ".join(
        json.dumps(name) + ": [" + ", ".join(json.dumps(row, allow_nan=False) for row in rows)
        + "]" for name, rows in tables.items()) + "}"


@handler("GetSongLyrics", args={"songid": sent_id})
def get_song_lyrics(args, app):
    """Raises NotFound: the song does not exist."""
    return _existing(app.library.song_lyrics(args["songid"]), "song", args["songid"])


def _existing(entry, kind, objectid):
    if entry is None:
        raise NotFound(f"There is no {kind} with ID {objectid}")
    return entry
