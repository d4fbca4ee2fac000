#!/usr/bin/env python3
"""Latency of the Subsonic API (/rest/) at 20,000 songs, over keep-alive HTTP.

Usage::

    python benchmarks/subsonic.py [--songs 20000] [--requests 200] [--busy 30]

The library is built like ``benchmarks/api_latency.py`` (rows inserted into a
fresh ``music.db``); the songs that ``stream`` fetches get a real 4 MiB file.
The real server runs on a free 127.0.0.1 port (no TLS); one client sends the
requests one after the other with token authentication and measures each
until the whole answer arrived (``stream``: until the first body byte).
During the first call, which builds the catalog in a worker thread, a second
connection pings and reports how many answers it got and the slowest.
Prints p50/p95/max per call.  Aims: p50 <= 20 ms for search3 and the lists.

The full sync is what clients do at first start: search3 with query ``""``
in pages of 500 songs, albums and artists (offsets 0, 500, ...) until a page
is empty, then getAlbum of every album, always 4 requests in flight.  Aims:
the whole sync <= 15 s at 20,000 songs, the last search3 page within 1.5x
the first.

The busy phase (``--busy`` seconds, 0 skips it) is the last aim of issue 14
item 10: the live stream plays a queue of real MP3s (three 30 s tones, made
and queued as ``benchmarks/stream_load.py`` does) to one listener (its
``Listeners``, with a stream token), while 50 client threads each loop over
search3, getAlbumList2 random, getAlbum, getCoverArt 500 px and a stream
Range of 64 KiB.  Printed: the calls answered (and failed), the largest gap
between two stream chunks against the aim of 250 ms, and how many times
gevent's monitor reported the server's event loop blocked meanwhile (aim: none).
"""

import argparse
import concurrent.futures
import json
import hashlib
import http.client
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from benchmarks.common import in_home, stop  # noqa: E402
from api_latency import EXTRA, build_library, rss_mib  # noqa: E402
from stream_load import WARMUP, Listeners, add_tone_songs, play, stream_path  # noqa: E402
from musicdb.lib.auth.subsonic import SubsonicCredentials, path_in  # noqa: E402
from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from tests.support import (BLOCKED_MARK, TEST_USER, Client, ServerProcess,  # noqa: E402
                           create_account)

APP_PASSWORD = "benchmark-app-password"


class RestClient:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def auth(self):
        salt = "%08x" % random.getrandbits(32)
        token = hashlib.md5((APP_PASSWORD + salt).encode()).hexdigest()
        return {"u": TEST_USER, "t": token, "s": salt, "v": "1.16.1", "c": "bench", "f": "json"}

    def fetch(self, name, params):
        """``(milliseconds, subsonic-response)`` of one call that must succeed."""
        started = time.perf_counter()
        self.connection.request("GET", "/rest/%s?%s" % (name, urlencode({**self.auth(), **params})))
        body = self.connection.getresponse().read()
        answer = json.loads(body)["subsonic-response"]
        assert answer["status"] == "ok", body[:300]
        return (time.perf_counter() - started) * 1000, answer

    def get(self, name, params, first_byte=False, headers=None):
        """Milliseconds until the answer (or its first byte) arrived."""
        started = time.perf_counter()
        self.connection.request("GET", "/rest/%s?%s" % (name, urlencode({**self.auth(), **params})),
                                headers=headers or {})
        response = self.connection.getresponse()
        if first_byte:
            response.read(1)
            elapsed = time.perf_counter() - started
            response.read()
        else:
            body = response.read()
            elapsed = time.perf_counter() - started
            if headers and "Range" in headers:
                assert response.status == 206 and len(body) == 65536, response.status
            else:
                assert b'"status":"ok"' in body[:200], body[:300]
        assert response.status in (200, 206), response.status
        return elapsed * 1000


def measure(client, label, calls, first_byte=False, headers=None):
    client.get(*calls[0], first_byte=first_byte, headers=headers)  # warm-up
    times = sorted(client.get(*call, first_byte=first_byte, headers=headers) for call in calls)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<34} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
          f"max {times[-1]:7.1f} ms", flush=True)


