"""Lists of library entries as Subsonic objects, with the caller's stars, ratings and plays.

Everything here reads the library layer's catalog (one snapshot per change)
and fetches full song rows in batches, never one query per entry.
"""

from . import ids, models


def catalog(ctx):
    found = ctx.memo.get("catalog")
    if found is None:
        found = ctx.memo["catalog"] = ctx.app.library.catalog()
    return found


def annotation(ctx, what, kind=None):
    """The caller's ``"stars"``/``"ratings"`` of ``kind``, or ``"plays"`` (memoised)."""
    key = ("annotation", what, kind)
    if key not in ctx.memo:
        db, user = ctx.annotations, ctx.user or ""
        ctx.memo[key] = db.plays(user) if what == "plays" else getattr(db, what)(user, kind)
    return ctx.memo[key]


def _item_extra(ctx, kind, itemid):
    extra = {"userRating": annotation(ctx, "ratings", kind).get(itemid)}
    if kind != "song":
        starred = annotation(ctx, "stars", kind).get(itemid)
        extra["starred"] = models.iso(starred) if starred else None
    return extra


def song_children(ctx, songs):
    """Full song dicts as Child objects (album, artist from the catalog)."""
    cat, plays = catalog(ctx), annotation(ctx, "plays")
    missing = {s["albumid"] for s in songs if s["albumid"] not in cat.albums} | \
        {s["artistid"] for s in songs if s["artistid"] not in cat.artists}
    albums, artists = cat.albums, cat.artists
    if missing:  # a song added since the snapshot: ask the database
        albums = dict(cat.albums, **{k: v for k, v in ctx.app.library.entries(
            "albums", {s["albumid"] for s in songs}).items()})
        artists = dict(cat.artists, **{k: v for k, v in ctx.app.library.entries(
            "artists", {s["artistid"] for s in songs}).items()})
    stars = annotation(ctx, "stars", "song")
    children = []
    for song in songs:
        extra = _item_extra(ctx, "song", song["id"])
        extra["genre"] = cat.song_genre.get(song["id"]) or cat.album_genre.get(song["albumid"])
        extra["playCount"] = plays.get(song["id"], (0, 0))[0]
        extra["starred"] = stars.get(song["id"])
        children.append(models.child(ctx, song, albums.get(song["albumid"]),
                                     artists.get(song["artistid"]), extra))
    return children


def songs_by_ids(ctx, songids):
    """Child objects of the existing ``songids``, in that order."""
    found = ctx.app.library.entries("songs", list(songids))
    return song_children(ctx, [found[i] for i in songids if i in found])


def album_ids3(ctx, albumids):
    cat = catalog(ctx)
    result = []
    for albumid in albumids:
        album = cat.albums[albumid]
        extra = _item_extra(ctx, "album", albumid)
        extra["genre"] = cat.album_genre.get(albumid)
        extra["playCount"] = album_plays(ctx).get(albumid, 0)
        result.append(models.album_id3(ctx, album, cat.artists.get(album["artistid"]),
                                       len(cat.album_songs.get(albumid, ())),
                                       cat.album_duration(albumid), extra))
    return result


def album_dirs(ctx, albumids):
    cat = catalog(ctx)
    return [models.album_dir(ctx, cat.albums[i], cat.artists.get(cat.albums[i]["artistid"]),
                             _item_extra(ctx, "album", i)) for i in albumids]


def artist_ids3(ctx, artistids):
    cat = catalog(ctx)
    result = []
    for artistid in artistids:
        albums = cat.artist_albums.get(artistid, [])
        extra = _item_extra(ctx, "artist", artistid)
        extra["coverArt"] = models.cover_id(ctx, cat.albums[albums[0]]) if albums else None
        result.append(models.artist_id3(cat.artists[artistid], len(albums), extra))
    return result


def artist_entries(ctx, artistids):
    """Artists as search2/getIndexes show them: ``id``, ``name`` (and stars)."""
    cat = catalog(ctx)
    return [dict({"id": ids.make("artist", i), "name": models.text(cat.artists[i].get("name"))},
                 **{k: v for k, v in _item_extra(ctx, "artist", i).items() if v is not None})
            for i in artistids]


def album_plays(ctx):
    """``{albumid: plays}``: the caller's plays of the album's songs, summed."""
    if "albumplays" not in ctx.memo:
        cat, counts = catalog(ctx), {}
        for songid, (count, _) in annotation(ctx, "plays").items():
            song = cat.songs.get(songid)
            if song is not None:
                counts[song[0]] = counts.get(song[0], 0) + count
        ctx.memo["albumplays"] = counts
    return ctx.memo["albumplays"]


def album_last_played(ctx):
    cat, last = catalog(ctx), {}
    for songid, (_, when) in annotation(ctx, "plays").items():
        song = cat.songs.get(songid)
        if song is not None and when:
            last[song[0]] = max(last.get(song[0], 0), when)
    return last


def visible_album_songs(ctx, album):
    """The songs of ``album`` that are not disabled, by disc and track (hidden albums too)."""
    songs = [s for s in ctx.app.library.album_songs(album["id"]) if not s["disabled"]]
    return sorted(songs, key=lambda s: (models.number(s["cd"]), models.number(s["number"]),
                                        models.text(s["name"]).lower(), s["id"]))
