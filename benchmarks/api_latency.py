#!/usr/bin/env python3
"""Latency of the read API over a real WebSocket, and the server's memory, at 20,000 songs.

Usage::

    python benchmarks/api_latency.py [--songs 20000] [--requests 200] [--tls] [--keep DIR]

What it does:

1. Builds a library of ``--songs`` songs (10 per album, 5 albums per artist,
   names with non-ASCII letters; genres, sub-genres and moods on albums and
   songs; some hidden albums, disabled and hated songs) by inserting rows
   straight into a fresh ``music.db``.  That takes seconds, where generating
   and importing 20,000 real audio files takes minutes (see
   ``benchmarks/import_rate.py`` for that); the API reads only the database,
   so the rows are what matters here.
2. Starts the real server (``musicdb.py server``, log level WARNING) on a
   free 127.0.0.1 port, without TLS unless ``--tls``.
3. Sends ``--requests`` requests per function, one after the other, from one
   WebSocket client and measures each round trip (send until the whole answer
   is received; the client's decoding of it is timed apart, as it measures
   only this Python client): GetFilteredArtistsWithAlbums without and with an
   active genre filter, GetAlbum of random albums, Find with random words
   (some with a typo, limit 20 as the WebUI's result view).
4. Prints p50/p95/max per function, the answer size, and the server's RSS.

Aims: GetFilteredArtistsWithAlbums p50 <= 5 ms from the answer cache (issue 9),
Find p50 <= 20 ms (issue 3), AddAlbumToQueue of a 12-song album p50 <= 10 ms (issue 17).
Run it on an otherwise idle machine: other load shows up in the figures.
"""

import argparse
import json
import os
import random
import ssl
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import websocket  # noqa: E402

from benchmarks.common import in_home, stop  # noqa: E402
from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from tests.support import ServerProcess, session_cookie  # noqa: E402

# The server of tests.support (monitor thread on), logging less.
EXTRA = "[log]\nloglevel = WARNING\n"

ANSWER_MARK = '"fncsig": "bench"'
ERROR_MARK = '"fncname": "MusicDB:Error"'

SONGS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 5
SYLLABLES = ("ka", "ro", "mi", "tä", "su", "ne", "lo", "vé", "an", "dor", "ix", "ül", "be",
             "ra", "chi", "mo", "sen", "ta", "ku", "li", "øn", "pa", "gre", "zo")
GENRES = ("Rock", "Metal", "Pop", "Jazz", "Electronic", "Classical", "Folk", "Hip-Hop",
          "Ambient", "Punk")

def word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def title(rng, words):
    return " ".join(word(rng) for _ in range(rng.randint(1, words))).title()


