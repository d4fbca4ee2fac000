"""The music directory: which artists, albums and songs it holds.

Layout (spec foundations.md §4, api-editing.md §1)::

    <root>/<Artist>/<YYYY - Album>/<[C-]NN Title>.<ext>     songs
    <root>/<Artist>/<YYYY - Video>.<ext>                    music videos

All paths handed out are relative to the root and use ``/``.  The walk
honours ``[music] ignoreartists``, ``ignorealbums`` and ``ignoresongs``
(compared with the plain entry name) and skips names starting with ``.``
(hidden files, macOS ``._*`` resource forks that look like broken songs, and
the half-copies of uploads being integrated, :mod:`musicdb.lib.halfcopies`);
:meth:`MusicDirectory.kind` calls no hidden path an artist, album, song or video.

Safety (better than MusicDB 8, which followed any symlink): no path given to
:meth:`MusicDirectory.relative` may leave the root, also not through a
symlink, and the walk skips symlinks that point out of the root.  All of
this is plain blocking file-system work: the server calls it in a worker
thread (see :mod:`musicdb.lib.importer`).
"""

import logging
import os
from dataclasses import dataclass

from musicdb.lib.media import tags

log = logging.getLogger(__name__)

#: Video extensions (MusicDB 8: ``m4v``, ``mp4``, ``webm``); never imported as songs.
VIDEO_EXTENSIONS = ("m4v", "mp4", "webm")
#: Song extensions: everything the tag reader understands except videos
#: (MusicDB 8's ``mp3 m4a aac flac`` plus ``ogg`` and ``opus``); compared lower-cased.
SONG_EXTENSIONS = tuple(e for e in tags.SUPPORTED_EXTENSIONS if e not in VIDEO_EXTENSIONS)

KIND_ARTIST, KIND_ALBUM, KIND_SONG, KIND_VIDEO = "artist", "album", "song", "video"


class PathError(ValueError):
    """A path lies outside the music root (also via a symlink) or does not exist."""


@dataclass(frozen=True)
class AlbumDir:
    """One album directory found by the walk; ``songs`` are relative paths in album order.

    ``nested`` lists song files in its sub-directories (``CD1/01 Song.mp3``):
    the layout has no such level, so they are never imported, only reported.
    """

    path: str
    artist: str
    songs: tuple
    nested: tuple = ()


def is_utf8(path):
    """True if ``path`` is valid UTF-8.

    Python keeps the bytes of a file name that is not UTF-8 (an old Latin-1
    disk) as surrogate escapes; such a name cannot be stored in the database
    nor sent to the WebUI, so it must be renamed before it can be imported.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(path):
    """``path`` for messages: bytes that are not UTF-8 shown as ``\\xNN``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def extension(path):
    """``"a/01 B.MP3"`` -> ``"mp3"`` (lower-cased, without the dot)."""
    return os.path.splitext(path)[1][1:].lower()


