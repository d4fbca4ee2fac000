"""``musicdb server``: claim and prepare the data directory, open the databases and serve.

The data directory is checked first (:func:`musicdb.mdbapi.datafiles.claim`):
a read-only one, a file the server cannot write, or another server on it
ends the start with one line and exit code 1, before anything listens.
"""

import logging
import os
import secrets
import sys

from musicdb.lib import datadir, storage
from musicdb.lib.auth import accounts, bind
from musicdb.lib.cfg.randy import RandyConfigFile
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.sqlite import DatabaseError
from musicdb.lib.media import artwork
from musicdb.lib.media.errors import MediaError
from musicdb.mdbapi import datafiles, server

log = logging.getLogger(__name__)

FIRST_USER = "admin"  # the quick start's account


def add_arguments(parser):
    parser.set_defaults(module="server")


def run(args, cfg):
    data = cfg.directories.data
    try:
        lock = datafiles.claim(data)
    except datafiles.StartRefused as refusal:
        print(f"musicdb: {refusal}", file=sys.stderr)
        return 1
    try:
        datadir.prepare(data, cfg.websocket.port)
        # The WebUI shows it for albums without artwork, before any import made it.
        artwork.ensure_default_artwork(os.path.join(data, "webdata", "artwork"))
        database = MusicDatabase(os.path.join(data, "music.db"))
    except (OSError, DatabaseError, MediaError) as error:
        refusal = storage.storage_error(error)
        print(f"musicdb: {refusal.reason if refusal else error}", file=sys.stderr)
        lock.release()
        return 1
    first_start = {}
    refused = _account_or_bind_refusal(args, cfg, first_start)
    if refused:
        print(f"musicdb: {refused}", file=sys.stderr)
        return 1
    if getattr(args, "local_home", False) and os.environ.get("MUSICDB_DEMO", "1") != "0":
        _import_demo(cfg, database)
    try:
        server.Initialize(cfg, database)
        datadir.restrict(data)  # the databases exist now
    except Exception:
        log.exception("Initializing the server failed")
        server.Shutdown(forced=True)
    if not server.StartWebSocketServer():
        server.Shutdown(forced=True)
    datafiles.DiskWatch(data).start()   # lives as long as the process, as the lock does
    _announce(cfg, first_start.get("password"))
    server.Run()
    return 0


def _account_or_bind_refusal(args, cfg, first_start):
    """Why the server must not start (one line), or None.

    The quick start's home gets an account at its first start, with a
    generated password printed once.  Beyond loopback the server needs an
    account, and TLS unless ``[security] allowplain`` says otherwise.
    """
    store = accounts.AccountStore(accounts.path_in(cfg.directories.data),
                                  cost=cfg.security.hashcost)
    try:
        if getattr(args, "local_home", False) and not store.names():
            first_start["password"] = _create_first_account(store)
        has_accounts = bool(store.names())
    except accounts.AccountError as error:
        return str(error)
    if not has_accounts:
        log.warning("No account yet, so nobody can log in: create one with "
                    "`python musicdb.py user add NAME`")
    ws = cfg.websocket
    return bind.refusal(ws.bind, ws.tls, cfg.security.allowplain, has_accounts)


def _create_first_account(store):
    password = secrets.token_urlsafe(12)
    store.add(FIRST_USER, password)
    print(f"Created the account {FIRST_USER!r} with the password {password} - shown only now; "
          f"change it with `python musicdb.py user passwd {FIRST_USER}`",
          file=sys.stderr, flush=True)
    return password


def _import_demo(cfg, database):
    """First start on the embedded default: fill the empty music directory with a demo."""
    # Imported here: the generator is no part of a server that has a library.
    from musicdb.demo.quickstart import import_demo

    try:
        summary = import_demo(cfg, database=database)
    except (RuntimeError, OSError, MediaError) as error:
        log.warning("No demo library: %s", error)
        return
    if summary is None:
        return
    log.warning("Created a demo library in %s: %s", cfg.directories.music, summary.line())
    # Demo songs are short; Randy's default (120 s at least) would never pick one.
    randy = RandyConfigFile(cfg.directories.data)
    config = randy.load()
    config["Constraints"]["MinSongLength"] = 0
    randy.save(config)


def _announce(cfg, password=None):
    """Where to go now: our page, the account of a first start, the stream, the music.

    The line "MusicDB is running" comes last: scripts and tests wait for it.
    """
    scheme = "https" if cfg.websocket.tls else "http"
    host = "localhost" if cfg.websocket.bind in ("127.0.0.1", "0.0.0.0", "") else cfg.websocket.bind
    base = f"{scheme}://{host}:{server.wsserver.port}"
    lines = [f"  Music directory: {cfg.directories.music} "
             f"(set [directories] music in {cfg.path} to use your own)"]
    if password:
        lines.append(f"  Log in as {FIRST_USER!r} with the password {password}")
    lines.append(f"  Stream for other players: {base}{cfg.icecast.mountname} "
                 f"(they log in with an account)")
    lines.append(f"  Legacy WebUI: {base}/musicdb/ (from {cfg.webui.directory})"
                 if os.path.isfile(os.path.join(cfg.webui.directory, "index.html")) else
                 f"  Legacy WebUI: not installed ({base}/musicdb/ says how)")
    if cfg.websocket.bind in ("0.0.0.0", "::", ""):
        lines.append("  Other machines: use this machine's name or address instead of localhost")
    lines.append(f"MusicDB is running: open {base}/")
    print("\n".join(lines), file=sys.stderr, flush=True)
