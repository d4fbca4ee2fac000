"""Read metadata (tags, playtime, bitrate, artwork) from one music file.

This module and :mod:`musicdb.lib.media.tagwriter` are the only ones that talk
to mutagen.  Every way a file can fail (missing, unreadable, unsupported
extension, broken content) surfaces as :class:`TagError`, a
:class:`~musicdb.lib.media.errors.MediaError`, so callers catch one exception
family (house style: wrap library errors at the boundary).

MusicDB's rule is "the file system is always right": names, release year,
song and CD number stored in the database come from the path, not from tags.
Tags are only shown as annotations (album import, uploads).  :func:`path_meta`
parses the path conventions for callers that need them without touching the
disk.

Values follow MusicDB 8.2 (see spec api-editing.md §1.2), including a few of
its quirks that are visible to clients:

* the format is chosen by file extension, not by content;
* FLAC never reports a CD number (always 0);
* an MP3 without a date frame reports release 0, other formats ``None``;
* ID3 title/album/artist strings are "repaired" (Latin-1 -> UTF-8 mojibake);
* playtime is ffprobe's container duration, rounded, falling back to
  mutagen's length.

Extensions beyond MusicDB 8 (which only imports ``mp3``, ``m4a``, ``aac`` and
``flac`` songs): ``ogg`` (Vorbis) and ``opus`` are read as well, and ADTS
``aac`` files (not only AAC in an MP4 container) are accepted.  A malformed
release year yields 0 instead of the raw text (the spec's recommendation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import mutagen
from mutagen.aac import AAC
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from musicdb.lib.media.errors import MediaError

__all__ = [
    "MUSICDB_SONG_EXTENSIONS",
    "SUPPORTED_EXTENSIONS",
    "SongMeta",
    "TagError",
    "extract_artwork",
    "file_checksum",
    "path_meta",
    "read_metadata",
]

FFPROBE_TIMEOUT = 30  # seconds; a hung ffprobe must not block an import forever
FRONT_COVER = 3  # ID3 / FLAC picture type "Cover (front)"


class TagError(MediaError):
    """A music file cannot be read or tagged: missing, unsupported or broken.

    ``path`` and ``reason`` are kept as attributes so a caller can log or
    report them separately; the message names both.
    """

    def __init__(self, path: str | os.PathLike, reason: str, action: str = "read metadata of"):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot {action} {self.path!r}: {reason}")


@dataclass(frozen=True)
class SongMeta:
    """Metadata of one music file, as MusicDB 8 derives it.

    ``track``/``cd`` are 0 and text fields ``None`` when the tag is missing.
    ``release`` is ``None`` when missing (0 for MP3, see module docstring).
    """

    title: str | None
    artist: str | None
    album: str | None
    track: int
    cd: int
    release: int | None
    genre: str | None
    playtime: int
    bitrate: int
    has_artwork: bool
    format: str
    origin: str = "internet"
    lyrics: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a plain copy (getters hand out copies, never shared state)."""
        return asdict(self)

    def musicdb_metadata(self) -> dict[str, Any]:
        """Return MusicDB 8's "all metadata" dict (import/upload annotations)."""
        return {
            "song": self.title, "album": self.album, "artist": self.artist,
            "releaseyear": self.release, "origin": self.origin,
            "playtime": self.playtime, "cdnumber": self.cd,
            "songnumber": self.track, "bitrate": self.bitrate,
            "lyrics": self.lyrics,
        }


# --------------------------------------------------------------------------
# Format table: extension -> candidate (format, opener) pairs, tried in order.
# An opener of None means "no tag reader" (only ffprobe values, like MusicDB).

_Opener = Callable[[str], Any]
_FORMATS: dict[str, tuple[tuple[str, _Opener | None], ...]] = {
    "mp3": (("mp3", MP3),),
    "m4a": (("m4a", MP4),),
    "aac": (("m4a", MP4), ("aac", AAC)),
    "flac": (("flac", FLAC),),
    "ogg": (("ogg", OggVorbis), ("opus", OggOpus)),
    "opus": (("opus", OggOpus),),
    "m4v": (("m4v", MP4),),
    "mp4": (("m4v", MP4),),
    "webm": (("webm", None),),
}

#: Every extension :func:`read_metadata` accepts (compared lower-cased).
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(_FORMATS)
#: Song extensions MusicDB 8 imports (scanner compares them lower-cased).
MUSICDB_SONG_EXTENSIONS: tuple[str, ...] = ("mp3", "m4a", "aac", "flac")
_VIDEO_FORMATS = ("m4v", "webm")


def _extension(path: str) -> str:
    return os.path.splitext(path)[1][1:].lower()


