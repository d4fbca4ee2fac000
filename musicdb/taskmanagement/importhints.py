"""What an integrated upload's annotations tell its later import (api-uploads.md §7).

MusicDB 8's video import applies the upload's annotated ``origin``.  Here the
upload task ends at ``readyforimport`` and the WebUI imports the video with a
task of its own (InitiateMusicImport), so the integration leaves the origin
in ``<data>/state/importhints.json`` under the video's path, and the import of
that path takes it.  Hints no import took are dropped after :data:`LIFETIME`.
"""

import json
import logging
import os
import time

from musicdb.lib import datadir
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)

LIFETIME = 7 * 24 * 3600
MAX_ORIGIN = 256   # characters; a longer annotation is not applied
FILENAME = "importhints.json"


def remember(cfg, relpath, annotations):
    """Keep the ``origin`` of a video upload's ``annotations`` for the import of ``relpath``.

    Raises:
        OSError: the state file cannot be written.
    """
    origin = annotations.get("origin")
    if not isinstance(origin, str) or not origin.strip() or len(origin) > MAX_ORIGIN:
        return
    in_thread(_change, _path(cfg), relpath, {"origin": origin.strip(), "time": time.time()})


def take(cfg, relpath):
    """The hint left for ``relpath`` (``{"origin": …}``, or ``{}``), which is then gone.

    Raises:
        OSError: the state file cannot be written.
    """
    return in_thread(_change, _path(cfg), relpath, None)


def _path(cfg):
    return os.path.join(cfg.directories.data, "state", FILENAME)


def _change(path, relpath, hint):
    """Set (or with ``hint`` None remove) the hint of ``relpath``; returns the old one."""
    stored = _load(path)
    now = time.time()
    hints = {key: value for key, value in stored.items() if now - value["time"] < LIFETIME}
    old = hints.pop(relpath, {})
    if hint is not None:
        hints[relpath] = hint
    if hints == stored:
        return {}
    os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
    datadir.write_atomic(path, json.dumps(hints), mode=0o600)
    return {key: value for key, value in old.items() if key != "time"}


def _load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            hints = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("Ignoring the import hints in %s: %s", path, error)
        return {}
    return {key: value for key, value in hints.items() if isinstance(value, dict)
            and isinstance(value.get("time"), (int, float))
            and isinstance(value.get("origin"), str)} if isinstance(hints, dict) else {}
