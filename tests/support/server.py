"""A real server process: its config, its start, its log, its stop.

The server runs as ``python musicdb.py --config FILE server`` on a free
127.0.0.1 port with gevent's monitor thread on; :meth:`ServerProcess.stop`
fails the test when the server reported a blocked event loop (:func:`server_blocks`).

Every route needs a login: :func:`write_config` gives each home the account
:data:`TEST_USER` (a cheap hash), and :class:`Client` and :func:`auth_headers`
log in for real (``POST /login``) once per server object.
"""

import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from urllib.parse import quote

import pytest

from musicdb.lib.auth.accounts import AccountStore, path_in

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# MusicDB 8's WebUI is not part of this repository: $MUSICDB_WEBUI, or our checkout's neighbour.
LEGACY_WEBUI = os.environ.get("MUSICDB_WEBUI") or os.path.join(ROOT, "..", "shared",
                                                               "legacy-webui")
needs_legacy_webui = pytest.mark.skipif(
    not os.path.isfile(os.path.join(LEGACY_WEBUI, "index.html")),
    reason="the legacy WebUI (MusicDB 8's webui directory) is not here: set MUSICDB_WEBUI "
           "to it, or place it at ../shared/legacy-webui")
BLOCKED_MARK = "Event loop blocked"
BLOCK_THRESHOLD = 0.1  # GEVENT_MAX_BLOCKING_TIME of the servers the tests start (by default)
_BLOCK_REPORT = re.compile(
    r"Event loop blocked for more than ([\d.]+) s \(hub in the last ([\d.]+) s until ([\d.]+): "
    r"([\d.]+) s on a CPU, ([\d.]+) s waiting for one\)")


def server_blocks(log):
    """The lines of ``log`` that report the server's own work blocking its event loop.

    gevent's monitor thread reports a hub that did not switch greenlets for a
    whole check period, also when the hub's thread merely got no CPU on a busy
    machine.  The server's report says how long the hub's thread waited for a
    CPU in that interval (``musicdb.mdbapi.server._report_blocked_loop``); what
    is left (running, or sleeping in a blocking call) is the server's own.  On
    a machine so busy that the hub waited for a CPU longer than the threshold,
    its sleep is no longer its own either: it is mostly a wait for the GIL that
    a starved thread of the process holds, so only its time on a CPU counts.
    A block that one slow machine stretches over several consecutive reports is
    summed, and counts when its own time reaches the server's threshold, as it
    would on an idle machine.  A report without those figures always counts.
    """
    blocks, run, own, last_end = [], [], 0.0, None
    for line in log.splitlines():
        if BLOCKED_MARK not in line:
            continue
        report = _BLOCK_REPORT.search(line)
        if report is None:
            blocks.append(line)
            continue
        threshold, interval, end, on_cpu, waited = (float(value) for value in report.groups())
        if last_end is None or end - interval - last_end > 0.05:  # not the same block
            run, own = [], 0.0
        run.append(line)
        own += on_cpu if waited >= threshold else interval - waited
        last_end = end
        if own >= threshold:
            blocks.extend(line for line in run if line not in blocks)
    return blocks


def main_thread_times():
    """``(wall, waited)``: monotonic seconds and seconds this process's main thread (its task
    id is the pid) spent waiting for a CPU; differences of two give a gap's share that a busy
    machine, not the code under test, caused."""
    with open(f"/proc/self/task/{os.getpid()}/schedstat") as stats:
        waited = int(stats.read().split()[1]) / 1e9
    return time.monotonic(), waited


def poll(predicate, timeout=5.0):
    """Call ``predicate`` until it is true or ``timeout`` passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def process_alive(pid):
    """True if ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state not in "ZX"


TEST_USER = "tester"
TEST_PASSWORD = "pässword-for-tests"
TEST_HASH_COST = 4  # scrypt n = 16: the tests' logins take microseconds


def create_account(home, user=TEST_USER, password=TEST_PASSWORD):
    """Give the server in ``home`` the account ``user`` (kept if it exists)."""
    store = AccountStore(path_in(os.path.join(str(home), "data")), cost=TEST_HASH_COST)
    if not store.exists(user):
        store.add(user, password)


def login(server, user=TEST_USER, password=TEST_PASSWORD, headers=None):
    """``POST /login`` like the login form; returns ``(status, headers, cookie or None)``."""
    body = "&".join(f"{name}={quote(value)}" for name, value in
                    (("username", user), ("password", password), ("next", "/musicdb/")))
    if server.tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        response = connection.getresponse()
        response.read()
        answer = {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()
    cookie = answer.get("set-cookie", "").split(";")[0] or None
    return response.status, answer, cookie


def session_cookie(server):
    """``musicdb_session=...`` of the test account on ``server`` (one login per server object)."""
    cookie = getattr(server, "_session_cookie", None)
    if cookie is None:
        status, _, cookie = login(server, getattr(server, "user", TEST_USER),
                                  getattr(server, "password", TEST_PASSWORD))
        assert status == 303 and cookie, f"the test login failed with {status}"
        server._session_cookie = cookie
    return cookie


def auth_headers(server):
    """Headers that make an HTTP request of the test account."""
    return {"Cookie": session_cookie(server)}


class Endpoint:
    """A server this test did not start itself (init script, quick start): enough for a Client."""

    def __init__(self, home, port, tls=True, user=TEST_USER, password=TEST_PASSWORD):
        self.home = str(home)
        self.port = port
        self.tls = tls
        self.user, self.password = user, password
        self.url = f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/"

    @property
    def apikey(self):
        with open(os.path.join(self.home, "data", "config", "wsapikey.txt")) as keyfile:
            return keyfile.readline().strip()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(home, port, tls=False, webui=None, extra=""):
    """A musicdb.ini for a server in ``home`` (data/ and music/ below it)."""
    for sub in ("data", "music"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    create_account(home)
    path = os.path.join(home, "musicdb.ini")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"""[directories]
music = {home}/music
data = {home}/data
[log]
logfile = stderr
loglevel = DEBUG
debugfile = /dev/null
[websocket]
bind = 127.0.0.1
port = {port}
tls = {tls}
[webui]
directory = {webui or LEGACY_WEBUI}
{extra}""")
    return path


class ServerProcess:
    """A running server; ``log()`` returns what it wrote to stderr so far."""

    def __init__(self, home, tls=False, extra="", env=None):
        self.home = str(home)
        self.port = free_port()
        self.tls = tls
        self.config = write_config(self.home, self.port, tls=tls, extra=extra)
        self.logpath = os.path.join(self.home, "server.log")
        environment = dict(os.environ, GEVENT_MONITOR_THREAD_ENABLE="1",
                           GEVENT_MAX_BLOCKING_TIME=str(BLOCK_THRESHOLD), PYTHONUNBUFFERED="1")
        environment.update(env or {})
        self._logfile = open(self.logpath, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", self.config, "server"],
            stdout=self._logfile, stderr=subprocess.STDOUT, env=environment, cwd=self.home)
        self._wait_listening()

    @property
    def url(self):
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/"

    @property
    def http_url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def apikey(self):
        with open(os.path.join(self.home, "data", "config", "wsapikey.txt")) as keyfile:
            return keyfile.readline().strip()

    def log(self):
        with open(self.logpath, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def _wait_listening(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            if "MusicDB is running" in self.log():
                return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def signal(self, signum):
        self.proc.send_signal(signum)

    def stop(self, timeout=15):
        """SIGTERM and wait; returns the exit code.  Fails on a blocked event loop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"server did not stop on SIGTERM:\n{self.log()}")
        self._logfile.close()
        assert not server_blocks(self.log()), self.log()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
