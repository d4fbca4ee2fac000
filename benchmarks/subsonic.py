#!/usr/bin/env python3
"""Latency of the Subsonic API (/rest/) at 20,000 songs, over keep-alive HTTP.

Usage::

    python benchmarks/subsonic.py [--songs 20000] [--requests 200]

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
"""

import argparse
import concurrent.futures
import json
import hashlib
import http.client
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
from musicdb.lib.auth.subsonic import SubsonicCredentials, path_in  # noqa: E402
from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from tests.support import TEST_USER, ServerProcess, create_account  # noqa: E402

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

    def get(self, name, params, first_byte=False):
        """Milliseconds until the answer (or its first byte) arrived."""
        started = time.perf_counter()
        self.connection.request("GET", "/rest/%s?%s" % (name, urlencode({**self.auth(), **params})))
        response = self.connection.getresponse()
        if first_byte:
            response.read(1)
            elapsed = time.perf_counter() - started
            response.read()
        else:
            body = response.read()
            elapsed = time.perf_counter() - started
            assert b'"status":"ok"' in body[:200], body[:300]
        assert response.status in (200, 206), response.status
        return elapsed * 1000


def measure(client, label, calls, first_byte=False):
    client.get(*calls[0], first_byte=first_byte)  # warm-up
    times = sorted(client.get(*call, first_byte=first_byte) for call in calls)
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


def run(args, home):
    rng = random.Random(3)
    started = time.monotonic()
    albumids, vocabulary, streamable = prepare(home, args.songs)
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
        measure(client, "stream first byte", [("stream", {"id": rng.choice(streamable)})
                                              for _ in range(n)], first_byte=True)
        full_sync(server.port)
        print(f"server RSS after the runs: {rss_mib(server.proc.pid):.0f} MiB", flush=True)
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200, help="requests per call")
    args = parser.parse_args()
    in_home(run, args, "subsonic-bench-")


if __name__ == "__main__":
    main()