def _open(path: str) -> tuple[str, Any]:
    """Open ``path`` with the reader its extension selects.

    Returns ``(format, mutagen object or None)``.

    Raises:
        TagError: missing file, unsupported extension, or no reader accepts
            the content.
    """
    if not os.path.isfile(path):
        raise TagError(path, "file does not exist")
    candidates = _FORMATS.get(_extension(path))
    if candidates is None:
        raise TagError(path, f"unsupported file extension {_extension(path)!r}")
    reason = "unknown error"
    for fmt, opener in candidates:
        if opener is None:
            return fmt, None
        try:
            return fmt, opener(path)
        except Exception as error:  # noqa: BLE001 - parser fed untrusted bytes
            # mutagen mostly raises MutagenError, but crafted or truncated
            # files also surface struct/Index/Unicode errors: all mean broken.
            reason = f"not a valid {fmt} file ({type(error).__name__}: {error})"
    raise TagError(path, reason)


# --------------------------------------------------------------------------
# Small parsers shared by all tag families.

def _first(values: Any) -> Any:
    """First element of a tag value list, or None for a missing/empty one."""
    if not values:
        return None
    return values[0]


_MAX_NUMBER = 2**31 - 1  # larger values cannot be stored by SQLite's driver (OverflowError)


def _leading_int(text: Any, separator: str) -> int:
    """``"3/12"`` -> 3; 0 for missing, malformed, negative or absurdly large values."""
    if text is None:
        return 0
    try:
        number = int(str(text).split(separator)[0])
    except ValueError:
        return 0
    return number if 0 <= number <= _MAX_NUMBER else 0


def _year(text: Any) -> int | None:
    """``"2005-03-01"`` -> 2005; None if missing, 0 if malformed."""
    if text is None:
        return None
    return _leading_int(text, "-")


def _repair_id3(text: str | None) -> str | None:
    """Undo UTF-8 text that was stored as Latin-1 (MusicDB 8 does the same)."""
    if text is None:
        return None
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


# --------------------------------------------------------------------------
# ID3 (mp3)

def _id3_text(tags: Any, key: str) -> str | None:
    frame = tags.get(key) if tags is not None else None
    if frame is None or not frame.text:
        return None
    return str(frame.text[0])


def _id3_fields(audio: MP3, fmt: str) -> dict[str, Any]:
    tags = audio.tags
    date = _id3_text(tags, "TDRC")
    genre = tags.get("TCON") if tags is not None else None
    return {
        "title": _repair_id3(_id3_text(tags, "TIT2")),
        "artist": _repair_id3(_id3_text(tags, "TPE1")),
        "album": _repair_id3(_id3_text(tags, "TALB")),
        "track": _leading_int(_id3_text(tags, "TRCK"), "/"),
        "cd": _leading_int(_id3_text(tags, "TPOS"), "/"),
        "release": 0 if date is None else _year(date),
        "genre": _first(genre.genres) if genre is not None else None,
        "origin": _id3_origin(tags),
        "lyrics": _id3_lyrics(tags),
    }


def _id3_lyrics(tags: Any) -> str | None:
    frames = tags.getall("USLT") if tags is not None else []
    if frames and isinstance(frames[0].text, str) and frames[0].text:
        return frames[0].text
    return None


def _id3_origin(tags: Any) -> str:
    """Where an MP3 was bought, from shop-specific frames (MusicDB 8 rules)."""
    if tags is None:
        return "internet"
    if _id3_text(tags, "TPUB") == "网易云音乐":
        return "music163"
    comment = _id3_text(tags, "COMM::eng") or ""
    for needle, origin in (("163 key", "music163"), ("bandcamp", "bandcamp"),
                           ("Amazon", "Amazon")):
        if needle in comment:
            return origin
    privs = tags.getall("PRIV")
    if privs and privs[0].owner.split("/")[0] == "Google":
        return "Google"
    return "internet"


def _id3_artwork(audio: MP3) -> bytes | None:
    frames = audio.tags.getall("APIC") if audio.tags is not None else []
    return _pick_cover(frames)


def _pick_cover(pictures: list[Any]) -> bytes | None:
    """Data of the front cover, else of the first picture, else None."""
    for picture in pictures:
        if picture.type == FRONT_COVER:
            return bytes(picture.data)
    return bytes(pictures[0].data) if pictures else None


# --------------------------------------------------------------------------
# MP4 (m4a, aac in MP4, m4v/mp4 video)

_ITUNES_ATOMS = ("----:com.apple.iTunes:iTunNORM",
                 "----:com.apple.iTunes:iTunSMPB", "apID")


def _mp4_text(tags: Any, *keys: str) -> str | None:
    for key in keys:
        value = _first(tags.get(key)) if tags is not None else None
        if value is not None:
            return str(value)
    return None