def song_order(relpath):
    """Sort key for songs of one album: CD, track number, then name."""
    meta = tags.path_meta(relpath)
    return (meta["cd"] or 0, meta["track"] or 0, relpath)


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class MusicDirectory:
    """The music root and its ignore lists.

    The ignore lists are sequences of plain names (``cfg.music.ignoresongs``
    is already split at ``/``).
    """

    def __init__(self, root, ignoreartists=(), ignorealbums=(), ignoresongs=()):
        self.root = os.path.abspath(root)
        self.realroot = os.path.realpath(self.root)
        self.ignoreartists = frozenset(ignoreartists)
        self.ignorealbums = frozenset(ignorealbums)
        self.ignoresongs = frozenset(ignoresongs)

    @classmethod
    def from_config(cls, cfg):
        music = cfg.music
        return cls(cfg.directories.music, music.ignoreartists, music.ignorealbums,
                   music.ignoresongs)

    # -- paths -------------------------------------------------------------------

    def relative(self, path):
        """The root-relative ``/`` path of ``path`` (absolute, or relative to the root).

        The path need not exist (``database remove`` of a deleted album), but
        it and its resolved target must lie inside the root.  The root itself
        is ``""``.

        Raises:
            PathError: the path leaves the root, directly, by ``..`` or by a
                symlink, or its name is not valid UTF-8.
        """
        if not is_utf8(os.fspath(path)):
            raise PathError(f"{printable(os.fspath(path))}: the name is not valid UTF-8; "
                            "rename it")
        absolute = os.path.abspath(os.path.join(self.root, os.fspath(path)))
        base = self.root if _inside(absolute, self.root) else self.realroot
        if not _inside(absolute, base):
            raise PathError(f"{path}: not inside the music directory {self.root}")
        if not _inside(os.path.realpath(absolute), self.realroot):
            raise PathError(f"{path}: leads out of the music directory {self.root} "
                            "through a symbolic link")
        relpath = os.path.relpath(absolute, base)
        return "" if relpath == "." else relpath.replace(os.sep, "/")

    def absolute(self, relpath):
        """The absolute path of a root-relative path (not checked; see :meth:`relative`)."""
        return os.path.join(self.root, *relpath.split("/")) if relpath else self.root

    def kind(self, relpath):
        """What an existing root-relative path is: artist, album, song, video or None.

        A hidden name (``.x.mp3``, an upload's half-copy) is none of them, as in the walk.
        """
        if any(part.startswith(".") for part in relpath.split("/") if part):
            return None
        path = self.absolute(relpath)
        depth = len(relpath.split("/")) if relpath else 0
        if depth == 1 and os.path.isdir(path):
            return KIND_ARTIST
        if depth == 2 and os.path.isdir(path):
            return KIND_ALBUM
        if depth == 2 and os.path.isfile(path) and extension(path) in VIDEO_EXTENSIONS:
            return KIND_VIDEO
        if depth == 3 and os.path.isfile(path) and extension(path) in SONG_EXTENSIONS:
            return KIND_SONG
        return None

    # -- listing -----------------------------------------------------------------

    def _entries(self, reldir, ignore):
        """Names in a directory minus ignored, hidden and escaping entries, sorted."""
        directory = self.absolute(reldir)
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as error:
            log.warning("Cannot list %s: %s", directory, error)
            return []
        return [entry for entry in entries
                if entry.name not in ignore and not entry.name.startswith(".")
                and self._stays_inside(entry)]

    def _stays_inside(self, entry):
        if not entry.is_symlink():
            return True
        if _inside(os.path.realpath(entry.path), self.realroot):
            return True
        log.warning("Skipping %s: the symbolic link leads out of the music directory",
                    entry.path)
        return False

    def artists(self):
        """Artist directory names (= their relative paths)."""
        return [e.name for e in self._entries("", self.ignoreartists) if e.is_dir()]

    def albums(self, artist):
        """Relative paths of the album directories of one artist."""
        return [f"{artist}/{e.name}" for e in self._entries(artist, self.ignorealbums)
                if e.is_dir()]

    def songs(self, album):
        """Relative paths of the song files of one album, in CD/track order."""
        found = [f"{album}/{e.name}" for e in self._entries(album, self.ignoresongs)
                 if e.is_file() and extension(e.name) in SONG_EXTENSIONS]
        return sorted(found, key=song_order)

    def nested_songs(self, album):
        """Song files one directory below an album directory (``CD1/01 Song.mp3``)."""
        return [song for entry in self._entries(album, self.ignorealbums) if entry.is_dir()
                for song in self.songs(f"{album}/{entry.name}")]

    def videos(self, artist):
        """Relative paths of the music videos directly in an artist directory."""
        return [f"{artist}/{e.name}" for e in self._entries(artist, self.ignoresongs)
                if e.is_file() and extension(e.name) in VIDEO_EXTENSIONS]

    def album_dirs(self, relpath=""):
        """The albums below ``relpath`` (root, artist, album, one song file; a video has none).

        Albums without song files (directly or one level below) are left out.
        A song path yields its album with just that song.

        Raises:
            PathError: ``relpath`` is neither the root nor an artist, album or song.
        """
        kind = self.kind(relpath) if relpath else "root"
        if kind == "root":
            albums = [album for artist in self.artists() for album in self.albums(artist)]
        elif kind == KIND_ARTIST:
            albums = self.albums(relpath)
        elif kind == KIND_ALBUM:
            albums = [relpath]
        elif kind == KIND_SONG:
            album = relpath.rsplit("/", 1)[0]
            return [AlbumDir(album, relpath.split("/")[0], (relpath,))]
        elif kind == KIND_VIDEO:
            return []
        else:
            raise PathError(f"{relpath}: neither an artist, an album nor a song "
                            "of the music directory")
        found = (AlbumDir(album, album.split("/")[0], tuple(self.songs(album)),
                          tuple(self.nested_songs(album))) for album in albums)
        return [album for album in found if album.songs or album.nested]
