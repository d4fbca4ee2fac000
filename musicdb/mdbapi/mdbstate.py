"""The MDB state file ``<data>/state/state.ini`` and the genre filter it defines.

One state is shared by all connections (api-library.md §2): the UI mode and
which genres and sub-genres are selected.  The file is keyed by tag *names*,
so it stays readable and editable by hand and by MusicDB 8.  It is read again
whenever it changed on disk (checked by ``stat``), so an edit by hand or by
another process counts from the next call on, as in MusicDB 8 which re-read
it before every filter evaluation.  Every change is written at once and
atomically (temporary file + rename): a crash leaves the old or the new
state, never half a file.

The filter functions (:func:`album_passes`, :func:`video_passes`) are pure;
Randy and the read API share them.
"""

import configparser
import io
import logging
import os
from dataclasses import dataclass

import gevent
import gevent.lock

from musicdb.lib import datadir
from musicdb.lib.cfg.values import parse_bool
from musicdb.lib.db.musicdb import TAG_CLASS_GENRE, TAG_CLASS_SUBGENRE
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

STATE_VERSION = 4
UIMODES = ("audio", "video")


@dataclass(frozen=True)
class GenreSelection:
    """The genre filter as GetMDBState shows it and the album filter uses it (§2.2).

    ``genres``: selected genre names (tag-ID order); ``subgenres``: for every
    genre name the selected sub-genre names; ``active_ids``: the active tag
    ID list; ``tree``: ``{genre ID: [selected sub-genre IDs]}`` of the
    selected genres (empty: no genre selected, nothing is filtered).
    """
    genres: list
    subgenres: dict
    active_ids: list
    tree: dict


def valid_key(name):
    """Whether ``name`` survives as an INI key or section name part (written, read back the same)."""
    return (isinstance(name, str) and name != "" and name == name.strip()
            and not any(c in name for c in "=\n\r") and name[0] not in "#;[")


