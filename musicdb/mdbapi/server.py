"""The MusicDB WebSocket server: start-up, main loop, signals and shutdown.

To run the server::

    Initialize(mdbconfig, musicdatabase)
    StartWebSocketServer()
    Run()

:func:`Initialize` builds the :class:`~musicdb.mdbapi.app.App`, the one
object that holds what the server shares.  The module globals ``cfg``
(:class:`MusicDBConfig`), ``database`` (:class:`MusicDatabase`) and ``mise``
(:class:`MusicDBMicroSearchEngine`) point into it; they are None until
:func:`Initialize` ran.  Handlers, routes and tasks receive the App and never
import this module.
"""

import logging
import os
import random
import signal
import sys
import time

import gevent
import gevent.event
import gevent.events
import gevent.monkey

from musicdb.lib import datadir
from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.cfg.webui import WebUIConfig, stream_url
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.lib.db.trackerdb import TrackerDatabase
from musicdb.lib.http import app as web
from musicdb.lib.http import login
from musicdb.lib.http import tls
from musicdb.lib.ws.server import MusicDBWebSocketServer
from musicdb.mdbapi import audiostream, events, handlers, librarydir, subsonic, videostream
from musicdb.mdbapi.app import App
from musicdb.mdbapi.handlers import notifications
from musicdb.mdbapi.library import Library
from musicdb.mdbapi.mdbstate import MDBState
from musicdb.mdbapi.mise import MusicDBMicroSearchEngine
from musicdb.mdbapi.randy import Randy
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.tracker import Tracker
from musicdb.mdbapi.videoqueue import VideoQueue
from musicdb.taskmanagement import managementthread

log = logging.getLogger(__name__)

cfg = None
database = None
mise = None
app = None
wsserver = None
session_watch = None

_shutdown = gevent.event.Event()
_forced = False
_running = False


def Initialize(configobj, databaseobj):
    """Set up the shared objects and start the background loops.

    Raises:
        TypeError: ``configobj`` is not a MusicDBConfig or ``databaseobj`` not a MusicDatabase.
    """
    global cfg, database, mise, app
    if not isinstance(configobj, MusicDBConfig):
        raise TypeError("configobj must be a MusicDBConfig")
    if not isinstance(databaseobj, MusicDatabase):
        raise TypeError("databaseobj must be a MusicDatabase")
    random.seed()
    app = build_app(configobj, databaseobj)
    cfg, database, mise = app.cfg, app.database, app.mise
    librarydir.repair(app)   # a rename a crash interrupted, before any stream or client
    handlers.load_areas()
    _shutdown.clear()
    managementthread.StartTaskManagementThread(app)
    audiostream.StartAudioStreamingThread(app)
    videostream.StartVideoStreamingThread(app)
    mise.UpdateCache()
    complete_artwork_scales()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        gevent.signal_handler(signum, SignalHandler, signum, None)


def complete_artwork_scales():
    """Queue the task that writes missing scaled artwork copies, as MusicDB 8 does at
    start (musicdb/taskmanagement/artwork.py); returns the task ID."""
    return managementthread.submit("completeartworkscales")


def build_app(config, musicdb):
    """The App of ``config`` and ``musicdb``: databases, search, state, the library layer,
    Randy and the queues, loaded before any stream starts (the streams and tasks join it
    later).  The library's answer cache watches the event bus from here on, before the
    clients' subscriber, so a ``sys:refresh`` finds it empty."""
    data = config.directories.data
    trackerdb = TrackerDatabase(os.path.join(data, "tracker.db"))
    mdbstate = MDBState(os.path.join(data, "state", "state.ini"))
    webuiconfig = WebUIConfig(os.path.join(data, "config", "webui.ini"), stream_url(config))
    webuiconfig.install()
    mise = MusicDBMicroSearchEngine(musicdb)
    library = Library(musicdb, mdbstate, mise)
    library.watch(events.bus)
    library.tagging.disabled = config.debug.disabletagging
    randy = Randy(musicdb, data, mdbstate)
    return App(cfg=config, database=musicdb, trackerdb=trackerdb, mise=mise,
               mdbstate=mdbstate, webuiconfig=webuiconfig, library=library, randy=randy,
               songqueue=SongQueue(config, musicdb, randy),
               videoqueue=VideoQueue(config, musicdb, randy),
               tracker=Tracker(config, trackerdb, musicdb))


