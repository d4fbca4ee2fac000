"""Self-signed certificate creation and loading (musicdb/lib/http/tls.py)."""

import ipaddress
import logging
import ssl
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from musicdb.lib.http import tls


@pytest.fixture
def pair(tmp_path):
    """Paths of a not yet existing certificate pair."""
    return tmp_path / "websocket.cert", tmp_path / "websocket.key"


def san_of(certpath):
    """The SAN entries of a PEM certificate as strings."""
    cert = x509.load_pem_x509_certificate(certpath.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = san.get_values_for_type(x509.DNSName)
    return names + [str(a) for a in san.get_values_for_type(x509.IPAddress)]


def test_creates_pair_with_names_and_modes(pair, caplog):
    """A missing pair is created, read-only, with localhost, loopback and the hostname."""
    certpath, keypath = pair
    with caplog.at_level(logging.INFO, logger="musicdb.lib.http.tls"):
        assert tls.ensure_certificate(certpath, keypath, hostname="music.example") is True
    assert str(certpath) in caplog.text and str(keypath) in caplog.text
    assert stat.S_IMODE(keypath.stat().st_mode) == 0o400
    assert stat.S_IMODE(certpath.stat().st_mode) == 0o440
    assert set(san_of(certpath)) >= {"localhost", "127.0.0.1", "music.example"}


def test_certificate_is_valid_for_ten_years(pair):
    """The new certificate is a leaf, valid now and for about ten years."""
    tls.ensure_certificate(*pair)
    cert = x509.load_pem_x509_certificate(pair[0].read_bytes())
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert 3650 <= days <= 3652
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_ip_hostname_becomes_ip_entry(pair):
    """An IP address given as hostname is stored as an IPAddress SAN entry."""
    tls.ensure_certificate(*pair, hostname="192.168.1.20")
    cert = x509.load_pem_x509_certificate(pair[0].read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("192.168.1.20") in san.get_values_for_type(x509.IPAddress)


def test_second_call_keeps_existing_pair(pair):
    """With both files present nothing is rewritten and False is returned."""
    tls.ensure_certificate(*pair)
    before = pair[0].read_bytes(), pair[1].read_bytes()
    assert tls.ensure_certificate(*pair) is False
    assert (pair[0].read_bytes(), pair[1].read_bytes()) == before


def test_lone_certificate_is_replaced_with_a_matching_pair(pair):
    """If the key is missing, both files are made new and match each other."""
    tls.ensure_certificate(*pair)
    pair[1].unlink()
    assert tls.ensure_certificate(*pair) is True
    tls.load_ssl_context(*pair)


def test_load_ssl_context_is_server_side_tls12(pair):
    """The loaded context is a server context refusing anything below TLS 1.2."""
    tls.ensure_certificate(*pair)
    context = tls.load_ssl_context(*pair)
    assert isinstance(context, ssl.SSLContext)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_NONE


def test_ssl_args_fit_gevent(pair):
    """ssl_args gives gevent's ssl_context keyword with a ready context."""
    tls.ensure_certificate(*pair)
    args = tls.ssl_args(*pair)
    assert set(args) == {"ssl_context"}
    assert isinstance(args["ssl_context"], ssl.SSLContext)


def test_malformed_certificate_names_the_file(pair):
    """Garbage in the certificate file raises CertificateError naming that file."""
    tls.ensure_certificate(*pair)
    pair[0].chmod(0o600)
    pair[0].write_text("this is no certificate\n")
    with pytest.raises(tls.CertificateError) as info:
        tls.ssl_args(*pair)
    assert str(pair[0]) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_key_names_the_file(pair):
    """A missing key file raises CertificateError naming the key file."""
    tls.ensure_certificate(*pair)
    pair[1].unlink()
    with pytest.raises(tls.CertificateError, match="cannot read private key") as info:
        tls.load_ssl_context(*pair)
    assert info.value.path == str(pair[1])


def test_mismatched_key_is_refused(pair, tmp_path):
    """A key from another pair raises CertificateError naming the key file."""
    other = tmp_path / "other.cert", tmp_path / "other.key"
    tls.ensure_certificate(*pair)
    tls.ensure_certificate(*other)
    with pytest.raises(tls.CertificateError, match="does not match") as info:
        tls.load_ssl_context(pair[0], other[1])
    assert info.value.path == str(other[1])


def test_encrypted_key_is_refused(pair):
    """A passphrase-protected key is reported, since the server cannot ask for it."""
    key = ec.generate_private_key(ec.SECP256R1())
    tls.ensure_certificate(*pair)
    pair[1].chmod(0o600)
    pair[1].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    with pytest.raises(tls.CertificateError, match="encrypted"):
        tls.load_ssl_context(*pair)


def test_unwritable_directory_raises_certificate_error(tmp_path):
    """Creating a pair in a missing directory raises CertificateError naming the file."""
    keypath = tmp_path / "missing" / "websocket.key"
    with pytest.raises(tls.CertificateError) as info:
        tls.ensure_certificate(tmp_path / "missing" / "websocket.cert", keypath)
    assert info.value.path == str(keypath)


def test_non_ascii_hostname_goes_in_as_idna(pair):
    """A host name with umlauts is stored in its IDNA (xn--) form."""
    assert tls.ensure_certificate(*pair, hostname="müsik.local") is True
    assert "xn--msik-0ra.local" in san_of(pair[0])
