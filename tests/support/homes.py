"""Server homes with real music: a generated demo library of every format, copied and imported.

The fixtures of ``tests/conftest.py`` build them for every test folder:

* ``demo_library`` (session): the generated files, read-only; ``.root``,
  ``.songs`` (generate_library's dicts: path, format, artist, album, release, title,
  track, cd, genre, seconds, artwork).
* ``imported_library`` (session): a home (music/, data/, musicdb.ini) with the
  demo library imported; read-only.  ``ServerProcess(imported_library.home)``
  would write into it, so copy it with ``library_home`` for a server.
* ``library_home(name="home", imported=True, extra="")`` (function): a fresh
  copy of the demo library in ``tmp_path/<name>``, imported or not; a server
  started with ``ServerProcess(home.home)`` serves it.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.demo.library import generate_library
from musicdb.lib.importer import import_music
from tests.support.server import ROOT, free_port, write_config

DEMO_SONGS = 30
DEMO_SECONDS = 2


@dataclass
class DemoLibrary:
    root: Path
    songs: list


@dataclass
class LibraryHome:
    """One home directory: ``music/``, ``data/`` and ``musicdb.ini``."""

    home: Path
    songs: list
    summary: object = None
    extra: str = ""
    music: Path = field(init=False)
    data: Path = field(init=False)
    config: str = field(init=False)

    def __post_init__(self):
        self.music = self.home / "music"
        self.data = self.home / "data"
        self.config = str(self.home / "musicdb.ini")

    @property
    def cfg(self):
        return MusicDBConfig(self.config)

    def database(self):
        """A new connection to the home's music.db (close it when done)."""
        return MusicDatabase(str(self.data / "music.db"))

    def import_(self, path=""):
        """Import in this process (gevent hub threadpool); returns the summary."""
        database = self.database()
        try:
            return import_music(self.cfg, database, path)
        finally:
            database.close()

    def cli(self, *args, timeout=120):
        """Run ``musicdb.py --config <home> <args>``; returns the CompletedProcess."""
        return run_cli(self.config, *args, timeout=timeout)


def run_cli(config, *args, timeout=120):
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def make_demo_library(root):
    """Generate the demo library (every format) into ``root``."""
    return DemoLibrary(root, generate_library(root, songs=DEMO_SONGS, seconds=DEMO_SECONDS))


def make_library_home(home, demo, imported=True, extra=""):
    """Copy the demo library into ``home/music``, write a config and import it."""
    home = Path(home)
    shutil.copytree(demo.root, home / "music")
    write_config(str(home), free_port(), extra=extra)
    library = LibraryHome(home, [dict(song) for song in demo.songs], extra=extra)
    if imported:
        library.summary = library.import_()
    return library


def import_demo_library(home, songs=24, formats=("mp3", "flac", "ogg")):
    """Generate a demo library in ``home/music``, write a TLS config and import it with the CLI
    (as a user would); returns the config path."""
    generate_library(home / "music", songs=songs, formats=formats, seconds=DEMO_SECONDS)
    config = write_config(str(home), free_port(), tls=True)
    result = run_cli(config, "database", "import", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return config
