"""Edits of library entries and of the music directory (api-editing.md §4, §5).

Every API calls these (the WebSocket handlers in ``handlers/entries.py`` and
``handlers/musicdir.py``, later a web page and Subsonic); each takes the
:class:`~musicdb.mdbapi.app.App` and returns plain data.

Rules kept by every function here:

* A path from a client is resolved inside ``[directories] music`` by
  :mod:`musicdb.lib.safepath` before anything is touched; an unsafe or
  colliding path raises :class:`EditError` and changes nothing.
* A file that moves and the database rows that name it change together: the
  intent is journalled (:mod:`musicdb.lib.renamejournal`), the file renamed,
  the rows written in one transaction; if the transaction fails the file is
  renamed back.  :func:`repair` finishes a journal a crash left behind.
* Removing an entry never deletes a file.  The removed songs leave the
  queues (saved, then announced), the tracker's relations and the search
  cache; the answer cache is emptied by ``events.LIBRARY_CHANGED``.
* Files are read (tags, checksums, directory scans) in gevent's threadpool,
  names and numbers come from the path as in ``database import``
  (:mod:`musicdb.lib.importer`).
* Edits run one at a time (:func:`one_at_a_time`): an edit checks that a
  name is free, then takes it, and its work in the threadpool between must
  not let another edit take the name (``os.rename`` would replace a file).
"""

import functools
import logging
import os

import gevent
import gevent.lock

from musicdb.lib import importer, safepath
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.media import tags as metatags
from musicdb.lib.musicdirectory import MusicDirectory, VIDEO_EXTENSIONS, extension
from musicdb.lib.renamejournal import RenameJournal
from musicdb.lib.threads import in_thread

from . import events

log = logging.getLogger(__name__)

META_KEYS = ("songname", "albumname", "artistname", "releaseyear", "origin", "cdnumber",
             "songnumber")
TABLES = {"song": "songs", "album": "albums", "artist": "artists", "video": "videos"}


class EditError(Exception):
    """The edit was refused or failed; nothing changed.  The message says why."""


class EntryNotFound(EditError):
    """No song, album, artist or video has the given ID."""


class EditFailed(EditError):
    """A file or database write failed; everything was put back as it was."""


_editing = gevent.lock.RLock()


def one_at_a_time(edit):
    """Run the decorated edit only while no other edit runs."""
    @functools.wraps(edit)
    def locked(*args, **kwargs):
        with _editing:
            return edit(*args, **kwargs)
    return locked


# -- small helpers --------------------------------------------------------------------------

def _resolve(app, relpath):
    """``(relative, absolute)`` path of a client path inside the music directory.

    Raises:
        EditError: the path is unsafe (see :mod:`musicdb.lib.safepath`).
    """
    try:
        return safepath.resolve(app.cfg.directories.music, relpath)
    except safepath.UnsafePath as error:
        raise EditError(str(error)) from None


def _entry(app, kind, entryid):
    """The entry with ``entryid`` of a kind (song, album, artist, video).

    Raises:
        EntryNotFound: there is none.
    """
    entry = getattr(app.database, "get_" + kind)(entryid)
    if entry is None:
        raise EntryNotFound(f"There is no {kind} with ID {entryid}")
    return entry


def _write(app, step, *args):
    """Run ``step(*args)`` in one transaction.

    Raises:
        EditFailed: the database refused the write (it was rolled back).
    """
    try:
        with app.database.transaction():
            return step(*args)
    except DatabaseError as error:
        raise EditFailed(f"The database was not changed: {error}") from None


def _changed(app, **names):
    """Tell the search cache the new names (``songs=[(id, name)]`` ...) and the caches."""
    if app.mise is not None:
        for kind, pairs in names.items():
            for rowid, name in pairs:
                app.mise.put(kind, rowid, name)
    events.emit(events.LIBRARY_CHANGED)


def _parts(relpath):
    return relpath.split("/")


# -- removing entries (the files stay) --------------------------------------------------------

@one_at_a_time
def remove_song(app, songid):
    """Remove a song's entry with its lyrics, tags, relations and queue entries.

    Raises:
        EntryNotFound, EditFailed.
    """
    song = _entry(app, "song", songid)
    _write(app, _remove_song_rows, app, song)
    _forget(app, songids=[songid])


def _remove_song_rows(app, song):
    app.database.remove_song(song["id"])
    app.database.recount_album(song["albumid"])


