"""Deterministic demo music library for tests, benchmarks and the quick start.

The library follows MusicDB's layout (spec foundations.md §4)::

    Artist/YYYY - Album/NN Title.ext        single-CD album
    Artist/YYYY - Album/C-NN Title.ext      album with several CDs

Names include non-ASCII text and the division slash U+2215 that stands for
``/`` in MusicDB names.

Why it is fast: ffmpeg encodes only a few short sine-tone clips per format,
once per call, into a temporary directory.  Every song is then a copy of one
of those clips, tagged in memory with mutagen (ID3v2.4, Vorbis comments or
MP4 atoms) and written once.  Tags differ per song, so every file (and its
SHA-256 checksum) differs.  Some albums get a small generated JPEG front
cover (Pillow) embedded; the others have none.

Everything is derived from ``seed`` with a private ``random.Random``, and
ffmpeg runs with ``+bitexact``, so two runs with the same arguments produce
byte-identical files (given the same ffmpeg and mutagen versions).

Tags are written by :mod:`musicdb.lib.media.tagwriter`; this module only plans
and encodes.  Command line: ``musicdb demo DEST --songs 1000`` (see
:mod:`musicdb.mod.demo`).
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from PIL import Image, ImageDraw
from tqdm import tqdm

from musicdb.lib.media.tagwriter import Tags, tagged_bytes

__all__ = ["FORMATS", "generate_library", "make_broken_file"]

FORMATS: tuple[str, ...] = ("mp3", "flac", "ogg", "opus", "m4a")
CLIP_FREQUENCIES = (220, 330, 440, 550)  # Hz; one base clip per tone and format
FFMPEG_TIMEOUT = 120  # seconds per base clip; encoding 3 s takes well under 1 s
MAX_TRACKS_PER_ALBUM = 14
ARTWORK_SIZE = 96  # pixels, square

# ffmpeg output options per format: small, valid, playable, no tags of its own.
_BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
_ENCODERS: dict[str, list[str]] = {
    "mp3": ["-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k",
            "-id3v2_version", "0", "-write_id3v1", "0"],
    "flac": ["-ar", "44100", "-c:a", "flac", "-sample_fmt", "s16"],
    "ogg": ["-ar", "44100", "-c:a", "libvorbis", "-q:a", "0"],
    "opus": ["-ar", "48000", "-c:a", "libopus", "-b:a", "32k"],
    "m4a": ["-ar", "44100", "-c:a", "aac", "-b:a", "64k"],
}

# Fixed first names guarantee non-ASCII text and a division slash even in tiny
# libraries; the rest is drawn from the word lists.
_ARTISTS = ["Ärzte Tribute", "Café ∕ Night", "Sine Wave Orchestra"]
_ALBUMS = ["Grüße aus Köln", "Night ∕ Day", "First Light"]
_ADJECTIVES = ["Blue", "Silent", "Electric", "Golden", "Broken", "Wild", "Über",
               "Lonely", "Crimson", "Frozen", "Señor", "Hidden", "Endless",
               "Smörgåsbord", "Distant", "Ωmega", "Velvet", "Northern"]
_NOUNS = ["Road", "River", "Heart", "Machine", "Garden", "Signal", "Fjörd",
          "Dream", "Mountain", "Niño", "Engine", "Mirror", "東京", "Station",
          "Ocean", "Harbour", "Forest", "Café"]
_GENRES = ["Rock", "Pop", "Jazz", "Metal", "Electronic", "Folk", "Hip-Hop",
           "Classical", "Punk", "Ambient"]


@dataclass(frozen=True)
class _Album:
    """One planned album; ``cds`` holds the number of tracks per CD."""

    index: int
    artist: str
    name: str
    release: int
    date: str
    genre: str
    fmt: str
    cds: tuple[int, ...]
    artwork: bytes | None

    @property
    def directory(self) -> str:
        return f"{self.artist}/{self.release} - {self.name}"


# --------------------------------------------------------------------------
# Planning (pure: names, structure, artwork) -------------------------------

def _unique(rng: random.Random, taken: set[str], fixed: list[str]) -> str:
    """Next fixed name, else a fresh "Adjective Noun" not in ``taken``."""
    for name in fixed:
        if name not in taken:
            taken.add(name)
            return name
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    while name in taken:
        name = f"{name} {len(taken)}"
    taken.add(name)
    return name


def _album_sizes(rng: random.Random, songs: int, formats: int) -> list[int]:
    """Split ``songs`` into album sizes; small libraries get small albums so
    that every format (one per album) still appears."""
    largest = max(1, min(MAX_TRACKS_PER_ALBUM, songs // formats))
    smallest = min(3, largest)
    sizes: list[int] = []
    while sum(sizes) < songs:
        sizes.append(min(songs - sum(sizes), rng.randint(smallest, largest)))
    return sizes


def _cd_split(index: int, tracks: int) -> tuple[int, ...]:
    """Every third album (from the second) has two CDs.

    The period 3 is coprime to the 5 formats, so multi-CD albums come in
    every format."""
    if index % 3 == 1 and tracks >= 2:
        first = math.ceil(tracks / 2)
        return (first, tracks - first)
    return (tracks,)


def _artist_names(rng: random.Random, albums: int) -> list[str]:
    """One artist name per album; each artist owns 1 to 3 albums in a row."""
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < albums:
        artist = _unique(rng, taken, _ARTISTS)
        names.extend([artist] * rng.randint(1, 3))
    return names[:albums]


def _plan_album(rng: random.Random, index: int, artist: str, tracks: int,
                formats: Sequence[str], with_artwork: bool,
                taken: set[str]) -> _Album:
    release = rng.randint(1965, 2023)
    name = _unique(rng, taken, _ALBUMS)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    # Some dates are full dates so the "year before the first -" rule matters.
    date = f"{release}-{month:02d}-{day:02d}" if index % 2 else str(release)
    has_art = with_artwork and index % 4 != 3
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    return _Album(index=index, artist=artist, name=name, release=release,
                  date=date, genre=rng.choice(_GENRES),
                  fmt=formats[index % len(formats)],
                  cds=_cd_split(index, tracks),
                  artwork=_make_artwork(index, colour) if has_art else None)


def _plan_albums(songs: int, formats: Sequence[str], seed: int,
                 artwork: bool) -> list[_Album]:
    rng = random.Random(seed)
    sizes = _album_sizes(rng, songs, len(formats))
    artists = _artist_names(rng, len(sizes))
    taken: set[str] = set()
    return [_plan_album(rng, i, artists[i], size, formats, artwork, taken)
            for i, size in enumerate(sizes)]


def _make_artwork(index: int, colour: tuple[int, int, int]) -> bytes:
    """A small JPEG: solid colour plus a bar and a disc placed per album."""
    image = Image.new("RGB", (ARTWORK_SIZE, ARTWORK_SIZE), colour)
    draw = ImageDraw.Draw(image)
    inverse = tuple(255 - c for c in colour)
    offset = (index * 17) % (ARTWORK_SIZE - 24)
    draw.rectangle((0, offset, ARTWORK_SIZE, offset + 12), fill=inverse)
    draw.ellipse((offset, 40, offset + 24, 64), outline=inverse, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _album_songs(rng: random.Random, album: _Album,
                 seconds: int) -> Iterator[dict[str, Any]]:
    """Song dicts of one album in CD/track order (the public return format)."""
    titles: set[str] = set()
    for cd, tracks in enumerate(album.cds, start=1):
        for track in range(1, tracks + 1):
            title = _unique(rng, titles, [])
            number = f"{cd}-{track:02d}" if len(album.cds) > 1 else f"{track:02d}"
            yield {
                "path": f"{album.directory}/{number} {title}.{album.fmt}",
                "format": album.fmt, "artist": album.artist,
                "album": album.name, "release": album.release,
                "title": title, "track": track, "cd": cd,
                "genre": album.genre, "seconds": seconds,
                "artwork": album.artwork is not None,
            }


# --------------------------------------------------------------------------
# Encoding the base clips ----------------------------------------------------

def _ffmpeg() -> str:
    """Path of ffmpeg.

    Raises:
        RuntimeError: ffmpeg is not installed (it encodes the base clips).
    """
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise RuntimeError("ffmpeg not found on PATH: the demo library needs "
                           "ffmpeg to encode its base audio clips "
                           "(install it, e.g. apt-get install ffmpeg)")
    return binary


def _encode_clip(ffmpeg: str, fmt: str, frequency: int, seconds: int,
                 directory: str) -> bytes:
    """Encode one sine-tone clip and return its bytes.

    Raises:
        RuntimeError: ffmpeg failed (message carries its stderr).
    """
    target = os.path.join(directory, f"clip-{frequency}.{fmt}")
    source = f"sine=frequency={frequency}:duration={seconds}:sample_rate=48000"
    command = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source,
               "-ac", "2", *_ENCODERS[fmt], *_BITEXACT, target]
    result = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"ffmpeg failed to encode a {fmt} clip: {stderr}")
    return Path(target).read_bytes()


def _encode_clips(formats: Sequence[str], seconds: int) -> dict[tuple[str, int], bytes]:
    """All base clips, keyed by (format, clip index); encoded in parallel."""
    ffmpeg = _ffmpeg()
    jobs = [(fmt, i) for fmt in formats for i in range(len(CLIP_FREQUENCIES))]
    with tempfile.TemporaryDirectory(prefix="musicdb-demo-") as cache:
        def encode(job: tuple[str, int]) -> bytes:
            fmt, i = job
            folder = os.path.join(cache, fmt)
            os.makedirs(folder, exist_ok=True)
            return _encode_clip(ffmpeg, fmt, CLIP_FREQUENCIES[i], seconds, folder)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            return dict(zip(jobs, pool.map(encode, jobs)))


# --------------------------------------------------------------------------
# Public API -----------------------------------------------------------------

def _check_arguments(songs: int, formats: Sequence[str], seconds: int) -> None:
    """Raises ValueError for arguments that cannot produce a library."""
    unknown = [fmt for fmt in formats if fmt not in _ENCODERS]
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, "
                         f"got {tuple(formats)!r}")
    if songs < 0:
        raise ValueError(f"songs must not be negative, got {songs}")
    if seconds < 1:
        raise ValueError(f"seconds must be at least 1, got {seconds}")


def _write_album(root: Path, album: _Album, songs: list[dict[str, Any]],
                 clips: dict[tuple[str, int], bytes]) -> None:
    (root / album.directory).mkdir(parents=True, exist_ok=True)
    for song in songs:
        tags = Tags(title=song["title"], artist=album.artist, album=album.name,
                     date=album.date, genre=album.genre, track=song["track"],
                     tracks=album.cds[song["cd"] - 1], cd=song["cd"],
                     cds=len(album.cds), artwork=album.artwork)
        clip = clips[(album.fmt, (album.index + song["track"]) % len(CLIP_FREQUENCIES))]
        (root / song["path"]).write_bytes(tagged_bytes(clip, album.fmt, tags, song["path"]))


def generate_library(root: str | os.PathLike, songs: int = 20,
                     formats: Sequence[str] = FORMATS, seed: int = 1,
                     seconds: int = 3, artwork: bool = True,
                     progress: bool = False) -> list[dict[str, Any]]:
    """Write a deterministic demo music library below ``root``.

    Each album uses one format (cycling through ``formats``), so every format
    appears as long as ``songs`` allows enough albums.  Every third album
    (from the second) has two CDs; with ``artwork`` every album except each
    fourth one gets an embedded front cover.  Existing files are overwritten.

    Returns one dict per file, in album/CD/track order, with the keys
    ``path`` (relative to ``root``, ``/``-separated), ``format``, ``artist``,
    ``album``, ``release``, ``title``, ``track``, ``cd``, ``genre``,
    ``seconds`` and ``artwork`` (bool).

    Raises:
        ValueError: unknown format, negative ``songs``, ``seconds`` < 1.
        RuntimeError: ffmpeg is missing or fails.
        OSError: files cannot be written.
        TagError: a clip cannot be tagged (an ffmpeg that writes broken files).
    """
    _check_arguments(songs, formats, seconds)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    albums = _plan_albums(songs, formats, seed, artwork)
    clips = _encode_clips(sorted({a.fmt for a in albums}), seconds) if albums else {}
    rng = random.Random(f"{seed}-titles")
    result: list[dict[str, Any]] = []
    # disable=None: tqdm stays quiet on a pipe or log file (no \r garbage there).
    with tqdm(total=songs, unit="song", disable=None if progress else True) as bar:
        for album in albums:
            album_songs = list(_album_songs(rng, album, seconds))
            _write_album(root, album, album_songs, clips)
            result.extend(album_songs)
            bar.update(len(album_songs))
    return result


def make_broken_file(path: str | os.PathLike) -> Path:
    """Write a file that has an audio extension but no audio inside.

    The content is plain ASCII without any 0xFF byte, so no MPEG/ADTS frame
    sync can be found by accident: every tag reader must reject it.
    Parent directories are created.

    Raises:
        OSError: the file cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"MusicDB demo library: this is a broken file, not audio.\n" * 64)
    return path
