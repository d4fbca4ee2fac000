"""The tag reader (musicdb.lib.media.tags): song metadata and embedded artwork."""

import base64
import hashlib
import shutil
import subprocess
from collections import defaultdict

import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, COMM, ID3, PRIV, TDRC, TIT2, TPE1, TPOS, TPUB, TRCK, USLT
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from musicdb.demo.library import generate_library, make_broken_file
from musicdb.lib.media import tags as metatags
from musicdb.lib.media.errors import MediaError
from musicdb.lib.media.tags import (MUSICDB_SONG_EXTENSIONS, SUPPORTED_EXTENSIONS,
                                    TagError, extract_artwork, file_checksum,
                                    path_meta, read_metadata)
from tests.support.media import encode_tone, needs_ffmpeg


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A 20-song demo library in every format, generated once."""
    root = tmp_path_factory.mktemp("metatags")
    return root, generate_library(root, songs=20, seconds=3)


@pytest.fixture
def sample(library, tmp_path):
    """Return a function giving a private copy of one generated file."""
    root, songs = library

    def copy(fmt, name=None, artwork=None):
        song = next(s for s in songs if s["format"] == fmt
                    and (artwork is None or s["artwork"] == artwork))
        target = tmp_path / (name or f"01 Sample.{fmt}")
        shutil.copyfile(root / song["path"], target)
        return target
    return copy


def _cds_per_album(songs):
    cds = defaultdict(set)
    for song in songs:
        cds[song["path"].rsplit("/", 1)[0]].add(song["cd"])
    return cds


# -- reading back what the demo library wrote-------------------------------------

def test_reads_back_every_tag_of_every_generated_file(library):
    """Title, artist, album, track, cd, release, genre, artwork and format
    round-trip through the tags for all five formats."""
    root, songs = library
    for song in songs:
        meta = read_metadata(root / song["path"], probe=False)
        assert (meta.title, meta.artist, meta.album) == \
            (song["title"], song["artist"], song["album"])
        assert (meta.track, meta.release, meta.genre) == \
            (song["track"], song["release"], song["genre"])
        assert meta.has_artwork == song["artwork"]
        assert meta.format == song["format"]


def test_cd_number_is_read_except_for_flac_like_musicdb8(library):
    """MusicDB 8 never reads a CD number from FLAC (always 0); all other
    formats report the disc tag, also on multi-CD albums."""
    root, songs = library
    cds = _cds_per_album(songs)
    assert any(len(numbers) > 1 and s["format"] != "flac"
               for s in songs for numbers in [cds[s["path"].rsplit("/", 1)[0]]])
    for song in songs:
        meta = read_metadata(root / song["path"], probe=False)
        assert meta.cd == (0 if song["format"] == "flac" else song["cd"])


def test_playtime_is_the_rounded_clip_length(library):
    """Playtime (via ffprobe) equals the generated length in whole seconds."""
    root, songs = library
    seen = {}
    for song in songs:
        seen.setdefault(song["format"], song)
    for song in seen.values():
        assert read_metadata(root / song["path"]).playtime == song["seconds"]


def test_playtime_falls_back_to_mutagen_when_ffprobe_is_missing(sample, monkeypatch):
    """Without ffprobe on PATH the mutagen length is used, not 0."""
    path = sample("m4a")
    monkeypatch.setenv("PATH", "")
    assert read_metadata(path).playtime == 3


@pytest.mark.parametrize("probed, expected", [(2.5, 2), (3.5, 4), (3.49, 3), (0.0, 3)])
def test_playtime_rounds_like_python_round_and_ignores_zero(sample, monkeypatch,
                                                            probed, expected):
    """ffprobe's duration is rounded with round(); a 0 result falls back to
    mutagen (which says 3 s for this clip)."""
    monkeypatch.setattr(metatags, "_probe_duration", lambda path: probed)
    assert read_metadata(sample("mp3")).playtime == expected


def test_bitrate_is_reported_in_bits_per_second(sample):
    """The 128k MP3 reports about 128000, not 128."""
    assert abs(read_metadata(sample("mp3")).bitrate - 128000) < 1000


# -- broken, missing and unsupported files -----------------------------------

@pytest.mark.parametrize("extension", SUPPORTED_EXTENSIONS)
def test_broken_file_raises_tag_error_naming_the_path(tmp_path, extension):
    """Garbage with an audio extension is a TagError that names the file."""
    path = make_broken_file(tmp_path / f"01 Broken.{extension}")
    with pytest.raises(TagError) as caught:
        read_metadata(path)
    assert str(path) in str(caught.value)
    assert caught.value.path == str(path)


def test_missing_file_raises_tag_error(tmp_path):
    """A path that does not exist is reported, not an OSError."""
    with pytest.raises(TagError, match="does not exist"):
        read_metadata(tmp_path / "nothing.mp3")


@pytest.mark.parametrize("name", ["01 Song.wav", "01 Song.txt", "01 Song"])
def test_unsupported_extension_raises_tag_error(sample, name):
    """Only the extensions in SUPPORTED_EXTENSIONS are read (format by name)."""
    path = sample("mp3", name=name)
    with pytest.raises(TagError, match="unsupported"):
        read_metadata(path)


def test_extract_artwork_raises_tag_error_for_broken_file(tmp_path):
    """Artwork extraction shares the error family of read_metadata."""
    with pytest.raises(TagError):
        extract_artwork(make_broken_file(tmp_path / "x.flac"))


def test_musicdb8_song_extensions_are_all_supported():
    """Every extension MusicDB 8 imports can be read here."""
    assert set(MUSICDB_SONG_EXTENSIONS) <= set(SUPPORTED_EXTENSIONS)


# -- format details -------------------------------------------------------

def test_upper_case_extension_is_read(sample):
    """".MP3" (accepted by MusicDB 8) reads like ".mp3"."""
    assert read_metadata(sample("mp3", name="01 Loud.MP3"), probe=False).format == "mp3"


def test_m4a_named_aac_is_read_as_mp4(sample):
    """MusicDB 8 reads .aac with the MP4 reader; tags survive."""
    meta = read_metadata(sample("m4a", name="01 Song.aac"), probe=False)
    assert meta.format == "m4a" and meta.title is not None


def test_raw_adts_aac_is_read_without_tags(tmp_path):
    """An ADTS .aac (no container, no tags) still yields playtime/bitrate."""
    path = tmp_path / "01 Tone.aac"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=2", "-c:a", "aac", "-b:a", "64k",
                    "-f", "adts", str(path)], check=True, stdin=subprocess.DEVNULL)
    meta = read_metadata(path)
    assert (meta.format, meta.title, meta.playtime) == ("aac", None, 2)
    assert meta.bitrate > 0


def test_id3v1_only_mp3_is_read(sample):
    """Old MP3s with only a 128-byte ID3v1 block still give their tags."""
    path = sample("mp3")
    ID3(path).delete(path)
    block = (b"TAG" + b"Old Song".ljust(30, b"\0") + b"Old Artist".ljust(30, b"\0")
             + b"Old Album".ljust(30, b"\0") + b"1987" + b"".ljust(28, b"\0")
             + b"\0" + bytes([4]) + bytes([17]))
    with open(path, "ab") as stream:
        stream.write(block)
    meta = read_metadata(path, probe=False)
    assert (meta.title, meta.artist, meta.album) == ("Old Song", "Old Artist", "Old Album")
    assert (meta.track, meta.release, meta.genre) == (4, 1987, "Rock")


def test_mp3_without_tags_reports_release_zero_and_empty_text(sample):
    """MusicDB 8 quirk: a missing TDRC frame means release 0 for MP3."""
    path = sample("mp3")
    ID3(path).delete(path)
    meta = read_metadata(path, probe=False)
    assert (meta.title, meta.track, meta.cd, meta.release) == (None, 0, 0, 0)
    assert not meta.has_artwork


def test_flac_without_tags_reports_release_none(sample):
    """Other formats report a missing date as None."""
    path = sample("flac")
    audio = FLAC(path)
    audio.clear()
    audio.save()
    meta = read_metadata(path, probe=False)
    assert (meta.title, meta.album, meta.release, meta.track) == (None, None, None, 0)


def test_malformed_track_and_date_become_zero(sample):
    """Unparsable numbers give 0 instead of an exception."""
    path = sample("ogg")
    audio = OggVorbis(path)
    audio["TRACKNUMBER"], audio["DATE"], audio["DISCNUMBER"] = "A1", "unknown", "x/2"
    audio.save()
    meta = read_metadata(path, probe=False)
    assert (meta.track, meta.release, meta.cd) == (0, 0, 0)


def test_absurd_numbers_become_zero_so_the_database_can_store_them(sample):
    """A 25-digit year or track (SQLite cannot store it: OverflowError) and a negative
    track give 0 instead of crashing the album's import."""
    path = sample("ogg")
    audio = OggVorbis(path)
    audio["TRACKNUMBER"], audio["DATE"], audio["DISCNUMBER"] = "-3/12", "9" * 25, "9" * 25
    audio.save()
    meta = read_metadata(path, probe=False)
    assert (meta.track, meta.release, meta.cd) == (0, 0, 0)


