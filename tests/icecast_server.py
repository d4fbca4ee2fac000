"""A real Icecast 2 server for tests and benchmarks: Debian's ``icecast2`` on a free port.

:class:`IcecastServer` writes a configuration into a temporary directory and
runs ``icecast2 -c`` on 127.0.0.1.  Icecast refuses to run as root unless its
configuration says which user to become, so as root the configuration names
``nobody``/``nogroup`` in ``<security><changeowner>`` and the directory is
made theirs (logs and the pid file go there).  :func:`needs_icecast` skips a
test where the package is not installed (``.ci/run`` installs it).

With ``tls=True`` Icecast also listens with TLS on ``tls_port`` (Debian's
build links OpenSSL), with a self-signed certificate for 127.0.0.1 made by
the server's own :func:`musicdb.lib.http.tls.ensure_certificate`; that
certificate alone (``ca_file``) is what a client must trust.
"""

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

from musicdb.lib.http.tls import ensure_certificate
from tests.support import free_port

ICECAST = shutil.which("icecast2")
needs_icecast = pytest.mark.skipif(ICECAST is None,
                                   reason="icecast2 is not installed (apt-get install icecast2)")
WEBROOT = "/usr/share/icecast2"

_CONFIG = """<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits>
    <clients>{clients}</clients><sources>4</sources>
    <queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>10</source-timeout>
    <burst-on-connect>1</burst-on-connect><burst-size>65535</burst-size>
  </limits>
  <authentication>
    <source-password>{password}</source-password>
    <relay-password>{password}</relay-password>
    <admin-user>admin</admin-user><admin-password>{admin}</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  {tls_socket}
  <fileserve>1</fileserve>
  <paths>
    <basedir>{home}</basedir><logdir>{home}</logdir><pidfile>{home}/icecast.pid</pidfile>
    {tls_certificate}
    <webroot>{webroot}/web</webroot><adminroot>{webroot}/admin</adminroot>
  </paths>
  <logging>
    <accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel>
  </logging>
  <security><chroot>0</chroot>{changeowner}</security>
</icecast>
"""
_CHANGEOWNER = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
_TLS_SOCKET = ("<listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address>"
               "<ssl>1</ssl></listen-socket>")


class IcecastServer:
    """``icecast2`` on 127.0.0.1:``port`` with source password ``password``.

    The port stays the same across :meth:`stop` and :meth:`start`, so a
    source client can be shown to reconnect.  ``tls=True`` adds the TLS port
    ``tls_port`` whose certificate is the file ``ca_file``.  Raises
    RuntimeError when Icecast does not answer within the timeout (its error
    log is in the message).
    """

    def __init__(self, password="hackme", clients=100, port=None, tls=False):
        self.password = password
        self.admin_password = "admin-secret"
        self.port = port or free_port()
        self.tls_port = free_port() if tls else None
        self.ca_file = None
        self.home = tempfile.mkdtemp(prefix="icecast-")
        self.proc = None
        self._write_config(clients)

    def _write_config(self, clients):
        root = os.geteuid() == 0
        tls_socket = tls_certificate = ""
        if self.tls_port:
            tls_socket = _TLS_SOCKET.format(port=self.tls_port)
            tls_certificate = f"<ssl-certificate>{self._make_certificate()}</ssl-certificate>"
        if root:
            _give_to_nobody(self.home)
        self.config = os.path.join(self.home, "icecast.xml")
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write(_CONFIG.format(clients=clients, password=self.password,
                                        admin=self.admin_password, port=self.port,
                                        home=self.home, webroot=WEBROOT,
                                        changeowner=_CHANGEOWNER if root else "",
                                        tls_socket=tls_socket,
                                        tls_certificate=tls_certificate))

    def _make_certificate(self):
        """A self-signed pair; Icecast wants key and certificate in one PEM file (its path)."""
        self.ca_file = os.path.join(self.home, "icecast.cert")
        key = os.path.join(self.home, "icecast.key")
        ensure_certificate(self.ca_file, key)
        pem = os.path.join(self.home, "icecast.pem")
        with open(pem, "w", encoding="ascii") as handle:
            for part in (key, self.ca_file):
                with open(part, encoding="ascii") as source:
                    handle.write(source.read())
        return pem

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        """Start icecast2 and wait until its status page answers (a loaded machine is slow)."""
        self.proc = subprocess.Popen([ICECAST, "-c", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.status()
                return self
            except (OSError, ValueError) as error:
                last = error
                time.sleep(0.05)
        exited = self.proc.poll()
        self.stop()
        why = f"it exited with {exited}" if exited is not None else f"its status page: {last!r}"
        raise RuntimeError(f"icecast2 did not start ({why}):\n{self.error_log()}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def status(self):
        """Icecast's ``/status-json.xsl`` as a dict."""
        with urllib.request.urlopen(self.url + "/status-json.xsl", timeout=5) as response:
            return json.loads(response.read().decode("utf-8", "replace"))

    def source(self, mount):
        """The status entry of ``mount`` (e.g. ``/stream``), or None when no source feeds it."""
        try:
            sources = self.status()["icestats"].get("source", [])
        except (OSError, ValueError):
            return None
        sources = sources if isinstance(sources, list) else [sources]
        for source in sources:
            if source.get("listenurl", "").endswith(mount):
                return source
        return None

    def error_log(self):
        return self._read_log("error.log")

    def access_log(self):
        """One line per finished request; a source's (``"SOURCE /m HTTP/1.0" 200``) at its end."""
        return self._read_log("access.log")

    def _read_log(self, name):
        try:
            with open(os.path.join(self.home, name), errors="replace") as handle:
                return handle.read()
        except OSError:
            return f"(no {name})"

    def cpu_seconds(self):
        """utime + stime of the Icecast process in seconds."""
        with open(f"/proc/{self.proc.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _give_to_nobody(home):
    """Icecast running as root becomes ``nobody``: its directory and files must be theirs."""
    nobody = pwd.getpwnam("nobody")
    for name in [""] + os.listdir(home):
        os.chown(os.path.join(home, name), nobody.pw_uid, nobody.pw_gid)
