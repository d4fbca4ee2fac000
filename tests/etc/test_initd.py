"""The LSB init script ``etc/init.d/musicdb``, run against a dummy server.

The dummy stands in for ``musicdb.py``: it records its arguments, appends a
line to a marker file on SIGUSR1 and exits 0 on SIGTERM.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.support import ROOT, poll, process_alive

SCRIPT = Path(ROOT) / "etc" / "init.d" / "musicdb"

DUMMY = textwrap.dedent("""\
    import os, signal, sys
    marker = os.environ["DUMMY_MARKER"]
    with open(marker + ".args", "w") as stream:
        stream.write(" ".join(sys.argv[1:]))
    def reload(signum, frame):
        with open(marker, "a") as stream:
            stream.write("usr1\\n")
    signal.signal(signal.SIGUSR1, reload)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    while True:
        signal.pause()
    """)


@pytest.fixture
def initd(tmp_path):
    """Run the script with everything pointing into tmp_path; stops the dummy afterwards."""
    dummy = tmp_path / "dummy.py"
    dummy.write_text(DUMMY)
    env = dict(os.environ, MUSICDB_USER="", PIDFILE=str(tmp_path / "run" / "musicdb.pid"),
               LOGFILE=str(tmp_path / "server.out"), MUSICDB_CONFIG=str(tmp_path / "musicdb.ini"),
               MUSICDB_CMD="%s %s" % (sys.executable, dummy), START_CHECK="0.3",
               MUSICDB_DEFAULTS=str(tmp_path / "default"), DUMMY_MARKER=str(tmp_path / "marker"))

    def run(action, **overrides):
        return subprocess.run([str(SCRIPT), action], env=dict(env, **overrides),
                              capture_output=True, text=True, timeout=30)
    run.pidfile = Path(env["PIDFILE"])
    run.tmp = tmp_path
    run.env = env
    try:
        yield run
    finally:
        run("stop")


def dead_pid():
    """A pid that surely names no process: a child that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_script_has_lsb_header():
    """The script starts with a shebang and carries an LSB INIT INFO block."""
    text = SCRIPT.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "### BEGIN INIT INFO" in text and "### END INIT INFO" in text
    assert os.access(SCRIPT, os.X_OK)


def test_full_lifecycle(initd):
    """start, status, reload (SIGUSR1 reaches the server), stop, status."""
    assert initd("start").returncode == 0
    pid = int(initd.pidfile.read_text())
    assert process_alive(pid)
    args = (initd.tmp / "marker.args").read_text()
    assert args == "--config %s server" % (initd.tmp / "musicdb.ini")
    assert initd("status").returncode == 0
    assert initd("reload").returncode == 0
    assert poll(lambda: (initd.tmp / "marker").exists())
    assert initd("stop").returncode == 0
    assert not process_alive(pid)
    assert not initd.pidfile.exists()
    assert initd("status").returncode == 3


def test_start_twice_keeps_the_first_server(initd):
    """A second start reports the running server and starts no other."""
    assert initd("start").returncode == 0
    pid = initd.pidfile.read_text()
    second = initd("start")
    assert second.returncode == 0
    assert "already running" in second.stdout
    assert initd.pidfile.read_text() == pid


def test_stale_pid_file(initd):
    """status says dead (1) for a stale pid file; start removes it and starts."""
    initd.pidfile.parent.mkdir(parents=True)
    initd.pidfile.write_text("%d\n" % dead_pid())
    assert initd("status").returncode == 1
    assert initd("start").returncode == 0
    assert process_alive(int(initd.pidfile.read_text()))
    assert initd("status").returncode == 0


def test_stop_and_reload_when_stopped(initd):
    """stop on a stopped service succeeds; reload fails with LSB code 7."""
    assert initd("stop").returncode == 0
    assert initd("reload").returncode == 7
    assert initd("status").returncode == 3


def test_restart_replaces_the_process(initd):
    """restart ends the old server and starts a new one."""
    assert initd("start").returncode == 0
    old = int(initd.pidfile.read_text())
    assert initd("restart").returncode == 0
    new = int(initd.pidfile.read_text())
    assert new != old and process_alive(new) and not process_alive(old)


def test_server_dying_at_start_is_reported(initd):
    """A server that exits at once makes start fail and leaves no pid file."""
    # START_CHECK is how long start waits for an early exit: generous, so that a slow
    # Python start-up on a busy machine still counts as "at once" (start returns at the exit).
    result = initd("start", MUSICDB_CMD="%s -c 'import sys; sys.exit(1)'" % sys.executable,
                   START_CHECK="60")
    assert result.returncode == 1
    assert not initd.pidfile.exists()


def test_defaults_file_is_read_and_environment_wins(initd):
    """Settings come from the defaults file unless the environment sets them."""
    log = initd.tmp / "from-defaults.out"
    (initd.tmp / "default").write_text("LOGFILE=%s\nPIDFILE=/nonexistent/x.pid\n" % log)
    # The fixture's settings (its MUSICDB_CONFIG too, so that its stop finds the server)
    # without LOGFILE, which the defaults file then sets.
    env = {k: v for k, v in initd.env.items() if k != "LOGFILE"}
    result = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True,
                            timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert log.exists()
    assert initd.pidfile.exists()
    pid = int(initd.pidfile.read_text())
    assert initd("stop").returncode == 0
    assert not process_alive(pid)


def test_unknown_action_prints_usage(initd):
    """An unknown action exits 2 with a usage line."""
    result = initd("bogus")
    assert result.returncode == 2
    assert "Usage" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
                    reason="switching the user needs root and a system python3 any user may run")
def test_server_runs_as_the_configured_user(initd):
    """As root, MUSICDB_USER makes the server run as that user, and stop still ends it."""
    user = pwd.getpwnam("nobody")
    shared = Path(tempfile.mkdtemp(prefix="musicdb-initd-"))  # pytest's tmp_path is root-only
    env = dict(MUSICDB_USER="nobody", PIDFILE=str(shared / "musicdb.pid"),
               MUSICDB_CMD="/usr/bin/python3 %s" % (shared / "dummy.py"),
               DUMMY_MARKER=str(shared / "marker"))
    try:
        shared.chmod(0o777)  # the server (as nobody) writes its marker and hand-over file here
        (shared / "dummy.py").write_text(DUMMY)
        started = initd("start", **env)
        assert started.returncode == 0, started.stderr
        pid = int((shared / "musicdb.pid").read_text())
        uids = Path("/proc/%d/status" % pid).read_text().split("Uid:")[1].split()
        assert int(uids[0]) == int(uids[1]) == user.pw_uid
        assert initd("status", **env).returncode == 0
        assert initd("stop", **env).returncode == 0
        assert not process_alive(pid)
    finally:
        initd("stop", **env)
        shutil.rmtree(shared)
