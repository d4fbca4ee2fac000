"""The WebUI configuration ``<data>/config/webui.ini`` (api-library.md §3.1).

The WebUI keeps its settings on the server so every browser shows the same
menus and plays the same stream.  The file format is MusicDB 8's, so a data
directory moves between the two servers unchanged: INI, case-sensitive keys,
booleans as ``True``/``False``, ``%`` doubled (MusicDB 8 reads with INI
interpolation).

Differences from MusicDB 8, on purpose:

* The default ``Stream.url`` is this server's own stream endpoint (the
  ``[Icecast] mountname`` path on the WebSocket port), not Icecast's.
* :meth:`WebUIConfig.save` checks the whole configuration first and writes
  the file once, atomically; MusicDB 8 wrote after every value and left half
  a configuration behind when a key was missing.
* Absent ``MainMenu`` booleans read as ``false``, not the string ``"False"``.
"""

import configparser
import io
import logging
import os
import socket

from musicdb.lib import datadir

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

_TRUE = ("1", "yes", "true", "on")
_FALSE = ("0", "no", "false", "off")


def stream_url(cfg):
    """The URL of this server's audio stream, as a browser elsewhere reaches it.

    Scheme and port are the WebSocket server's (the stream is served on the
    same port), the path is ``[Icecast] mountname``.  A wildcard bind
    address is replaced by this machine's host name.
    """
    ws = cfg.websocket
    host = ws.bind
    if host in ("", "0.0.0.0", "::", "*"):
        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    scheme = "https" if ws.tls else "http"
    return f"{scheme}://{host}:{ws.port}{cfg.icecast.mountname}"


class WebUIConfig:
    """The file at ``path``; ``default_url`` is the ``Stream.url`` of new files."""

    def __init__(self, path, default_url=SHIPPED_STREAM_URL):
        self.path = path
        self.default_url = default_url

    def install(self):
        """Create the file from the shipped template if it is missing (server start).

        Raises:
            OSError: the file cannot be written.
        """
        if os.path.exists(self.path):
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        datadir.write_atomic(self.path, SHIPPED.format(url=_escape(self.default_url)), 0o664)
        log.info("Created %s", self.path)

    def load(self):
        """The configuration as LoadWebUIConfiguration returns it (upgraded to version 3 first).

        Raises:
            OSError: an upgrade could not be written.
        """
        parser = self._read()
        if self._upgrade(parser):
            self._write(parser)
        config = {}
        for section, key, kind, default in KEYS:
            default = self.default_url if default is None else default
            config.setdefault(section, {})[key] = _convert(_get(parser, section, key), kind,
                                                           default)
        return config

    def save(self, config):
        """Store a complete configuration (values as text, unvalidated), then load it back.

        Raises:
            ValueError: a section or key of the configuration is missing
                (nothing is written then).
            OSError: the file cannot be written.
        """
        values = [(section, key, _text(_lookup(config, section, key)))
                  for section, key, _, _ in KEYS]
        parser = self._read()
        for section, key, text in values:
            _set(parser, section, key, text)
        self._write(parser)
        return self.load()

    def _read(self):
        parser = _new_parser()
        try:
            with open(self.path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, configparser.Error) as error:
            log.warning("Cannot read %s (%s); using the defaults", self.path, error)
            return _new_parser()
        return parser

    def _upgrade(self, parser):
        version = _convert(_get(parser, "meta", "version"), int, 0)
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
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        datadir.write_atomic(self.path, text.getvalue(), 0o664)


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
    """A JSON value as MusicDB 8 stores it: ``True``/``False``, numbers and strings as text."""
    return _escape(value if isinstance(value, str) else str(value))


def _lookup(config, section, key):
    values = config.get(section) if isinstance(config, dict) else None
    if not isinstance(values, dict) or key not in values:
        raise ValueError(f"{section}.{key} is missing")
    return values[key]


def _convert(text, kind, default):
    if text is None:
        return default
    if kind is bool:
        lowered = text.strip().lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else default
    if kind is int:
        try:
            return int(text)
        except ValueError:
            return default
    return text
