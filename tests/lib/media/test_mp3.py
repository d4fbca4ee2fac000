"""The MPEG frame parser and the silence frame: crafted bytes and real ffmpeg files."""

import subprocess

import pytest

from musicdb.lib.media import mp3
from tests.support.media import FFMPEG, encode_tone, needs_ffmpeg

SILENCE = mp3.silent_frame(320)


def id3v2(size, footer=False):
    """An ID3v2.4 tag of ``size`` body bytes (syncsafe size) with zeroed content."""
    syncsafe = bytes((size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F, size & 0x7F))
    flags = 0x10 if footer else 0
    body = b"ID3\x04\x00" + bytes((flags,)) + syncsafe + bytes(size)
    return body + (b"3DI\x04\x00" + bytes((flags,)) + syncsafe if footer else b"")


def ape_tag(items=b"\x05\x00\x00\x00\x00\x00\x00\x00Title\x00Hello"):
    size = len(items) + 32
    flags_header = (1 << 31 | 1 << 29).to_bytes(4, "little")
    flags_footer = (1 << 31).to_bytes(4, "little")
    head = b"APETAGEX" + (2000).to_bytes(4, "little") + size.to_bytes(4, "little") + \
        (1).to_bytes(4, "little")
    return head + flags_header + bytes(8) + items + head + flags_footer + bytes(8)


def test_header_of_a_320k_frame_gives_length_and_duration():
    header = mp3.parse_header(SILENCE)
    assert (header.version, header.layer, header.bitrate, header.samplerate) == (1, 3, 320, 44100)
    assert header.length == 1044 == len(SILENCE)
    assert header.duration == pytest.approx(1152 / 44100)


@pytest.mark.parametrize("bitrate,rate,padding,length", [
    (128, 44100, False, 417), (128, 44100, True, 418), (320, 48000, False, 960),
    (32, 32000, False, 144)])
def test_frame_length_follows_the_header(bitrate, rate, padding, length):
    header = mp3.parse_header(mp3.build_header(bitrate, rate, padding=padding))
    assert header.length == length


def test_mpeg2_layer3_frames_have_576_samples():
    header = mp3.parse_header(bytes((0xFF, 0xF3, 0x40, 0xC0)))   # MPEG-2 L3 32k 22050 mono
    assert (header.version, header.samples, header.samplerate, header.channels) == (2, 576, 22050, 1)
    assert header.length == 72 * 32000 // 22050


@pytest.mark.parametrize("data", [b"\xff\xfb\xf0\x00", b"\xff\xfb\x0c\x00", b"\xff\xe9\x90\x00",
                                  b"\xff\xfb\x90\x02", b"\xfe\xfb\x90\x00", b"\xff\xfb"])
def test_invalid_headers_are_rejected(data):
    """Bad bitrate index 15, bad sample rate, reserved layer, reserved emphasis, no sync, short."""
    assert mp3.parse_header(data) is None


def test_tags_before_between_and_after_the_frames_are_skipped():
    data = id3v2(300, footer=True) + SILENCE * 3 + id3v2(20) + SILENCE * 2 + ape_tag() + \
        b"TAG" + bytes(125)
    frames = mp3.parse_frames(data)
    assert [f.data for f in frames] == [SILENCE] * 5


def test_garbage_before_the_first_frame_is_skipped_only_with_a_confirming_next_header():
    fake_sync = b"\xff\xfb\x90\x00" + b"junk" * 10      # a plausible header, but nothing follows it
    frames = mp3.parse_frames(b"\x00\x01" + fake_sync + SILENCE * 3)
    assert [f.data for f in frames] == [SILENCE] * 3


def test_frames_of_another_sample_rate_are_dropped_as_garbage():
    other = mp3.silent_frame(320, 48000)
    frames = mp3.parse_frames(SILENCE * 2 + other * 2 + SILENCE * 2)
    assert [f.data for f in frames] == [SILENCE] * 4


def test_the_xing_info_frame_is_not_audio():
    info = bytearray(SILENCE)
    info[36:40] = b"Info"
    assert mp3.parse_frames(bytes(info) + SILENCE * 2) == mp3.parse_frames(SILENCE * 2)


def test_feeding_byte_by_byte_gives_the_same_frames():
    data = id3v2(50) + SILENCE * 4 + b"TAG" + bytes(125)
    parser = mp3.FrameParser()
    frames = []
    for index in range(len(data)):
        frames += parser.feed(data[index:index + 1])
    frames += parser.finish()
    assert [f.data for f in frames] == [SILENCE] * 4


def test_a_truncated_last_frame_is_dropped():
    frames = mp3.parse_frames(SILENCE * 2 + SILENCE[:500])
    assert len(frames) == 2


@needs_ffmpeg
def test_the_silent_frame_decodes_to_zero_samples(tmp_path):
    path = tmp_path / "silence.mp3"
    path.write_bytes(SILENCE * 20)
    pcm = subprocess.run([FFMPEG, "-loglevel", "error", "-i", str(path), "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    assert len(pcm) > 20000 and set(pcm) == {0}


@needs_ffmpeg
def test_frames_of_a_real_file_add_up_to_its_duration(tmp_path):
    path = encode_tone(tmp_path / "01 Low.mp3", "-ar", "44100", "-c:a", "libmp3lame",
                       "-b:a", "320k", frequency=330)
    data = path.read_bytes()
    parser = mp3.FrameParser()
    frames = parser.feed(data) + parser.finish()
    assert sum(f.duration for f in frames) == pytest.approx(3.0, abs=0.06)
    assert {f.header.bitrate for f in frames} == {320}
    assert b"Xing" not in frames[0].data and b"Info" not in frames[0].data[:64]