class MDBState:
    """The state file at ``path`` (``<data>/state/state.ini``).

    Reading never raises: a missing file is created, an unreadable one is
    logged and counts as empty (all defaults) but stays on disk until the
    next change replaces it.  Writes go through gevent's thread pool (the
    fsync of an atomic write must not stall the event loop) under a lock,
    so two changes never overtake each other.
    """

    def __init__(self, path):
        self.path = path
        self._stamp = None
        self._parser = None
        self._lock = gevent.lock.RLock()

    # -- reading -----------------------------------------------------------------

    def uimode(self):
        """``"audio"`` or ``"video"``; ``"audio"`` for an absent or invalid value."""
        mode = self._read().get("MusicDB", "uimode", fallback="audio")
        return mode if mode in UIMODES else "audio"

    def selection(self, tags):
        """The :class:`GenreSelection` for the tag definitions ``tags`` (all classes, any order).

        Sub-genres are matched by name *and* parent, so two sub-genres of the
        same name under different genres work (MusicDB 8 failed on them).
        The file is read once, so the answer is one consistent state.
        """
        state = self._read()
        tags = sorted(tags, key=lambda tag: tag["id"])
        genres = [tag for tag in tags if tag["class"] == TAG_CLASS_GENRE]
        selected = [genre for genre in genres
                    if _flag(state, "GenreFilter", genre["name"], False)]
        subgenres, tree, active = {}, {}, []
        for genre in genres:
            section = f"SubgenreFilter:{genre['name']}"
            children = [tag for tag in tags if tag["class"] == TAG_CLASS_SUBGENRE
                        and tag["parentid"] == genre["id"]
                        and _flag(state, section, tag["name"], True)]
            subgenres[genre["name"]] = [child["name"] for child in children]
            if genre in selected:
                tree[genre["id"]] = [child["id"] for child in children]
                active += tree[genre["id"]] + [genre["id"]]
        return GenreSelection([genre["name"] for genre in selected], subgenres, active, tree)

    def _read(self):
        """The parsed file, re-read only when it changed; created/upgraded first if needed."""
        with self._lock:
            stamp = _file_stamp(self.path)
            if stamp is not None and stamp == self._stamp:
                return self._parser
            parser, readable = self._load() if stamp is not None else (_new_parser(), True)
            self._parser, self._stamp = parser, stamp
            if self._upgrade(parser) and readable:
                self._save_upgrade(parser)
            return parser

    def _save_upgrade(self, parser):
        try:
            self._write(parser)
        except OSError as error:
            log.error("Cannot write the MDB state %s: %s", self.path, error)

    def _load(self):
        """``(parser, readable)``; an unreadable file gives an empty parser."""
        parser = _new_parser()
        try:
            with open(self.path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except (OSError, UnicodeDecodeError, configparser.Error) as error:
            log.warning("Cannot read the MDB state %s (%s); using the defaults", self.path, error)
            return _new_parser(), False
        return parser, True

    def _upgrade(self, parser):
        """Bring the file to the current version; returns True when something changed."""
        try:
            version = parser.getint("meta", "version", fallback=0)
        except ValueError:
            version = 0
        if version >= STATE_VERSION:
            return False
        if version < 3:
            _set(parser, "MusicDB", "uimode", "audio")
        parser.remove_section("albumfilter")
        _set(parser, "meta", "version", str(STATE_VERSION))
        log.info("MDB state %s brought to version %d", self.path, STATE_VERSION)
        return True

    # -- writing -----------------------------------------------------------------

    def set(self, category, name, value):
        """Store one value as SetMDBState does (api-library.md SetMDBState).

        Returns True when something was stored, False (and logs why) for an
        unknown category or name, or a value of the wrong type.

        Raises:
            OSError: the file cannot be written (the state stays as it was).
        """
        target = _target(category, name, value)
        if target is None:
            log.warning("SetMDBState: nothing stored for %r / %r = %r", category, name, value)
            return False
        section, text = target
        with self._lock:
            parser = self._read()
            _set(parser, section, name, text)
            self._write(parser)
        return True

    def _write(self, parser):
        """Write ``parser`` and make it the current state (after a failure: the file, re-read)."""
        text = io.StringIO()
        parser.write(text)
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            in_thread(datadir.write_atomic, self.path, text.getvalue(), 0o644)
        except OSError:
            self._parser, self._stamp = None, None
            raise
        self._parser, self._stamp = parser, _file_stamp(self.path)


def _file_stamp(path):
    """What tells a changed file apart: ``(mtime, size, inode)``, or None when it is missing."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _flag(parser, section, key, default):
    return parse_bool(parser.get(section, key, fallback=None), default)


def _new_parser():
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=False)
    parser.optionxform = str  # keys are case-sensitive genre names
    return parser


def _set(parser, section, key, text):
    if not parser.has_section(section):
        parser.add_section(section)
    parser.set(section, key, text)


def _target(category, name, value):
    """``(section, text)`` to store, or None when SetMDBState stores nothing."""
    if not isinstance(category, str) or not valid_key(name):
        return None
    if category == "GenreFilter" and isinstance(value, bool):
        return "GenreFilter", str(value)
    if category.split(":")[0] == "SubgenreFilter" and isinstance(value, bool):
        parts = category.split(":")
        if len(parts) < 2 or not valid_key(parts[1]):
            return None
        return f"SubgenreFilter:{parts[1]}", str(value)
    if category == "MusicDB" and name == "uimode" and value in UIMODES:
        return "MusicDB", value
    return None


# -- filters (pure) ---------------------------------------------------------------

def album_passes(tree, tagset):
    """Whether an album with the tag set ``tagset`` passes the genre ``tree`` (§2.3).

    An empty tree filters nothing.  Only album tags count, of any approval.
    """
    if not tree:
        return True
    genres = {tag["tagid"] for tag in tagset["genres"]} & set(tree)
    if not genres:
        return False
    subgenres = {tag["tagid"] for tag in tagset["subgenres"]}
    if not subgenres:
        return True
    return any(not tree[genre] or subgenres & set(tree[genre]) for genre in genres)


def video_passes(genre_names, tagset):
    """Whether a video passes the genre filter list ``genre_names`` (§2.4).

    A video without genre tags always passes; otherwise one of its genres
    must be selected (so an empty list passes only untagged videos).
    """
    names = [tag["name"] for tag in tagset["genres"]]
    return not names or any(name in genre_names for name in names)
