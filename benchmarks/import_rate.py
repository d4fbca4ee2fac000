#!/usr/bin/env python3
"""Import rate of ``musicdb.py database import`` at 1,000 and 20,000 songs.

Usage::

    python benchmarks/import_rate.py [--sizes 1000,20000] [--seconds S] [--workers N]
                                     [--keep DIR]

For each size: generate a demo library (5 formats, clips of ``--seconds``,
default 1, artwork on three of four albums) in a temporary home, run the real command line import
in a subprocess and print songs/s over the wall-clock time (interpreter
start-up included), then run it again to show the re-import rate (nothing
changed).  The machine's load matters: run it on an otherwise idle machine.

Measured on the 2-core development VM (2 workers, demo files of 1 s, so
parsing and writing dominate, not hashing; real files of several MB are
bound by SHA-256 and disk instead):

    1000 songs import   :  0.8 s = 1220 songs/s;  re-import 0.3 s = 2971 songs/s
   20000 songs import   :  8.7 s = 2290 songs/s;  re-import 1.6 s = 12321 songs/s

With real file sizes (``--sizes 500 --seconds 200``, 1-4 MB per file, read
from the page cache) hashing dominates:

     500 songs import   :  0.9 s =  555 songs/s;  re-import 0.3 s =  1530 songs/s
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchmarks.common import CLI_CONFIG  # noqa: E402
from musicdb.demo.library import generate_library  # noqa: E402



def import_once(config, workers):
    """Seconds and the summary line of one CLI import."""
    command = [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config,
               "database", "import", "--workers", str(workers)]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"import failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    summary = re.search(r"Import: (.*?) \(", result.stdout)
    return seconds, summary.group(1) if summary else result.stdout.strip()


def measure(size, workers, parent, seconds=1):
    home = tempfile.mkdtemp(prefix=f"import-{size}-", dir=parent)
    os.makedirs(os.path.join(home, "data"))
    config = os.path.join(home, "musicdb.ini")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(CLI_CONFIG.format(home=home))
    started = time.monotonic()
    generate_library(os.path.join(home, "music"), songs=size, seconds=seconds, progress=True)
    print(f"{size:>6} songs generated in {time.monotonic() - started:.1f} s", flush=True)
    for label in ("import", "re-import"):
        seconds, summary = import_once(config, workers)
        print(f"{size:>6} songs {label:<9}: {seconds:6.1f} s = {size / seconds:7.0f} songs/s"
              f"   ({summary})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--seconds", type=int, default=1,
                        help="length of each song; 200 gives files of real size (1-4 MB), "
                             "where hashing bounds the rate (needs size x 3 MB of disk)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--keep", metavar="DIR",
                        help="generate below DIR and keep the libraries "
                             "(default: a temp dir, removed)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"CPUs: {os.cpu_count()}, import workers: {args.workers}")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for size in sizes:
            measure(size, args.workers, args.keep, args.seconds)
        return
    with tempfile.TemporaryDirectory(prefix="musicdb-bench-") as parent:
        for size in sizes:
            measure(size, args.workers, parent, args.seconds)


if __name__ == "__main__":
    main()
