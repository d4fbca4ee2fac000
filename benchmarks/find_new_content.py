#!/usr/bin/env python3
"""FindNewContent on an unchanged library (target: under 2 s at 20,000 songs).

Usage::

    python benchmarks/find_new_content.py [--songs 20000] [--runs 5] [--keep DIR]

Generates a demo library of tiny files (1 s clips, as import_rate.py does),
imports it with the command line, then times ``librarydir.find_new_content``
in this process (cold first run, then warm runs from the page cache) and
prints the figures.

Measured on the 2-core development VM (shared with other work), 20,000 songs
in 2,337 albums: first run 102 ms, best 60 ms (5 runs).  Generating and
importing the library takes about two minutes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from gevent import monkey  # noqa: E402
monkey.patch_all()

from benchmarks.common import CLI_CONFIG  # noqa: E402
from musicdb.demo.library import generate_library  # noqa: E402
from musicdb.lib.cfg.musicdb import MusicDBConfig  # noqa: E402
from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402
from musicdb.mdbapi import librarydir  # noqa: E402
from musicdb.mdbapi.app import App  # noqa: E402



def prepare(home, songs):
    os.makedirs(os.path.join(home, "data"), exist_ok=True)
    config = os.path.join(home, "musicdb.ini")
    with open(config, "w") as handle:
        handle.write(CLI_CONFIG.format(home=home))
    started = time.monotonic()
    generate_library(os.path.join(home, "music"), songs=songs, seconds=1)
    print(f"generated {songs} songs in {time.monotonic() - started:.1f} s")
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
               "database", "import"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    print(f"imported in {time.monotonic() - started:.1f} s")
    return config


def measure(config, runs):
    cfg = MusicDBConfig(config)
    database = MusicDatabase(os.path.join(cfg.directories.data, "music.db"))
    app = App(cfg=cfg, database=database)
    times = []
    for _ in range(runs):
        started = time.monotonic()
        found = librarydir.find_new_content(app)
        times.append(time.monotonic() - started)
        assert found == {"albums": [], "videos": []}, found
    songs = database.value("SELECT count(*) FROM songs")
    albums = database.value("SELECT count(*) FROM albums")
    print(f"FindNewContent, {songs} songs in {albums} albums, nothing new: first "
          f"{times[0] * 1000:.0f} ms, best {min(times) * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms over {runs} runs (target < 2000 ms)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="use (or fill) this home instead of a temporary one")
    args = parser.parse_args()
    if args.keep:
        config = os.path.join(args.keep, "musicdb.ini")
        if not os.path.exists(config):
            config = prepare(args.keep, args.songs)
        measure(config, args.runs)
        return
    with tempfile.TemporaryDirectory() as home:
        measure(prepare(home, args.songs), args.runs)


if __name__ == "__main__":
    main()