def test_full_date_yields_the_year(sample):
    """The year is the text before the first '-' of the date."""
    path = sample("m4a")
    audio = MP4(path)
    audio["©day"] = ["1999-12-31T00:00:00Z"]
    audio.save()
    assert read_metadata(path, probe=False).release == 1999


def test_id3_mojibake_is_repaired(sample):
    """UTF-8 stored as Latin-1 ("Ã„rzte") is read back as "Ärzte"."""
    path = sample("mp3")
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text="Ärzte".encode("utf-8").decode("latin-1")))
    tags.save(path)
    assert read_metadata(path, probe=False).title == "Ärzte"


def test_track_total_suffix_is_ignored(sample):
    """TRCK "7/12" is track 7."""
    path = sample("mp3")
    tags = ID3(path)
    tags.add(TRCK(encoding=3, text="7/12"))
    tags.save(path)
    assert read_metadata(path, probe=False).track == 7


def test_id3v23_latin1_tags_with_number_pairs_and_a_full_date(sample):
    """ID3v2.3 Latin-1 text that is no UTF-8 ("Björk") stays as it is; "3/12", "2/2" and
    "2001-05-03" give track 3, CD 2 and year 2001."""
    path = sample("mp3")
    ID3(path).delete(path)
    tags = ID3()
    for frame in (TIT2(encoding=0, text="Caf\xe9"), TPE1(encoding=0, text="Bj\xf6rk"),
                  TRCK(encoding=0, text="3/12"), TPOS(encoding=0, text="2/2"),
                  TDRC(encoding=0, text="2001-05-03")):
        tags.add(frame)
    tags.save(path, v2_version=3)
    meta = read_metadata(path, probe=False)
    assert (meta.title, meta.artist) == ("Caf\xe9", "Bj\xf6rk")
    assert (meta.track, meta.cd, meta.release) == (3, 2, 2001)


