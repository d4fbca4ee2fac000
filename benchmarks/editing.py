#!/usr/bin/env python3
"""Tagging a song at 20,000 songs, until the broadcast has reached 50 clients.

Usage::

    python benchmarks/editing.py [--songs 20000] [--clients 50] [--edits 200] [--tls]

It builds the library of ``benchmarks/api_latency.py`` (rows inserted
straight into a fresh ``music.db``), starts the real server, connects
``--clients`` WebSocket clients and then, one edit after the other, sends
``SetSongTag`` (alternating with ``RemoveSongTag``) for a random song as a
``call`` from the first client.  Each edit is timed from the send until every
client (the sender too) has received the forced ``GetSong`` broadcast: the
clients are read one after the other, so the figure includes this Python
client's reading and overstates the server's share.  It also prints the
time until the first client got it, and SetAlbumColor's round trip (a
request answered to the sender only).

Aim (issue 11): SetSongTag until 50 clients have the broadcast, p50 < 10 ms.
Run it on an otherwise idle machine: other load shows up in the figures.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from benchmarks.common import in_home, stop  # noqa: E402
from api_latency import EXTRA, Client, build_library  # noqa: E402

from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from tests.support import ServerProcess  # noqa: E402


def send(client, fncname, arguments, fncsig, method="call"):
    client.ws.send(json.dumps({"method": method, "fncname": fncname, "fncsig": fncsig,
                               "arguments": arguments, "pass": None, "key": client.key}))


def wait_for(client, mark):
    """Read packets until one carries ``mark`` (its fncsig) near its start."""
    while mark not in client.ws.recv()[:300]:
        pass


def tag_once(clients, songid, tagid, number, remove):
    """(ms until the first client, ms until every client) had the edit's broadcast."""
    mark = f'"fncsig": "edit-{number}"'
    started = time.perf_counter()
    send(clients[0], "RemoveSongTag" if remove else "SetSongTag",
         {"songid": songid, "tagid": tagid}, f"edit-{number}")
    wait_for(clients[0], mark)
    first = time.perf_counter()
    for client in clients[1:]:
        wait_for(client, mark)
    return (first - started) * 1000, (time.perf_counter() - started) * 1000


def report(label, times):
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<44} p50 {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
          f"max {times[-1]:7.2f} ms", flush=True)


def library_ids(path):
    db = MusicDatabase(path)
    try:
        songids = [row["songid"] for row in db.rows("SELECT songid FROM songs")]
        tagids = [row["tagid"] for row in db.rows("SELECT tagid FROM tags WHERE class IN (1, 3)")]
        albumids = [row["albumid"] for row in db.rows("SELECT albumid FROM albums")]
    finally:
        db.close()
    return songids, tagids, albumids


def run(args, home):
    path = os.path.join(home, "data", "music.db")
    started = time.monotonic()
    build_library(path, args.songs)
    songids, tagids, albumids = library_ids(path)
    print(f"library: {len(songids)} songs, {len(albumids)} albums (rows inserted in "
          f"{time.monotonic() - started:.1f} s)", flush=True)
    server = ServerProcess(home, tls=args.tls, extra=EXTRA)
    try:
        measure(server, args, songids, tagids, albumids)
    finally:
        stop(server)


def measure(server, args, songids, tagids, albumids):
    rng = random.Random(11)
    clients = [Client(server) for _ in range(args.clients)]
    firsts, everyones, colors = [], [], []
    for number in range(args.edits + 1):
        songid, tagid = rng.choice(songids), rng.choice(tagids)
        first, everyone = tag_once(clients, songid, tagid, number, remove=False)
        tag_once(clients, songid, tagid, f"{number}r", remove=True)  # leave the library as it was
        if number:  # the first one warms up
            firsts.append(first)
            everyones.append(everyone)
    for _ in range(args.edits):
        color = "#%06X" % rng.getrandbits(24)
        colors.append(clients[0].request("SetAlbumColor", {
            "albumid": rng.choice(albumids), "colorname": "bgcolor", "color": color})[0])
    report("SetSongTag, broadcast at the sender", firsts)
    report(f"SetSongTag, broadcast at all {args.clients} clients", everyones)
    report("SetAlbumColor round trip", colors)
    for client in clients:
        client.ws.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--tls", action="store_true", help="use wss:// as the WebUI does")
    args = parser.parse_args()
    in_home(run, args, "editing-bench-")


if __name__ == "__main__":
    main()
