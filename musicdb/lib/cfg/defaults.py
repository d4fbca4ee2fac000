"""The embedded default set-up: a local config, data and music directory for a first start.

Used when no ``--config`` is given and there is no system configuration, so
``python musicdb.py server`` works on a fresh machine.
"""

import logging
import os

log = logging.getLogger(__name__)

LOCAL_CONFIG = """; MusicDB configuration created for a local start.
; See etc/musicdb.ini in the MusicDB sources for every key.
[meta]
version = 7

[directories]
music = {home}/music
data = {home}/data

[log]
logfile = stderr
loglevel = INFO
debugfile = /dev/null
ignore = PIL

[websocket]
bind = 127.0.0.1
port = {port}

; [webui] directory is not set here: each start takes $MUSICDB_WEBUI, else
; /usr/share/musicdb/webui.

[debug]
disablevideos = True
"""


def local_home():
    """``$MUSICDB_HOME``, or ``~/.musicdb``."""
    return os.path.abspath(os.environ.get("MUSICDB_HOME") or os.path.expanduser("~/.musicdb"))


def local_port():
    """The port of a new local home: ``$MUSICDB_PORT``, or 9000."""
    value = os.environ.get("MUSICDB_PORT", "")
    return int(value) if value.isdigit() and 0 < int(value) < 65536 else 9000


def ensure_local_home(home):
    """Create ``home`` with a config, data and music directory if missing; returns the config path."""
    path = os.path.join(home, "musicdb.ini")
    if os.path.exists(path):
        return path
    for sub in ("", "data", "music"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(LOCAL_CONFIG.format(home=home, port=local_port()))
    log.warning("Created a local configuration in %s", path)
    return path
