"""``etc/init.d/musicdb`` driving the REAL server (``musicdb.py server``) on a temp config.

``tests/etc/test_initd.py`` checks the script's logic against a dummy; here the
whole chain runs: the script starts the server, which then answers over
``wss://``, reloads on SIGUSR1 and stops on SIGTERM.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import (ROOT, Client, Endpoint, free_port, poll, process_alive,
                           server_blocks, write_config)

SCRIPT = Path(ROOT) / "etc" / "init.d" / "musicdb"
RUNNING_MARK = "MusicDB is running"


class InitScript:
    """The init script with every path pointing into a temp directory."""

    def __init__(self, home):
        self.home = home
        self.port = free_port()
        self.config = write_config(str(home), self.port, tls=True)
        self.pidfile = home / "run" / "musicdb.pid"
        self.logfile = home / "server.out"
        self.env = dict(os.environ, MUSICDB_USER="", PIDFILE=str(self.pidfile),
                        LOGFILE=str(self.logfile), MUSICDB_CONFIG=self.config,
                        MUSICDB_CMD="%s %s" % (sys.executable, Path(ROOT) / "musicdb.py"),
                        MUSICDB_DEFAULTS=str(home / "no-defaults"), START_CHECK="1",
                        STOP_TIMEOUT="15", GEVENT_MONITOR_THREAD_ENABLE="1",
                        GEVENT_MAX_BLOCKING_TIME="0.1", PYTHONUNBUFFERED="1")
        self.endpoint = Endpoint(home, self.port)

    def __call__(self, action):
        return subprocess.run([str(SCRIPT), action], env=self.env, capture_output=True,
                              text=True, timeout=60)

    def log(self):
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def pid(self):
        return int(self.pidfile.read_text())

    def wait_serving(self):
        """Wait for the server's "running" line (the port is open from then on)."""
        assert poll(lambda: RUNNING_MARK in self.log(), timeout=20), self.log()

    def connect(self):
        return Client(self.endpoint)


@pytest.fixture
def initd(tmp_path):
    script = InitScript(tmp_path)
    try:
        yield script
    finally:
        script("stop")
        assert not server_blocks(script.log()), script.log()


def test_start_status_reload_stop_with_the_real_server(initd):
    """The whole service life: the started server answers, refreshes clients on reload, stops."""
    started = initd("start")
    assert started.returncode == 0, started.stdout + started.stderr + initd.log()
    pid = initd.pid()
    assert "musicdb.py" in Path("/proc/%d/cmdline" % pid).read_text()
    initd.wait_serving()
    assert initd("status").returncode == 0

    client = initd.connect()
    try:
        assert client.request("Bounce", {"hello": "wörld"}) == {"hello": "wörld"}
        assert initd("reload").returncode == 0
        refresh = client.wait_for(lambda p: p.get("fncname") == "sys:refresh", timeout=10)
        assert refresh["method"] == "broadcast"
        assert process_alive(pid) and initd.pid() == pid
        assert client.request("Bounce", [1]) == [1]  # still serving after the reload
    finally:
        client.close()

    stopped = initd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not process_alive(pid)
    assert not initd.pidfile.exists()
    assert "Server stopped (exit code 0)" in initd.log()
    assert initd("status").returncode == 3


def dead_pid():
    """A pid that names no process: a child that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_pid_file_is_replaced_on_start(initd):
    """After a crash the pid file names a dead process: status 1, start cleans up and serves."""
    initd.pidfile.parent.mkdir(parents=True)
    initd.pidfile.write_text("%d\n" % dead_pid())
    assert initd("status").returncode == 1
    started = initd("start")
    assert started.returncode == 0, started.stderr + initd.log()
    assert "stale pid file" in started.stdout
    initd.wait_serving()
    client = initd.connect()
    try:
        assert client.request("Bounce", "up") == "up"
    finally:
        client.close()
    assert initd("status").returncode == 0


def test_pid_reused_by_another_program_is_left_alone(initd):
    """A stale pid file whose pid now belongs to another program: that program is never killed.

    MusicDB 8's tooling trusted any live pid; here status reports the service
    dead, stop leaves the stranger running and start starts the real server.
    """
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        initd.pidfile.parent.mkdir(parents=True)
        initd.pidfile.write_text("%d\n" % stranger.pid)
        assert initd("status").returncode == 1
        assert initd("stop").returncode == 0
        assert stranger.poll() is None
        initd.pidfile.write_text("%d\n" % stranger.pid)
        started = initd("start")
        assert started.returncode == 0, started.stderr + initd.log()
        assert initd.pid() != stranger.pid
        initd.wait_serving()
        assert initd("stop").returncode == 0
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_start_with_a_broken_certificate_fails_and_leaves_no_pid_file(initd):
    """A server that cannot start (bad TLS certificate) makes ``start`` fail with status 3 after."""
    data = initd.home / "data"
    data.mkdir(exist_ok=True)
    (data / "websocket.cert").write_text("garbage\n")
    (data / "websocket.key").write_text("garbage\n")
    # START_CHECK bounds the wait for the server's exit (start returns when it exits): the
    # real server's start-up takes more than the default 1 s on a busy machine.
    initd.env["START_CHECK"] = "60"
    started = initd("start")
    assert started.returncode == 1
    assert "websocket.cert" in initd.log()
    assert not initd.pidfile.exists()
    assert initd("status").returncode == 3