def build_library(path, songs, seed=1):
    """Fill a new music.db with ``songs`` songs; returns (album IDs, vocabulary)."""
    rng = random.Random(seed)
    db = MusicDatabase(path)
    with db.transaction():
        genres, subgenres = add_tags(db)
        albumids = []
        for artistindex in range(max(1, songs // (SONGS_PER_ALBUM * ALBUMS_PER_ARTIST))):
            albumids += add_artist(db, rng, artistindex, genres, subgenres)
        db.execute("UPDATE albums SET numofsongs = 10, numofcds = 1")
    vocabulary = [row["name"] for row in db.rows("SELECT name FROM songs")]
    db.close()
    return albumids, vocabulary


def add_tags(db):
    genres = [db.execute("INSERT INTO tags (name, class, posx) VALUES (?, 1, ?)",
                         (name, index + 1)).lastrowid for index, name in enumerate(GENRES)]
    subgenres = {genre: [db.execute("INSERT INTO tags (name, class, parentid) VALUES (?, 2, ?)",
                                    (f"{GENRES[index]} {n}", genre)).lastrowid for n in range(3)]
                 for index, genre in enumerate(genres)}
    for n in range(6):
        db.execute("INSERT INTO tags (name, class, icontype, icon, posx, posy) "
                   "VALUES (?, 3, 1, '☺', ?, 0)", (f"Mood {n}", n))
    return genres, subgenres


def add_artist(db, rng, index, genres, subgenres):
    name = f"{title(rng, 2)} {index}"
    artistid = db.execute("INSERT INTO artists (name, path) VALUES (?, ?)",
                          (name, name)).lastrowid
    albumids = []
    for _ in range(ALBUMS_PER_ARTIST):
        release = rng.randint(1970, 2024)
        album = title(rng, 3)
        path = f"{name}/{release} - {album}"
        albumid = db.execute(
            "INSERT INTO albums (artistid, name, path, numofsongs, numofcds, origin, release, "
            "artworkpath, added, hidden) VALUES (?, ?, ?, 10, 1, 'CD', ?, ?, 0, ?)",
            (artistid, album, path, release, f"{name} - {album}.jpg",
             int(rng.random() < 0.02))).lastrowid
        albumids.append(albumid)
        genre = rng.choice(genres)
        db.execute("INSERT INTO albumtags (albumid, tagid) VALUES (?, ?)", (albumid, genre))
        if rng.random() < 0.6:
            db.execute("INSERT INTO albumtags (albumid, tagid) VALUES (?, ?)",
                       (albumid, rng.choice(subgenres[genre])))
        add_songs(db, rng, artistid, albumid, path, genre)
    return albumids


def add_songs(db, rng, artistid, albumid, path, genre):
    for number in range(1, SONGS_PER_ALBUM + 1):
        name = title(rng, 4)
        songid = db.execute(
            "INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, playtime, "
            "bitrate, favorite, checksum) VALUES (?, ?, ?, ?, ?, 1, ?, ?, 320000, ?, ?)",
            (albumid, artistid, name, f"{path}/{number:02d} {name}.mp3", number,
             int(rng.random() < 0.01), rng.randint(90, 480), rng.choice((0, 0, 0, 1, -1)),
             "%064x" % rng.getrandbits(256))).lastrowid
        if rng.random() < 0.3:
            db.execute("INSERT INTO songtags (songid, tagid, approval) VALUES (?, ?, 1)",
                       (songid, genre))


class Client:
    def __init__(self, server):
        self.key = server.apikey
        # websocket-client checks UTF-8 in pure Python (170 ms for a 1.5 MB answer);
        # a browser does that in C, so the check would only measure this client.
        self.ws = websocket.create_connection(server.url, timeout=30,
                                              sslopt={"cert_reqs": ssl.CERT_NONE},
                                              cookie=session_cookie(server),
                                              skip_utf8_validation=True)
        self.request("Bounce")  # the key within 10 s, as the WebUI's first packet

    def request(self, fncname, arguments=None):
        """Round trip in ms (sent until the whole answer is received), the answer's size in
        bytes, and the ms this client then needs to decode it.

        The answer is told apart by its first keys (the server writes ``fncname``,
        ``fncsig`` first): decoding 1.5 MB of JSON takes this Python client about
        25 ms, which says nothing about the server, so it is timed apart.
        """
        packet = json.dumps({"method": "request", "fncname": fncname, "fncsig": "bench",
                             "arguments": arguments, "pass": None, "key": self.key})
        started = time.perf_counter()
        self.ws.send(packet)
        while True:
            text = self.ws.recv()
            head = text[:200]
            if ANSWER_MARK in head or ERROR_MARK in head:
                break
        received = time.perf_counter()
        answer = json.loads(text)
        decoded = time.perf_counter()
        if answer.get("fncname") == "MusicDB:Error":
            sys.exit(f"{fncname} failed: {answer['arguments']}")
        return (received - started) * 1000, len(text), (decoded - received) * 1000


def measure(client, label, calls):
    times, sizes, decodes = [], [], []
    client.request(*calls[0])  # warm-up
    for call in calls:
        elapsed, size, decode = client.request(*call)
        times.append(elapsed)
        sizes.append(size)
        decodes.append(decode)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<42} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
          f"max {times[-1]:7.1f} ms   answer {statistics.mean(sizes) / 1024:8.1f} KiB   "
          f"(client decode p50 {statistics.median(decodes):5.1f} ms)", flush=True)


def typo(rng, text):
    if len(text) < 4:
        return text
    index = rng.randrange(1, len(text) - 1)
    return text[:index] + text[index + 1:]


def find_queries(rng, vocabulary, count):
    queries = []
    for _ in range(count):
        words = rng.choice(vocabulary).split()
        query = " ".join(words[:rng.randint(1, min(2, len(words)))])
        queries.append(typo(rng, query) if rng.random() < 0.5 else query)
    return queries


def rss_mib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def set_genres(client, names, selected):
    for name in names:
        client.ws.send(json.dumps({"method": "call", "fncname": "SetMDBState", "fncsig": None,
                                   "arguments": {"category": "GenreFilter", "name": name,
                                                 "value": selected},
                                   "pass": None, "key": client.key}))
    client.request("Bounce", None)  # the calls are handled in order: now they are done


