"""MiSE, the MusicDB micro search engine behind ``Find`` (filled in by the library work)."""

import logging

log = logging.getLogger(__name__)


class MusicDBMicroSearchEngine:
    """Searches artist, album and song names; :meth:`UpdateCache` reloads them from the database."""

    def __init__(self, database):
        self.database = database
        self.artists = []
        self.albums = []
        self.songs = []

    def UpdateCache(self):
        """Reload the names from the database (after an import or on SIGUSR1)."""
        db = self.database
        self.artists = db.rows("SELECT artistid AS id, name FROM artists")
        self.albums = db.rows("SELECT albumid AS id, name FROM albums")
        self.songs = db.rows("SELECT songid AS id, name FROM songs")
        log.info("Search cache: %d artists, %d albums, %d songs",
                 len(self.artists), len(self.albums), len(self.songs))
