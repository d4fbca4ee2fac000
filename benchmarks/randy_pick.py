#!/usr/bin/env python3
"""Randy's pick time on a large library (no server, no network).

Usage::

    python benchmarks/randy_pick.py [--songs 20000] [--picks 200]

Builds a temporary music.db with ``--songs`` songs (10 per album, 4 albums per
artist, albums tagged Rock or Metal), selects both genres in the MDB state and
times ``Randy.get_song()`` with the default randy.ini (blacklists on), once
without and once with the genre filter.  Prints mean, p50 and p95 per pick.
Aim: a pick well under 100 ms at 20,000 songs, so filling the queue never
stalls the event loop.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from musicdb.mdbapi.randy import Randy  # noqa: E402


def build(datadir, songs):
    os.makedirs(os.path.join(datadir, "state"))
    db = MusicDatabase(os.path.join(datadir, "music.db"))
    albums = max(1, songs // 10)
    with db.transaction():
        rock = db.execute("INSERT INTO tags (name, class) VALUES ('Rock', 1)").lastrowid
        metal = db.execute("INSERT INTO tags (name, class) VALUES ('Metal', 1)").lastrowid
        db.executemany("INSERT INTO artists (artistid, name, path) VALUES (?, ?, ?)",
                       [(a + 1, f"A{a}", f"A{a}") for a in range(albums // 4 + 1)])
        db.executemany("INSERT INTO albums (albumid, artistid, name, path, numofcds, hidden) "
                       "VALUES (?, ?, ?, ?, 1, 0)",
                       [(b + 1, b // 4 + 1, f"B{b}", f"B{b}") for b in range(albums)])
        db.executemany("INSERT INTO albumtags (albumid, tagid) VALUES (?, ?)",
                       [(b + 1, rock if b % 2 else metal) for b in range(albums)])
        db.executemany("INSERT INTO songs (albumid, artistid, name, path, number, cd, "
                       "disabled, playtime) VALUES (?, ?, ?, ?, ?, 1, 0, 200)",
                       [(s // 10 + 1, s // 40 + 1, f"S{s}", f"S{s}", s % 10)
                        for s in range(songs)])
    return db


def select_genres(datadir, text):
    with open(os.path.join(datadir, "state", "state.ini"), "w", encoding="utf-8") as handle:
        handle.write("[meta]\nversion = 4\n[MusicDB]\nuimode = audio\n" + text)


def time_picks(randy, picks):
    times = []
    for _ in range(picks):
        started = time.perf_counter()
        songid = randy.get_song()
        times.append(time.perf_counter() - started)
        if songid is None:
            raise SystemExit("Randy found no song")
        randy.song_queued(songid)
    return times


def report(label, times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{label:22s} mean {1000 * statistics.mean(times):6.1f} ms  "
          f"p50 {1000 * statistics.median(times):6.1f} ms  p95 {1000 * p95:6.1f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--picks", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="randy-pick-") as datadir:
        db = build(datadir, args.songs)
        print(f"{args.songs} songs, {args.picks} picks each")
        select_genres(datadir, "")
        report("no genre filter", time_picks(Randy(db, datadir), args.picks))
        select_genres(datadir, "[GenreFilter]\nRock = True\nMetal = True\n")
        report("Rock + Metal selected", time_picks(Randy(db, datadir), args.picks))
        db.close()


if __name__ == "__main__":
    main()