def StartWebSocketServer():
    """Create and start the WebSocket server (and the HTTP routes on its port).

    Returns:
        True on success, otherwise False (the reason is logged).
    """
    global wsserver
    ws = cfg.websocket
    try:
        ssl_args = web.ssl_arguments(cfg) if ws.tls else None
        wsserver = MusicDBWebSocketServer(
            handlers.TABLE, app, lambda: datadir.read_api_key(cfg.directories.data),
            ws.opentimeout, ws.closetimeout, ws.maxmessagesize, ws.maxunreadbytes,
            publish=lambda packet: events.emit(events.CLIENT_BROADCAST, packet),
            trusted_proxies=ws.trustedproxies,
            max_connections=ws.maxconnections, max_connections_per_ip=ws.maxconnectionsperip,
            auth_timeout=ws.authtimeout, max_unauth_message_size=ws.maxunauthmessagesize,
            session_of=login.session_of)
        routes = audiostream.http_routes(cfg)
        gate = login.gate_for(cfg, player_paths=routes, player_check=audiostream.player_check(cfg))
        watch_sessions(gate, wsserver)
        apis = {subsonic.PREFIX: subsonic.build(app, gate.accounts, gate.limiter)}
        router = web.make_app(cfg, wsserver, routes, gate=gate, apis=apis)
        if not web.webui_installed(cfg):
            log.warning("The legacy WebUI is not installed in %s; /musicdb/ explains how to "
                        "install it ([webui] directory or MUSICDB_WEBUI)", cfg.webui.directory)
        wsserver.listen(router, ws.bind, ws.port, ssl_args)
        events.subscribe(_forward_events)
    except tls.CertificateError as error:
        log.error("Unusable TLS certificate or key: %s (fix it, or delete %s and %s to get "
                  "a new self-signed pair)", error, ws.cert, ws.key)
        return False
    except Exception as error:  # a start-up failure of any kind is reported, not raised
        log.error("Cannot start the WebSocket server on %s:%s: %s", ws.bind, ws.port, error)
        return False
    return True


def watch_sessions(gate, server, interval=login.DEFAULT_SWEEP_INTERVAL):
    """A session that ends (logout, expiry, a changed password, a removed account) closes
    the WebSocket connections opened with it; expiry is noticed every ``interval`` s."""
    global session_watch
    gate.sessions.subscribe(server.close_session)
    if session_watch is not None:
        session_watch.stop()
    session_watch = login.SessionWatch(gate, interval)
    session_watch.start()


def _forward_events(event):
    """The WebSocket clients' subscription to the domain events."""
    packet = notifications.packet_for(event)
    if packet is not None and wsserver is not None:
        wsserver.broadcast(packet)


def Run():
    """The main loop: wait for a shutdown request, then shut down (never returns)."""
    global _forced, _running
    gevent.events.subscribers.append(_report_blocked_loop)
    _watch_hub_cpu()
    _running = True
    try:
        _shutdown.wait()
    except KeyboardInterrupt:
        log.info("Interrupted; shutting down")
    except Exception:
        log.exception("Unexpected error in the main loop")
        _forced = True
    Shutdown()


def Shutdown(forced=False):
    """Stop task management, the streams and the WebSocket server, then exit.

    Exit code 0 for a regular shutdown, 1 when it was forced by an error
    (``forced``, or an exception in :func:`Run`).
    """
    global _running, _forced
    _running = False
    _forced = _forced or forced
    log.info("Shutting down")
    managementthread.StopTaskManagementThread()
    audiostream.StopAudioStreamingThread()
    videostream.StopVideoStreamingThread()
    if session_watch is not None:
        session_watch.stop()
    if wsserver is not None:
        events.unsubscribe(_forward_events)
        wsserver.close_all(1000, "Server shutdown")
        wsserver.stop()
    code = 1 if _forced else 0
    log.info("Server stopped (exit code %d)", code)
    logging.shutdown()
    sys.exit(code)