def _mp4_pair_first(tags: Any, key: str) -> int:
    pair = _first(tags.get(key)) if tags is not None else None
    return int(pair[0]) if pair else 0


def _mp4_fields(audio: MP4, fmt: str) -> dict[str, Any]:
    tags = audio.tags
    is_audio = fmt not in _VIDEO_FORMATS  # MusicDB 8 reads numbers for audio only
    return {
        "title": _mp4_text(tags, "©nam", "sonm"),
        "artist": _mp4_text(tags, "©ART", "aART", "soar"),
        "album": _mp4_text(tags, "©alb", "soal"),
        "track": _mp4_pair_first(tags, "trkn") if is_audio else 0,
        "cd": _mp4_pair_first(tags, "disk") if is_audio else 0,
        "release": _year(_mp4_text(tags, "©day")),
        "genre": _mp4_text(tags, "©gen"),
        "origin": _mp4_origin(tags),
        "lyrics": None,
    }


def _mp4_origin(tags: Any) -> str:
    if tags is None:
        return "internet"
    if any(atom in tags for atom in _ITUNES_ATOMS):
        return "iTunes"
    return "bandcamp" if "©cmt" in tags else "internet"


def _mp4_artwork(audio: MP4) -> bytes | None:
    covers = audio.tags.get("covr") if audio.tags is not None else None
    return bytes(covers[0]) if covers else None


# --------------------------------------------------------------------------
# Vorbis comments (flac, ogg vorbis, opus)

def _vorbis_text(tags: Any, key: str) -> str | None:
    return _first(tags.get(key)) if tags is not None else None


def _vorbis_fields(audio: Any, fmt: str) -> dict[str, Any]:
    tags = audio.tags
    cd = 0 if fmt == "flac" else _leading_int(_vorbis_text(tags, "DISCNUMBER"), "/")
    return {
        "title": _vorbis_text(tags, "TITLE"),
        "artist": _vorbis_text(tags, "ARTIST"),
        "album": _vorbis_text(tags, "ALBUM"),
        "track": _leading_int(_vorbis_text(tags, "TRACKNUMBER"), "/"),
        "cd": cd,  # MusicDB 8 never reads a CD number from FLAC
        "release": _year(_vorbis_text(tags, "DATE")),
        "genre": _vorbis_text(tags, "GENRE"),
        "origin": _vorbis_origin(tags, fmt),
        "lyrics": None,
    }


def _vorbis_origin(tags: Any, fmt: str) -> str:
    if fmt != "flac":
        return "internet"
    comments = tags.get("COMMENT", []) if tags is not None else []
    return "bandcamp" if any("bandcamp" in c for c in comments) else "CD"


def _flac_artwork(audio: FLAC) -> bytes | None:
    return _pick_cover(audio.pictures)


def _ogg_artwork(audio: Any) -> bytes | None:
    """Decode METADATA_BLOCK_PICTURE comments; broken ones are skipped."""
    pictures = []
    for encoded in (audio.tags or {}).get("METADATA_BLOCK_PICTURE", []):
        try:
            pictures.append(Picture(base64.b64decode(encoded)))
        except (binascii.Error, mutagen.MutagenError, ValueError):
            continue
    return _pick_cover(pictures)


# --------------------------------------------------------------------------
# Files without a tag reader (ADTS aac, webm)

def _no_fields(audio: Any, fmt: str) -> dict[str, Any]:
    return {"title": None, "artist": None, "album": None, "track": 0, "cd": 0,
            "release": None, "genre": None, "origin": "internet", "lyrics": None}


def _no_artwork(audio: Any) -> None:
    return None


_FIELDS = {"mp3": _id3_fields, "m4a": _mp4_fields, "m4v": _mp4_fields,
           "flac": _vorbis_fields, "ogg": _vorbis_fields, "opus": _vorbis_fields,
           "aac": _no_fields, "webm": _no_fields}
_ARTWORK = {"mp3": _id3_artwork, "m4a": _mp4_artwork, "m4v": _mp4_artwork,
            "flac": _flac_artwork, "ogg": _ogg_artwork, "opus": _ogg_artwork,
            "aac": _no_artwork, "webm": _no_artwork}


# --------------------------------------------------------------------------
# Stream values

