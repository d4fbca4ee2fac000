"""The shipped etc/nginx/musicdb.conf in front of the real server: WebUI, WebSocket, stream.

nginx runs as a master process of this test with a temporary prefix; its
configuration is the shipped site file with the ports, the certificate and
the upstream replaced (each replacement must hit, so the test notices when
the shipped file changes shape).  MusicDB runs with TLS and trusts the proxy.
"""

import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess

import pytest
import websocket

from musicdb.lib.http import tls
from musicdb.lib.media import mp3
from tests.support import ROOT, ServerProcess, free_port, poll, session_cookie

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)),
    None)
SITE = os.path.join(ROOT, "etc", "nginx", "musicdb.conf")
LISTENER = "127.0.0.2"  # the one address [Icecast] allow admits

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="no nginx binary (.ci/run installs Debian's nginx-light)")


def auth_headers(nginx):
    """Headers every request through the proxy carries: the test account's session."""
    return {"Cookie": nginx.cookie}


def site_config(ports, upstream, cert, key):
    """The shipped site file for this test: 127.0.0.1 only, free ports, a test certificate."""
    with open(SITE, encoding="utf-8") as handle:
        text = handle.read()
    for old, new in [("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;"),
                     ("listen [::]:80;", ""), ("listen [::]:443 ssl;", ""),
                     ("server 127.0.0.1:9000;", f"server 127.0.0.1:{upstream};"),
                     ("/etc/letsencrypt/live/music.example.org/fullchain.pem", cert),
                     ("/etc/letsencrypt/live/music.example.org/privkey.pem", key)]:
        assert text.count(old) == 1, f"{SITE} no longer contains {old!r} once"
        text = text.replace(old, new)
    return text


def main_config(prefix, site):
    """An nginx.conf that keeps every file in *prefix* and includes *site*."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {prefix}/temp/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
{temp}
    include {site};
}}
"""


