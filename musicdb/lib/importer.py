"""Import the music directory (or a part of it) into the music database.

The pipeline, per album directory:

1. *Plan* (caller's greenlet): which songs the database already knows (path
   and checksum), what the import cache remembers of each file (size, mtime,
   checksum), whether the album needs artwork.
2. *Read* (:func:`read_album`, in a worker thread): stat each file; a file
   whose size and mtime match the cache and whose cached checksum is the one
   in the database is unchanged and not read at all.  Others are hashed
   (SHA-256, ``songs.checksum``) and, if the checksum differs, their tags
   read with mutagen.  Artwork is taken from the first song that embeds one,
   else from a ``cover.jpg``/``folder.jpg`` in the directory, and written with
   its scaled copies.  A broken file becomes a failure naming its path; it
   never stops the import.
3. *Write* (caller's greenlet): the artist, album and song rows of one album
   in one short transaction, then the import cache.

Killing the process therefore leaves whole albums or nothing, and a re-run
completes the rest: rows that exist are matched by path (nothing is added
twice), changed files are updated in place (their statistics and tags stay),
and a file that moved keeps its row when its checksum matches a song whose
file is gone (MusicDB 8 lost statistics and tags on every rename).

A song whose file is gone (and did not move) keeps its row: the import lists
it in ``ImportSummary.missing`` and removes nothing by itself, because a
disk that is not mounted, or an album moved away for a while, must not cost
the likes, tags, lyrics and play relations of thousands of songs.  The user
removes them on purpose with :func:`remove_missing` (``database import
--remove-missing``) or ``database remove PATH``.  (MusicDB 8 kept such rows
too and only listed them in its file-system scan.)

Columns are filled as MusicDB 8's album/song import does (spec api-editing.md
§1.3): names, release, song and CD numbers come from the path; where a name
does not follow ``YYYY - Album`` / ``[C-]NN Title.ext`` (MusicDB 8 refused
those) the tags fill in.  ``albums.added`` is the album directory's mtime,
``origin`` comes from the album's first song, ``numofsongs``/``numofcds``
are counted from the stored songs.  Playtime is mutagen's stream length
(MusicDB 8 asked ffprobe, one process per file, which caps an import at a few
dozen songs per second).

Threads, not processes, do the reading: hashing (the bulk of the work for
real files) releases the GIL, and the server needs gevent's threadpool
anyway so its hub never blocks.  Database access stays in the caller's
thread (the connection is not shared across threads).
"""

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field

import gevent

from musicdb.lib.media import artwork as albumartwork
from musicdb.lib.media import tags as metatags
from musicdb.lib.db.sqlite import Database
from musicdb.lib.musicdirectory import MusicDirectory, PathError, is_utf8, printable
from musicdb.lib.pidlock import LockBusy, PidLock
from musicdb.lib.videoimport import VideoImporter
from musicdb.lib.storage import FULL, READONLY, StorageError, storage_error
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

READ, UNCHANGED, FAILED = "read", "unchanged", "failed"
NOT_UTF8 = "the file or directory name is not valid UTF-8; rename it"
NESTED = ("songs in a sub-directory of an album are not imported; move them into the album "
          "directory (C-NN Title.ext for several CDs)")
CACHE_FILE = "importcache.db"
LOCK_FILE = "import.lock"
PAUSE_HOOK = "MUSICDB_TEST_IMPORT_PAUSE"  # see _pause_for_tests
CACHE_SCHEMA = ("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, "
                "mtime INTEGER, checksum TEXT)")


