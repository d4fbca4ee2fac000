"""The deterministic demo library generator."""

import hashlib
import io
import re
import subprocess
from collections import defaultdict

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from PIL import Image

from musicdb.demo import library as demolib
from musicdb.demo.library import FORMATS, generate_library, make_broken_file
from musicdb.lib.media.tags import extract_artwork

ALBUM_DIR = re.compile(r"^\d{4} - .+$")
SONG_FILE = re.compile(r"^(?:(\d+)-)?(\d{2}) (.+)\.([a-z0-9]+)$")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A 20-song library in every format, generated once for this module."""
    root = tmp_path_factory.mktemp("demo")
    return root, generate_library(root, songs=20, seconds=2)


def _by_format(songs):
    first = {}
    for song in songs:
        first.setdefault(song["format"], song)
    return first


def test_generates_requested_number_of_files_matching_the_returned_list(library):
    """The returned dicts list exactly the files written below root."""
    root, songs = library
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert len(songs) == 20
    assert on_disk == {song["path"] for song in songs}


def test_every_requested_format_appears(library):
    """Even a 20-song library has at least one album per format."""
    _, songs = library
    assert {song["format"] for song in songs} == set(FORMATS)


def test_paths_follow_artist_album_song_layout(library):
    """Paths are Artist/YYYY - Album/[C-]NN Title.ext, consistent with the dict."""
    _, songs = library
    for song in songs:
        artist, albumdir, filename = song["path"].split("/")
        match = SONG_FILE.match(filename)
        assert artist == song["artist"]
        assert ALBUM_DIR.match(albumdir) and albumdir == f"{song['release']} - {song['album']}"
        assert match, filename
        assert match.group(3) == song["title"] and match.group(4) == song["format"]
        assert int(match.group(2)) == song["track"]


def test_multi_cd_albums_prefix_the_cd_number_and_single_cd_albums_do_not(library):
    """Both album kinds exist; only multi-CD files carry a C- prefix."""
    _, songs = library
    cds = defaultdict(set)
    for song in songs:
        cds[song["path"].rsplit("/", 1)[0]].add(song["cd"])
    multi = {album for album, numbers in cds.items() if len(numbers) > 1}
    assert multi and len(multi) < len(cds)
    for song in songs:
        filename = song["path"].rsplit("/", 1)[1]
        cd_prefix = SONG_FILE.match(filename).group(1)
        if song["path"].rsplit("/", 1)[0] in multi:
            assert cd_prefix is not None and int(cd_prefix) == song["cd"]
        else:
            assert cd_prefix is None and song["cd"] == 1


def test_track_numbers_count_from_one_on_every_cd(library):
    """Each CD of each album is numbered 1..n without gaps."""
    _, songs = library
    tracks = defaultdict(list)
    for song in songs:
        tracks[(song["path"].rsplit("/", 1)[0], song["cd"])].append(song["track"])
    for numbers in tracks.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_names_include_non_ascii_text_and_the_division_slash(library):
    """Umlauts and U+2215 appear in names; a real '/' never does."""
    _, songs = library
    names = [s[k] for s in songs for k in ("artist", "album", "title")]
    assert "Ärzte Tribute" in names
    assert any("\u2215" in name for name in names)
    assert not any("/" in name for name in names)


def test_library_has_several_artists_albums_and_genres(library):
    """The structure is varied enough to exercise grouping code."""
    _, songs = library
    assert len({s["artist"] for s in songs}) >= 2
    assert len({(s["artist"], s["album"]) for s in songs}) >= 5
    assert len({s["genre"] for s in songs}) >= 2


def _raw_tags(path, fmt):
    """Tags as plain strings, read straight with mutagen (not via our tag reader)."""
    if fmt == "mp3":
        tags = ID3(path)
        assert tags.version == (2, 4, 0)
        return {key: str(tags[key].text[0]) for key in
                ("TIT2", "TPE1", "TALB", "TRCK", "TPOS", "TDRC", "TCON")}
    if fmt == "m4a":
        tags = MP4(path).tags
        return {key: tags[key][0] for key in ("©nam", "©ART", "©alb", "trkn", "disk", "©day", "©gen")}
    opener = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[fmt]
    tags = opener(path).tags
    return {key: tags[key][0] for key in
            ("TITLE", "ARTIST", "ALBUM", "TRACKNUMBER", "DISCNUMBER", "DATE", "GENRE")}


def _expected_raw(song, tracks_on_cd, cds):
    text = [song["title"], song["artist"], song["album"]]
    if song["format"] == "m4a":
        return text + [(song["track"], tracks_on_cd), (song["cd"], cds)]
    return text + [f"{song['track']}/{tracks_on_cd}", f"{song['cd']}/{cds}"]


def test_every_file_carries_its_tags_in_the_native_tag_format(library):
    """ID3v2.4 / Vorbis comments / MP4 atoms hold title, artist, album,
    track "n/total", disc "c/total", date and genre."""
    root, songs = library
    per_cd, per_album = defaultdict(int), defaultdict(set)
    for song in songs:
        album = song["path"].rsplit("/", 1)[0]
        per_cd[(album, song["cd"])] += 1
        per_album[album].add(song["cd"])
    for song in songs:
        album = song["path"].rsplit("/", 1)[0]
        raw = list(_raw_tags(root / song["path"], song["format"]).values())
        assert raw[:5] == _expected_raw(song, per_cd[(album, song["cd"])], len(per_album[album]))
        assert raw[5].split("-")[0] == str(song["release"])
        assert raw[6] == song["genre"]


def test_mp3_files_are_constant_128k_44100_hz_stereo(library):
    """The MP3s are real CBR streams the audio streamer can cut into frames."""
    root, songs = library
    info = MP3(root / _by_format(songs)["mp3"]["path"]).info
    assert info.bitrate_mode == BitrateMode.CBR
    assert (info.sample_rate, info.channels, info.layer) == (44100, 2, 3)
    assert abs(info.bitrate - 128000) < 1000


def test_one_file_of_each_format_decodes_without_errors(library):
    """ffmpeg decodes the tagged files completely and reports nothing."""
    root, songs = library
    for song in _by_format(songs).values():
        result = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(root / song["path"]), "-f", "null", "-"],
            capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        assert result.returncode == 0 and result.stderr == b"", song["path"]


def test_every_file_has_a_different_checksum(library):
    """Per-song tags make every file's SHA-256 unique."""
    root, songs = library
    digests = {hashlib.sha256((root / s["path"]).read_bytes()).hexdigest() for s in songs}
    assert len(digests) == len(songs)