def prepare(home, songs):
    music = os.path.join(home, "music")
    os.makedirs(music, exist_ok=True)
    database = os.path.join(home, "data", "music.db")
    albumids, vocabulary = build_library(database, songs)
    db = MusicDatabase(database)
    rows = db.rows("SELECT songid, path FROM songs WHERE disabled = 0 LIMIT 20")
    db.close()
    for row in rows:
        path = os.path.join(music, row["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(os.urandom(4 * 2**20))
    create_account(home)
    SubsonicCredentials(path_in(os.path.join(home, "data"))).set_app_password(
        TEST_USER, APP_PASSWORD)
    return albumids, vocabulary, ["tr-%d" % row["songid"] for row in rows]


def add_live_songs(home):
    """Three real MP3s for the live stream: ``(song IDs, the stream's path with a token)``."""
    db = MusicDatabase(os.path.join(home, "data", "music.db"))
    try:
        songids = add_tone_songs(db, os.path.join(home, "music"))
    finally:
        db.close()
    return songids, stream_path(home)


def first_call(server, client):
    """The first getArtists (it builds the catalog) and pings meanwhile on another connection."""
    pinger, pings, took = RestClient(server.port), [], []

    def build():
        took.append(client.get("getArtists", {}))

    builder = threading.Thread(target=build)
    builder.start()
    while builder.is_alive():
        pings.append(pinger.get("ping", {}))
    builder.join()
    print(f"first call (builds the catalog): {took[0]:.0f} ms; {len(pings)} pings meanwhile, "
          f"slowest {max(pings or [0]):.1f} ms", flush=True)


PAGE = 500
IN_FLIGHT = 4


def _page(offset):
    return {"query": "", "songCount": PAGE, "songOffset": offset, "albumCount": PAGE,
            "albumOffset": offset, "artistCount": PAGE, "artistOffset": offset}


def full_sync(port):
    """search3 "" page by page, then every getAlbum, IN_FLIGHT at once; prints the figures."""
    local = threading.local()

    def call(name, params):
        if not hasattr(local, "client"):
            local.client = RestClient(port)
        return local.client.fetch(name, params)

    started, pages, albums, offset = time.perf_counter(), [], [], 0
    with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
        while True:
            batch = [offset + i * PAGE for i in range(IN_FLIGHT)]
            results = list(pool.map(lambda o: call("search3", _page(o)), batch))
            full = [(ms, r["searchResult3"]) for ms, r in results
                    if any(r["searchResult3"].get(k) for k in ("song", "album", "artist"))]
            pages += [ms for ms, _ in full]
            albums += [a["id"] for _, result in full for a in result.get("album", [])]
            if len(full) < IN_FLIGHT:
                break
            offset += IN_FLIGHT * PAGE
        paged = time.perf_counter()
        album_times = [ms for ms, _ in pool.map(lambda a: call("getAlbum", {"id": a}), albums)]
    total = time.perf_counter() - started
    print(f"full sync: {total:.1f} s (aim <= 15 s): {len(pages)} search3 pages in "
          f"{paged - started:.1f} s, {len(albums)} getAlbum (p50 "
          f"{statistics.median(album_times):.1f} ms), {IN_FLIGHT} in flight", flush=True)
    print(f"search3 page of 500: first {pages[0]:.0f} ms, last {pages[-1]:.0f} ms "
          f"({pages[-1] / pages[0]:.2f}x the first, aim <= 1.5x)", flush=True)


BUSY_CLIENTS = 50
RANGE = {"Range": "bytes=0-65535"}


def busy_calls(rng, albumids, vocabulary, streamable):
    """The next call of a busy client: ``(name, params, first_byte, headers)``."""
    words = " ".join(w[:3] for w in rng.choice(vocabulary).split()[:2])
    album = "al-%d" % rng.choice(albumids)
    return rng.choice([("search3", {"query": words}, False, None),
                       ("getAlbumList2", {"type": "random"}, False, None),
                       ("getAlbum", {"id": album}, False, None),
                       ("getCoverArt", {"id": album, "size": 500}, True, None),
                       ("stream", {"id": rng.choice(streamable)}, True, RANGE)])


def busy_client(port, stop_event, counts, seed, library):
    """Call the server until ``stop_event``; adds (answered, failed) to ``counts``."""
    rng, client, answered, failed = random.Random(seed), RestClient(port), 0, 0
    while not stop_event.is_set():
        name, params, first_byte, headers = busy_calls(rng, *library)
        try:
            client.get(name, params, first_byte=first_byte, headers=headers)
            answered += 1
        except (AssertionError, OSError, http.client.HTTPException):
            failed += 1
            client.connection.close()
    counts.append((answered, failed))


def busy_load(port, stop_event, results, library):
    """BUSY_CLIENTS client threads until ``stop_event``; puts (answered, failed) on
    ``results``.  It runs in a process of its own, so that the listener's thread does not
    wait for the clients' GIL."""
    counts = []
    threads = [threading.Thread(target=busy_client, args=(port, stop_event, counts, n, library))
               for n in range(BUSY_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    results.put(tuple(sum(c[i] for c in counts) for i in (0, 1)))


def busy_phase(server, seconds, library, live):
    """The live stream to one listener while BUSY_CLIENTS clients call; prints the figures."""
    songids, path = live
    control = Client(server)
    try:
        play(control, songids, seconds + 2 * WARMUP + 10)
    finally:
        control.close()
    context = multiprocessing.get_context("fork")
    stop_event, results = context.Event(), context.Queue()
    load = context.Process(target=busy_load, args=(server.port, stop_event, results, library),
                           daemon=True)
    load.start()
    listener = Listeners(server.port, 1, path)
    time.sleep(WARMUP)
    marks, started = server.log().count(BLOCKED_MARK), time.monotonic()
    listener.start_measuring()
    time.sleep(seconds)
    listener.measuring = False
    wall = time.monotonic() - started
    stop_event.set()
    answered, failed = results.get(timeout=60)
    load.join(30)
    listener.stop()
    stat = listener.stats[0]
    blocks = server.log().count(BLOCKED_MARK) - marks
    print(f"busy phase, {BUSY_CLIENTS} clients, {wall:.0f} s: {answered} calls answered "
          f"({answered / wall:.0f}/s), {failed} failed; live stream (HTTP {stat['status']}, "
          f"{stat['bytes'] / wall / 125:.0f} kbit/s{', closed' if stat['closed'] else ''}): "
          f"largest gap {1000 * stat['gap']:.0f} ms (aim <= 250 ms); blocked-loop reports "
          f"meanwhile: {blocks} (aim: none)", flush=True)


def run(args, home):
    rng = random.Random(3)
    started = time.monotonic()
    albumids, vocabulary, streamable = prepare(home, args.songs)
    live = add_live_songs(home) if args.busy > 0 else None
    print(f"library: {args.songs} songs, {len(albumids)} albums "
          f"({time.monotonic() - started:.1f} s)", flush=True)
    server = ServerProcess(home, extra=EXTRA)
    try:
        client, n = RestClient(server.port), args.requests
        first_call(server, client)
        queries = [" ".join(w[:3] for w in rng.choice(vocabulary).split()[:2])
                   for _ in range(n)]
        measure(client, "search3 (two words)", [("search3", {"query": q}) for q in queries])
        measure(client, "getRandomSongs 50", [("getRandomSongs", {"size": 50})] * n)
        measure(client, "getAlbumList2 random", [("getAlbumList2", {"type": "random"})] * n)
        measure(client, "getAlbumList2 newest", [("getAlbumList2", {"type": "newest"})] * n)
        measure(client, "getAlbum", [("getAlbum", {"id": "al-%d" % rng.choice(albumids)})
                                     for _ in range(n)])
        measure(client, "getArtists", [("getArtists", {})] * max(n // 4, 5))
        measure(client, "getCoverArt (default, 200)",
                [("getCoverArt", {"id": "al-%d" % rng.choice(albumids), "size": 200})
                 for _ in range(n)], first_byte=True)
        measure(client, "getCoverArt (default, 500)",
                [("getCoverArt", {"id": "al-%d" % rng.choice(albumids), "size": 500})
                 for _ in range(n)], first_byte=True)
        measure(client, "stream first byte", [("stream", {"id": rng.choice(streamable)})
                                              for _ in range(n)], first_byte=True)
        measure(client, "stream Range 64 KiB (whole)",
                [("stream", {"id": rng.choice(streamable)}) for _ in range(n)], headers=RANGE)
        full_sync(server.port)
        if live:
            busy_phase(server, args.busy, (albumids, vocabulary, streamable), live)
        print(f"server RSS after the runs: {rss_mib(server.proc.pid):.0f} MiB", flush=True)
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200, help="requests per call")
    parser.add_argument("--busy", type=float, default=30,
                        help="seconds of the busy phase (50 clients, the live stream); 0: none")
    args = parser.parse_args()
    in_home(run, args, "subsonic-bench-")


if __name__ == "__main__":
    main()