def SignalHandler(signum, stack):
    """React to a system signal: TERM and INT shut down, USR1 refreshes the caches."""
    if signum == signal.SIGTERM:
        SIGTERM_Handler()
    elif signum == signal.SIGINT:
        log.info("SIGINT received; shutting down")
        _shutdown.set()
    elif signum == signal.SIGUSR1:
        UpdateCaches()
    else:
        log.warning("Unexpected signal %d", signum)


def SIGTERM_Handler():
    """Signal the server to shut down."""
    log.info("SIGTERM received; shutting down")
    _shutdown.set()


def request_shutdown(forced=False):
    """Ask the main loop to shut down (used by tests and fatal errors)."""
    global _forced
    _forced = _forced or forced
    _shutdown.set()


def UpdateCaches():
    """Refresh the search cache and tell every client to reload (``sys:refresh``)."""
    log.info("Updating caches")
    if mise is not None:
        mise.UpdateCache()
    events.emit(events.CACHES_UPDATED)


def _report_blocked_loop(event):
    """Log when gevent's monitor thread sees the hub blocked (GEVENT_MONITOR_THREAD_ENABLE=1).

    The line also says how the main (hub) thread spent the blocked interval
    (which ends at the given ``time.monotonic()``): on a CPU, or waiting for
    one.  A hub that mostly waited for a CPU was starved by a busy machine, not
    blocked by the server's own work; tests tell the two apart by that
    (tests/support.py ``server_blocks``), so keep the format.
    """
    if _running and isinstance(event, gevent.events.EventLoopBlocked):
        log.error("Event loop blocked for more than %.3f s (%s):\n%s",
                  event.blocking_time, _hub_cpu_since_last_check(), "".join(event.info))


_hub_cpu = None  # _hub_cpu_times() at the monitor's last check


def _watch_hub_cpu():
    """Sample the hub thread's CPU times at every check of gevent's monitor thread (if on).

    The sample is taken right after the blocking check of the same round, so at
    a report it is the state at the start of the blocked interval.
    """
    monitor = gevent.get_hub().start_periodic_monitoring_thread()
    if monitor is not None:
        _sample_hub_cpu(None)
        monitor.add_monitoring_function(_sample_hub_cpu, gevent.config.max_blocking_time)


def _sample_hub_cpu(_hub):
    global _hub_cpu
    _hub_cpu = _hub_cpu_times()


def _hub_cpu_times():
    """``(monotonic time, s on a CPU, s waiting for one, time slices, state)`` of the main
    thread (the hub's; its task id is the pid) from /proc, or None."""
    task = f"/proc/self/task/{os.getpid()}"
    try:
        with open(f"{task}/schedstat") as stats, open(f"{task}/stat") as stat:
            oncpu, waiting, slices = stats.read().split()[:3]
            state = stat.read().rsplit(") ", 1)[1][0]
    except (OSError, ValueError, IndexError):
        return None
    return time.monotonic(), int(oncpu) / 1e9, int(waiting) / 1e9, int(slices), state


def _hub_cpu_since_last_check():
    """The hub thread's CPU use since the last check, for a blocked-loop report.

    The kernel adds a wait for a CPU to the total only when it ends, so first
    wait (at most 1 s, in the monitor thread) until the hub thread sleeps or
    got its next time slice.
    """
    before, now = _hub_cpu, _hub_cpu_times()
    pause, first = gevent.monkey.get_original("time", "sleep"), now
    while now is not None and now[4] == "R" and now[3] == first[3] and now[0] < first[0] + 1:
        pause(0.002)
        now = _hub_cpu_times()
    if before is None or now is None:
        return "hub CPU use unknown"
    return "hub in the last %.3f s until %.3f: %.3f s on a CPU, %.3f s waiting for one" % (
        now[0] - before[0], now[0], now[1] - before[1], now[2] - before[2])
