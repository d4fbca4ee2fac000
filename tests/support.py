"""Test helpers: a real server process and a real WebSocket client.

The server runs as ``python musicdb.py --config FILE server`` on a free
127.0.0.1 port with gevent's monitor thread on; :meth:`ServerProcess.stop`
fails the test when the server reported a blocked event loop (:func:`server_blocks`).
"""

import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY_WEBUI = os.path.join(ROOT, "..", "shared", "legacy-webui")
BLOCKED_MARK = "Event loop blocked"
BLOCK_THRESHOLD = 0.1  # GEVENT_MAX_BLOCKING_TIME of the servers the tests start (by default)
_BLOCK_REPORT = re.compile(
    r"Event loop blocked for more than ([\d.]+) s \(hub in the last ([\d.]+) s until ([\d.]+): "
    r"[\d.]+ s on a CPU, ([\d.]+) s waiting for one\)")


def server_blocks(log):
    """The lines of ``log`` that report the server's own work blocking its event loop.

    gevent's monitor thread reports a hub that did not switch greenlets for a
    whole check period, also when the hub's thread merely got no CPU on a busy
    machine.  The server's report says how long the hub's thread waited for a
    CPU in that interval (``musicdb.mdbapi.server._report_blocked_loop``); what
    is left (running, or sleeping in a blocking call) is the server's own.  A
    block that one slow machine stretches over several consecutive reports is
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
        threshold, interval, end, waited = (float(value) for value in report.groups())
        if last_end is None or end - interval - last_end > 0.05:  # not the same block
            run, own = [], 0.0
        run.append(line)
        own, last_end = own + interval - waited, end
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


class Endpoint:
    """A server this test did not start itself (init script, quick start): enough for a Client."""

    def __init__(self, home, port, tls=True):
        self.home = str(home)
        self.port = port
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


class Client:
    """A WebSocket client speaking MusicDB packets; every wait has a timeout."""

    def __init__(self, server, key=None, timeout=5):
        self.key = server.apikey if key is None else key
        self.timeout = timeout
        self.ws = websocket.create_connection(
            server.url, timeout=timeout, sslopt={"cert_reqs": ssl.CERT_NONE})
        if key is None:  # as the WebUI does: notifications start after a packet with the key
            self.send("request", "Bounce", None, "support-hello")
            self.wait_for(_answers_hello)

    def send_raw(self, text):
        self.ws.send(text)

    def send(self, method, fncname, arguments=None, fncsig=None, passthrough=None, key=None):
        packet = {"method": method, "fncname": fncname, "fncsig": fncsig,
                  "arguments": arguments, "pass": passthrough,
                  "key": self.key if key is None else key}
        self.ws.send(json.dumps(packet))

    def receive(self, timeout=None):
        """The next packet of any kind, or raise TimeoutError."""
        self.ws.settimeout(timeout or self.timeout)
        try:
            return json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            raise TimeoutError("no packet arrived") from None

    def wait_for(self, predicate, timeout=None):
        """Skip packets until one matches ``predicate``; heartbeats are skipped too."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the expected packet did not arrive")
            packet = self.receive(left)
            if predicate(packet):
                return packet

    def answer(self, fncsig, timeout=None):
        """The next response or broadcast carrying ``fncsig``."""
        return self.wait_for(lambda p: p.get("method") in ("response", "broadcast")
                             and p.get("fncsig") == fncsig, timeout)

    def error(self, timeout=None):
        """The next ``MusicDB:Error`` notification."""
        return self.wait_for(lambda p: p.get("fncname") == "MusicDB:Error", timeout)

    def request(self, fncname, arguments=None, fncsig=None, passthrough=None):
        """Send a request and return the answer's ``arguments``."""
        fncsig = fncsig or f"test-{fncname}"
        self.send("request", fncname, arguments, fncsig, passthrough)
        return self.answer(fncsig)["arguments"]

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


def _answers_hello(packet):
    """The answer to the hello packet, or its MusicDB:Error (a table without Bounce)."""
    request = (packet.get("arguments") or {}).get("request") \
        if packet.get("fncname") == "MusicDB:Error" else packet
    return isinstance(request, dict) and request.get("fncsig") == "support-hello"


def wait_close(client, timeout=10):
    """Read until the server's close frame; returns ``(code, reason)``."""
    client.ws.settimeout(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            opcode, frame = client.ws.recv_data_frame(control_frame=True)
        except (websocket.WebSocketConnectionClosedException, OSError):
            return None, "connection dropped without close frame"
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            data = frame.data
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return code, data[2:].decode("utf-8", "replace")
    raise TimeoutError("no close frame")