@one_at_a_time
def remove_album(app, albumid):
    """Remove an album's entry and the entries of its songs.

    Raises:
        EntryNotFound, EditFailed.
    """
    _entry(app, "album", albumid)
    songids = _write(app, app.database.remove_album, albumid)
    _forget(app, songids=songids, albums=[albumid])


@one_at_a_time
def remove_artist(app, artistid):
    """Remove an artist with all its albums (hidden ones too), songs and videos.

    Raises:
        EntryNotFound, EditFailed.
    """
    _entry(app, "artist", artistid)
    albumids = [album["id"] for album in app.database.get_albums(artistid)]
    songids, videoids = _write(app, app.database.remove_artist, artistid)
    _forget(app, songids, videoids, albumids, [artistid])


def _forget(app, songids=(), videoids=(), albums=(), artists=()):
    """What follows a removal: queues, tracker, search cache, answer cache."""
    for queue, ids in ((app.songqueue, songids), (app.videoqueue, videoids)):
        if queue is not None and ids:
            queue.drop(ids)
    if app.trackerdb is not None:
        for target, ids in (("song", songids), ("video", videoids)):
            for mediaid in ids:
                _forget_relations(app, target, mediaid)
    if app.mise is not None:
        for kind, ids in (("songs", songids), ("albums", albums), ("artists", artists)):
            app.mise.forget(kind, list(ids))
    events.emit(events.LIBRARY_CHANGED)


def _forget_relations(app, target, mediaid):
    """One short tracker transaction per song, so the play tracker never waits long."""
    try:
        app.trackerdb.forget(target, mediaid)
    except DatabaseError as error:
        log.error("Cannot forget the relations of %s %s: %s", target, mediaid, error)
    gevent.sleep(0)


# -- songs -------------------------------------------------------------------------------------

def _read_song(absolute):
    """``(metadata dict, checksum)`` of a music file (in the threadpool).

    Raises:
        EditError: the file cannot be read as music.
    """
    try:
        meta = in_thread(_read_tags, absolute)
        return meta.as_dict(), in_thread(metatags.file_checksum, absolute)
    except metatags.TagError as error:
        raise EditError(f"{safepath.shown(error.path)}: {error.reason}") from None
    except OSError as error:
        raise EditError(f"{safepath.shown(absolute)}: {error.strerror or error}") from None


def _read_tags(absolute):
    return metatags.read_metadata(absolute, probe=False)   # as database import: no ffprobe


def _song_file(app, newpath):
    """``(relative path, absolute path)`` of an existing song file ``Artist/Album/file``.

    Raises:
        EditError: unsafe, not three components, or not a file.
    """
    relpath, absolute = _resolve(app, newpath)
    if len(_parts(relpath)) != 3 or not os.path.isfile(absolute):
        raise EditError(f"{safepath.shown(relpath)}: no song file "
                        "(Artist/YYYY - Album/NN Title.ext) of the music directory")
    return relpath, absolute


def _song_columns(relpath, meta, checksum):
    return dict(importer.song_fields(relpath, meta), path=relpath, playtime=meta["playtime"],
                bitrate=meta["bitrate"], checksum=checksum)


@one_at_a_time
def create_song(app, newpath):
    """Import one song file into its album (which must be in the database); returns its ID.

    Raises:
        EditError: unsafe path, no file, already imported, album unknown or
            hidden, or the file is no readable music file.
        EditFailed: the database write failed.
    """
    relpath, absolute = _song_file(app, newpath)
    if app.database.find_song_by_path(relpath) is not None:
        raise EditError(f"{relpath}: this song is in the database already")
    album = app.database.find_album_by_path(relpath.rsplit("/", 1)[0])
    if album is None or album["hidden"]:
        raise EditError(f"{relpath}: its album is not in the database (or hidden); "
                        "import the album first")
    meta, checksum = _read_song(absolute)
    columns = _song_columns(relpath, meta, checksum)
    songid = _write(app, _add_song, app, album, columns, meta["lyrics"])
    _changed(app, songs=[(songid, columns["name"])])
    return songid


def _add_song(app, album, columns, lyrics):
    songid = app.database.add_song(album["id"], album["artistid"], **columns)
    if lyrics:
        app.database.set_lyrics_from_file(songid, lyrics)
    app.database.recount_album(album["id"])
    return songid