def test_lyrics_come_from_the_first_uslt_frame(sample):
    """MP3 lyrics are read (they become lyrics state 1 on import)."""
    path = sample("mp3")
    tags = ID3(path)
    tags.add(USLT(encoding=3, lang="eng", desc="", text="la la la"))
    tags.save(path)
    assert read_metadata(path, probe=False).lyrics == "la la la"


# -- origin ------------------------------------------------------------------

def _retag_mp3(path, *frames):
    tags = ID3(path)
    for frame in frames:
        tags.add(frame)
    tags.save(path)
    return read_metadata(path, probe=False).origin


def test_mp3_origin_detects_shops(sample):
    """Shop markers in TPUB, the English comment and PRIV name the origin."""
    assert read_metadata(sample("mp3"), probe=False).origin == "internet"
    assert _retag_mp3(sample("mp3"), TPUB(encoding=3, text="网易云音乐")) == "music163"
    assert _retag_mp3(sample("mp3"), COMM(encoding=3, lang="eng", desc="",
                                          text="Visit bandcamp.com")) == "bandcamp"
    assert _retag_mp3(sample("mp3"), PRIV(owner="Google/StoreId", data=b"x")) == "Google"


def test_mp4_origin_detects_itunes_and_bandcamp(sample):
    """apID means iTunes; any comment atom means bandcamp (MusicDB 8)."""
    path = sample("m4a")
    audio = MP4(path)
    audio["©cmt"] = ["whatever"]
    audio.save()
    assert read_metadata(path, probe=False).origin == "bandcamp"
    audio["apID"] = ["someone@example.org"]
    audio.save()
    assert read_metadata(path, probe=False).origin == "iTunes"