@dataclass
class ImportSummary:
    """What an import did; ``failures`` lists ``(relative path, reason)``, ``missing`` the
    paths of songs in the database whose files are gone."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    videos: object = None     # a VideoSummary when videos were imported too

    @property
    def imported(self):
        """Songs that are in the database now (added, updated or unchanged)."""
        return self.added + self.updated + self.unchanged

    def line(self):
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.failed} failed, {len(self.missing)} missing")


# -- jobs and results: plain data, so read_album also runs in another process ---------

@dataclass(frozen=True)
class SongJob:
    path: str                 # relative to the music root
    known: str = None         # checksum in the database, None for a new path
    cached: tuple = None      # (size, mtime_ns, checksum) from the import cache


@dataclass(frozen=True)
class ArtworkJob:
    directory: str            # <data>/webdata/artwork
    name: str                 # "<Artist> - <Album>.jpg"
    scales: tuple
    current: str = None       # the album's artworkpath now (None: new album)


@dataclass(frozen=True)
class AlbumJob:
    root: str
    path: str
    songs: tuple
    artwork: ArtworkJob = None


@dataclass
class SongResult:
    path: str
    status: str
    checksum: str = None
    stamp: tuple = None       # (size, mtime_ns)
    meta: dict = None
    reason: str = None


@dataclass
class AlbumResult:
    path: str
    mtime: int
    songs: list
    artwork: str = None       # artwork name written (or kept), None if none found
    fault: tuple = None       # (cause, path) when the artwork hit a full or read-only disk


# -- the worker side --------------------------------------------------------------------

def read_album(job):
    """Read what the database needs of one album (runs in a worker; no database access)."""
    albumdir = os.path.join(job.root, job.path)
    songs = [_read_song(job.root, song) for song in job.songs]
    try:
        mtime = int(os.stat(albumdir).st_mtime)
    except OSError:
        mtime = 0
    readable = any(song.status != FAILED for song in songs)
    try:
        artwork = _album_artwork(job.artwork, albumdir, job.root, songs) \
            if job.artwork and readable else None
    except StorageError as fault:   # the importer stops at once, with this reason
        return AlbumResult(job.path, mtime, songs, None, (fault.cause, fault.path))
    return AlbumResult(job.path, mtime, songs, artwork)


def _read_song(root, job):
    if not is_utf8(job.path):
        return SongResult(job.path, FAILED, reason=NOT_UTF8)
    path = os.path.join(root, job.path)
    try:
        info = os.stat(path)
        stamp = (info.st_size, info.st_mtime_ns)
        if job.known and job.cached == (*stamp, job.known):
            return SongResult(job.path, UNCHANGED, job.known, stamp)
        checksum = metatags.file_checksum(path)
        if checksum == job.known:
            return SongResult(job.path, UNCHANGED, checksum, stamp)
        meta = metatags.read_metadata(path, probe=False).as_dict()
        return SongResult(job.path, READ, checksum, stamp, meta)
    except metatags.TagError as error:
        return SongResult(job.path, FAILED, reason=error.reason)
    except OSError as error:
        return SongResult(job.path, FAILED, reason=error.strerror or str(error))


def _album_artwork(job, albumdir, root, songs):
    """The artwork name the album should have after this import, or None."""
    if job.current and job.current != albumartwork.DEFAULT_ARTWORK \
            and os.path.isfile(os.path.join(job.directory, job.current)):
        try:
            albumartwork.complete_scales(job.directory, job.current, job.scales)
        except albumartwork.ArtworkError as error:
            _raise_storage_fault(error)
            log.warning("%s: %s", albumdir, error)
        return job.current
    data = _embedded_cover(root, songs) or _cover_file_data(albumdir)
    if data is None:
        return None
    try:
        return albumartwork.write_artwork(data, job.directory, job.name, job.scales)
    except albumartwork.ArtworkError as error:
        _raise_storage_fault(error)
        log.warning("%s: no artwork: %s", albumdir, error)
        return None


def _raise_storage_fault(error):
    """Raise a StorageError when ``error`` comes from a full or read-only disk: every
    later album would fail the same way, and one clear line beats a warning per album."""
    fault = storage_error(error.__cause__) if isinstance(error.__cause__, OSError) else None
    if fault is not None and fault.cause in (FULL, READONLY):
        raise fault from None


def _embedded_cover(root, songs):
    for song in songs:
        if song.status == FAILED or (song.meta is not None and not song.meta["has_artwork"]):
            continue
        try:
            data = metatags.extract_artwork(os.path.join(root, song.path))
        except metatags.TagError:
            continue
        if data:
            return data
    return None


def _cover_file_data(albumdir):
    path = albumartwork.cover_file(albumdir)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        log.warning("Cannot read %s: %s", path, error)
        return None


# -- names and numbers from the path, tags where the path does not tell -----------------

def album_name(albumpath):
    """``("Name", release)`` of ``Artist/YYYY - Name``; a free-form directory keeps its name
    and release None (the tags decide)."""
    meta = metatags.path_meta(albumpath + "/-")
    if meta["album"] is None:
        return albumpath.rsplit("/", 1)[-1], None
    return meta["album"], meta["release"]


def song_fields(relpath, meta):
    """``name``, ``number``, ``cd`` of a song: from ``[C-]NN Title.ext``, else from the tags."""
    path = metatags.path_meta(relpath)
    if path["track"] is None:
        return {"name": meta["title"] or path["title"] or "", "number": meta["track"] or 0,
                "cd": meta["cd"] or 1}
    return {"name": path["title"] or meta["title"] or "", "number": path["track"],
            "cd": path["cd"]}


# -- the import cache: size and mtime of each file at its last import -------------------

class ImportCache:
    """``<data>/importcache.db``: lets a re-import skip hashing files that did not change.

    Only a hint: a file counts as unchanged only when its cached checksum is
    also the one in the music database, so a replaced database or a stale
    cache never hides a change.
    """

    def __init__(self, datadir):
        self.db = Database(os.path.join(datadir, CACHE_FILE))
        self.db.execute(CACHE_SCHEMA)

    def load(self):
        return {row["path"]: (row["size"], row["mtime"], row["checksum"])
                for row in self.db.rows("SELECT * FROM files")}

    def store(self, songs):
        rows = [(s.path, s.stamp[0], s.stamp[1], s.checksum) for s in songs if s.stamp]
        with self.db.transaction():
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)

    def close(self):
        self.db.close()


# -- the import run ---------------------------------------------------------------------

class Importer:
    """One import run of ``cfg``'s music directory (or a part) into ``database``.

    ``pool`` runs the blocking work: a gevent ThreadPool (default: the hub's
    threadpool, which the server must use).  ``progress`` is None or a tqdm-like
    object (``reset(total=…)``, ``update(n)``): the ``libraryimport`` task passes
    one that feeds its task's progress.  Database calls stay in the
    calling greenlet, one short transaction per album.

    Raises (from :meth:`run`):
        PathError: the path leaves the music directory or is no artist/album/song.
        DatabaseError: a write failed (the album in progress is rolled back).
        StorageError: the disk of the data directory is full or read-only.
    """

    def __init__(self, cfg, database, pool=None, progress=None):
        self.db = database
        self.directory = MusicDirectory.from_config(cfg)
        self.pool = pool if pool is not None else gevent.get_hub().threadpool
        self.progress = progress
        self.artworkdir = os.path.join(cfg.directories.data, "webdata", "artwork")
        self.scales = tuple(int(scale) for scale in cfg.albumcover.scales)
        self.datadir = cfg.directories.data
        self.cache = None
        self.summary = ImportSummary()
        self._lost = None
        self._written = 0

    def close(self):
        """Close the import cache (in the pool: closing may checkpoint and sync the file)."""
        if self.cache is not None:
            in_thread(self.cache.close, pool=self.pool)
            self.cache = None

    def run(self, path=""):
        relpath = self.directory.relative(path)
        # Creating the cache file takes tens of milliseconds of disk work: not in the hub.
        self.cache = in_thread(ImportCache, self.datadir, pool=self.pool)
        albums = in_thread(self.directory.album_dirs, relpath, pool=self.pool)
        in_thread(albumartwork.ensure_default_artwork, self.artworkdir, pool=self.pool)
        self._load()
        self._albumdirs = {album.path: album for album in albums}
        for album in albums:
            self._fail([SongResult(path, FAILED, reason=NESTED) for path in album.nested])
        if self.progress is not None:
            self.progress.reset(total=sum(len(album.songs) for album in albums))
        jobs = (self._plan(album) for album in albums)
        results = self.pool.imap_unordered(read_album, jobs)
        try:
            for result in results:
                self._store(result)
                if self.progress is not None:
                    self.progress.update(len(result.songs))
        finally:  # interrupted (Ctrl-C, a stopped task): no more jobs into a dying pool
            results.kill()
        self.summary.missing = self._missing(relpath)
        return self.summary

    def _load(self):
        """What the database holds, by path (one query per table, not one per file)."""
        db = self.db
        self.artists = {r["path"]: r["artistid"]
                        for r in db.rows("SELECT artistid, path FROM artists")}
        self.albums = {r["path"]: r for r in db.rows(
            "SELECT albumid, artistid, name, path, artworkpath FROM albums")}
        self.songs = {r["path"]: r for r in db.rows(
            "SELECT songid, albumid, path, checksum FROM songs")}
        self.artworknames = {r["artworkpath"] for r in self.albums.values()}
        self.cached = self.cache.load()

    # -- planning ---------------------------------------------------------------------

    def _plan(self, album):
        songs = tuple(SongJob(path, (self.songs.get(path) or {}).get("checksum"),
                              self.cached.get(path)) for path in album.songs)
        return AlbumJob(self.directory.root, album.path, songs, self._artwork_job(album))

    def _artwork_job(self, album):
        row = self.albums.get(album.path)
        if row is not None:
            current = row["artworkpath"]
            if current != albumartwork.DEFAULT_ARTWORK:
                return ArtworkJob(self.artworkdir, current, self.scales, current)
        filename = self._unique_artwork_name(album.artist, *album_name(album.path))
        self.artworknames.add(filename)
        return ArtworkJob(self.artworkdir, filename, self.scales, row and row["artworkpath"])

    def _unique_artwork_name(self, artist, name, release):
        return albumartwork.unique_artwork_name(artist, name, release, self.artworknames)

    # -- writing ----------------------------------------------------------------------

    def _store(self, result):
        if result.fault:
            raise StorageError(*result.fault)
        self._count(result)
        row = self.albums.get(result.path)
        changed = [song for song in result.songs if song.status == READ]
        newart = bool(result.artwork) and (row is None or row["artworkpath"] != result.artwork)
        if changed or (row is not None and newart):
            if any(song.path not in self.songs for song in changed):
                self._lost_songs()  # stats files: never inside the transaction below
            self._write_album(self._albumdirs[result.path], result, changed)
        self.cache.store([song for song in result.songs if song.status != FAILED])

    def _count(self, result):
        self.summary.unchanged += sum(song.status == UNCHANGED for song in result.songs)
        self._fail([song for song in result.songs if song.status == FAILED])

    def _fail(self, songs):
        for song in songs:
            self.summary.failed += 1
            self.summary.failures.append((printable(song.path), song.reason))
            log.info("Cannot import %s: %s", printable(song.path), song.reason)

    def _write_album(self, album, result, changed):
        with self.db.transaction():
            artistid = self._artist_id(album.artist)
            albumid = self._album_id(album, result, changed, artistid)
            touched = set()
            for song in changed:
                touched.add(self._write_song(song, albumid, artistid))
            for affected in touched | {albumid}:
                self.db.recount_album(affected)
            if result.artwork:
                self.db.update_album(albumid, artworkpath=result.artwork)
                self.albums[album.path]["artworkpath"] = result.artwork
            self._written += 1
            _pause_for_tests(self._written)

    def _artist_id(self, path):
        artistid = self.artists.get(path)
        if artistid is None:
            artistid = self.artists[path] = self.db.add_artist(path, path)
        return artistid

    def _album_id(self, album, result, changed, artistid):
        """The album's ID; a new directory gets a new row or the row of the album it was."""
        row = self.albums.get(album.path)
        if row is not None:
            return row["albumid"]
        name, release = album_name(album.path)
        first = changed[0].meta
        if release is None:  # the first year any song's tags give (a song may have none)
            release = next((song.meta["release"] for song in changed if song.meta["release"]), 0)
        columns = {"name": name, "release": release}
        moved = self._moved_album(changed)
        if moved is not None:
            self.db.update_album(moved["albumid"], artistid=artistid, path=album.path, **columns)
            self.albums[album.path] = self.albums.pop(moved["path"])
            self.albums[album.path].update(path=album.path, artistid=artistid, name=name)
            return moved["albumid"]
        albumid = self.db.add_album(artistid, path=album.path, origin=first["origin"],
                                    added=result.mtime, **columns)
        self.albums[album.path] = {"albumid": albumid, "artistid": artistid, "path": album.path,
                                   "name": name, "artworkpath": albumartwork.DEFAULT_ARTWORK}
        return albumid

    def _write_song(self, song, albumid, artistid):
        """Insert or update one song; returns the album ID it belonged to before."""
        meta = song.meta
        columns = dict(song_fields(song.path, meta), playtime=meta["playtime"],
                       bitrate=meta["bitrate"], checksum=song.checksum)
        row = self.songs.get(song.path) or self._claim_lost(song.checksum)
        if row is not None:
            before = row["albumid"]
            if row["path"] != song.path:  # a moved file: the row follows it
                columns.update(path=song.path, albumid=albumid, artistid=artistid)
                self.songs[song.path] = self.songs.pop(row["path"])
                row.update(path=song.path, albumid=albumid)
            self.db.update_song(row["songid"], **columns)
            row["checksum"] = song.checksum
            self.summary.updated += 1
            return before
        songid = self.db.add_song(albumid, artistid, path=song.path, **columns)
        if meta["lyrics"]:
            self.db.set_lyrics_from_file(songid, meta["lyrics"])
        self.songs[song.path] = {"songid": songid, "albumid": albumid, "path": song.path,
                                 "checksum": song.checksum}
        self.summary.added += 1
        return albumid

    # -- moved files ------------------------------------------------------------------

    def _lost_songs(self):
        """Songs whose file is gone, by checksum (built once, when a new file shows up)."""
        if self._lost is None:
            rows = [row for row in self.songs.values() if row["checksum"] and row["path"]]
            root = self.directory.root
            missing = in_thread(
                lambda: [r for r in rows if not os.path.exists(os.path.join(root, r["path"]))],
                pool=self.pool)
            self._lost = {row["checksum"]: row for row in missing}
        return self._lost

    def _missing(self, relpath):
        """Paths below ``relpath`` of stored songs whose files are gone (after moves were matched)."""
        walked = {path for album in self._albumdirs.values() for path in album.songs}
        prefix = relpath + "/"
        candidates = [path for path in self.songs if path and path not in walked
                      and (not relpath or path == relpath or path.startswith(prefix))]
        root = self.directory.root
        return in_thread(
            lambda: sorted(p for p in candidates if not os.path.exists(os.path.join(root, p))),
            pool=self.pool)

    def _claim_lost(self, checksum):
        return self._lost_songs().pop(checksum, None)

    def _moved_album(self, changed):
        """The album row a renamed album directory had: at least half of its files match
        lost songs, all of one album whose directory is gone.  Files that match nothing
        (a bonus track added while renaming) are new songs of the moved album; without
        them, the old row would stay behind empty and the new album lose its tags."""
        lost = self._lost_songs()
        matched = [lost[song.checksum] for song in changed if song.checksum in lost]
        albumids = {match["albumid"] for match in matched}
        if len(albumids) != 1 or 2 * len(matched) < len(changed):
            return None
        row = next((r for r in self.albums.values() if r["albumid"] in albumids), None)
        if row is None or os.path.isdir(self.directory.absolute(row["path"])):
            return None
        return row


