"""Browsing: folders, indexes, directories, artists, albums, songs, genres, similar songs."""

from . import ids, models, views
from .api import endpoint
from .wire import NOT_FOUND, SubsonicError

FOLDER = {"id": 1, "name": "Music"}


def _not_found():
    return SubsonicError(NOT_FOUND, "not found")


def _index_letter(name):
    first = models.text(name).strip()[:1].upper()
    return first if first.isalpha() else "#"


def _indexed(ctx, entries):
    """``[{"name": letter, "artist": [...]}]`` of artist entries by name."""
    groups = {}
    for entry in sorted(entries, key=lambda e: (e["name"].lower(), e["id"])):
        groups.setdefault(_index_letter(entry["name"]), []).append(entry)
    return [{"name": letter, "artist": groups[letter]} for letter in sorted(groups)]


def _listed_artists(cat):
    return [artistid for artistid in sorted(cat.artists) if cat.artist_albums.get(artistid)]


@endpoint("getMusicFolders")
def music_folders(params, ctx):
    return {"musicFolders": {"musicFolder": [dict(FOLDER)]}}


@endpoint("getIndexes")
def indexes(params, ctx):
    """``lastModified`` is the time the catalog was read (a new one follows every change of
    the library); a client's ``ifModifiedSince`` at or after it gets no index, only that time."""
    cat = views.catalog(ctx)
    answer = {"ignoredArticles": "", "lastModified": cat.built}
    if params.integer("ifModifiedSince", 0, 0, 10**15) >= cat.built:
        return {"indexes": answer}
    entries = views.artist_entries(ctx, _listed_artists(cat))
    for entry, artistid in zip(entries, _listed_artists(cat)):
        entry["albumCount"] = len(cat.artist_albums[artistid])
    return {"indexes": dict(answer, index=_indexed(ctx, entries))}


@endpoint("getArtists")
def artists(params, ctx):
    cat = views.catalog(ctx)
    entries = views.artist_ids3(ctx, _listed_artists(cat))
    return {"artists": {"ignoredArticles": "", "index": _indexed(ctx, entries)}}


def _artist(ctx, number):
    artist = views.catalog(ctx).artists.get(number) or \
        ctx.app.library.entries("artists", [number]).get(number)
    if artist is None:
        raise _not_found()
    return artist


def _album(ctx, number):
    found = ctx.app.library.album(number)
    if found is None:
        raise _not_found()
    return found["album"], found["artist"]


@endpoint("getMusicDirectory")
def music_directory(params, ctx):
    kind, number = ids.parse(params.required("id"), ("artist", "album"))
    if kind == "artist":
        artist = _artist(ctx, number)
        albums = views.catalog(ctx).artist_albums.get(number, [])
        return {"directory": {"id": ids.make("artist", number), "parent": "1",
                              "name": models.text(artist.get("name")),
                              "child": views.album_dirs(ctx, _by_year(ctx, albums))}}
    album, _ = _album(ctx, number)
    songs = views.song_children(ctx, views.visible_album_songs(ctx, album))
    return {"directory": {"id": ids.make("album", number),
                          "parent": ids.make("artist", album["artistid"]),
                          "name": models.text(album.get("name")), "child": songs}}


def _by_year(ctx, albumids):
    albums = views.catalog(ctx).albums
    return sorted(albumids, key=lambda i: (models.number(albums[i].get("release")),
                                           models.text(albums[i].get("name")).lower(), i))


@endpoint("getArtist")
def artist(params, ctx):
    _, number = ids.parse(params.required("id"), ("artist",))
    found = _artist(ctx, number)
    albums = _by_year(ctx, views.catalog(ctx).artist_albums.get(number, []))
    entry = views.artist_ids3(ctx, [number])[0] if number in views.catalog(ctx).artists else \
        models.artist_id3(found, 0)
    entry["album"] = views.album_ids3(ctx, albums)
    return {"artist": entry}


@endpoint("getAlbum")
def album(params, ctx):
    _, number = ids.parse(params.required("id"), ("album",))
    found, artist_entry = _album(ctx, number)
    songs = views.song_children(ctx, views.visible_album_songs(ctx, found))
    entry = models.album_id3(ctx, found, artist_entry, len(songs),
                             sum(song["duration"] for song in songs))
    entry.update(views.album_ids3(ctx, [number])[0] if number in views.catalog(ctx).albums
                 else {})
    entry.update(songCount=len(songs), duration=sum(song["duration"] for song in songs))
    entry["song"] = songs
    return {"album": entry}


@endpoint("getSong")
def song(params, ctx):
    _, number = ids.parse(params.required("id"), ("song",))
    found = ctx.app.library.entries("songs", [number]).get(number)
    if found is None:
        raise _not_found()
    return {"song": views.song_children(ctx, [found])[0]}


@endpoint("getGenres")
def genres(params, ctx):
    cat = views.catalog(ctx)
    return {"genres": {"genre": [
        {"songCount": count, "albumCount": len(albums), "value": name}
        for name, (albums, count) in sorted(cat.genres.items(), key=lambda g: g[0].lower())]}}


@endpoint("getArtistInfo", "getArtistInfo2")
def artist_info(params, ctx):
    ids.parse(params.required("id"), ("artist", "album", "song"))
    key = "artistInfo2" if ctx.environ.get("PATH_INFO", "").strip("/").startswith(
        "getArtistInfo2") else "artistInfo"
    return {key: {}}


@endpoint("getAlbumInfo", "getAlbumInfo2")
def album_info(params, ctx):
    ids.parse(params.required("id"), ("album", "song", "artist"))
    return {"albumInfo": {}}


@endpoint("getSimilarSongs", "getSimilarSongs2")
def similar_songs(params, ctx):
    second = ctx.environ.get("PATH_INFO", "").strip("/").startswith("getSimilarSongs2")
    kind, number = ids.parse(params.required("id"),
                             ("artist",) if second else ("artist", "album", "song"))
    count = params.count("count", 50)
    cat = views.catalog(ctx)
    if kind == "song":
        sources = [number]
    elif kind == "album":
        sources = list(cat.album_songs.get(number, []))
    else:
        sources = [i for a in cat.artist_albums.get(number, []) for i in cat.album_songs[a]]
    weights = {}
    for songid in sources[:200]:
        for relation in ctx.app.trackerdb.relations("song", songid):
            weights[relation["id"]] = weights.get(relation["id"], 0) + relation["weight"]
    ranked = [i for i in sorted(weights, key=lambda i: (-weights[i], i))
              if i in cat.songs and i not in sources][:count]
    return {"similarSongs2" if second else "similarSongs": {"song": views.songs_by_ids(ctx, ranked)}}


@endpoint("getTopSongs")
def top_songs(params, ctx):
    name = params.required("artist")
    count = params.count("count", 50)
    cat, plays = views.catalog(ctx), views.annotation(ctx, "plays")
    wanted = models.text(name).casefold()
    songids = [i for artistid, artist in cat.artists.items()
               if models.text(artist.get("name")).casefold() == wanted
               for albumid in cat.artist_albums.get(artistid, []) for i in cat.album_songs[albumid]]
    songids.sort(key=lambda i: (-plays.get(i, (0, 0))[0], i))
    return {"topSongs": {"song": views.songs_by_ids(ctx, songids[:count])}}