def test_flac_origin_is_cd_unless_bandcamp_comment(sample):
    """FLAC defaults to CD; a bandcamp comment wins."""
    path = sample("flac")
    assert read_metadata(path, probe=False).origin == "CD"
    audio = FLAC(path)
    audio["COMMENT"] = ["Bought at bandcamp"]
    audio.save()
    assert read_metadata(path, probe=False).origin == "bandcamp"


# -- artwork -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "m4a"])
def test_extract_artwork_returns_the_embedded_jpeg(library, fmt):
    """Front cover bytes come back from APIC, FLAC picture, Ogg picture
    block and covr alike; albums without a cover give None."""
    root, songs = library
    with_art = [s for s in songs if s["format"] == fmt and s["artwork"]]
    without = [s for s in songs if s["format"] == fmt and not s["artwork"]]
    assert with_art, f"the demo library has no {fmt} song with artwork"
    for song in with_art:
        assert extract_artwork(root / song["path"])[:2] == b"\xff\xd8"
    for song in without:
        assert extract_artwork(root / song["path"]) is None


def _picture_comment(data, kind=3, mime="image/jpeg"):
    """A METADATA_BLOCK_PICTURE value: a FLAC picture block, base64 encoded."""
    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = kind, mime, "", data
    return base64.b64encode(picture.write()).decode("ascii")


@needs_ffmpeg
def test_opus_artwork_is_read_from_its_picture_block(tmp_path):
    """The bytes of an Opus file's METADATA_BLOCK_PICTURE come back, and read_metadata
    reports that the file has artwork."""
    path = encode_tone(tmp_path / "01 Cover.opus", "-ar", "48000", "-c:a", "libopus",
                       "-b:a", "32k", seconds=1)
    assert extract_artwork(path) is None and not read_metadata(path, probe=False).has_artwork
    cover = b"\xff\xd8\xff\xe0 opus front cover " + bytes(range(256))
    audio = OggOpus(path)
    audio["METADATA_BLOCK_PICTURE"] = [_picture_comment(b"icon", kind=0, mime="image/png"),
                                       _picture_comment(cover)]
    audio.save()
    assert extract_artwork(path) == cover
    assert read_metadata(path, probe=False).has_artwork


def test_broken_picture_blocks_in_ogg_are_skipped(sample):
    """A picture comment that is no base64 or no picture block does not hide a good one."""
    path = sample("ogg")
    audio = OggVorbis(path)
    audio["METADATA_BLOCK_PICTURE"] = ["%%% not base64", base64.b64encode(b"short").decode(),
                                       _picture_comment(b"good")]
    audio.save()
    assert extract_artwork(path) == b"good"


def test_extract_artwork_prefers_the_front_cover(sample):
    """Of several pictures the front cover (type 3) is returned."""
    path = sample("mp3")
    tags = ID3(path)
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime="image/png", type=0, desc="icon", data=b"icon"))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="front", data=b"front"))
    tags.save(path)
    assert extract_artwork(path) == b"front"


# -- checksum ----------------------------------------------------------------

