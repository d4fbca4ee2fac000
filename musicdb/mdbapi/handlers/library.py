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

from musicdb.lib.ws import protocol
from musicdb.lib.ws.errors import NotFound
from musicdb.mdbapi.library import Library, tree_key

from . import handler
from .arguments import ANY, ID


def library_of(ctx):
    """The server's library layer (with its watched cache), or an uncached one on ``ctx``."""
    library = getattr(ctx, "library", None)
    if library is None:
        library = Library(ctx.database, getattr(ctx, "mdbstate", None), getattr(ctx, "mise", None))
    return library


def _cached(library, key, build):
    """The encoded answer for ``key`` from the library's cache, to splice into the packet."""
    return library.answers.get(key, lambda: protocol.RawJSON(protocol.encode(build())))


# -- argument validators ------------------------------------------------------------

def no_arguments(name):
    """Register a function without arguments: any ``arguments`` value is ignored (protocol.md §2.1)."""
    return handler(name, raw_args=True)


def SENT_ID(value):
    """An ID checked like ID but handed over as sent: answers echo it with the caller's type.

    The string ``"0"`` passes too: MusicDB 8 looked it up and found nothing,
    while the integer 0 failed (api-library.md §0). 
    """
    if not (isinstance(value, str) and value.strip() == "0"):
        ID(value)
    return value


def ARTIST_OR_ALL(value):
    """GetAlbums' artist: a falsy value (0, "", null, false) means all artists (MusicDB 8 quirk)."""
    if value in (0, "", None, False):
        return None
    if isinstance(value, str) and value.strip() == "0":
        return 0
    return ID(value)


def TABLE_NAMES(value):
    """A list of table names, or a string (MusicDB 8 tested with ``in``, so substrings match)."""
    if not isinstance(value, (list, str)):
        raise ValueError("must be a list of table names")
    return value


# -- handlers -----------------------------------------------------------------------

@no_arguments("GetArtists")
def get_artists(args, ctx):
    return library_of(ctx).artists()


@no_arguments("GetArtistsWithAlbums")
def get_artists_with_albums(args, ctx):
    """Unfiltered; artists without (visible) albums are kept with ``"albums": []``."""
    library = library_of(ctx)
    return _cached(library, ("GetArtistsWithAlbums",), library.artists_with_albums)


@no_arguments("GetFilteredArtistsWithAlbums")
def get_filtered_artists_with_albums(args, ctx):
    """The genre filter applied; artists left without albums are omitted."""
    library = library_of(ctx)
    tree = library.genre_selection().tree
    return _cached(library, ("GetFilteredArtistsWithAlbums", tree_key(tree)),
                   lambda: library.artists_with_albums(tree, keep_empty=False))


@no_arguments("GetFilteredArtistsWithVideos")
def get_filtered_artists_with_videos(args, ctx):
    """Videos filtered by selected genre names only; artists without videos are omitted."""
    return library_of(ctx).filtered_artists_with_videos()


@no_arguments("GetHiddenAlbums")
def get_hidden_albums(args, ctx):
    return library_of(ctx).hidden_albums()


@handler("GetAlbums", args={"artistid": ARTIST_OR_ALL, "applyfilter": ANY})
def get_albums(args, ctx):
    """Non-hidden albums of an artist (of all artists for a falsy ``artistid``)."""
    library = library_of(ctx)
    tree = library.genre_selection().tree if args["applyfilter"] else {}
    return _cached(library, ("GetAlbums", args["artistid"], tree_key(tree)),
                   lambda: library.albums(args["artistid"], tree))


@handler("GetAlbum", args={"albumid": SENT_ID})
def get_album(args, ctx):
    """An album (hidden ones too) with its artist, tag set and songs per CD.

    Raises:
        NotFound: the album does not exist.
    """
    return _existing(library_of(ctx).album(args["albumid"]), "album", args["albumid"])


@handler("GetSortedAlbumCDs", args={"albumid": SENT_ID})
def get_sorted_album_cds(args, ctx):
    """Songs per CD; ``[]`` for an unknown album (as MusicDB 8)."""
    return library_of(ctx).album_cds_of(args["albumid"])


@handler("GetSong", args={"songid": SENT_ID})
def get_song(args, ctx):
    """Raises NotFound: the song does not exist."""
    return _existing(library_of(ctx).song(args["songid"]), "song", args["songid"])


@handler("GetVideos", args={"artistid": ID})
def get_videos(args, ctx):
    """All videos of an artist, never filtered (an ``applyfilter`` argument is ignored)."""
    return library_of(ctx).videos(args["artistid"])


@handler("GetVideo", args={"videoid": SENT_ID})
def get_video(args, ctx):
    """Raises NotFound: the video does not exist."""
    return _existing(library_of(ctx).video(args["videoid"]), "video", args["videoid"])


@no_arguments("GetTags")
def get_tags(args, ctx):
    """All tags by class in tag-ID order (tags of another class are left out)."""
    return library_of(ctx).tags()


@no_arguments("GetTagsStatistics")
def get_tags_statistics(args, ctx):
    """Per tag (string ID key): how many songs, albums, videos and child tags use it."""
    return library_of(ctx).tag_statistics()


@handler("GetSongTags", args={"songid": SENT_ID})
def get_song_tags(args, ctx):
    """The tag set; an unknown song has empty lists (as MusicDB 8)."""
    return library_of(ctx).tag_set("song", args["songid"])


@handler("GetAlbumTags", args={"albumid": SENT_ID})
def get_album_tags(args, ctx):
    return library_of(ctx).tag_set("album", args["albumid"])


@handler("GetVideoTags", args={"videoid": SENT_ID})
def get_video_tags(args, ctx):
    """Not dispatched by MusicDB 8.2; a harmless extension (the WebUI never sends it)."""
    return library_of(ctx).tag_set("video", args["videoid"])


@handler("GetTables", args={"tables": TABLE_NAMES})
def get_tables(args, ctx):
    """Whole tables by name; names other than songs, albums, artists, tags are ignored."""
    return library_of(ctx).tables(args["tables"])


@handler("GetSongLyrics", args={"songid": SENT_ID})
def get_song_lyrics(args, ctx):
    """Raises NotFound: the song does not exist."""
    return _existing(library_of(ctx).song_lyrics(args["songid"]), "song", args["songid"])


def _existing(entry, kind, objectid):
    if entry is None:
        raise NotFound(f"There is no {kind} with ID {objectid}")
    return entry
