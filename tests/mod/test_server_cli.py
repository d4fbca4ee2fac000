"""The TLS pair at start-up: created when missing, reused later, and a bad one stops the server."""

import os
import stat
import subprocess
import sys

import pytest
from cryptography import x509

from tests.support import ROOT, ServerProcess, free_port, write_config
from tests.support.http import fetch


def pair_paths(home):
    return home / "data" / "websocket.cert", home / "data" / "websocket.key"


def run_server_expecting_exit(home, timeout=60):
    """Start ``musicdb.py server`` on a config in *home*; returns (exit code, output)."""
    config = write_config(str(home), free_port(), tls=True)
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "musicdb.py"), "--config", config, "server"],
        capture_output=True, text=True, timeout=timeout, cwd=str(home))
    return result.returncode, result.stdout + result.stderr


def test_first_start_creates_a_self_signed_pair_and_says_where(tmp_path):
    """Without certificate and key the server makes a pair, protects the key and logs the paths."""
    server = ServerProcess(tmp_path, tls=True)
    try:
        cert, key = pair_paths(tmp_path)
        assert cert.is_file() and key.is_file()
        assert stat.S_IMODE(key.stat().st_mode) in (0o400, 0o600)
        assert not stat.S_IMODE(cert.stat().st_mode) & 0o002  # not world-writable
        assert str(cert) in server.log() and str(key) in server.log()
        # The client trusts only this certificate and checks the name 127.0.0.1 against it.
        assert fetch(server, "/").status == 200
    finally:
        assert server.stop() == 0


def test_the_certificate_names_localhost_and_loopback(tmp_path):
    """Browsers accept the certificate for localhost, 127.0.0.1 and ::1 once the user trusts it."""
    server = ServerProcess(tmp_path, tls=True)
    server.stop()
    cert = x509.load_pem_x509_certificate(pair_paths(tmp_path)[0].read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = set(san.get_values_for_type(x509.DNSName))
    addresses = {str(a) for a in san.get_values_for_type(x509.IPAddress)}
    assert "localhost" in names
    assert {"127.0.0.1", "::1"} <= addresses


def test_second_start_reuses_the_pair(tmp_path):
    """A restart keeps the certificate, so browsers that accepted it need not do so again."""
    first = ServerProcess(tmp_path, tls=True)
    first.stop()
    cert, key = pair_paths(tmp_path)
    before = (cert.read_bytes(), key.read_bytes(), cert.stat().st_mtime_ns)
    second = ServerProcess(tmp_path, tls=True)
    try:
        assert (cert.read_bytes(), key.read_bytes(), cert.stat().st_mtime_ns) == before
        assert "Created self-signed" not in second.log()
        assert fetch(second, "/").status == 200
    finally:
        second.stop()


def other_key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


@pytest.mark.parametrize("broken", ["cert", "key", "mismatch"])
def test_bad_certificate_or_key_exits_1_naming_the_file(tmp_path, broken):
    """Garbage in the certificate or key file (or a key of another pair) stops the start.

    Exit code 1 and one ERROR line that names the broken file - not an
    OpenSSL message at the first connection, and no traceback.
    """
    ServerProcess(tmp_path, tls=True).stop()  # a valid pair to spoil
    cert, key = pair_paths(tmp_path)
    culprit = {"cert": cert, "key": key, "mismatch": key}[broken]
    culprit.chmod(0o600)
    culprit.write_bytes(other_key_pem() if broken == "mismatch" else b"garbage\x00\xff\n")
    code, output = run_server_expecting_exit(tmp_path)
    assert code == 1
    naming = [line for line in output.splitlines() if str(culprit) in line]
    assert len(naming) == 1, output
    assert " ERROR " in naming[0]
    assert "Traceback" not in output
    assert "MusicDB is running" not in output
