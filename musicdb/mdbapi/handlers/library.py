"""API area library: read access to artists, albums, songs, videos, tags and lyrics.

Every answer has the exact shape of api-library.md §4; the orders are the
original's (stable sorts, lowercase artist names, release years).  The
genre filter comes from ``ctx.mdbstate`` (:mod:`musicdb.mdbapi.mdbstate`).
List answers read each table once and group in Python, so a 20,000-song
library costs a handful of queries, not one per album.

Unknown IDs raise NotFound where MusicDB 8 sent nothing; bad types raise
InvalidArguments (both become the ``MusicDB:Error`` notification).
"""

from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, TAG_CLASS_MOOD, TAG_CLASS_SUBGENRE
from musicdb.lib.ws.errors import NotFound
from musicdb.mdbapi.mdbstate import album_passes, video_passes

from . import handler
from .arguments import ANY, ID

TAG_LISTS = ((TAG_CLASS_GENRE, "genres"), (TAG_CLASS_SUBGENRE, "subgenres"),
             (TAG_CLASS_MOOD, "moods"))
TABLES = ("songs", "albums", "artists", "tags")
MAX_CDS = 1000  # CD lists of an album at most (the largest box sets have a few hundred)


# -- argument validators ------------------------------------------------------------

def no_arguments(name):
    """Register a function without arguments: any ``arguments`` value is ignored (protocol.md §2.1)."""
    return handler(name, raw_args=True)


def SENT_ID(value):
    """An ID checked like ID but handed over as sent: answers echo it with the caller's type.

    The string ``"0"`` passes too: MusicDB 8 looked it up and found nothing,
    while the integer 0 failed (api-library.md §0).  Look it up with :func:`_row_id`.
    """
    if not (isinstance(value, str) and value.strip() == "0"):
        ID(value)
    return value


def _row_id(sent):
    """The integer row ID of a SENT_ID value."""
    return int(sent)


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


# -- sorting ------------------------------------------------------------------------

