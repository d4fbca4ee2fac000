"""Replacing an album's artwork from the application (an artwork upload, an artwork import).

:func:`set_album_artwork` is what the upload tasks call (api-uploads.md §8,
``awsourcetype`` ``imagefile``): the image replaces the album's cover and all
its scaled copies (scaling in gevent's thread pool), the album row names it,
then ``library.changed`` drops cached answers and ``caches.updated`` makes
every WebUI reload its artist and album lists (``sys:refresh``).  The file
names stay MusicDB 8's, and the web server sends artwork with
``Cache-Control: no-cache``, so the reloaded views show the new image
without the user reloading the page.
"""

from musicdb.lib.artworkcache import ArtworkCache
from musicdb.lib.ws.errors import NotFound
from musicdb.mdbapi import events


def set_album_artwork(app, albumid, image_path, *, refresh=True):
    """Make the image file ``image_path`` the artwork of album ``albumid``; returns its name.

    ``refresh=False`` leaves out the ``caches.updated`` event, for a caller
    (the task loop after ``importcomplete``) that sends ``sys:refresh`` itself.

    Raises:
        NotFound: no album has this ID.
        ArtworkError: the file is no usable image (also: too many pixels) or
            the artwork cannot be written; the album keeps its artwork.
        DatabaseError: the album row cannot be written.
    """
    album = app.database.get_album(albumid)
    if album is None:
        raise NotFound(f"Album {albumid} does not exist")
    name, _ = ArtworkCache(app.cfg, app.database).update_album(album, image_path)
    events.emit(events.LIBRARY_CHANGED, {"change": "artwork", "albumid": albumid})
    if refresh:
        events.emit(events.CACHES_UPDATED)
    return name