@one_at_a_time
def update_song(app, songid, newpath):
    """Point a song's entry to the file ``newpath`` and re-read that file.

    The song moves to the album and artist of the new path when they are in
    the database (MusicDB 8 kept the album).  Statistics, tags and lyrics stay.

    Raises:
        EntryNotFound, EditError (unsafe path, no file, another song's path,
        unreadable file), EditFailed.
    """
    song = _entry(app, "song", songid)
    relpath, absolute = _song_file(app, newpath)
    other = app.database.find_song_by_path(relpath)
    if other is not None and other["id"] != songid:
        raise EditError(f"{relpath}: the path of song {other['id']} already")
    meta, checksum = _read_song(absolute)
    columns = _song_columns(relpath, meta, checksum)
    columns.update(_owners(app, relpath, song))
    _write(app, _update_song_rows, app, song, columns)
    _changed(app, songs=[(songid, columns["name"])])


def _owners(app, relpath, song):
    """``albumid``/``artistid`` of the album and artist a song path lies in (else the song's)."""
    parts = _parts(relpath)
    album = app.database.find_album_by_path("/".join(parts[:2]))
    artist = app.database.find_artist_by_path(parts[0])
    return {"albumid": album["id"] if album else song["albumid"],
            "artistid": artist["id"] if artist else song["artistid"]}


def _update_song_rows(app, song, columns):
    app.database.update_song(song["id"], **columns)
    for albumid in {song["albumid"], columns["albumid"]}:
        app.database.recount_album(albumid)


# -- albums ------------------------------------------------------------------------------------

@one_at_a_time
def update_album(app, albumid, newpath):
    """Point an album's entry (and its songs) to the directory ``newpath`` (moved by hand).

    Name and release come from the directory name, the artist from its
    parent (which must be in the database); songs whose files are at the
    new place are re-read.

    Raises:
        EntryNotFound, EditError, EditFailed.
    """
    album = _entry(app, "album", albumid)
    relpath, absolute = _album_dir(app, newpath)
    artist = app.database.find_artist_by_path(_parts(relpath)[0])
    if artist is None:
        raise EditError(f"{_parts(relpath)[0]}: this artist is not in the database; "
                        "create it first")
    plan = _album_plan(app, album, relpath, artist["id"], reread=True)
    _write(app, _write_album_plan, app, plan)
    _album_changed(app, [plan])


def _album_dir(app, path):
    """``(relative, absolute)`` path of an existing album directory ``Artist/Album``.

    Raises:
        EditError: unsafe, not two components, or no directory.
    """
    relpath, absolute = _resolve(app, path)
    if len(_parts(relpath)) != 2 or not os.path.isdir(absolute):
        raise EditError(f"{safepath.shown(relpath)}: no album directory "
                        "(Artist/YYYY - Album) of the music directory")
    return relpath, absolute


def _album_plan(app, album, relpath, artistid, reread=False):
    """``{"album": (id, columns), "songs": [(id, columns)]}`` for an album at ``relpath``.

    Song paths keep their file names below the new directory; with
    ``reread`` the files found there are read again (tags, checksum).
    """
    name, release = importer.album_name(relpath)
    columns = {"artistid": artistid, "path": relpath, "name": name,
               "release": album["release"] if release is None else release}
    songs = []
    for song in app.database.get_album_songs(album["id"]):
        songpath = relpath + "/" + song["path"].split("/", 2)[-1]
        songs.append((song["id"], {"artistid": artistid, "path": songpath}))
    if reread:
        _reread(app, songs, columns)
    return {"album": (album["id"], columns), "songs": songs}


def _reread(app, songs, albumcolumns):
    """Re-read the files of ``songs`` that exist; the album's origin from the first one."""
    root = app.cfg.directories.music
    for _, columns in songs:
        absolute = os.path.join(root, *_parts(columns["path"]))
        if os.path.isfile(absolute):
            meta, checksum = _read_song(absolute)
            columns.update(_song_columns(columns["path"], meta, checksum))
            albumcolumns.setdefault("origin", meta["origin"])


def _write_album_plan(app, plan):
    albumid, columns = plan["album"]
    app.database.update_album(albumid, **columns)
    for songid, songcolumns in plan["songs"]:
        app.database.update_song(songid, **songcolumns)
    app.database.recount_album(albumid)


def _album_changed(app, plans, artists=()):
    albums = [(plan["album"][0], plan["album"][1]["name"]) for plan in plans]
    songs = [(songid, columns["name"]) for plan in plans
             for songid, columns in plan["songs"] if "name" in columns]
    _changed(app, albums=albums, songs=songs, artists=list(artists))


