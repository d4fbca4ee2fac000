"""The server's TLS is Mozilla's "intermediate" profile, checked with Python's ssl client.

The server's key is ECDSA, so its TLS 1.2 suites are the ECDHE-ECDSA ones.  A
refused handshake must be refused by the server (an alert it sends), not by
the client's own OpenSSL policy, so the old-protocol clients lower their
security level to be able to offer what they offer.
"""

import socket
import ssl

import pytest

from tests.support import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("tls"), tls=True)
    yield server
    server.stop()


def client_context(ciphers=None, version=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if ciphers:
        context.set_ciphers(ciphers + ":@SECLEVEL=0")
    if version:
        context.minimum_version = context.maximum_version = version
    return context


def handshake(server, context):
    """``(protocol, cipher name)`` of a completed handshake; raises ssl.SSLError if refused."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with context.wrap_socket(sock) as tls:
            return tls.version(), tls.cipher()[0]


@pytest.mark.parametrize("cipher", ["ECDHE-ECDSA-AES128-GCM-SHA256",
                                    "ECDHE-ECDSA-AES256-GCM-SHA384",
                                    "ECDHE-ECDSA-CHACHA20-POLY1305"])
def test_tls12_accepts_aead_suites_with_ecdhe(server, cipher):
    context = client_context(cipher, ssl.TLSVersion.TLSv1_2)
    assert handshake(server, context) == ("TLSv1.2", cipher)


@pytest.mark.parametrize("cipher", ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
                                    "ECDHE-ECDSA-AES128-SHA256", "AES128-GCM-SHA256"])
def test_tls12_refuses_cbc_sha1_and_rsa_key_exchange(server, cipher):
    context = client_context(cipher, ssl.TLSVersion.TLSv1_2)
    with pytest.raises(ssl.SSLError, match="ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER"):
        handshake(server, context)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_tls_below_12_is_refused_by_the_server(server, version):
    context = client_context("ALL", version)
    with pytest.raises(ssl.SSLError, match="ALERT_PROTOCOL_VERSION"):
        handshake(server, context)


def test_tls13_is_accepted(server):
    context = client_context(version=ssl.TLSVersion.TLSv1_3)
    protocol, cipher = handshake(server, context)
    assert protocol == "TLSv1.3" and cipher.startswith("TLS_")


def test_a_refused_handshake_is_no_traceback_in_the_log(server):
    with pytest.raises(ssl.SSLError):
        handshake(server, client_context("ECDHE-ECDSA-AES128-SHA", ssl.TLSVersion.TLSv1_2))
    assert "Traceback" not in server.log()