def _pause_for_tests(written):
    """A test hook, so that a test's signal lands inside an album's transaction.

    With ``MUSICDB_TEST_IMPORT_PAUSE=N:PATH`` in the environment, the import
    stops before it commits its Nth written album: it creates the file PATH and
    sleeps until it is killed or interrupted.  Unset (outside tests) it costs
    one look-up per album.
    """
    setting = os.environ.get(PAUSE_HOOK)
    if setting and int(setting.split(":", 1)[0]) == written:
        open(setting.split(":", 1)[1], "w").close()
        while True:
            gevent.sleep(1)


def import_music(cfg, database, path="", pool=None, progress=None):
    """Import ``path`` (default: the whole music directory); returns an :class:`ImportSummary`.

    Unless ``[debug] disablevideos`` is set, the music videos below ``path``
    are imported too, with their frames (:mod:`musicdb.lib.videoimport`).

    Raises:
        PathError: the path leaves the music directory or is no artist/album/song.
        DatabaseError: a write failed; every album before is stored completely.
        ImportBusy: another import into the same data directory is running.
    """
    with exclusive_import(cfg.directories.data):
        importer = Importer(cfg, database, pool, progress)
        try:
            summary = importer.run(path)
        finally:
            importer.close()
        if not cfg.debug.disablevideos:
            summary.videos = VideoImporter(cfg, database, pool).run(path)
        return summary