# -- artists -----------------------------------------------------------------------------------

@one_at_a_time
def create_artist(app, name):
    """The artist entry of directory ``name`` (created with its directory if needed).

    Returns ``{"id", "name", "path"}``, or None when a file of that name
    blocks the directory.

    Raises:
        EditError: an unsafe name, one starting with ".", or one that collides
            with another entry of the music directory.
        EditFailed: the directory or the entry cannot be created.
    """
    root = app.cfg.directories.music
    _artist_name(app, name)
    absolute = os.path.join(root, name)
    if os.path.lexists(absolute) and not os.path.isdir(absolute):
        return None
    if not os.path.lexists(absolute):
        _make_directory(root, name)
    found = app.database.find_artist_by_path(name)
    if found is None:
        artistid = _write(app, app.database.add_artist, name, name)
        found = app.database.get_artist(artistid)
        _changed(app, artists=[(artistid, name)])
    return {"id": found["id"], "name": found["name"], "path": found["path"]}


def _artist_name(app, name):
    """Refuse an artist directory name that is unsafe.

    Raises:
        EditError: not a string, unsafe, or starting with ".".
    """
    if not isinstance(name, str):
        raise EditError("the artist name must be a text")
    try:
        safepath.check_component(name, app.cfg.directories.music)
    except safepath.UnsafePath as error:
        raise EditError(str(error)) from None
    if name.startswith("."):
        raise EditError(f"{safepath.shown(name)}: artist names must not start with '.'")


def _make_directory(parent, name):
    """Create ``parent/name`` unless it collides with an entry there.

    Raises:
        EditError: a colliding name.  EditFailed: the directory cannot be created.
    """
    try:
        safepath.check_new_name(parent, name)
        os.mkdir(os.path.join(parent, name), 0o775)
    except safepath.UnsafePath as error:
        raise EditError(str(error)) from None
    except OSError as error:
        raise EditFailed(f"Cannot create the directory {safepath.shown(name)}: "
                         f"{error.strerror or error}") from None


@one_at_a_time
def update_artist(app, artistid, newpath):
    """Point an artist's entry (and its albums that exist there) to directory ``newpath``.

    Raises:
        EntryNotFound, EditError, EditFailed.
    """
    artist = _entry(app, "artist", artistid)
    relpath, absolute = _resolve(app, newpath)
    if "/" in relpath or not os.path.isdir(absolute):
        raise EditError(f"{safepath.shown(relpath)}: no artist directory of the music directory")
    plans = _artist_plans(app, artist, relpath, existing=True)
    _write(app, _write_artist, app, artistid, relpath, plans)
    _album_changed(app, plans, [(artistid, relpath)])


def _artist_plans(app, artist, relpath, existing):
    """Album plans of an artist's albums below the directory ``relpath``.

    ``existing``: only albums whose directory is there (after a move by hand).
    """
    plans = []
    for album in app.database.get_albums(artist["id"]):
        albumpath = relpath + "/" + album["path"].split("/", 1)[-1]
        root = app.cfg.directories.music
        if not existing or os.path.isdir(os.path.join(root, *_parts(albumpath))):
            plans.append(_album_plan(app, album, albumpath, artist["id"]))
    return plans


def _write_artist(app, artistid, relpath, plans):
    app.database.update_artist(artistid, relpath, relpath)
    for plan in plans:
        _write_album_plan(app, plan)
    for video in app.database.get_videos(artistid):
        app.database.update_video(video["id"], path=relpath + "/" + video["path"].split("/")[-1])


# -- renames: the file and its rows change together ------------------------------------------

def _renamed(app, record, old, new, step=None, *args):
    """Rename ``old`` to ``new`` (absolute) and run ``step(*args)`` in one transaction.

    ``record`` (table, id, old, new relative paths) is journalled first; a
    failing transaction renames the file back.  Without ``step`` (no entry in
    the database) only the file is renamed.

    Raises:
        EditFailed: the rename or the database write failed; both are as before.
    """
    journal = RenameJournal(app.cfg.directories.data) if step else None
    try:
        if journal:
            in_thread(journal.begin, record)   # two fsyncs
        os.rename(old, new)
    except OSError as error:
        if journal:
            journal.end()
        raise EditFailed(f"Cannot rename {safepath.shown(os.path.basename(old))}: "
                         f"{error.strerror or error}") from None
    if step is None:
        return
    try:
        _write(app, step, *args)
    except EditFailed:
        _rename_back(journal, old, new)
        raise
    journal.end()