def _number(value):
    """A stored number as a sort key: anything but an integer (NULL, text) counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def release_year(entry):
    """The release year of an album or video as a sort key (a broken import left NULLs)."""
    return _number(entry.get("release"))


def sorted_artists(database):
    """All artists in lowercase name order (stable, so ties keep ID order)."""
    return sorted(database.get_artists(), key=lambda artist: (artist["name"] or "").lower())


# -- album and video lists ----------------------------------------------------------

def album_list(database, albums, tree=None):
    """``[{"album", "tags"}]`` of ``albums`` passing ``tree``, sorted by release year."""
    tagsets = database.get_tag_sets("album", [album["id"] for album in albums])
    entries = [{"album": album, "tags": tagsets[album["id"]]} for album in albums
               if not tree or album_passes(tree, tagsets[album["id"]])]
    return sorted(entries, key=lambda entry: release_year(entry["album"]))


def artists_with_albums(database, tree=None, keep_empty=True):
    """Every artist with its non-hidden albums (filtered by ``tree``), lowercase name order."""
    byartist = {}
    for entry in album_list(database, database.get_albums(hidden=False), tree):
        byartist.setdefault(entry["album"]["artistid"], []).append(entry)
    return [{"artist": artist, "albums": byartist.get(artist["id"], [])}
            for artist in sorted_artists(database)
            if keep_empty or artist["id"] in byartist]


def video_list(database, videos, genre_names=None):
    """``[{"video", "tags"}]`` sorted by release year; filtered when ``genre_names`` is a list."""
    tagsets = database.get_tag_sets("video", [video["id"] for video in videos])
    entries = [{"video": video, "tags": tagsets[video["id"]]} for video in videos
               if genre_names is None or video_passes(genre_names, tagsets[video["id"]])]
    return sorted(entries, key=lambda entry: release_year(entry["video"]))


def sorted_album_cds(database, album):
    """The album's songs with tag sets, one list per CD (see GetSortedAlbumCDs).

    At most MAX_CDS lists: ``numofcds`` is the highest disc number found in
    the files' tags, and one bogus tag (a date as disc number) made MusicDB 8
    build millions of empty lists until memory ran out.
    """
    if album is None:
        return []
    songs = database.get_album_songs(album["id"])
    if not songs:
        return []
    tagsets = database.get_tag_sets("song", [song["id"] for song in songs])
    entries = [{"song": song, "tags": tagsets[song["id"]]} for song in songs]
    numofcds = min(_number(album["numofcds"]), MAX_CDS)
    if numofcds == 0:
        return [sorted(entries, key=lambda entry: entry["song"]["name"] or "")]
    bycd = {}
    for entry in entries:
        bycd.setdefault(entry["song"]["cd"], []).append(entry)
    return [sorted(bycd.get(cd, []), key=lambda entry: _number(entry["song"]["number"]))
            for cd in range(1, numofcds + 1)]


# -- handlers -----------------------------------------------------------------------

@no_arguments("GetArtists")
def get_artists(args, ctx):
    return sorted_artists(ctx.database)


@no_arguments("GetArtistsWithAlbums")
def get_artists_with_albums(args, ctx):
    """Unfiltered; artists without (visible) albums are kept with ``"albums": []``."""
    return artists_with_albums(ctx.database)


@no_arguments("GetFilteredArtistsWithAlbums")
def get_filtered_artists_with_albums(args, ctx):
    """The genre filter applied; artists left without albums are omitted."""
    tree = ctx.mdbstate.selection(ctx.database.get_tags()).tree
    return artists_with_albums(ctx.database, tree, keep_empty=False)


@no_arguments("GetFilteredArtistsWithVideos")
def get_filtered_artists_with_videos(args, ctx):
    """Videos filtered by selected genre names only; artists without videos are omitted."""
    names = ctx.mdbstate.selection(ctx.database.get_tags()).genres
    byartist = {}
    for entry in video_list(ctx.database, ctx.database.get_videos(), names):
        byartist.setdefault(entry["video"]["artistid"], []).append(entry)
    return [{"artist": artist, "videos": byartist[artist["id"]]}
            for artist in sorted_artists(ctx.database) if artist["id"] in byartist]


@no_arguments("GetHiddenAlbums")
def get_hidden_albums(args, ctx):
    albums = sorted(ctx.database.get_albums(hidden=True), key=lambda album: album["path"] or "")
    tagsets = ctx.database.get_tag_sets("album", [album["id"] for album in albums])
    return [{"album": album, "tags": tagsets[album["id"]]} for album in albums]


@handler("GetAlbums", args={"artistid": ARTIST_OR_ALL, "applyfilter": ANY})
def get_albums(args, ctx):
    """Non-hidden albums of an artist (of all artists for a falsy ``artistid``)."""
    tree = None
    if args["applyfilter"]:
        tree = ctx.mdbstate.selection(ctx.database.get_tags()).tree
    albums = ctx.database.get_albums(args["artistid"], hidden=False)
    return album_list(ctx.database, albums, tree)


@handler("GetAlbum", args={"albumid": SENT_ID})
def get_album(args, ctx):
    """An album (hidden ones too) with its artist, tag set and songs per CD.

    Raises:
        NotFound: the album does not exist.
    """
    albumid = args["albumid"]
    album = _existing(ctx.database.get_album(_row_id(albumid)), "album", albumid)
    return {"artist": ctx.database.get_artist(album["artistid"]), "album": album,
            "tags": ctx.database.get_album_tags(albumid),
            "cds": sorted_album_cds(ctx.database, album)}


@handler("GetSortedAlbumCDs", args={"albumid": SENT_ID})
def get_sorted_album_cds(args, ctx):
    """Songs per CD; ``[]`` for an unknown album (as MusicDB 8)."""
    return sorted_album_cds(ctx.database, ctx.database.get_album(_row_id(args["albumid"])))


@handler("GetSong", args={"songid": SENT_ID})
def get_song(args, ctx):
    """Raises NotFound: the song does not exist."""
    songid = args["songid"]
    song = _existing(ctx.database.get_song(_row_id(songid)), "song", songid)
    return {"song": song, "artist": ctx.database.get_artist(song["artistid"]),
            "album": ctx.database.get_album(song["albumid"]),
            "tags": ctx.database.get_song_tags(songid)}


@handler("GetVideos", args={"artistid": ID})
def get_videos(args, ctx):
    """All videos of an artist, never filtered (an ``applyfilter`` argument is ignored)."""
    return video_list(ctx.database, ctx.database.get_videos(args["artistid"]))


@handler("GetVideo", args={"videoid": SENT_ID})
def get_video(args, ctx):
    """Raises NotFound: the video does not exist."""
    db, videoid = ctx.database, args["videoid"]
    video = _existing(db.get_video(_row_id(videoid)), "video", videoid)
    return {"artist": db.get_artist(video["artistid"]),
            "album": db.get_album(video["albumid"]) if video["albumid"] else None,
            "song": db.get_song(video["songid"]) if video["songid"] else None,
            "video": video, "tags": db.get_video_tags(videoid)}


@no_arguments("GetTags")
def get_tags(args, ctx):
    """All tags by class in tag-ID order (tags of another class are left out)."""
    tags = ctx.database.get_tags()
    return {name: [tag for tag in tags if tag["class"] == tagclass]
            for tagclass, name in TAG_LISTS}


@no_arguments("GetTagsStatistics")
def get_tags_statistics(args, ctx):
    """Per tag (string ID key): how many songs, albums, videos and child tags use it."""
    usage = ctx.database.get_tag_usage()
    empty = {"songs": 0, "albums": 0, "videos": 0, "children": 0}
    return {str(tag["id"]): {"tag": tag, **usage.get(tag["id"], empty)}
            for tag in ctx.database.get_tags()}


@handler("GetSongTags", args={"songid": SENT_ID})
def get_song_tags(args, ctx):
    """The tag set; an unknown song has empty lists (as MusicDB 8)."""
    return ctx.database.get_song_tags(args["songid"])


@handler("GetAlbumTags", args={"albumid": SENT_ID})
def get_album_tags(args, ctx):
    return ctx.database.get_album_tags(args["albumid"])


@handler("GetVideoTags", args={"videoid": SENT_ID})
def get_video_tags(args, ctx):
    """Not dispatched by MusicDB 8.2; a harmless extension (the WebUI never sends it)."""
    return ctx.database.get_video_tags(args["videoid"])


@handler("GetTables", args={"tables": TABLE_NAMES})
def get_tables(args, ctx):
    """Whole tables by name; names other than songs, albums, artists, tags are ignored."""
    return {name: ctx.database.get_table(name) for name in TABLES if name in args["tables"]}


@handler("GetSongLyrics", args={"songid": SENT_ID})
def get_song_lyrics(args, ctx):
    """Raises NotFound: the song does not exist."""
    db = ctx.database
    song = _existing(db.get_song(_row_id(args["songid"])), "song", args["songid"])
    return {"songid": args["songid"], "song": song, "album": db.get_album(song["albumid"]),
            "artist": db.get_artist(song["artistid"]), "lyrics": db.get_lyrics(song["id"]),
            "lyricsstate": song["lyricsstate"]}


def _existing(entry, kind, objectid):
    if entry is None:
        raise NotFound(f"There is no {kind} with ID {objectid}")
    return entry