def test_checksum_is_sha256_hex_of_the_whole_file(sample):
    """songs.checksum is SHA-256 over all bytes, lowercase hex."""
    path = sample("flac")
    checksum = file_checksum(path)
    assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(checksum) == 64 and checksum == checksum.lower()


def test_checksum_changes_when_only_tags_change(sample):
    """Tags are part of the hashed bytes."""
    path = sample("mp3")
    before = file_checksum(path)
    tags = ID3(path)
    tags.add(TIT2(encoding=3, text="Renamed"))
    tags.save(path)
    assert file_checksum(path) != before


def test_checksum_of_missing_file_raises_tag_error_with_the_os_reason(tmp_path):
    """There is no silent None for a vanished file, and no bare OSError either."""
    with pytest.raises(TagError) as caught:
        file_checksum(tmp_path / "gone.mp3")
    assert caught.value.reason == "No such file or directory"
    assert isinstance(caught.value, MediaError)


# -- path conventions ----------------------------------------------------

def test_path_meta_parses_single_cd_song_path():
    """Artist/YYYY - Album/NN Title.ext gives every part, CD 1."""
    assert path_meta("Some Band/2005 - Roads/03 First Road.flac") == {
        "artist": "Some Band", "album": "Roads", "release": 2005, "track": 3,
        "cd": 1, "title": "First Road", "extension": "flac"}


def test_path_meta_parses_multi_cd_song_path_with_unicode():
    """C-NN prefixes give the CD; names keep dots, dashes and U+2215."""
    meta = path_meta("Café ∕ Night/1999 - A - B ∕ C/2-11 Mr. Blue - Live.mp3")
    assert (meta["artist"], meta["album"], meta["release"]) == ("Café ∕ Night", "A - B ∕ C", 1999)
    assert (meta["cd"], meta["track"], meta["title"], meta["extension"]) == \
        (2, 11, "Mr. Blue - Live", "mp3")


@pytest.mark.parametrize("albumdir", ["Roads", "05 - Roads", "2005-Roads", "2005 - ", "abcd - Roads"])
def test_path_meta_returns_none_for_album_dir_not_following_the_scheme(albumdir):
    """Album and release are None; artist and song parts still parse."""
    meta = path_meta(f"Band/{albumdir}/01 Song.mp3")
    assert (meta["album"], meta["release"]) == (None, None)
    assert (meta["artist"], meta["track"], meta["title"]) == ("Band", 1, "Song")


@pytest.mark.parametrize("filename, title", [("Song.mp3", "Song"), ("A1 Song.mp3", "A1 Song"),
                                             ("1-2-3 Song.mp3", "1-2-3 Song"),
                                             ("-5 Song.mp3", "-5 Song")])
def test_path_meta_keeps_whole_stem_as_title_without_song_number(filename, title):
    """No valid [C-]NN prefix: track and cd are None, the stem is the title."""
    meta = path_meta(f"Band/2000 - Album/{filename}")
    assert (meta["track"], meta["cd"], meta["title"]) == (None, None, title)


def test_path_meta_of_short_path_has_no_artist_or_album():
    """A bare file name only yields song parts."""
    meta = path_meta("07 Lonely.m4a")
    assert (meta["artist"], meta["album"], meta["release"]) == (None, None, None)
    assert (meta["track"], meta["title"]) == (7, "Lonely")


def test_path_meta_uses_the_last_three_components_of_longer_paths():
    """An absolute path inside the music root parses like a relative one."""
    assert path_meta("/var/music/Band/2010 - X/01 Y.mp3") == path_meta("Band/2010 - X/01 Y.mp3")


def test_musicdb_metadata_uses_the_original_key_names(sample):
    """The helper dict has MusicDB 8's 'all metadata' keys."""
    data = read_metadata(sample("mp3"), probe=False).musicdb_metadata()
    assert set(data) == {"song", "album", "artist", "releaseyear", "origin", "playtime",
                         "cdnumber", "songnumber", "bitrate", "lyrics"}
