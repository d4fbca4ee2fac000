"""The WebUI configuration ``<data>/config/webui.ini`` (api-library.md §3.1).

The WebUI keeps its settings on the server so every browser shows the same
menus and plays the same stream.  The file format is MusicDB 8's, so a data
directory moves between the two servers unchanged: INI, case-sensitive keys,
booleans as ``True``/``False``, ``%`` doubled (MusicDB 8 reads with INI
interpolation).

Differences from MusicDB 8, on purpose:

* The default ``Stream.url`` is this server's own stream endpoint, stored
  without scheme and host (``/stream``, the ``[Icecast] mountname``): the
  stream is served on the same port as the WebUI, so every browser reaches
  it under the name it uses for the server (``localhost`` on the server,
  ``musicbox.lan`` elsewhere).  :meth:`WebUIConfig.load` shows such a URL
  as a full one for the asking browser (its Stream Settings view insists on
  ``http(s)://host``), and :meth:`WebUIConfig.save` stores a URL that points
  at this server under the saving browser's name without the host again.
* :meth:`WebUIConfig.save` checks the whole configuration first and writes
  the file once, atomically; MusicDB 8 wrote after every value and left half
  a configuration behind when a key was missing.
* Absent ``MainMenu`` booleans read as ``false``, not the string ``"False"``.
* A file that cannot be parsed (a typo made by hand) reads as the defaults
  and stays as it is until the next save; a stored version below 0 counts
  as 0 instead of failing every later load.

Writes go through gevent's thread pool (the fsync of an atomic write must
not stall the event loop) under a lock, so a load never upgrades a file
that a save is replacing.
"""

import configparser
import io
import logging
import os

import gevent
import gevent.lock

from musicdb.lib import datadir
from musicdb.lib.cfg.values import parse_value
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

VERSION = 3
SHIPPED_STREAM_URL = "http://127.0.0.1:8000/stream"

# (section, key, type, default when absent or unparsable); also the answer's order.
KEYS = (
    ("meta", "version", int, 0),
    ("WebUI", "videomode", str, "disabled"),
    ("WebUI", "lyrics", str, "enabled"),
    ("MainMenu", "showstreamplayer", bool, False),
    ("MainMenu", "showsystemstatus", bool, False),
    ("ArtistsView", "showrelease", bool, True),
    ("GenreSelectionView", "showother", bool, True),
    ("Stream", "url", str, None),  # None: the server's own stream URL
    ("Stream", "username", str, ""),
    ("Stream", "password", str, ""),
    ("debug", "blurartwork", bool, False),
)

# Values written when a version is missing ("created with" column of §3.1).
UPGRADES = {
    1: (("WebUI", "videomode", "disabled"), ("WebUI", "lyrics", "enabled"),
        ("debug", "blurartwork", "False")),
    2: (("ArtistsView", "showrelease", "True"), ("GenreSelectionView", "showother", "True")),
    3: (("MainMenu", "showstreamplayer", "False"), ("MainMenu", "showsystemstatus", "True"),
        ("Stream", "url", None), ("Stream", "username", ""), ("Stream", "password", "")),
}

# The template a new data directory gets at server start ("shipped" column).
SHIPPED = """[meta]
version = 3

[WebUI]
videomode = disabled
lyrics = enabled

[MainMenu]
showstreamplayer = False
showsystemstatus = False

[ArtistsView]
showrelease = True

[GenreSelectionView]
showother = True

[Stream]
url = {url}
username =
password =

[debug]
blurartwork = false
"""



def stream_url(cfg):
    """Our default ``Stream.url``: the stream's path on this server, without a host."""
    return cfg.icecast.mountname


