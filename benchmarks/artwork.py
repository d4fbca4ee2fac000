#!/usr/bin/env python3
"""Artwork scaling for 1,000 albums: ``musicdb artwork -u`` as a user runs it.

Usage::

    python benchmarks/artwork.py [--albums 1000] [--edge 1400] [--workers 2] [--keep DIR]

What it does:

1. Creates ``--albums`` album rows (in a fresh ``music.db``) whose directories
   hold a ``cover.jpg`` of ``--edge`` x ``--edge`` pixels (noise and a colour
   gradient, so JPEG coding does real work, as with a scanned cover).
2. Runs ``musicdb.py artwork -u`` (its own process, ``--workers`` threads):
   every album gets its full-size artwork and the four scales 150, 200, 500
   and 1000 - the figure "write".
3. Deletes the 200x200 and 1000x1000 directories and runs it again: only the
   missing copies are made - the figure "complete" (what the server's start
   does after ``[albumcover] scales`` grew).
4. Runs ``artwork -u --rescale``: all four scales again from the stored
   artwork - the figure "rescale".

Prints seconds and albums/s per run, and the peak RSS of each process.

Measured (2 CPUs shared with other jobs, load average about 6; 2 workers;
1,000 albums, 1400x1400 covers; about 0.1 s of CPU per album for all four scales)::

    write    :  195.9 s =    5.1 albums/s, peak RSS 111 MB
    complete :  107.3 s =    9.3 albums/s, peak RSS 112 MB   (2 of 4 scales missing)
    rescale  :  115.2 s =    8.7 albums/s, peak RSS 110 MB
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from PIL import Image  # noqa: E402

from benchmarks.common import CLI_CONFIG  # noqa: E402
from musicdb.lib.db.musicdb import MusicDatabase  # noqa: E402



def cover(edge, seed):
    noise = Image.effect_noise((edge, edge), 40 + seed % 30).convert("RGB")
    gradient = Image.linear_gradient("L").resize((edge, edge)).convert("RGB")
    return Image.blend(noise, gradient, 0.5)


def build(home, albums, edge):
    music = os.path.join(home, "music")
    os.makedirs(os.path.join(home, "data"))
    database = MusicDatabase(os.path.join(home, "data", "music.db"))
    images = [cover(edge, seed) for seed in range(8)]  # 8 distinct covers, saved per album
    with database.transaction():
        for number in range(albums):
            artist = f"Ärtist {number // 10:03d}"
            path = f"{artist}/2000 - Älbum {number:04d}"
            os.makedirs(os.path.join(music, path))
            images[number % 8].save(os.path.join(music, path, "cover.jpg"), quality=92)
            if number % 10 == 0:
                artistid = database.add_artist(artist, artist)
            database.add_album(artistid, f"Älbum {number:04d}", path, 2000, "CD", 0)
    database.close()
    config = os.path.join(home, "musicdb.ini")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(CLI_CONFIG.format(home=home))
    return config


def run(config, workers, *extra):
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
               "artwork", "-u", "--workers", str(workers), *extra]
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "RSS %M", *command], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"artwork failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    rss = re.search(r"RSS (\d+)", result.stderr)
    summary = re.search(r"Artwork: (.*?) \(", result.stdout).group(1)
    return seconds, summary, int(rss.group(1)) // 1024 if rss else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--albums", type=int, default=1000)
    parser.add_argument("--edge", type=int, default=1400)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it")
    args = parser.parse_args()
    home = args.keep or tempfile.mkdtemp(prefix="musicdb-artwork-bench-")
    try:
        started = time.monotonic()
        config = build(os.path.abspath(home), args.albums, args.edge)
        print(f"{args.albums} albums with {args.edge}x{args.edge} covers built in "
              f"{time.monotonic() - started:.1f} s; CPUs {os.cpu_count()}, workers {args.workers}")
        artwork = os.path.join(home, "data", "webdata", "artwork")
        for label, extra in (("write", ()), ("complete", ()), ("rescale", ("--rescale",))):
            if label == "complete":
                for scale in ("200x200", "1000x1000"):
                    shutil.rmtree(os.path.join(artwork, scale))
            seconds, summary, rss = run(config, args.workers, *extra)
            print(f"{label:9s}: {seconds:6.1f} s = {args.albums / seconds:6.1f} albums/s, "
                  f"peak RSS {rss} MB  ({summary})")
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