def _probe_duration(path: str) -> float | None:
    """Container duration in seconds as ffprobe reports it, or None.

    None covers every failure (ffprobe missing, non-zero exit, timeout,
    "N/A"), because the caller falls back to mutagen's length.
    """
    command = ["ffprobe", "-v", "error", "-show_entries", "format=duration",
               "-of", "default=noprint_wrappers=1:nokey=1", path]
    try:
        result = subprocess.run(command, capture_output=True, check=True,
                                timeout=FFPROBE_TIMEOUT)
        return float(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _playtime(probed: float | None, audio: Any) -> int:
    """Rounded ffprobe duration, else rounded mutagen length, else 0."""
    if probed:
        seconds = round(probed)
        if seconds:
            return int(seconds)
    length = getattr(getattr(audio, "info", None), "length", 0) or 0
    return int(round(length))


def _bitrate(audio: Any, fmt: str) -> int:
    """Stream bitrate in bit/s; 0 for videos and unknown (as MusicDB 8)."""
    if audio is None or fmt in _VIDEO_FORMATS:
        return 0
    return int(getattr(audio.info, "bitrate", 0) or 0)


# --------------------------------------------------------------------------
# Public API

def read_metadata(path: str | os.PathLike, *, probe: bool = True) -> SongMeta:
    """Read tags, playtime, bitrate and artwork presence of one music file.

    ``probe=False`` skips ffprobe (one process per file) and takes the
    playtime from mutagen only, which is much faster for bulk scans.

    Raises:
        TagError: the file is missing, its extension is unsupported, or its
            content is not a readable file of that type.
    """
    path = os.fspath(path)
    fmt, audio = _open(path)
    probed = _probe_duration(path) if probe else None
    if audio is None and probe and probed is None:
        raise TagError(path, f"ffprobe cannot read this {fmt} file")
    fields = _FIELDS[fmt](audio, fmt)
    has_artwork = audio is not None and _ARTWORK[fmt](audio) is not None
    return SongMeta(playtime=_playtime(probed, audio),
                    bitrate=_bitrate(audio, fmt),
                    has_artwork=has_artwork, format=fmt, **fields)


def extract_artwork(path: str | os.PathLike) -> bytes | None:
    """Return the embedded front cover (else first picture) bytes, or None.

    Raises:
        TagError: as :func:`read_metadata`.
    """
    path = os.fspath(path)
    fmt, audio = _open(path)
    if audio is None:
        return None
    return _ARTWORK[fmt](audio)


def file_checksum(path: str | os.PathLike) -> str:
    """SHA-256 of the complete file, lowercase hex (``songs.checksum``).

    MusicDB 8 hashes the whole file, tags included, so retagging changes it.

    Raises:
        TagError: the file cannot be opened or read (``reason`` is the OS's
            message, e.g. "No such file or directory").
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise TagError(path, error.strerror or str(error), "compute the checksum of") from error
    return digest.hexdigest()


def path_meta(relpath: str | os.PathLike) -> dict[str, Any]:
    """Parse ``Artist/YYYY - Album/[C-]NN Title.ext`` without touching the disk.

    Used as fallback when tags are missing.  The last three path components
    are taken as artist, album directory and file name; each part that does
    not follow the convention (or is absent) yields ``None`` for its keys.
    A file name without a number prefix keeps its whole stem as title.

    Returns a dict with keys ``artist``, ``album``, ``release``, ``track``,
    ``cd`` (1 when the name has no ``C-`` prefix), ``title``, ``extension``.
    """
    parts = [p for p in Path(relpath).as_posix().split("/") if p]
    filename = parts[-1] if parts else ""
    albumdir = parts[-2] if len(parts) >= 2 else ""
    artist = parts[-3] if len(parts) >= 3 else None
    return {"artist": artist or None, **_album_dir_meta(albumdir),
            **_song_file_meta(filename)}


def _album_dir_meta(name: str) -> dict[str, Any]:
    """``"2005 - Roads"`` -> release 2005, album "Roads" (else both None)."""
    try:
        release = int(name[0:4])
    except ValueError:
        return {"album": None, "release": None}
    if name[4:7] != " - " or not name[7:]:
        return {"album": None, "release": None}
    return {"album": name[7:], "release": release}


def _song_file_meta(name: str) -> dict[str, Any]:
    """``"2-03 Title.mp3"`` -> cd 2, track 3, title "Title", extension "mp3"."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    number, _, title = stem.partition(" ")
    cd, track = _song_number(number)
    if track is None:
        return {"track": None, "cd": None, "title": stem or None,
                "extension": extension or None}
    return {"track": track, "cd": cd, "title": title or None,
            "extension": extension or None}


def _song_number(text: str) -> tuple[int | None, int | None]:
    """``"03"`` -> (1, 3); ``"2-03"`` -> (2, 3); anything else (None, None)."""
    cd_text, dash, track_text = text.partition("-")
    if not dash:
        cd_text, track_text = "1", text
    try:
        return int(cd_text), int(track_text)
    except ValueError:
        return None, None
