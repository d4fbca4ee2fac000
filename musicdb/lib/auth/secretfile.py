"""A small JSON file of secrets (mode 0600): read again whenever it changed on disk.

The account and Subsonic credential stores keep their data in such a file, so
a running server sees what the command line changed without a restart.
"""

import json
import os

from musicdb.lib import datadir


class SecretFile:
    """``parse(raw JSON object) -> content``; ``error`` is raised for an unreadable file."""

    def __init__(self, path, parse, error=OSError):
        self.path = path
        self._parse = parse
        self._error = error
        self._content = parse({})
        self._seen = None       # (mtime_ns, size, inode) of the file as last read

    def current(self):
        """The content as the file holds it now (cached until the file changes)."""
        seen = _stamp(self.path)
        if seen != self._seen:
            self._content = self.load()
            self._seen = seen
        return self._content

    def load(self):
        """The content read afresh (a missing file is empty).

        Raises:
            the store's ``error``: the file cannot be read or is no JSON.
        """
        try:
            with open(self.path, encoding="utf-8") as handle:
                raw = json.load(handle)
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError) as error:
            raise self._error(f"cannot read {self.path}: {error}") from None
        return self._parse(raw if isinstance(raw, dict) else {})

    def save(self, content):
        """Replace the file atomically with ``{"version": 1, **content}``, mode 0600."""
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        text = json.dumps({"version": 1, **content}, indent=1, sort_keys=True)
        datadir.write_atomic(self.path, text + "\n", 0o600)
        self._seen = None


def _stamp(path):
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino
