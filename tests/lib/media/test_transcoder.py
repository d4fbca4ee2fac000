"""Frames of one song in the stream's format: pass-through, ffmpeg, and the errors."""

import pytest

from musicdb.demo.library import make_broken_file
from musicdb.lib.media.transcoder import (FrameSource, StreamFormat, TranscodeError,
                                          Transcoder, TranscoderUnavailable)
from tests.support.media import encode_tone, needs_ffmpeg


def drain(source):
    """All frames of ``source`` once its greenlet has ended."""
    source._greenlet.join(timeout=30)
    frames = []
    while (frame := source.take()) is not None:
        frames.append(frame)
    return frames


def test_without_ffmpeg_the_transcoder_is_unavailable(monkeypatch):
    """No ffmpeg on PATH is its own TranscodeError, so the stream can say what to install."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(TranscoderUnavailable):
        Transcoder("song.flac", StreamFormat())


def test_an_ffmpeg_that_cannot_start_is_a_transcode_error(tmp_path):
    with pytest.raises(TranscodeError, match="^cannot start ffmpeg: "):
        Transcoder("song.flac", StreamFormat(), ffmpeg=str(tmp_path / "no-ffmpeg"))


@needs_ffmpeg
def test_a_stream_format_mp3_passes_through_and_a_flac_is_transcoded(tmp_path):
    """Both end as 44.1 kHz stereo MPEG-1 Layer III frames of about the song's length."""
    fmt = StreamFormat(bitrate=128)
    mp3 = encode_tone(tmp_path / "a.mp3", "-ar", "44100", "-c:a", "libmp3lame", seconds=1)
    flac = encode_tone(tmp_path / "b.flac", "-ar", "48000", "-c:a", "flac", seconds=1)
    for path, transcoded in ((mp3, False), (flac, True)):
        source = FrameSource(str(path), fmt)
        frames = drain(source)
        assert source.error is None and source.transcoded is transcoded
        assert all(fmt.accepts(frame.header) for frame in frames)
        assert sum(frame.duration for frame in frames) == pytest.approx(1.0, abs=0.1)


@needs_ffmpeg
def test_a_broken_file_ends_the_source_with_ffmpegs_reason(tmp_path):
    source = FrameSource(str(make_broken_file(tmp_path / "broken.flac")), StreamFormat())
    assert drain(source) == []
    assert source.finished and source.error.startswith("ffmpeg failed: ")


def test_a_missing_file_ends_the_source_with_the_os_reason(tmp_path):
    source = FrameSource(str(tmp_path / "gone.mp3"), StreamFormat())
    assert drain(source) == []
    assert source.error == "cannot read the file: No such file or directory"


def test_close_stops_the_work(tmp_path):
    source = FrameSource(str(tmp_path / "gone.mp3"), StreamFormat())
    source.close(block=True)
    assert source.finished and source.take() is None
