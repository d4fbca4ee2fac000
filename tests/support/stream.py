"""Audio stream helpers: a server home of real songs made by ffmpeg, HTTP listeners, ICY.

Songs are short sine tones (so a song boundary comes after a few seconds)
with playtime 3 in the database: Randy's default ``MinSongLength`` of 120 s
never picks them, so the queue holds exactly what a test adds.
"""

import base64
import http.client
import os
import socket
import threading
import time

from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.media import mp3
from tests.support.server import auth_headers


class StreamHome:
    """A server home with songs in ``music/`` and in ``data/music.db``."""

    def __init__(self, home, song_files):
        self.home = str(home)
        self.music = os.path.join(self.home, "music")
        os.makedirs(os.path.join(self.home, "data"), exist_ok=True)
        self.db = MusicDatabase(os.path.join(self.home, "data", "music.db"))
        self.artistid = self.db.add_artist("Sine Band", "Sine Band")
        self.albumid = self.db.add_album(self.artistid, "Tones", "Sine Band/2020 - Tones",
                                         2020, "CD", 1600000000)
        self.songs = {}
        for number, (relpath, data) in enumerate(sorted(song_files.items()), 1):
            self.write(relpath, data)
            name = os.path.splitext(os.path.basename(relpath))[0][3:]
            self.songs[name] = self.db.add_song(self.albumid, self.artistid, name, relpath,
                                                number, 1, 3, 320000, "")

    def write(self, relpath, data):
        path = os.path.join(self.music, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)

    def add_song(self, name, relpath):
        """A database row for ``relpath`` (the file may be missing on purpose)."""
        songid = self.db.add_song(self.albumid, self.artistid, name, relpath, 9, 1, 3,
                                  320000, "")
        self.songs[name] = songid
        return songid


class HttpListener:
    """A real HTTP stream listener reading in a thread; keeps (time, bytes) of every read."""

    def __init__(self, server, path="/stream", headers=None, read=True, rcvbuf=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        if rcvbuf:      # a small window, set before connecting, so a stall shows quickly
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.settimeout(10)
            sock.connect(("127.0.0.1", server.port))
            self.connection.sock = sock
        login = auth_headers(server) if hasattr(server, "tls") else {}   # not for Icecast
        self.connection.request("GET", path, headers={**login, **(headers or {})})
        self.sock = self.connection.sock    # http.client forgets it once the response is read
        self.response = self.connection.getresponse()
        self.reads = []
        self.data = bytearray()
        self.ended = threading.Event()
        self.error = None
        self._stop = threading.Event()
        if read and self.response.status == 200:
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()
        else:
            self.ended.set()

    def _read(self):
        try:
            while not self._stop.is_set():
                chunk = self.response.read1(65536)
                if not chunk:
                    break
                self.reads.append((time.monotonic(), len(chunk)))
                self.data += chunk
        except Exception as error:  # the test inspects it
            self.error = error
        self.ended.set()

    def wait_bytes(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while len(self.data) < count:
            if self.ended.is_set() or time.monotonic() > deadline:
                raise AssertionError(f"stream ended or stalled after {len(self.data)} bytes")
            time.sleep(0.02)

    def wait_seconds(self, seconds):
        """Keep reading for ``seconds`` (the poll is bounded; the stream is the clock)."""
        start = time.monotonic()
        self.ended.wait(seconds)
        return time.monotonic() - start

    def drain(self, limit):
        """Read what is left until the server ends the stream; returns the byte count.

        Stops at ``limit`` bytes (the stream did not end) or when the server closed it.
        """
        total = 0
        try:
            while total < limit:
                chunk = self.response.read1(65536)
                if not chunk:
                    break
                total += len(chunk)
        except (http.client.HTTPException, OSError):
            pass
        return total

    def close(self):
        self._stop.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.response.close()
        self.connection.close()


def basic_auth(password, user="anyone"):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def split_icy(data, metaint=16000):
    """Separate ICY metadata from audio: returns (audio bytes, [titles in order])."""
    audio, titles, pos = bytearray(), [], 0
    while pos < len(data):
        audio += data[pos:pos + metaint]
        pos += metaint
        if pos >= len(data):
            break
        length = data[pos] * 16
        block = bytes(data[pos + 1:pos + 1 + length])
        pos += 1 + length
        if length:
            titles.append(block.rstrip(b"\0").decode("utf-8"))
    return bytes(audio), titles


def frames_of(data):
    """Parse ``data`` as MPEG frames; fails when anything between frames is not a frame."""
    parser = mp3.FrameParser()
    frames = parser.feed(bytes(data))
    return frames, parser
