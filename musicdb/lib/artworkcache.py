"""The album artwork of the library: its source, its files and the albums' ``artworkpath``.

What ``python musicdb.py artwork`` and an artwork upload do (api-uploads.md
§8; MusicDB 8's ``artwork`` module), album by album:

* an image file given (``--artwork FILE``, an upload) always replaces the
  album's artwork and all its scaled copies;
* an album whose artwork file exists keeps it; only the missing scaled
  copies are written (all of them with ``rescale``);
* any other album gets the embedded picture of its first song that has one
  (database order, as MusicDB 8), else a cover image in its directory
  (``cover.jpg``, ``folder.jpg``, ``front.jpg``, … — MusicDB 8 looked only at
  embedded pictures), else ``default.jpg``.

Files are named as MusicDB 8 names them (``<Artist> - <Album>.jpg``, never
another album's name).  Reading pictures and scaling run in ``pool`` (a
gevent ThreadPool; default the hub's, which the server must use); database
access stays in the calling greenlet (``update_all`` runs one greenlet per
pool thread), one short write per album.
"""

import logging
import os
from dataclasses import dataclass, field

import gevent
import gevent.pool

from musicdb.lib.media import artwork as albumartwork
from musicdb.lib.media import tags as metatags
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

WRITTEN, COMPLETED, UNCHANGED, DEFAULTED = "written", "completed", "unchanged", "default"


@dataclass
class ArtworkSummary:
    """Albums per outcome; ``failures`` lists ``(album path, reason)``."""

    written: int = 0
    completed: int = 0
    unchanged: int = 0
    default: int = 0
    failures: list = field(default_factory=list)

    def count(self, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self):
        return (f"{self.written} written, {self.completed} completed, {self.unchanged} "
                f"unchanged, {self.default} default, {len(self.failures)} failed")


def album_picture(root, albumpath, songpaths):
    """The cover of an album as image bytes: embedded in a song, else an image file, else None.

    Blocking (reads files): run it in a worker thread.
    """
    for songpath in songpaths:
        try:
            data = metatags.extract_artwork(os.path.join(root, songpath))
        except metatags.TagError as error:
            log.debug("No picture from %s: %s", songpath, error)
            continue
        if data:
            return data
    path = albumartwork.cover_file(os.path.join(root, albumpath))
    if path is None:
        return None
    try:
        return albumartwork.read_image_file(path)
    except albumartwork.ArtworkError as error:
        log.warning("Cannot use %s: %s", path, error)
        return None


class ArtworkCache:
    """Artwork files of ``cfg``'s artwork directory for the albums of ``database``.

    ``max_pixels`` bounds every decoded image (a limit the tests set small).
    ``progress`` is None or tqdm-like (``reset(total=…)``, ``update(n)``).
    """

    def __init__(self, cfg, database, pool=None, progress=None,
                 max_pixels=albumartwork.MAX_PIXELS):
        self.db = database
        self.root = cfg.directories.music
        self.directory = os.path.join(cfg.directories.data, "webdata", "artwork")
        self.scales = tuple(int(scale) for scale in cfg.albumcover.scales)
        self.pool = pool if pool is not None else gevent.get_hub().threadpool
        self.progress = progress
        self.max_pixels = max_pixels
        self._reserved = set()  # names chosen by albums in progress (they run side by side)

    def update_all(self, albums=None, rescale=False):
        """Bring every album's artwork (or that of ``albums``, album entries) up to date;
        returns an :class:`ArtworkSummary`.

        An album whose image cannot be used is listed in the summary's
        failures and keeps what it had.

        Raises:
            ArtworkError: ``default.jpg`` cannot be created.
            DatabaseError: a write failed.
        """
        in_thread(albumartwork.ensure_default_artwork, self.directory, pool=self.pool)
        albums = self.db.get_albums() if albums is None else albums
        summary = ArtworkSummary()
        if self.progress is not None:
            self.progress.reset(total=len(albums))
        def one(album):
            try:
                return album, self.update_album(album, rescale=rescale)[1], None
            except albumartwork.ArtworkError as error:
                return album, None, error

        # One greenlet per pool thread: each waits for its album's image work.
        workers = gevent.pool.Pool(max(1, getattr(self.pool, "maxsize", 1)))
        for album, outcome, error in workers.imap_unordered(one, albums):
            if error is None:
                summary.count(outcome)
            else:
                summary.failures.append((album["path"], str(error)))
                log.warning("Album %s: %s", album["path"], error)
            if self.progress is not None:
                self.progress.update(1)
        return summary

    def update_album(self, album, image_path=None, rescale=False):
        """Update one album (an album entry); returns ``(artwork name, outcome)``.

        With ``image_path`` that image replaces the album's artwork.

        Raises:
            ArtworkError: the image (given, embedded or in the directory) cannot
                be used, or a file cannot be written; the album row is unchanged.
            DatabaseError: the row cannot be written.
        """
        current = album["artworkpath"] or albumartwork.DEFAULT_ARTWORK
        if image_path is not None:
            name = self._name(album)
            in_thread(albumartwork.import_artwork, image_path, self.directory, name, self.scales, self.max_pixels, pool=self.pool)
            return self._store(album, name), WRITTEN
        if current != albumartwork.DEFAULT_ARTWORK \
                and os.path.isfile(os.path.join(self.directory, current)):
            return current, self._refresh(current, rescale)
        songs = [song["path"] for song in self.db.get_album_songs(album["id"])]
        data = in_thread(album_picture, self.root, album["path"], songs, pool=self.pool)
        if data is None:
            return self._store(album, albumartwork.DEFAULT_ARTWORK), DEFAULTED
        name = self._name(album)
        in_thread(albumartwork.write_artwork, data, self.directory, name, self.scales, self.max_pixels, pool=self.pool)
        return self._store(album, name), WRITTEN

    def _refresh(self, name, rescale):
        if rescale:
            in_thread(albumartwork.import_artwork, os.path.join(self.directory, name), self.directory, name, self.scales, self.max_pixels, pool=self.pool)
            return WRITTEN
        written = in_thread(albumartwork.complete_scales, self.directory, name, self.scales, self.max_pixels, pool=self.pool)
        return COMPLETED if written else UNCHANGED

    def _name(self, album):
        """The album's own artwork name if it has one, else a new one no other album uses."""
        current = album["artworkpath"]
        if current and current != albumartwork.DEFAULT_ARTWORK:
            return current
        artist = self.db.get_artist(album["artistid"])
        taken = self.db.artwork_names(exclude=album["id"]) | self._reserved
        name = albumartwork.unique_artwork_name(artist["name"] if artist else "", album["name"],
                                                album["release"], taken)
        self._reserved.add(name)
        return name

    def _store(self, album, name):
        if album["artworkpath"] != name:
            self.db.update_album(album["id"], artworkpath=name)
            album["artworkpath"] = name
        return name