def add_album_of_twelve(path):
    """An album of 12 playable songs (none disabled or hated) for the AddAlbumToQueue run."""
    db = MusicDatabase(path)
    with db.transaction():
        artistid = db.execute("INSERT INTO artists (name, path) "
                              "VALUES ('Zwölf', 'Zwölf')").lastrowid
        albumid = db.execute(
            "INSERT INTO albums (artistid, name, path, numofsongs, numofcds, origin, release, "
            "added, hidden) VALUES (?, 'Dutzend', 'Zwölf/2000 - Dutzend', 12, 1, 'CD', 2000, "
            "0, 0)", (artistid,)).lastrowid
        for number in range(1, 13):
            db.execute("INSERT INTO songs (albumid, artistid, name, path, number, cd, disabled, "
                       "playtime, bitrate, favorite) VALUES (?, ?, ?, ?, ?, 1, 0, 200, 320000, 0)",
                       (albumid, artistid, f"Stück {number}",
                        f"Zwölf/2000 - Dutzend/{number:02d}.mp3", number))
    db.close()
    return albumid


def measure_album_to_queue(client, albumid, count):
    """AddAlbumToQueue of 12 songs at the end of a short queue (issue 17: p50 <= 10 ms).

    After each add every entry behind the head is removed again (not timed),
    so each add saves a queue of the same length instead of one that grows
    by 12 songs per request.
    """
    times = []
    for _ in range(count + 1):   # the first one is a warm-up
        elapsed = client.request("AddAlbumToQueue", {"albumid": albumid, "position": "last"})[0]
        times.append(elapsed)
        for entryid in queued_entryids(client)[1:]:
            client.ws.send(json.dumps({"method": "call", "fncname": "RemoveSongFromQueue",
                                       "fncsig": None, "arguments": {"entryid": entryid},
                                       "pass": None, "key": client.key}))
        client.request("Bounce", None)  # the removals are done before the next add is timed
    times = sorted(times[1:])
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{'AddAlbumToQueue (12 songs)':<42} p50 {statistics.median(times):7.1f} ms   "
          f"p95 {p95:7.1f} ms   max {times[-1]:7.1f} ms", flush=True)


def queued_entryids(client):
    """The song queue's entry IDs (the answer to GetSongQueue; earlier packets are skipped)."""
    client.ws.send(json.dumps({"method": "request", "fncname": "GetSongQueue",
                               "fncsig": "queue", "arguments": None, "pass": None,
                               "key": client.key}))
    while True:
        answer = json.loads(client.ws.recv())
        if answer.get("fncsig") == "queue":
            return [entry["entryid"] for entry in answer["arguments"]]


def run(args, home):
    rng = random.Random(2)
    started = time.monotonic()
    albumids, vocabulary = build_library(os.path.join(home, "data", "music.db"), args.songs)
    dozen = add_album_of_twelve(os.path.join(home, "data", "music.db"))
    print(f"library: {args.songs} songs, {len(albumids)} albums (rows inserted in "
          f"{time.monotonic() - started:.1f} s)", flush=True)
    server = ServerProcess(home, tls=args.tls, extra=EXTRA)
    try:
        print(f"server RSS after start: {rss_mib(server.proc.pid):.0f} MiB", flush=True)
        client = Client(server)
        n = args.requests
        measure(client, "GetFilteredArtistsWithAlbums (no filter)",
                [("GetFilteredArtistsWithAlbums", None)] * n)
        set_genres(client, ("Rock", "Metal", "Jazz"), True)
        measure(client, "GetFilteredArtistsWithAlbums (3 genres)",
                [("GetFilteredArtistsWithAlbums", None)] * n)
        set_genres(client, ("Rock", "Metal", "Jazz"), False)
        measure(client, "GetAlbum", [("GetAlbum", {"albumid": rng.choice(albumids)})
                                     for _ in range(n)])
        measure(client, "Find (limit 20)", [("Find", {"searchstring": query, "limit": 20})
                                            for query in find_queries(rng, vocabulary, n)])
        measure_album_to_queue(client, dozen, min(n, 100))
        client.ws.close()
        print(f"server RSS after the runs: {rss_mib(server.proc.pid):.0f} MiB", flush=True)
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200, help="requests per function")
    parser.add_argument("--tls", action="store_true", help="use wss:// as the WebUI does")
    parser.add_argument("--keep", metavar="DIR", help="build the home in DIR and keep it")
    args = parser.parse_args()
    in_home(run, args, "api-latency-", keep=args.keep)


if __name__ == "__main__":
    main()
