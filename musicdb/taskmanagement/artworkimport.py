"""Task type ``artworkimport``: set an album's artwork (api-uploads.md §8).

Sources: ``imagefile`` (an uploaded image, always replacing the artwork) and
``songfile`` (the embedded picture of the album's first song, unless the
album has an artwork already; ``default.jpg`` when there is none).  Scaling
is :mod:`musicdb.lib.media.artwork` (``write_artwork``, ``complete_scales``)
in the thread pool.  Video targets are refused with ``importfailed``.
"""

import logging
import os

from musicdb.lib import safepath
from musicdb.lib.media import artwork as albumartwork
from musicdb.lib.media import tags
from musicdb.lib.threads import in_thread
from musicdb.taskmanagement.mdb8 import MusicDB8Task, uploads_directory

log = logging.getLogger(__name__)

NAME = "artworkimport"
FAILED = "Importing artwork failed"
NO_ALBUM = "Album does not exist in the database."


class ArtworkImportFailed(Exception):
    """The artwork cannot be imported; the message is the InternalError's."""


class ArtworkImport(MusicDB8Task):
    name = NAME
    contenttype = "artwork"
    initial = "startartworkimport"
    steps = {"startartworkimport": "import_artwork"}

    def import_artwork(self, task, app):
        return import_artwork(task, app)


def import_artwork(task, app):
    """The step of ``importingartwork``: ends in ``importcomplete`` or ``importfailed``."""
    try:
        _import(task.as_dict(), app)
    except ArtworkImportFailed as error:
        log.warning("Artwork import %s failed: %s", task.id, error)
        task.message(str(error))
        return task.set_state("importfailed")
    except (albumartwork.ArtworkError, tags.TagError, OSError) as error:
        log.warning("Artwork import %s failed: %s", task.id, error)
        task.message(FAILED)
        return task.set_state("importfailed", reason=str(error))
    return task.set_state("importcomplete")


def _import(data, app):
    if not data.get("albumpath"):
        raise ArtworkImportFailed("Video artwork import failed")
    album = app.database.find_album_by_path(data["albumpath"])
    if album is None:
        raise ArtworkImportFailed(NO_ALBUM)
    directory = os.path.join(app.cfg.directories.data, "webdata", "artwork")
    scales = app.cfg.albumcover.scales
    kind = data.get("awsourcetype")
    if kind == "imagefile":
        name = _album_artwork_name(app, album)
        image = in_thread(_read, _image_path(app, data))
        in_thread(albumartwork.write_artwork, image, directory, name, scales)
    elif kind == "songfile":
        name = _embedded(app, album, directory, scales)
    else:
        raise ArtworkImportFailed(FAILED)
    app.database.update_album(album["id"], artworkpath=name)


def _album_artwork_name(app, album):
    artist = app.database.get_artist(album["artistid"])
    return albumartwork.artwork_name(artist["name"], album["name"])


def _image_path(app, data):
    path = data.get("preprocessedpath") or data.get("awsourcepath") or ""
    uploads = uploads_directory(app.cfg)
    absolute = os.path.realpath(os.path.join(uploads, path))
    if not safepath.inside(absolute, os.path.realpath(uploads)):
        raise ArtworkImportFailed(FAILED)
    return absolute


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def _embedded(app, album, directory, scales):
    """The album's artwork from its first song (MusicDB 8: kept if it has one already)."""
    current = album.get("artworkpath")
    if current and current != albumartwork.DEFAULT_ARTWORK \
            and os.path.isfile(os.path.join(directory, current)):
        in_thread(albumartwork.complete_scales, directory, current, scales)
        return current
    songs = app.database.get_album_songs(album["id"])
    picture = None
    if songs:
        path = os.path.join(app.cfg.directories.music, songs[0]["path"])
        picture = in_thread(tags.extract_artwork, path)
    if picture is None:
        in_thread(albumartwork.ensure_default_artwork, directory)
        in_thread(albumartwork.complete_scales, directory, albumartwork.DEFAULT_ARTWORK, scales)
        return albumartwork.DEFAULT_ARTWORK
    name = _album_artwork_name(app, album)
    return in_thread(albumartwork.write_artwork, picture, directory, name, scales)
