"""search2 and search3: word-prefix search over artists, albums and songs, paged.

An empty query (or ``""``) lists everything in ID order, which clients use to
sync the whole library page by page.
"""

from . import views
from .api import endpoint


def _hits(params, ctx, kind, prefix):
    count, offset = params.count(prefix + "Count", 20), params.offset(prefix + "Offset")
    return views.catalog(ctx).search(kind, params.get("query", ""))[offset:offset + count]


@endpoint("search2")
def search2(params, ctx):
    return {"searchResult2": {
        "artist": views.artist_entries(ctx, _hits(params, ctx, "artist", "artist")),
        "album": views.album_dirs(ctx, _hits(params, ctx, "album", "album")),
        "song": views.songs_by_ids(ctx, _hits(params, ctx, "song", "song"))}}


@endpoint("search3")
def search3(params, ctx):
    return {"searchResult3": {
        "artist": views.artist_ids3(ctx, _hits(params, ctx, "artist", "artist")),
        "album": views.album_ids3(ctx, _hits(params, ctx, "album", "album")),
        "song": views.songs_by_ids(ctx, _hits(params, ctx, "song", "song"))}}