def test_some_albums_embed_a_jpeg_cover_and_others_none(library):
    """artwork=True covers most albums with a decodable JPEG, not all."""
    root, songs = library
    flags = {s["artwork"] for s in songs}
    assert flags == {True, False}
    for song in songs:
        data = extract_artwork(root / song["path"])
        if song["artwork"]:
            assert Image.open(io.BytesIO(data)).format == "JPEG"
        else:
            assert data is None


def test_albums_get_different_covers(library):
    """Covers are generated per album, so two albums do not share one."""
    root, songs = library
    covers = {}
    for song in songs:
        if song["artwork"]:
            album = song["path"].rsplit("/", 1)[0]
            covers[album] = extract_artwork(root / song["path"])
    assert len(covers) >= 2
    assert len(set(covers.values())) == len(covers)


def test_artwork_false_embeds_no_pictures(tmp_path):
    """With artwork disabled no file carries a picture."""
    songs = generate_library(tmp_path, songs=6, formats=("mp3", "flac"), artwork=False)
    assert not any(s["artwork"] for s in songs)
    assert all(extract_artwork(tmp_path / s["path"]) is None for s in songs)


def test_same_seed_writes_byte_identical_libraries(tmp_path):
    """Two runs with the same seed produce the same names and bytes."""
    first = generate_library(tmp_path / "a", songs=12, seconds=1, seed=7)
    second = generate_library(tmp_path / "b", songs=12, seconds=1, seed=7)
    assert first == second
    for song in first:
        assert (tmp_path / "a" / song["path"]).read_bytes() == \
            (tmp_path / "b" / song["path"]).read_bytes()


def test_different_seeds_give_different_libraries(tmp_path):
    """The seed changes names, so tests can build distinct libraries."""
    first = generate_library(tmp_path / "a", songs=6, formats=("mp3",), seed=1)
    second = generate_library(tmp_path / "b", songs=6, formats=("mp3",), seed=2)
    assert [s["path"] for s in first] != [s["path"] for s in second]


def test_zero_songs_creates_only_the_root(tmp_path):
    """An empty library is valid: root exists, nothing inside."""
    assert generate_library(tmp_path / "empty", songs=0) == []
    assert list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("kwargs", [{"formats": ("wav",)}, {"formats": ()},
                                    {"songs": -1}, {"seconds": 0}])
def test_invalid_arguments_raise_value_error(tmp_path, kwargs):
    """Arguments that cannot describe a library are rejected up front."""
    with pytest.raises(ValueError):
        generate_library(tmp_path, **kwargs)


def test_missing_ffmpeg_raises_runtime_error_naming_ffmpeg(tmp_path, monkeypatch):
    """Without ffmpeg the error says what to install instead of a traceback
    from deep inside subprocess."""
    monkeypatch.setattr(demolib.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        generate_library(tmp_path, songs=3)


def test_make_broken_file_writes_garbage_under_an_audio_name(tmp_path):
    """The broken file exists, keeps its extension and has no frame sync."""
    path = make_broken_file(tmp_path / "Artist" / "2000 - Album" / "01 Broken.mp3")
    data = path.read_bytes()
    assert path.suffix == ".mp3" and len(data) > 1000
    assert b"\xff" not in data
