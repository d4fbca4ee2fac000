#!/usr/bin/env python3
"""MusicDB command line entry: ``python musicdb.py [--config FILE] MODULE ...``."""
from gevent import monkey

# Patch before anything else imports socket, ssl, threading or subprocess.
monkey.patch_all()

from musicdb.__main__ import run  # noqa: E402

if __name__ == "__main__":
    run()