def _rename_back(journal, old, new):
    """Undo a rename whose database write failed; the journal stays if even that fails."""
    try:
        os.rename(new, old)
    except OSError as error:
        log.error("Cannot rename %s back to %s: %s; the next start repairs it", new, old, error)
        return
    journal.end()


def _free(directory, name, own=None):
    """Refuse ``name`` as a new entry of ``directory``.

    Raises:
        EditError: unsafe or colliding.
    """
    try:
        safepath.check_new_name(directory, name, own)
    except safepath.UnsafePath as error:
        raise EditError(str(error)) from None


def _same_parent(oldrel, newrel):
    return oldrel.rsplit("/", 1)[0] == newrel.rsplit("/", 1)[0]


@one_at_a_time
def rename_music_file(app, oldpath, newpath):
    """Rename a song or video file within its directory; its entry follows.

    Returns False when ``oldpath`` is no song or video file, the new name is
    in another directory, or it does not follow the naming scheme of an
    imported song (``[C-]NN Title.ext``) or video (``YYYY - Name.ext``).

    Raises:
        EditError: an unsafe or colliding path.  EditFailed: the rename or the
            database write failed (both are as before).
    """
    oldrel, old = _resolve(app, oldpath)
    newrel, new = _resolve(app, newpath)
    kind = {2: "video", 3: "song"}.get(len(_parts(oldrel)))
    if kind is None or not os.path.isfile(old) or not _same_parent(oldrel, newrel):
        return False
    if kind == "video" and extension(newrel) not in VIDEO_EXTENSIONS:
        return False
    _free(os.path.dirname(old), _parts(newrel)[-1], own=_parts(oldrel)[-1])
    entry = getattr(app.database, f"find_{kind}_by_path")(oldrel)
    if entry is None:
        _renamed(app, None, old, new)
        return True
    columns = _renamed_columns(kind, newrel)
    if columns is None:
        return False
    record = {"table": TABLES[kind], "id": entry["id"], "old": oldrel, "new": newrel}
    _renamed(app, record, old, new, _write_renamed_file, app, kind, entry["id"], columns)
    _changed(app, **({"songs": [(entry["id"], columns["name"])]} if kind == "song" else {}))
    return True


def _renamed_columns(kind, newrel):
    """The columns a renamed song/video file gets from its new name, or None if it does not
    follow the scheme."""
    if kind == "song":
        meta = metatags.path_meta(newrel)
        if meta["track"] is None:
            return None
        return {"path": newrel, "name": meta["title"] or "", "number": meta["track"],
                "cd": meta["cd"]}
    artist, filename = _parts(newrel)
    meta = metatags.path_meta(f"{artist}/{os.path.splitext(filename)[0]}/-")
    if meta["album"] is None:
        return None
    return {"path": newrel, "name": meta["album"], "release": meta["release"]}


def _write_renamed_file(app, kind, entryid, columns):
    getattr(app.database, f"update_{kind}")(entryid, **columns)


@one_at_a_time
def rename_album_directory(app, oldpath, newpath):
    """Rename an album directory within its artist directory; album and songs follow.

    Returns False when ``oldpath`` is no album directory or the new name is
    in another artist directory.

    Raises:
        EditError: an unsafe or colliding path.  EditFailed: as for files.
    """
    oldrel, old = _resolve(app, oldpath)
    newrel, new = _resolve(app, newpath)
    if len(_parts(oldrel)) != 2 or not os.path.isdir(old) or not _same_parent(oldrel, newrel):
        return False
    _free(os.path.dirname(old), _parts(newrel)[-1], own=_parts(oldrel)[-1])
    album = app.database.find_album_by_path(oldrel)
    if album is None:
        _renamed(app, None, old, new)
        return True
    plan = _album_plan(app, album, newrel, album["artistid"])
    record = {"table": "albums", "id": album["id"], "old": oldrel, "new": newrel}
    _renamed(app, record, old, new, _write_album_plan, app, plan)
    _album_changed(app, [plan])
    return True