class ImportBusy(LockBusy):
    """Another import into the same data directory is running."""


@contextlib.contextmanager
def exclusive_import(datadir):
    """Hold ``<data>/import.lock`` for the block.

    Two imports at once (a cron job and a user) would both see the same new
    album as missing from the database and both add it.  The lock is an
    ``flock`` (:class:`~musicdb.lib.pidlock.PidLock`): the kernel drops it
    when the holder dies, so a killed import never blocks the next one.  A
    server beside the import is fine: it holds ``server.lock``, not this one.

    Raises:
        ImportBusy: another process (or import) holds the lock; the message
            names its PID.
    """
    lock = PidLock(os.path.join(datadir, LOCK_FILE), "another import")
    try:
        lock.acquire()
    except LockBusy as busy:
        raise ImportBusy(f"{busy}; try again when it has finished", busy.pid) from None
    try:
        yield
    finally:
        lock.release()


# -- removal and checks -------------------------------------------------------------------

def remove_path(cfg, database, path, trackerdb=None):
    """Remove the database entries of a song, album or artist path (files stay).

    The path need not exist any more.  The play relations and played rows of
    the removed songs (and of an artist's videos) go from ``trackerdb`` (a
    TrackerDatabase) too when it is given.  Returns ``(kind, number of songs
    removed)``.

    Raises:
        PathError: the path leaves the music directory.
        LookupError: no song, album or artist has this path in the database.
    """
    relpath = MusicDirectory.from_config(cfg).relative(path)
    kind, entry = _entry_by_path(database, relpath)
    videoids = []
    with database.transaction():
        if kind == "song":
            database.remove_song(entry["id"])
            database.recount_album(entry["albumid"])
            songids = [entry["id"]]
        elif kind == "album":
            songids = database.remove_album(entry["id"])
        else:
            songids, videoids = database.remove_artist(entry["id"])
    if trackerdb is not None:
        forget(trackerdb, songids, videoids)
    return kind, len(songids)


