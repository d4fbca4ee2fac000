#!/usr/bin/env bash
# Set up and run MusicDB on the embedded default: a virtual environment (.venv),
# a local home ($MUSICDB_HOME, default ~/.musicdb) with config, data directory,
# self-signed certificate and a small generated demo library, then the server.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ffmpeg >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ffmpeg (demo library and transcoding) ..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg >/dev/null; }
    else
        echo "ffmpeg is missing: install it (e.g. 'sudo apt-get install ffmpeg') for the demo library." >&2
    fi
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python musicdb.py "$@" server