@one_at_a_time
def rename_artist_directory(app, oldpath, newpath):
    """Rename an artist directory; the artist, its albums, songs and videos follow.

    Returns False when ``oldpath`` is no directory or either path has more
    than one component.

    Raises:
        EditError: an unsafe or colliding name.  EditFailed: as for files.
    """
    oldrel, old = _resolve(app, oldpath)
    newrel, new = _resolve(app, newpath)
    if "/" in oldrel or "/" in newrel or not os.path.isdir(old):
        return False
    _artist_name(app, newrel)
    _free(app.cfg.directories.music, newrel, own=oldrel)
    artist = app.database.find_artist_by_path(oldrel)
    if artist is None:
        _renamed(app, None, old, new)
        return True
    plans = _artist_plans(app, artist, newrel, existing=False)
    record = {"table": "artists", "id": artist["id"], "old": oldrel, "new": newrel}
    _renamed(app, record, old, new, _write_artist, app, artist["id"], newrel, plans)
    _album_changed(app, plans, [(artist["id"], newrel)])
    return True


@one_at_a_time
def change_artist_directory(app, oldalbumpath, newartistdirectory):
    """Move an album directory into another artist directory (created if needed).

    An album in the database gets the new artist (created if needed), its
    songs follow; an album already moved by hand is only updated.  Returns
    False when the target is a file, the album is neither at the old nor at
    the new place, or ``oldalbumpath`` is no ``Artist/Album`` path.

    Raises:
        EditError: an unsafe or colliding path.  EditFailed: as for files.
    """
    oldrel, old = _resolve(app, oldalbumpath)
    _artist_name(app, newartistdirectory)
    root = app.cfg.directories.music
    target = os.path.join(root, newartistdirectory)
    if len(_parts(oldrel)) != 2 or (os.path.lexists(target) and not os.path.isdir(target)):
        return False
    newrel = newartistdirectory + "/" + _parts(oldrel)[1]
    album = app.database.find_album_by_path(oldrel)
    if album is None:
        return _move_unknown_album(app, oldrel, old, newartistdirectory, newrel)
    return _move_album(app, album, old, newartistdirectory, newrel)


def _move_unknown_album(app, oldrel, old, artistdir, newrel):
    root = app.cfg.directories.music
    if not os.path.isdir(old):
        return False
    if not os.path.isdir(os.path.join(root, artistdir)):
        _make_directory(root, artistdir)
    _free(os.path.join(root, artistdir), _parts(newrel)[1])
    _renamed(app, {"old": oldrel}, old, os.path.join(root, *_parts(newrel)))
    return True


def _move_album(app, album, old, artistdir, newrel):
    new = os.path.join(app.cfg.directories.music, *_parts(newrel))
    if not os.path.isdir(old) and not os.path.isdir(new):
        return False
    if os.path.isdir(old):
        _free(os.path.dirname(new), _parts(newrel)[1])
    artist = create_artist(app, artistdir)
    plan = _album_plan(app, album, newrel, artist["id"])
    if os.path.isdir(old):
        record = {"table": "albums", "id": album["id"], "old": album["path"], "new": newrel}
        _renamed(app, record, old, new, _write_album_plan, app, plan)
    else:
        _write(app, _write_album_plan, app, plan)
    _album_changed(app, [plan])
    return True


def repair(app):
    """Finish a rename a crash interrupted (at start, before clients connect).

    The database decides: if the entry already has the new path, the rename
    was complete; otherwise the file goes back to its old path.  Returns
    "committed", "rolled back" or None (nothing to repair).
    """
    journal = RenameJournal(app.cfg.directories.data)
    record = journal.pending()
    if record is None:
        return None
    kind = {table: kind for kind, table in TABLES.items()}.get(record.get("table"))
    entry = getattr(app.database, "get_" + kind)(record.get("id")) if kind else None
    if entry is not None and entry["path"] == record["new"]:
        journal.end()
        return "committed"
    root = app.cfg.directories.music
    old = os.path.join(root, *_parts(record["old"]))
    new = os.path.join(root, *_parts(record["new"]))
    try:
        if os.path.lexists(new) and not os.path.lexists(old):
            os.rename(new, old)
    except OSError as error:
        log.error("Cannot repair the interrupted rename of %s: %s", record["old"], error)
        return None
    log.warning("Repaired an interrupted rename: %s is back at %s", record["new"], record["old"])
    journal.end()
    return "rolled back"


# -- the music directory: what is new ---------------------------------------------------------

