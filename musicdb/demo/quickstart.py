"""The quick start's demo: an empty music directory gets a generated library, imported.

``musicdb server`` on the embedded default calls :func:`import_demo` on every
start (``MUSICDB_DEMO=0`` turns it off); it acts only while the music
directory is empty, so a real library is never touched.
"""

import os

from musicdb.demo.library import generate_library
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.importer import import_music


def import_demo(cfg, songs=40, database=None, seconds=30, **options):
    """Fill an empty music directory with a generated demo library and import it.

    Does nothing (returns None) when the music directory holds anything
    already.  ``options`` (``seed``, ``formats``, ``artwork``) go to
    :func:`~musicdb.demo.library.generate_library`.  Opens
    ``<data>/music.db`` unless ``database`` is given.  Returns
    the :class:`~musicdb.lib.importer.ImportSummary`.  Generating runs ffmpeg
    and blocks: call it before the server's loops start.

    Raises:
        ValueError: ``options`` that describe no library (see generate_library).
        RuntimeError: ffmpeg is missing or fails.
        OSError: the music or data directory cannot be written.
        MediaError: a generated file cannot be tagged or the artwork directory
            cannot be written.
    """
    music = cfg.directories.music
    if os.path.isdir(music) and os.listdir(music):
        return None
    generate_library(music, songs=songs, seconds=seconds, **options)
    own = database is None
    if own:
        os.makedirs(cfg.directories.data, exist_ok=True)
        database = MusicDatabase(os.path.join(cfg.directories.data, "music.db"))
    try:
        return import_music(cfg, database)
    finally:
        if own:
            database.close()