class Nginx:
    """nginx in front of *upstream* (a port) on free 127.0.0.1 ports; stop() ends it."""

    def __init__(self, prefix, upstream):
        self.prefix = str(prefix)
        os.makedirs(os.path.join(self.prefix, "temp"), exist_ok=True)
        self.ports = {"https": free_port(), "http": free_port()}
        cert, key = (os.path.join(self.prefix, name) for name in ("proxy.cert", "proxy.key"))
        tls.ensure_certificate(cert, key)
        site = os.path.join(self.prefix, "musicdb.conf")
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(site, "w", encoding="utf-8") as handle:
            handle.write(site_config(self.ports, upstream, cert, key))
        with open(conf, "w", encoding="utf-8") as handle:
            handle.write(main_config(self.prefix, site))
        self.proc = subprocess.Popen(
            [NGINX, "-p", self.prefix, "-c", conf, "-e", os.path.join(self.prefix, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if not poll(self._listening, timeout=15):
            self.stop()
            raise RuntimeError(f"nginx did not start:\n{self.log()}")

    def _listening(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {self.proc.returncode}:\n{self.log()}")
        try:
            socket.create_connection(("127.0.0.1", self.ports["https"]), timeout=1).close()
            return True
        except OSError:
            return False

    def log(self):
        path = os.path.join(self.prefix, "error.log")
        return open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(15)


@pytest.fixture
def proxied(tmp_path):
    """``(server, nginx)``: MusicDB with TLS, trusting 127.0.0.1, behind the shipped nginx site.

    Only 127.0.0.2 may listen: a client that connects to nginx from there
    proves that its address reaches MusicDB's rule.
    """
    server = ServerProcess(tmp_path / "server", tls=True,
                           extra=f"[websocket]\ntrustedproxies = 127.0.0.1\n"
                                 f"[Icecast]\nallow = {LISTENER}\n")
    try:
        nginx = Nginx(tmp_path / "nginx", server.port)
        nginx.cookie = session_cookie(server)
        try:
            yield server, nginx
        finally:
            nginx.stop()
    finally:
        server.stop()


def client_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(port, source="127.0.0.1"):
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=client_context(),
                                       source_address=(source, 0))


def get(nginx, path, source="127.0.0.1"):
    """``(status, headers, body)`` of a GET through the proxy."""
    connection = connect(nginx.ports["https"], source)
    try:
        connection.request("GET", path, headers=auth_headers(nginx))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_webui_and_its_config_point_at_the_proxy(proxied):
    server, nginx = proxied
    status, headers, body = get(nginx, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, _, body = get(nginx, "/musicdb/webdata/config.js")
    assert status == 200
    assert f'"wss://127.0.0.1:{nginx.ports["https"]}"'.encode() in body
    assert server.apikey.encode() in body


def test_a_websocket_call_through_the_proxy(proxied):
    server, nginx = proxied
    ws = websocket.create_connection(f"wss://127.0.0.1:{nginx.ports['https']}/", timeout=10,
                                     header=auth_headers(nginx), sslopt={"cert_reqs": ssl.CERT_NONE})
    try:
        ws.send(json.dumps({"method": "request", "fncname": "Bounce", "fncsig": "viaProxy",
                            "arguments": {"ü": [1, 2]}, "pass": None, "key": server.apikey}))
        while True:
            packet = json.loads(ws.recv())
            if packet.get("fncsig") == "viaProxy":
                break
    finally:
        ws.close()
    assert packet["method"] == "response" and packet["arguments"] == {"ü": [1, 2]}


def test_the_stream_through_the_proxy_is_mp3_frames(proxied):
    """Unbuffered by nginx: the idle stream's silence arrives as whole MPEG frames."""
    server, nginx = proxied
    connection = connect(nginx.ports["https"], source=LISTENER)
    try:
        connection.request("GET", "/stream", headers=auth_headers(nginx))
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type") == "audio/mpeg"
        data = bytearray()
        while len(data) < 32 * 1024:
            data += response.read1(65536)
    finally:
        connection.close()
    parser = mp3.FrameParser()
    frames = parser.feed(bytes(data))
    assert len(frames) >= 10 and parser.skipped == 0
    assert "Traceback" not in server.log()


def test_the_access_rule_sees_the_client_behind_the_proxy(proxied):
    """X-Forwarded-For from nginx names the client; the music files follow the stream's rule."""
    server, nginx = proxied
    assert get(nginx, "/stream", source="127.0.0.1")[0] == 403
    assert get(nginx, "/musicdb/music/none.mp3", source="127.0.0.1")[0] == 403
    assert get(nginx, "/musicdb/music/none.mp3", source=LISTENER)[0] == 404
    direct = connect(server.port, source=LISTENER)
    try:  # straight to MusicDB from the allowed address, claiming to be someone else
        direct.request("GET", "/musicdb/music/none.mp3",
                       headers={"X-Forwarded-For": "10.0.0.1", **auth_headers(nginx)})
        assert direct.getresponse().status == 404
    finally:
        direct.close()


def test_plain_http_is_redirected_to_https(proxied):
    _, nginx = proxied
    connection = http.client.HTTPConnection("127.0.0.1", nginx.ports["http"], timeout=10)
    try:
        connection.request("GET", "/musicdb/", headers={"Host": "music.example.org"})
        response = connection.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == "https://music.example.org/musicdb/"
    finally:
        connection.close()


def test_the_proxy_refuses_cbc_suites_and_old_tls(proxied):
    _, nginx = proxied
    for ciphers, version in [("ECDHE-ECDSA-AES128-SHA", ssl.TLSVersion.TLSv1_2),
                             ("ALL", ssl.TLSVersion.TLSv1_1)]:
        context = client_context()
        context.set_ciphers(ciphers + ":@SECLEVEL=0")
        context.minimum_version = context.maximum_version = version
        with pytest.raises(ssl.SSLError, match="ALERT"):
            with socket.create_connection(("127.0.0.1", nginx.ports["https"]), 10) as sock:
                context.wrap_socket(sock).close()
