#!/usr/bin/env bash
# Run the test suite in a virtual environment of its own (.venv), installing what it needs.
# Usage: bash tools/test.sh [pytest arguments]
# The tests spread over pytest-xdist workers, one more than there are cores (most tests
# wait on a server process of their own), unless the arguments choose (-n N,
# --numprocesses, -p no:xdist).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-test.txt
workers=(-n "$(( $(nproc) + 1 ))" --dist worksteal)
for arg in "$@"; do
    case "$arg" in
        -n|-n[0-9]*|--numprocesses*|no:xdist|-pno:xdist) workers=() ;;
    esac
done
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
