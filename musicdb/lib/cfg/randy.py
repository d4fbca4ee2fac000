"""``<data>/config/randy.ini``: the settings of the random song selection (api-library.md §3.2).

The file is MusicDB 8's: case-sensitive keys, ``key = value`` lines, values
as text (booleans ``True``/``False``).  A missing file, or one whose
``[meta] version`` is below 1, is (re)created with the "created with" values;
an absent or unparsable value reads as the "default" value, which differs
for ``NoLiveMusic``.  Writes are atomic, so a crash never leaves half a file.

:class:`RandyConfigFile` re-reads the file only when it changed on disk, so
Randy can ask for the settings before every selection and a save takes
effect at once (api-playback.md §3.6 "our server").
"""

import configparser
import logging
import os

import gevent
import gevent.lock

from musicdb.lib.cfg.values import parse_value
from musicdb.lib.datadir import write_atomic
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

FILENAME = os.path.join("config", "randy.ini")

# (section, key, type, created with, default when absent/unparsable)
SPEC = (
    ("meta", "version", int, 1, 0),
    ("Constraints", "NoDisabled", bool, True, True),
    ("Constraints", "NoHated", bool, True, True),
    ("Constraints", "NoBadFile", bool, True, True),
    ("Constraints", "NoLiveMusic", bool, False, True),
    ("Constraints", "MinSongLength", int, 120, 120),
    ("Constraints", "MaxSongLength", int, 600, 600),
    ("BlackLists", "SongListLength", int, 5, 5),
    ("BlackLists", "AlbumListLength", int, 2, 2),
    ("BlackLists", "ArtistListLength", int, 1, 1),
    ("BlackLists", "VideoListLength", int, 3, 3),
    ("BlackLists", "MaxAge", int, 24, 24),
    ("Limits", "MaxTries", int, 10, 10),
)

def _as_text(value):
    """A value as MusicDB 8 writes it; line breaks would break the INI file."""
    if isinstance(value, bool):
        text = "True" if value else "False"
    else:
        text = "" if value is None else str(value)
    return " ".join(text.splitlines()).replace("%", "%%")


def _format(values):
    """INI text from ``{section: {key: text}}`` in the order of :data:`SPEC`."""
    lines, section = [], None
    for name, key, _, _, _ in SPEC:
        if name != section:
            lines.append(("\n" if section else "") + f"[{name}]")
            section = name
        lines.append(f"{key} = {values[name][key]}")
    return "\n".join(lines) + "\n"


class RandyConfigFile:
    """The Randy configuration of one data directory."""

    def __init__(self, datadir):
        self.path = os.path.join(datadir, FILENAME)
        self._cache = None
        self._stamp = None
        # A write yields to the thread pool; without the lock two greenlets could
        # create the file at once (both queues fill at the first start).
        self._lock = gevent.lock.RLock()

    def load(self):
        """The configuration as LoadRandyConfiguration returns it (a fresh copy).

        Raises:
            OSError: the file had to be created and could not be written.
        """
        with self._lock:
            stamp = self._file_stamp()
            if self._cache is None or stamp != self._stamp:
                self._cache = self._read()
                self._stamp = self._file_stamp()
            return {section: dict(values) for section, values in self._cache.items()}

    def save(self, config):
        """Store every value of ``config`` as text (no validation), then read back.

        Raises:
            KeyError: a section or key of :data:`SPEC` is missing (nothing written).
            OSError: the file cannot be written.
        """
        values = {}
        for section, key, _, _, _ in SPEC:
            values.setdefault(section, {})[key] = _as_text(config[section][key])
        with self._lock:
            self._write(values)
            return self.load()

    def _file_stamp(self):
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _read(self):
        parser = configparser.RawConfigParser(strict=False)
        parser.optionxform = str
        try:
            with open(self.path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            pass
        except (OSError, configparser.Error, UnicodeDecodeError) as error:
            self._keep_broken_file(error)
            parser = configparser.RawConfigParser()
        if parse_value(parser.get("meta", "version", fallback=None), int, 0) < 1:
            return self._create()
        return self._convert(lambda section, key: parser.get(section, key, fallback=None))

    def _keep_broken_file(self, error):
        """Move an unreadable file aside before the defaults replace it: the user's
        settings stay on disk to repair (MusicDB 8 overwrote them)."""
        keep = f"{self.path}.broken"
        try:
            os.replace(self.path, keep)
        except OSError:
            keep = "nowhere (it could not be moved)"
        log.warning("Cannot read %s (%s); kept it as %s and created the defaults",
                    self.path, error, keep)

    def _create(self):
        log.info("Creating %s with the default Randy settings", self.path)
        values = {}
        for section, key, _, created, _ in SPEC:
            values.setdefault(section, {})[key] = _as_text(created)
        self._write(values)
        return self._convert(lambda section, key: values[section][key])

    @staticmethod
    def _convert(get):
        config = {}
        for section, key, kind, _, default in SPEC:
            config.setdefault(section, {})[key] = parse_value(get(section, key), kind, default)
        return config

    def _write(self, values):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        # in the hub's thread pool: an fsync must not stall the event loop
        in_thread(write_atomic, self.path, _format(values), 0o644)
        self._cache = None
