"""What the benchmarks share: a home directory to build in, stopping their server."""

import os
import shutil
import sys
import tempfile

from tests.support.server import BLOCKED_MARK

# The config of the command-line benchmarks (import, artwork, find new content).
CLI_CONFIG = """[directories]
music = {home}/music
data = {home}/data
[log]
logfile = stderr
loglevel = WARNING
"""


def in_home(run, args, prefix, keep=None):
    """``run(args, home)`` in a new home with ``data/`` (or in ``keep``, which is kept).

    Exits when ``keep`` already holds a music.db: a benchmark builds its own library.
    """
    home = keep or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(os.path.join(home, "data"), exist_ok=True)
    if keep and os.path.exists(os.path.join(home, "data", "music.db")):
        sys.exit(f"{home} already holds a music.db; use an empty directory")
    try:
        run(args, home)
    finally:
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def stop(server):
    """Stop a :class:`tests.support.ServerProcess`; say so when it reported a blocked loop."""
    server.proc.terminate()
    server.proc.wait(20)
    if BLOCKED_MARK in server.log():
        print("warning: the server reported a blocked event loop (see server.log)")
