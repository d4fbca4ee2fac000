"""Write tags and an embedded front cover into one music file.

The writing half of :mod:`musicdb.lib.media.tags`: what this module writes,
that one reads back.  Each format has its own tag family (ID3v2.4 for MP3,
Vorbis comments for FLAC, Ogg Vorbis and Opus, MP4 atoms for M4A); the table
:data:`_WRITERS` picks the writer by format, so adding one is one entry.

Existing tags are replaced, not merged: the file ends up with exactly the
given tags.  Ogg files carry their cover as a ``METADATA_BLOCK_PICTURE``
comment (a base64 FLAC picture block), as Vorbis players expect.

Every failure (unknown format, data that is no file of that format, a file
that cannot be written) is a :class:`~musicdb.lib.media.tags.TagError`.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from typing import Any, Callable

from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, TALB, TCON, TDRC, TIT2, TPE1, TPOS, TRCK
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from musicdb.lib.media.tags import FRONT_COVER, TagError

__all__ = ["WRITABLE_FORMATS", "Tags", "picture_block", "tagged_bytes", "write_tags"]


@dataclass(frozen=True)
class Tags:
    """Everything written into one file's tags.

    ``tracks``/``cds`` are the totals written after a slash (``3/12``);
    ``artwork`` is JPEG data for the front cover, or None for no picture.
    """

    title: str
    artist: str
    album: str
    date: str
    genre: str
    track: int
    tracks: int
    cd: int = 1
    cds: int = 1
    artwork: bytes | None = None


def picture_block(data: bytes, mime: str = "image/jpeg") -> Picture:
    """A FLAC picture block holding ``data`` as the front cover."""
    picture = Picture()
    picture.type, picture.mime, picture.desc = FRONT_COVER, mime, "Cover"
    picture.data = data
    return picture


def _tag_mp3(stream: io.BytesIO, tags: Tags) -> None:
    audio = MP3(stream)
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    for frame in (TIT2(encoding=3, text=tags.title), TPE1(encoding=3, text=tags.artist),
                  TALB(encoding=3, text=tags.album), TCON(encoding=3, text=tags.genre),
                  TRCK(encoding=3, text=f"{tags.track}/{tags.tracks}"),
                  TPOS(encoding=3, text=f"{tags.cd}/{tags.cds}"),
                  TDRC(encoding=3, text=tags.date)):
        audio.tags.add(frame)
    if tags.artwork:
        audio.tags.add(APIC(encoding=3, mime="image/jpeg", type=FRONT_COVER,
                            desc="Cover", data=tags.artwork))
    stream.seek(0)
    audio.save(stream, v2_version=4)


def _vorbis_comments(tags: Tags) -> dict[str, str]:
    return {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUM": tags.album,
            "TRACKNUMBER": f"{tags.track}/{tags.tracks}",
            "DISCNUMBER": f"{tags.cd}/{tags.cds}", "DATE": tags.date,
            "GENRE": tags.genre}


def _tag_flac(stream: io.BytesIO, tags: Tags) -> None:
    audio = FLAC(stream)
    audio.clear()
    audio.clear_pictures()
    audio.update(_vorbis_comments(tags))
    if tags.artwork:
        audio.add_picture(picture_block(tags.artwork))
    stream.seek(0)
    audio.save(stream)


def _tag_ogg(opener: Callable[[io.BytesIO], Any]) -> Callable[[io.BytesIO, Tags], None]:
    """Writer for an Ogg format; the cover goes into METADATA_BLOCK_PICTURE."""
    def tag(stream: io.BytesIO, tags: Tags) -> None:
        audio = opener(stream)
        audio.clear()
        audio.update(_vorbis_comments(tags))
        if tags.artwork:
            block = picture_block(tags.artwork).write()
            audio["METADATA_BLOCK_PICTURE"] = [base64.b64encode(block).decode("ascii")]
        stream.seek(0)
        audio.save(stream)
    return tag


def _tag_m4a(stream: io.BytesIO, tags: Tags) -> None:
    audio = MP4(stream)
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    audio.tags.update({"©nam": [tags.title], "©ART": [tags.artist],
                       "©alb": [tags.album], "©day": [tags.date],
                       "©gen": [tags.genre], "trkn": [(tags.track, tags.tracks)],
                       "disk": [(tags.cd, tags.cds)]})
    if tags.artwork:
        audio.tags["covr"] = [MP4Cover(tags.artwork, imageformat=MP4Cover.FORMAT_JPEG)]
    stream.seek(0)
    audio.save(stream)


_WRITERS: dict[str, Callable[[io.BytesIO, Tags], None]] = {
    "mp3": _tag_mp3, "flac": _tag_flac, "ogg": _tag_ogg(OggVorbis),
    "opus": _tag_ogg(OggOpus), "m4a": _tag_m4a,
}
#: Formats (file extensions) :func:`tagged_bytes` and :func:`write_tags` can tag.
WRITABLE_FORMATS: tuple[str, ...] = tuple(_WRITERS)


def tagged_bytes(data: bytes, fmt: str, tags: Tags, name: str = "<memory>") -> bytes:
    """Return ``data`` (a whole file of format ``fmt``) with ``tags`` written into it.

    Works in memory, so a caller that writes many tagged copies of one clip
    reads it once.  ``name`` only labels errors.

    Raises:
        TagError: ``fmt`` is not writable or ``data`` is no valid file of it.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise TagError(name, f"cannot write tags to {fmt!r} files", "tag")
    stream = io.BytesIO(data)
    try:
        writer(stream, tags)
    except Exception as error:  # noqa: BLE001 - mutagen fed untrusted bytes
        # MutagenError mostly; broken files also raise struct/Index/Value errors.
        raise TagError(name, f"not a valid {fmt} file ({type(error).__name__}: {error})",
                       "tag") from error
    return stream.getvalue()


def write_tags(path: str | os.PathLike, tags: Tags) -> None:
    """Replace the tags of the file at ``path`` (format from its extension).

    The file is read, tagged in memory and written back in one piece.

    Raises:
        TagError: the file cannot be read or written, its extension is not
            writable, or its content is no valid file of that format.
    """
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1][1:].lower()
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        data = tagged_bytes(data, fmt, tags, path)
        with open(path, "wb") as stream:
            stream.write(data)
    except OSError as error:
        raise TagError(path, error.strerror or str(error), "tag") from error