def find_new_content(app):
    """New album directories and video files: ``{"albums": [...], "videos": [...]}``.

    Only directories are listed (no file is read), and only the artist
    directories' entries: a library of 20,000 known songs takes a few
    hundred directory listings in the threadpool.
    """
    known = {table: app.database.known_paths(table) for table in ("albums", "videos")}
    directory = MusicDirectory.from_config(app.cfg)
    albums, videos = in_thread(_scan_new, directory, known)
    return {"albums": [_describe_album(path) for path in albums],
            "videos": [_describe_video(path) for path in videos]}


def _scan_new(directory, known):
    """``(new album paths, new video paths)`` (runs in the threadpool)."""
    albums, videos = [], []
    for artist in directory.artists():
        albums += [path for path in directory.albums(artist)
                   if path not in known["albums"] and _valid_album(directory, path)]
        videos += [path for path in directory.videos(artist)
                   if path not in known["videos"] and _accessible(directory.absolute(path))]
    return albums, videos


def _accessible(path):
    return os.access(path, os.R_OK | os.W_OK)


def _valid_album(directory, relpath):
    """An accessible album directory of accessible files, at least one of them a song."""
    absolute = directory.absolute(relpath)
    try:
        entries = list(os.scandir(absolute))
    except OSError:
        return False
    if not _accessible(absolute) or any(entry.is_dir() for entry in entries):
        return False
    if not all(_accessible(entry.path) for entry in entries):
        return False
    return bool(directory.songs(relpath))


def _describe_album(relpath):
    artist, name = _parts(relpath)
    meta = metatags.path_meta(relpath + "/-")
    if meta["album"] is None:  # MusicDB 8's fallback: the name up to its first "-"
        return {"path": relpath, "artistname": artist,
                "albumname": name.split("-", 1)[0].strip(), "release": None}
    return {"path": relpath, "artistname": artist, "albumname": meta["album"],
            "release": meta["release"]}


def _describe_video(relpath):
    artist, filename = _parts(relpath)
    stem, ext = os.path.splitext(filename)
    meta = metatags.path_meta(f"{artist}/{stem}/-")
    if meta["album"] is None:  # MusicDB 8's fallback: dots dropped, no year
        return {"path": relpath, "artistname": artist, "videoname": "".join(stem.split(".")),
                "release": None, "extension": relpath.rsplit(".", 1)[-1]}
    return {"path": relpath, "artistname": artist, "videoname": meta["album"],
            "release": meta["release"], "extension": ext[1:]}


def find_album_song_files(app, albumpath):
    """The song files of an album directory that are not in the database, described.

    Returns ``[{"path", "frommeta", "fromfile"}]`` in CD/track order; an
    unreadable file gets null values in ``frommeta`` (MusicDB 8 failed the
    whole request), a name off the scheme a null ``fromfile``.

    Raises:
        EditError: an unsafe path.
    """
    relpath, absolute = _resolve(app, albumpath)
    if len(_parts(relpath)) != 2 or not os.path.isdir(absolute):
        return []
    directory = MusicDirectory.from_config(app.cfg)
    songs = [path for path in in_thread(directory.songs, relpath)
             if app.database.find_song_by_path(path) is None]
    metas = in_thread(_read_metas, directory, songs)
    return [{"path": path, "frommeta": _from_meta(meta), "fromfile": _from_file(path)}
            for path, meta in zip(songs, metas)]


def _read_metas(directory, paths):
    """Metadata of each path, None where it cannot be read (runs in the threadpool)."""
    metas = []
    for path in paths:
        try:
            metas.append(metatags.read_metadata(directory.absolute(path), probe=False))
        except metatags.TagError as error:
            log.info("FindAlbumSongFiles: %s", error)
            metas.append(None)
    return metas


def _from_meta(meta):
    if meta is None:
        return {**dict.fromkeys(META_KEYS), "haslyrics": False, "hasartwork": False}
    return {"songname": meta.title, "albumname": meta.album, "artistname": meta.artist,
            "releaseyear": meta.release, "origin": meta.origin, "cdnumber": meta.cd,
            "songnumber": meta.track, "haslyrics": isinstance(meta.lyrics, str),
            "hasartwork": meta.has_artwork}


def _from_file(relpath):
    meta = metatags.path_meta(relpath)
    if meta["album"] is None or meta["track"] is None:
        return None
    return {"songname": meta["title"], "albumname": meta["album"], "artistname": meta["artist"],
            "releaseyear": meta["release"], "cdnumber": meta["cd"], "songnumber": meta["track"]}
