"""The data directory (foundations.md §2): its folders, the API key and ``webdata/config.js``.

Everything here is idempotent: a missing piece is created, an existing one
is left as it is, so a MusicDB 8 data directory is used unchanged.
"""

import base64
import logging
import os
import re
import secrets
import tempfile
import time

log = logging.getLogger(__name__)

SUBDIRECTORIES = {
    "state": 0o750, "webdata": 0o755, "webdata/artwork": 0o775, "config": 0o750,
    "uploads": 0o750, "tasks": 0o750,
}

# Readable by the server's user only: they hold the library, the API key, the
# accounts and the sessions (see restrict()).
PRIVATE_FILES = ("music.db", "tracker.db", "config/wsapikey.txt", "config/accounts.json",
                 "state/sessions.json", "webdata/config.js")
PRIVATE_DIRECTORIES = ("config", "state")
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

APIKEY_FILE = os.path.join("config", "wsapikey.txt")

# The shipped config.js computes the URL in the browser; ours is also served
# generated on request (musicdb.lib.http.app), this copy is for other web servers.
CONFIG_JS_TEMPLATE = """const CONFIG_VERSION = 3;
const WATCHDOG_RUN = true;
const WATCHDOG_INTERVAL = 5000;
const WEBSOCKET_URL = "wss://" + location.hostname + ":{port}";
const WEBSOCKET_APIKEY = "{key}";
"""


def prepare(datadir, port=9000):
    """Create what is missing in ``datadir``; returns the API key.

    Raises:
        OSError: the directory cannot be created or written.
    """
    os.makedirs(datadir, exist_ok=True)
    for name, mode in SUBDIRECTORIES.items():
        path = os.path.join(datadir, name)
        if not os.path.isdir(path):
            os.makedirs(path)
            os.chmod(path, mode)  # makedirs' mode is cut by the umask
            log.info("Created %s", path)
    key = read_api_key(datadir)
    configjs = os.path.join(datadir, "webdata", "config.js")
    if not os.path.exists(configjs):
        write_atomic(configjs, CONFIG_JS_TEMPLATE.format(port=port, key=key), 0o600)
    restrict(datadir)
    return key


def restrict(datadir):
    """Take other users' access away from the data directory and its private files.

    The directory keeps its group bits (MusicDB 8 shares it with a group);
    the private files become 0600, the private folders lose their "other"
    bits.  Run at every start, so files made by an older version, by SQLite
    or by hand are fixed too.

    Raises:
        OSError: a mode cannot be changed (the files belong to another user).
    """
    _remove_other_bits(datadir)
    for name in PRIVATE_DIRECTORIES:
        _remove_other_bits(os.path.join(datadir, name), group=False)
    for name in PRIVATE_FILES:
        for suffix in ("",) + (SQLITE_COMPANIONS if name.endswith(".db") else ()):
            path = os.path.join(datadir, name + suffix)
            if os.path.isfile(path) and os.stat(path).st_mode & 0o777 != 0o600:
                _chmod(path, 0o600)


def _remove_other_bits(path, group=True):
    """chmod o-rwx (and g-w unless ``group``) of an existing directory."""
    if not os.path.isdir(path):
        return
    mode = os.stat(path).st_mode & 0o7777
    wanted = mode & ~0o007 & (~0o000 if group else ~0o020)
    if wanted != mode:
        _chmod(path, wanted)


def _chmod(path, mode):
    try:
        os.chmod(path, mode)
    except OSError as error:
        log.warning("Cannot make %s private (mode %o): %s", path, mode, error)


def read_api_key(datadir):
    """The API key: the first line of ``config/wsapikey.txt``, created if missing."""
    path = os.path.join(datadir, APIKEY_FILE)
    try:
        with open(path, encoding="utf-8") as keyfile:
            key = keyfile.readline().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomic(path, key + "\n", 0o600)
    log.info("Created a new WebSocket API key in %s", path)
    return key


TEMP_SUFFIX = ".musicdb-tmp"
# tempfile.mkstemp's names of older versions: <file>.<8 characters>.tmp
_LEGACY_TEMP = re.compile(r"^.+\.[a-z0-9_]{8}\.tmp$")
LEGACY_TEMP_AGE = 600  # seconds: an old-style temporary file this old belongs to no write


def write_atomic(path, text, mode=0o644):
    """Write ``text`` to ``path`` so that a crash leaves the old or the new file, never half.

    The temporary file is ``<file>.<pid>.<random>.musicdb-tmp`` next to
    ``path``; one left by a killed process is removed at the next start
    (:func:`remove_stale_temporaries`).

    Raises:
        OSError: the file cannot be written; its ``filename`` is ``path``
            when the system named no file (a failed write or fsync).
    """
    directory = os.path.dirname(path) or "."
    try:
        handle_fd, temp = tempfile.mkstemp(prefix=f"{os.path.basename(path)}.{os.getpid()}.",
                                           suffix=TEMP_SUFFIX, dir=directory)
    except OSError as error:
        error.filename = error.filename or path
        raise
    try:
        with os.fdopen(handle_fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as error:
        _remove_quietly(temp)
        if isinstance(error, OSError):
            error.filename = path
        raise


def remove_stale_temporaries(datadir, clock=time.time):
    """Remove what interrupted atomic writes left in ``datadir`` and its folders; returns the paths.

    A temporary file of a live process (its PID in the name) stays: a
    ``database import`` beside the server may be writing it right now.
    Old-style names without a PID go when they are older than
    :data:`LEGACY_TEMP_AGE`.
    """
    removed = []
    for folder in ["."] + list(SUBDIRECTORIES):
        directory = os.path.join(datadir, folder)
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            path = os.path.join(directory, name)
            if _stale_temporary(path, name, clock()):
                _remove_quietly(path)
                removed.append(path)
    for path in removed:
        log.info("Removed %s, left by an interrupted write", path)
    return removed


def _stale_temporary(path, name, now):
    if name.endswith(TEMP_SUFFIX):
        parts = name[:-len(TEMP_SUFFIX)].rsplit(".", 2)
        return len(parts) == 3 and parts[1].isdigit() and not _process_alive(int(parts[1]))
    if _LEGACY_TEMP.match(name):
        try:
            return now - os.stat(path).st_mtime > LEGACY_TEMP_AGE
        except OSError:
            return False
    return False


def _process_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass
