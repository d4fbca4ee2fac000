"""API area search: ``Find`` over artist, album and song names (MiSE, ``ctx.mise``).

Differences from MusicDB 8, on purpose: a query that normalizes to nothing
(``"!!"``) answers with empty lists instead of nothing; IDs in a stale
search cache are skipped instead of failing the request; a ``limit`` of 0
or less yields no songs (MusicDB 8 still returned one); only the first 256
characters of a search string count (``mise.MAX_QUERY``), so a huge one
cannot stall the server.
"""

from . import handler
from .arguments import INT, STR
from .library import release_year


@handler("Find", args={"searchstring": STR, "limit": INT})
def find(args, ctx):
    """Artists, albums and songs whose names match, best match first, ``limit`` of each."""
    artists, albums, songs = ctx.mise.Find(args["searchstring"])
    limit = max(args["limit"], 0)
    lookup = _Lookup(ctx.database)
    return {"artists": _artist_hits(lookup, artists[:limit]),
            "albums": _album_hits(lookup, albums[:limit]),
            "songs": _song_hits(lookup, songs, limit)}


class _Lookup:
    """Entries by ID for one answer, fetched in batches and kept for reuse."""

    def __init__(self, database):
        self.database = database
        self.cache = {"artists": {}, "albums": {}, "songs": {}}

    def fetch(self, table, ids):
        known = self.cache[table]
        missing = [objectid for objectid in ids if objectid not in known]
        if missing:
            found = self.database.get_entries(table, missing)
            known.update((objectid, found.get(objectid)) for objectid in missing)
        return [known[objectid] for objectid in ids]


def _artist_hits(lookup, hits):
    """Each artist with its non-hidden albums by release year (MusicDB 8 kept artists without)."""
    result = []
    for artist in lookup.fetch("artists", [artistid for artistid, _ in hits]):
        if artist is None:
            continue
        albums = lookup.database.get_albums(artist["id"], hidden=False)
        result.append({"artist": artist, "albums": sorted(albums, key=release_year)})
    return result


def _album_hits(lookup, hits):
    """Album hits, hidden ones included, each with its artist."""
    albums = [album for album in lookup.fetch("albums", [albumid for albumid, _ in hits]) if album]
    artists = lookup.fetch("artists", [album["artistid"] for album in albums])
    return [{"artist": artist, "album": album} for artist, album in zip(artists, albums)]


def _song_hits(lookup, hits, limit):
    """The first ``limit`` song hits that are neither disabled nor hated, with artist and album."""
    songs = []
    batch = max(limit * 2, 32)
    for start in range(0, len(hits), batch):
        if len(songs) >= limit:
            break
        found = lookup.fetch("songs", [songid for songid, _ in hits[start:start + batch]])
        songs += [song for song in found
                  if song is not None and not song["disabled"] and song["favorite"] != -1]
    songs = songs[:limit]
    artists = lookup.fetch("artists", [song["artistid"] for song in songs])
    albums = lookup.fetch("albums", [song["albumid"] for song in songs])
    return [{"artist": artist, "album": album, "song": song}
            for artist, album, song in zip(artists, albums, songs)]
