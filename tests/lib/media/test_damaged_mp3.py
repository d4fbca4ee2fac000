"""A song file overwritten with random bytes while it plays ends as a failure, not a song end."""

import random

from musicdb.lib.media import mp3
from musicdb.lib.media.transcoder import MAX_GARBAGE, FrameSource, StreamFormat
from tests.support.media import encode_tone, needs_ffmpeg


def drain(source):
    source._greenlet.join(timeout=30)
    frames = []
    while (frame := source.take()) is not None:
        frames.append(frame)
    return frames


def damaged_copy(song, path, garbage=4 * MAX_GARBAGE):
    """The first half of ``song``, then ``garbage`` random bytes (a fixed seed)."""
    data = song.read_bytes()
    path.write_bytes(data[:len(data) // 2] + random.Random(16).randbytes(garbage))
    return path


@needs_ffmpeg
def test_random_bytes_after_the_first_frames_end_the_source_with_an_error(tmp_path):
    """The frames before the damage play; then the source fails, so the song is not counted."""
    fmt = StreamFormat(bitrate=128)
    song = encode_tone(tmp_path / "a.mp3", "-ar", "44100", "-c:a", "libmp3lame", seconds=4)
    source = FrameSource(str(damaged_copy(song, tmp_path / "damaged.mp3")), fmt)
    frames = drain(source)
    assert frames and sum(frame.duration for frame in frames) < 3
    assert source.finished and source.error.startswith("the file is damaged: no MPEG audio frame")


@needs_ffmpeg
def test_a_few_stray_bytes_between_frames_are_no_damage(tmp_path):
    fmt = StreamFormat(bitrate=128)
    song = encode_tone(tmp_path / "a.mp3", "-ar", "44100", "-c:a", "libmp3lame", seconds=2)
    data = song.read_bytes()
    (tmp_path / "stray.mp3").write_bytes(data[:len(data) // 2] + b"\x00" * 300
                                          + data[len(data) // 2:])
    source = FrameSource(str(tmp_path / "stray.mp3"), fmt)
    assert drain(source) and source.error is None


@needs_ffmpeg
def test_the_parser_counts_garbage_since_the_last_frame_but_not_tags(tmp_path):
    song = encode_tone(tmp_path / "a.mp3", "-ar", "44100", "-c:a", "libmp3lame", seconds=1)
    parser = mp3.FrameParser()
    assert parser.feed(song.read_bytes())
    parser.feed(random.Random(16).randbytes(10000))
    assert parser.garbage_run >= 9000