class WebUIConfig:
    """The file at ``path``; ``default_url`` is the ``Stream.url`` of new files.

    ``base`` arguments are ``http(s)://<host>:<port>`` of this server as the
    calling browser reaches it, or None (URLs are then shown as stored).
    """

    def __init__(self, path, default_url=SHIPPED_STREAM_URL):
        self.path = path
        self.default_url = default_url
        self._lock = gevent.lock.RLock()

    def install(self):
        """Create the file from the shipped template if it is missing (server start).

        Raises:
            OSError: the file cannot be written.
        """
        if os.path.exists(self.path):
            return
        self._write_text(SHIPPED.format(url=_escape(self.default_url)))
        log.info("Created %s", self.path)

    def load(self, base=None):
        """The configuration as LoadWebUIConfiguration returns it (upgraded to version 3 first).

        A host-relative ``Stream.url`` is prefixed with ``base``.

        Raises:
            OSError: an upgrade could not be written.
        """
        with self._lock:
            parser, readable = self._read()
            if self._upgrade(parser) and readable:
                self._write(parser)
        config = {}
        for section, key, kind, default in KEYS:
            default = self.default_url if default is None else default
            config.setdefault(section, {})[key] = parse_value(_get(parser, section, key), kind,
                                                           default)
        url = config["Stream"]["url"]
        if base and url.startswith("/") and not url.startswith("//"):
            config["Stream"]["url"] = base + url
        return config

    def save(self, config, base=None):
        """Store a complete configuration (values as text, unvalidated), then load it back.

        A ``Stream.url`` starting with ``base`` is stored host-relative, so
        other browsers keep reaching the stream under their own name.  The
        answer shows it host-relative too: it goes to every browser.

        Raises:
            ValueError: a section or key of the configuration is missing
                (nothing is written then).
            OSError: the file cannot be written.
        """
        values = [(section, key, _text(_lookup(config, section, key)))
                  for section, key, _, _ in KEYS]
        if base:
            values = [(section, key, _relative(text, _escape(base)) if key == "url" else text)
                      for section, key, text in values]
        with self._lock:
            parser, _ = self._read()
            for section, key, text in values:
                _set(parser, section, key, text)
            self._write(parser)
            return self.load()

    def _read(self):
        """``(parser, readable)``: the file's content (empty when missing or unreadable)."""
        parser = _new_parser()
        try:
            with open(self.path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, configparser.Error) as error:
            log.warning("Cannot read %s (%s); using the defaults", self.path, error)
            return _new_parser(), False
        return parser, True

    def _upgrade(self, parser):
        version = max(parse_value(_get(parser, "meta", "version"), int, 0), 0)
        if version >= VERSION:
            return False
        for step in range(version + 1, VERSION + 1):
            for section, key, text in UPGRADES[step]:
                _set(parser, section, key, _escape(self.default_url) if text is None else text)
        _set(parser, "meta", "version", str(VERSION))
        log.info("%s brought to version %d", self.path, VERSION)
        return True

    def _write(self, parser):
        text = io.StringIO()
        parser.write(text)
        self._write_text(text.getvalue())

    def _write_text(self, text):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        in_thread(datadir.write_atomic, self.path, text, 0o664)


def _new_parser():
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=False)
    parser.optionxform = str
    return parser


def _get(parser, section, key):
    text = parser.get(section, key, fallback=None)
    return None if text is None else text.replace("%%", "%")


def _set(parser, section, key, text):
    if not parser.has_section(section):
        parser.add_section(section)
    parser.set(section, key, text)


def _escape(text):
    return text.replace("%", "%%")


def _text(value):
    """A JSON value as MusicDB 8 stores it: ``True``/``False``, numbers and strings as text.

    Carriage returns become line feeds: INI keeps a line feed as a continuation
    line, while a bare carriage return would end the line and leave an
    unreadable file.
    """
    text = value if isinstance(value, str) else str(value)
    return _escape(text.replace("\r\n", "\n").replace("\r", "\n"))


def _relative(url, base):
    return url[len(base):] if url.startswith(base + "/") else url


def _lookup(config, section, key):
    values = config.get(section) if isinstance(config, dict) else None
    if not isinstance(values, dict) or key not in values:
        raise ValueError(f"{section}.{key} is missing")
    return values[key]
