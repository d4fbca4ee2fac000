"""The audio stream end to end: a real server, real songs, real HTTP listeners.

Songs are 3-second sine tones queued with ``AddSongToQueue``; the listeners
are ``http.client`` connections read in threads, so what they measure is
what a player receives.
"""

import os
import socket
import sqlite3
import ssl
import struct
import subprocess
import time
from urllib.parse import quote

from musicdb.lib.media import mp3
from tests.support.media import FFMPEG, needs_ffmpeg
from tests.support.stream import frames_of, split_icy
from tests.support import TEST_PASSWORD, TEST_USER, session_cookie

BITRATE_BYTES = 320 * 125      # bytes per second at 320 kbit/s


def queue_songs(client, home, *names):
    for name in names:
        client.request("AddSongToQueue", {"songid": home.songs[name], "position": "last"})


def play(client):
    client.send("call", "SetAudioStreamState", {"state": "play"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged")
    state = client.request("GetAudioStreamState")
    assert state["isplaying"] is True
    return state


def test_listener_gets_valid_frames_in_real_time_across_a_song_boundary(
        stream_home, stream_server, connect, listen):
    """Two songs played in a row reach a listener as unbroken MPEG frames at the pace of the music,
    the ICY title changes at the boundary and the first song is tracked when it ends."""
    server = stream_server()
    client = connect(server)
    queue_songs(client, stream_home, "Low", "High")
    listener = listen(server, headers={"Icy-MetaData": "1"})
    assert listener.response.getheader("Content-Type") == "audio/mpeg"
    assert listener.response.getheader("icy-metaint") == "16000"
    assert listener.response.getheader("Content-Length") is None
    listener.wait_bytes(4096)
    start, start_bytes = time.monotonic(), len(listener.data)
    play(client)
    client.wait_for(lambda p: p.get("fncsig") == "onSongChanged", timeout=8)
    listener.wait_seconds(2.0)
    elapsed, received = time.monotonic() - start, len(listener.data) - start_bytes
    audio, titles = split_icy(bytes(listener.data))
    frames, parser = frames_of(audio)
    assert parser.skipped == 0, "bytes between frames that are no frame"
    assert {f.header.samplerate for f in frames} == {44100}
    assert titles[-2:] == ["StreamTitle='Sine Band - Low';", "StreamTitle='Sine Band - High';"]
    # real time: about one second of audio per second, plus at most the lead
    assert 0.8 * elapsed * BITRATE_BYTES < received < (elapsed + 1.0) * BITRATE_BYTES
    assert client.request("GetAudioStreamState")["song"]["name"] == "High"
    low = stream_home.songs["Low"]
    assert stream_home.db.get_song(low)["lastplayed"] > 0
    with sqlite3.connect(os.path.join(stream_home.home, "data", "tracker.db")) as tracker:
        played = [row[0] for row in tracker.execute("SELECT songid FROM playedsongs")]
    assert played == [low]


def test_two_listeners_get_the_same_bytes(stream_home, stream_server, connect, listen):
    """A second listener hears exactly what the first one hears, from where it joined."""
    server = stream_server()
    client = connect(server)
    queue_songs(client, stream_home, "Low", "High")
    first = listen(server)
    play(client)
    first.wait_bytes(BITRATE_BYTES)
    second = listen(server)
    second.wait_bytes(2 * BITRATE_BYTES)
    first.wait_bytes(len(first.data) + BITRATE_BYTES)
    joined = bytes(second.data[:2 * BITRATE_BYTES])
    assert joined in bytes(first.data)
    silence = mp3.silent_frame(320)
    assert sum(f.data != silence for f in frames_of(joined)[0]) > 30, "no song frames compared"


def test_a_stalled_listener_is_dropped_while_the_other_continues(
        stream_home, stream_server, connect, listen):
    """A listener that never reads is disconnected; a reading one keeps its real-time stream."""
    server = stream_server()
    client = connect(server)
    reader = listen(server)
    stalled = listen(server, read=False, rcvbuf=4096)
    deadline = time.monotonic() + 20
    while "does not keep up" not in server.log():
        assert time.monotonic() < deadline, "the stalled listener was never dropped"
        reader.wait_seconds(0.2)
    before, start = len(reader.data), time.monotonic()
    reader.wait_seconds(1.5)
    assert len(reader.data) - before > 0.8 * (time.monotonic() - start) * BITRATE_BYTES
    assert not reader.ended.is_set()
    assert stalled.drain(limit=1_000_000) < 1_000_000, "the stalled listener still gets audio"
    assert client.request("GetAudioStreamState")["isconnected"] is True


def test_pause_keeps_the_listener_connected_and_stops_the_time(
        stream_home, stream_server, connect, listen):
    """While paused the listener still gets frames (silence) and onTimeChanged stands still."""
    server = stream_server()
    client = connect(server)
    queue_songs(client, stream_home, "Low")
    listener = listen(server)
    play(client)
    client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged" and p["arguments"] > 0.5)
    client.send("call", "SetAudioStreamState", {"state": "pause"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged")
    assert client.request("GetAudioStreamState")["isplaying"] is False
    times = [p["arguments"] for p in _time_packets(client, 3)]
    assert times[1] == times[2] and times[0] > 0
    before = len(listener.data)
    listener.wait_seconds(1.0)
    assert len(listener.data) - before > 0.8 * BITRATE_BYTES
    client.send("call", "SetAudioStreamState", {"state": "playpause"})
    client.wait_for(lambda p: p.get("fncsig") == "onStatusChanged")
    later = [p["arguments"] for p in _time_packets(client, 2)]
    assert later[-1] > times[-1]
    assert not listener.ended.is_set()


def _time_packets(client, count):
    return [client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged", timeout=3)
            for _ in range(count)]


def test_time_changed_arrives_every_second_while_idle(stream_home, stream_server, connect):
    """With an empty queue and the stream paused the heartbeat still comes once per second."""
    server = stream_server()
    client = connect(server)
    stamps = []
    for _ in range(4):
        packet = client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged", timeout=2.1)
        stamps.append(time.monotonic())
        assert packet["arguments"] == 0
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert max(gaps) < 1.5


@needs_ffmpeg
def test_a_real_player_decodes_the_stream_without_a_warning(stream_home, stream_server,
                                                           connect):
    """ffmpeg as the player (it asks for ICY metadata and reads HTTP/1.1 chunks) decodes
    silence, a song boundary and a pause in the middle without one warning."""
    server = stream_server()
    client = connect(server)
    queue_songs(client, stream_home, "Low", "High")
    play(client)
    player = subprocess.Popen(
        [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning",
         "-i", f"http://{TEST_USER}:{quote(TEST_PASSWORD)}@127.0.0.1:{server.port}/stream", "-t", "6", "-f", "s16le", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged" and p["arguments"] > 1.5)
    client.send("call", "SetAudioStreamState", {"state": "pause"})
    client.wait_for(lambda p: p.get("fncsig") == "onTimeChanged")
    client.send("call", "SetAudioStreamState", {"state": "play"})
    pcm, warnings = player.communicate(timeout=30)
    assert player.returncode == 0 and warnings == b""
    assert len(pcm) == 6 * 44100 * 4
    assert pcm.count(0) < len(pcm) * 0.9, "the player heard only silence"


def test_a_tls_listener_that_goes_away_leaves_one_debug_line_and_no_traceback(
        stream_home, server_factory):
    """Closing a TLS connection without close_notify broke the next write with SSLEOFError,
    which gevent printed as a traceback for every listener that closed its tab."""
    server = server_factory(home=stream_home.home, tls=True)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), 5)) as tls:
        tls.sendall(b"GET /stream HTTP/1.1\r\nHost: musicdb\r\nCookie: %s\r\n\r\n"
                    % session_cookie(server).encode())
        assert tls.recv(64).startswith(b"HTTP/1.1 200 OK")
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    deadline = time.monotonic() + 10
    while "disconnected: went away" not in server.log():
        assert time.monotonic() < deadline, "the listener's end was never noticed"
        time.sleep(0.05)
    gone = [line for line in server.log().splitlines() if "disconnected: went away" in line]
    assert len(gone) == 1 and " DEBUG " in gone[0]
    assert "Traceback" not in server.log()