def _entry_by_path(database, relpath):
    """``(kind, entry)`` of the song, album or artist stored with this path.

    Raises:
        LookupError: none is.
    """
    for kind, find in (("song", database.find_song_by_path),
                       ("album", database.find_album_by_path),
                       ("artist", database.find_artist_by_path)):
        entry = find(relpath) if relpath else None
        if entry is not None:
            return kind, entry
    raise LookupError(f"{relpath or 'the music directory'}: no song, album or artist "
                      "with this path in the database")


def forget(trackerdb, songids, videoids=()):
    """Delete the tracker's relations and played rows of removed songs and videos.

    One short transaction per song, not one for all: each forget scans the
    relation tables (about 10 ms at 200,000 relations), and a running server
    that records a played song must never wait for thousands of them.  After
    each one the lock stays free as long as it was held: SQLite's lock is not
    fair, and a waiting writer polls, so back-to-back transactions would
    starve the server into "database is locked" all the same.
    """
    for target, ids in (("song", songids), ("video", videoids)):
        for mediaid in ids:
            started = time.monotonic()
            trackerdb.forget(target, mediaid)
            time.sleep(time.monotonic() - started)


def remove_missing(cfg, database, summary, trackerdb=None):
    """Remove the entries of the songs an import found missing (``summary.missing``).

    Their rows, lyrics, tags and play relations go (as with ``remove_path``);
    an album left without songs and an artist left without albums and
    videos go too.  Returns the number of songs removed.

    Raises:
        PathError: the import found no song file at all (an unmounted disk
            must not empty the library), or a path leaves the music directory.
    """
    if summary.missing and not summary.imported + summary.failed:
        raise PathError("the import found no song files at all (is the music directory "
                        "mounted?); nothing removed")
    removed = sum(remove_path(cfg, database, path, trackerdb)[1] for path in summary.missing)
    albums = sorted({path.rsplit("/", 1)[0] for path in summary.missing})
    for album in albums:
        entry = database.find_album_by_path(album)
        if entry is not None and not database.get_album_songs(entry["id"]):
            remove_path(cfg, database, album, trackerdb)
    for artist in sorted({album.split("/", 1)[0] for album in albums}):
        entry = database.find_artist_by_path(artist)
        if entry is not None and not (database.get_albums(entry["id"])
                                      or database.get_videos(entry["id"])):
            remove_path(cfg, database, artist, trackerdb)
    return removed


