"""Fixtures of the audio stream tests: real songs made by ffmpeg, a home, listeners.

Songs are short sine tones (so a song boundary comes after a few seconds)
with playtime 3 in the database: Randy's default ``MinSongLength`` of 120 s
never picks them, so the queue holds exactly what a test adds.
"""

import pytest

from tests.support.media import FFMPEG, encode_song
from tests.support.stream import HttpListener, StreamHome


@pytest.fixture(scope="session")
def song_files(tmp_path_factory):
    """Relative path -> bytes of a few real songs in several formats (made once)."""
    root = tmp_path_factory.mktemp("songs")
    specs = {
        "Sine Band/2020 - Tones/01 Low.mp3": dict(frequency=330),
        "Sine Band/2020 - Tones/02 High.mp3": dict(frequency=660),
        "Sine Band/2020 - Tones/03 Flac Tone.flac": dict(frequency=550, codec="flac",
                                                         bitrate=None),
        "Sine Band/2020 - Tones/04 Mono.mp3": dict(frequency=440, channels=1, bitrate="64k",
                                                   rate=22050),
    }
    if FFMPEG is None:
        pytest.fail("ffmpeg is required to make the test songs (.ci/run installs it)")
    files = {}
    for relpath, spec in specs.items():
        files[relpath] = open(encode_song(str(root / relpath), **spec), "rb").read()
    return files


@pytest.fixture
def stream_home(tmp_path, song_files):
    return StreamHome(tmp_path / "server", song_files)


@pytest.fixture
def stream_server(server_factory, stream_home):
    """``start(extra="")`` runs the real server on ``stream_home``; stopped after the test."""
    return lambda extra="": server_factory(home=stream_home.home, extra=extra)


@pytest.fixture
def listen():
    listeners = []

    def connect(server, **kwargs):
        listener = HttpListener(server, **kwargs)
        listeners.append(listener)
        return listener

    yield connect
    for listener in listeners:
        listener.close()
