"""The tag writer: what it writes, the tag reader reads back; failures are TagErrors."""

import pytest

from musicdb.demo.library import make_broken_file
from musicdb.lib.media.tags import TagError, extract_artwork, read_metadata
from musicdb.lib.media.tagwriter import WRITABLE_FORMATS, Tags, tagged_bytes, write_tags
from tests.support.media import encode_tone, needs_ffmpeg

CODECS = {
    "mp3": ("-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k"),
    "flac": ("-ar", "44100", "-c:a", "flac"),
    "ogg": ("-ar", "44100", "-c:a", "libvorbis", "-q:a", "0"),
    "opus": ("-ar", "48000", "-c:a", "libopus", "-b:a", "32k"),
    "m4a": ("-ar", "44100", "-c:a", "aac", "-b:a", "64k"),
}
COVER = b"\xff\xd8\xff\xe0 front cover"
TAGS = Tags(title="Grüße ∕ Night", artist="Café Tribute", album="東京 Road",
            date="2005-03-01", genre="Jazz", track=3, tracks=12, cd=2, cds=2, artwork=COVER)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """One untagged one-second clip per writable format."""
    root = tmp_path_factory.mktemp("clips")
    return {fmt: encode_tone(root / f"clip.{fmt}", *CODECS[fmt], seconds=1).read_bytes()
            for fmt in CODECS}


def test_every_writable_format_has_a_clip():
    assert set(WRITABLE_FORMATS) == set(CODECS)


@needs_ffmpeg
@pytest.mark.parametrize("fmt", sorted(CODECS))
def test_written_tags_and_cover_are_read_back(clips, tmp_path, fmt):
    """Text, numbers, year and the cover survive the round trip in every format."""
    path = tmp_path / f"03 Song.{fmt}"
    path.write_bytes(clips[fmt])
    write_tags(path, TAGS)
    meta = read_metadata(path, probe=False)
    assert (meta.title, meta.artist, meta.album, meta.genre) == \
        (TAGS.title, TAGS.artist, TAGS.album, TAGS.genre)
    assert (meta.track, meta.release) == (3, 2005)
    assert meta.cd == (0 if fmt == "flac" else 2)   # MusicDB 8 reads no CD number from FLAC
    assert extract_artwork(path) == COVER


@needs_ffmpeg
@pytest.mark.parametrize("fmt", sorted(CODECS))
def test_writing_again_replaces_the_tags(clips, fmt):
    """No old tag or cover is left behind when new tags have none."""
    first = tagged_bytes(clips[fmt], fmt, TAGS)
    plain = Tags(title="Plain", artist="A", album="B", date="1999", genre="Pop",
                 track=1, tracks=1)
    again = tagged_bytes(first, fmt, plain)
    assert COVER not in again and TAGS.album.encode() not in again


def test_unwritable_format_is_a_tag_error():
    with pytest.raises(TagError, match="cannot write tags to 'wav'"):
        tagged_bytes(b"RIFF", "wav", TAGS, "song.wav")


@pytest.mark.parametrize("fmt", sorted(CODECS))
def test_broken_file_is_a_tag_error_naming_it(tmp_path, fmt):
    """Garbage under an audio name fails with the name, not with a mutagen error."""
    path = make_broken_file(tmp_path / f"01 Broken.{fmt}")
    with pytest.raises(TagError) as caught:
        write_tags(path, TAGS)
    assert caught.value.path == str(path) and "not a valid" in caught.value.reason


def test_missing_file_is_a_tag_error(tmp_path):
    with pytest.raises(TagError, match="No such file"):
        write_tags(tmp_path / "gone.mp3", TAGS)
