"""The data directory (foundations.md §2): its folders, the API key and ``webdata/config.js``.

Everything here is idempotent: a missing piece is created, an existing one
is left as it is, so a MusicDB 8 data directory is used unchanged.
"""

import base64
import logging
import os
import secrets
import tempfile

log = logging.getLogger(__name__)

SUBDIRECTORIES = {
    "state": 0o755, "webdata": 0o755, "webdata/artwork": 0o775, "config": 0o755,
    "uploads": 0o750, "tasks": 0o750,
}

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
        write_atomic(configjs, CONFIG_JS_TEMPLATE.format(port=port, key=key), 0o664)
    return key


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
    write_atomic(path, key + "\n", 0o660)
    log.info("Created a new WebSocket API key in %s", path)
    return key


def write_atomic(path, text, mode=0o644):
    """Write ``text`` to ``path`` so that a crash leaves the old or the new file, never half.

    Raises:
        OSError: the file cannot be written.
    """
    handle_fd, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".",
                                       suffix=".tmp", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(handle_fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        _remove_quietly(temp)
        raise


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass
