#!/usr/bin/env bash
# Run the test suite in a virtual environment of its own (.venv), installing what it needs.
# Usage: bash tools/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-test.txt
exec .venv/bin/python -m pytest "$@"