def check_path(cfg, path):
    """Check a path of the music directory against the naming scheme and read its songs.

    Returns ``(kind, problems)``: kind is artist, album, song, video, root
    or None; problems a list of ``"<relative path>: <what is wrong>"``.

    Raises:
        PathError: the path leaves the music directory.
    """
    directory = MusicDirectory.from_config(cfg)
    relpath = directory.relative(path)
    kind = directory.kind(relpath) if relpath else "root"
    if kind is None:
        return None, [f"{relpath}: neither an artist, an album, a song nor a video "
                      "(expected Artist/YYYY - Album/NN Title.ext)"]
    if kind == "video":
        return kind, _video_problems(relpath)
    problems = []
    for album in directory.album_dirs(relpath):
        problems += _album_problems(directory, album, check_album=kind != "song")
    return kind, problems


def _video_problems(relpath):
    name = relpath.split("/")[-1]
    meta = metatags.path_meta(f"{relpath.split('/')[0]}/{os.path.splitext(name)[0]}/-")
    return [] if meta["album"] else [f"{relpath}: video name does not follow 'YYYY - Name.ext'"]


def _album_problems(directory, album, check_album=True):
    problems = [f"{printable(path)}: {NESTED}" for path in album.nested]
    if check_album and album_name(album.path)[1] is None:
        problems.append(f"{printable(album.path)}: album directory does not follow "
                        "'YYYY - Album'")
    for path in album.songs:
        problems += [f"{printable(path)}: {problem}" for problem in _song_problems(directory, path)]
    return problems


def _song_problems(directory, path):
    problems = [] if is_utf8(path) else [NOT_UTF8]
    if metatags.path_meta(path)["track"] is None:
        problems.append("file name does not follow '[C-]NN Title.ext'")
    try:
        metatags.read_metadata(directory.absolute(path), probe=False)
    except metatags.TagError as error:
        problems.append(error.reason)
    return problems

