"""TLS certificate pair: create a self-signed one if missing, load it for gevent.

The WebUI connects with ``wss://`` only (protocol.md §1), and most
installations have no certificate of their own, so the original creates a
self-signed pair in the data directory at start.  The pair is made with the
``cryptography`` package instead of running ``openssl``: no dependency on an
external binary and on its changing command line, and errors arrive as
exceptions instead of exit codes.

A bad certificate must stop the server at start-up with one line that names
the file and the reason, not with OpenSSL's ``[SSL] PEM lib (_ssl.c:3900)``
at the first connection; :func:`load_ssl_context` checks each file with
``cryptography`` first to be able to say which one is wrong.
"""

import datetime
import ipaddress
import logging
import os
import ssl
import tempfile

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from gevent import ssl as gevent_ssl

log = logging.getLogger(__name__)

# Mozilla's "intermediate" profile (TLS 1.2 and 1.3): for TLS 1.2 only ECDHE
# key exchange with AES-GCM or ChaCha20-Poly1305 (no CBC, no SHA-1 MAC, no RSA
# key exchange; its DHE suites need DH parameters, which the server has none
# of).  TLS 1.3 suites are not set here: OpenSSL's defaults are the profile's.
CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
])
VALID_DAYS = 3650
KEY_MODE = 0o400   # r-------- (foundations.md §2)
CERT_MODE = 0o440  # r--r-----


class CertificateError(Exception):
    """The certificate or key cannot be created, read or used.

    ``str()`` is one line naming the file and the reason, fit for the log and
    for the start-up error message.
    """

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())
        super().__init__("%s: %s" % (self.path, self.reason))


def ensure_certificate(certpath, keypath, hostname="localhost"):
    """Create a self-signed pair if *certpath* or *keypath* is missing.

    Both files are (re)written when either is missing, because a lone half
    is useless.  The key is written first and never exists with a mode
    broader than 0600.  Returns True if a pair was created, False if both
    files existed.  Raises CertificateError if a file cannot be written.
    """
    missing = [p for p in (certpath, keypath) if not os.path.exists(p)]
    if not missing:
        return False
    for path in (certpath, keypath):
        if path not in missing:
            log.warning("Replacing %s: its partner %s is missing", path, missing[0])
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build_self_signed(key, hostname)
    _write_private(keypath, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()), KEY_MODE)
    _write_private(certpath, cert.public_bytes(serialization.Encoding.PEM), CERT_MODE)
    log.info("Created self-signed TLS certificate %s and key %s for %s",
             certpath, keypath, ", ".join(_san_names(hostname)))
    return True


def build_self_signed(key, hostname="localhost"):
    """Return a self-signed server certificate for *key*, valid ten years.

    Browsers only let the user accept a certificate whose names match, so
    the SAN lists localhost, the loopback addresses and *hostname*.  It is a
    leaf (CA:FALSE, serverAuth); Firefox refuses CA certificates used as a
    server's own.  Validity starts a day early to survive clock skew.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, (hostname or "localhost")[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MusicDB"),
    ])
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
               .add_extension(x509.SubjectAlternativeName(_san_entries(hostname)), critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                              critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    return builder.sign(key, hashes.SHA256())


def _san_names(hostname):
    """Names for the SAN, loopback first, without duplicates."""
    names = ["localhost", "127.0.0.1", "::1"]
    if hostname and hostname.strip("[]").lower() not in names:
        names.append(hostname.strip("[]").lower())
    return names


def _san_entries(hostname):
    """SAN entries: IP addresses as IPAddress, everything else as DNSName.

    A non-ASCII host name goes in IDNA form (DNSName takes A-labels only);
    one that has none is left out with a warning rather than failing.
    """
    entries = []
    for name in _san_names(hostname):
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
            continue
        except ValueError:
            pass
        try:
            entries.append(x509.DNSName(name.encode("idna").decode("ascii")))
        except UnicodeError:
            log.warning("Host name %r cannot go into the certificate; left out", name)
    return entries


def _write_private(path, data, mode):
    """Write *data* to *path* atomically, created 0600 and then set to *mode*.

    A temporary file in the same directory plus ``os.replace`` means a crash
    never leaves half a PEM file, and an existing read-only (0400) file can
    still be replaced.  Raises CertificateError on any OS error.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tls-", dir=directory)  # mode 0600
    except OSError as error:
        raise CertificateError(path, "cannot create: %s" % error.strerror) from error
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as error:
        _remove_quietly(tmp)
        raise CertificateError(path, "cannot write: %s" % error.strerror) from error


def _remove_quietly(path):
    """Remove a temporary file; it being gone already is fine."""
    try:
        os.unlink(path)
    except OSError:
        pass


def load_ssl_context(certpath, keypath):
    """Return a server-side SSLContext: TLS 1.2 and 1.3 with the :data:`CIPHERS` profile.

    The context comes from ``gevent.ssl`` so that its sockets cooperate with
    gevent even when the process is not monkey-patched.  Raises
    CertificateError naming the file for a missing, unreadable, malformed,
    encrypted or mismatched certificate or key.
    """
    cert = _load_certificate(certpath)
    key = _load_private_key(keypath)
    if _public_der(cert.public_key()) != _public_der(key.public_key()):
        raise CertificateError(keypath, "private key does not match the certificate %s" % certpath)
    _warn_if_expired(certpath, cert)
    context = gevent_ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(CIPHERS)
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    try:
        context.load_cert_chain(certpath, keypath)
    except (ssl.SSLError, OSError) as error:
        raise CertificateError(certpath, "OpenSSL rejects the pair: %s" % error) from error
    return context


def _read(path, what):
    """Return the bytes of *path*; raises CertificateError if it cannot be read."""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise CertificateError(path, "cannot read %s: %s" % (what, error.strerror)) from error


def _load_certificate(path):
    """Parse the first certificate of a PEM chain file; raises CertificateError."""
    data = _read(path, "certificate")
    try:
        return x509.load_pem_x509_certificates(data)[0]
    except ValueError as error:
        raise CertificateError(path, "not a PEM certificate (%s)" % error) from error


def _load_private_key(path):
    """Parse an unencrypted PEM private key; raises CertificateError."""
    data = _read(path, "private key")
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError as error:  # encrypted: the server cannot ask for a passphrase
        raise CertificateError(
            path, "private key is encrypted; a passphrase-free key is needed") from error
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CertificateError(path, "not a PEM private key (%s)" % error) from error


def _public_der(public_key):
    """DER form of a public key, the one fair way to compare two of them."""
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _warn_if_expired(path, cert):
    """Log an expired certificate: browsers warn, but it still works once accepted."""
    now = datetime.datetime.now(datetime.timezone.utc)
    if cert.not_valid_after_utc < now:
        log.warning("TLS certificate %s expired on %s; delete it and its key to get a new pair",
                    path, cert.not_valid_after_utc.date())


def ssl_args(certpath, keypath):
    """Keyword arguments for ``gevent.pywsgi.WSGIServer(..., **ssl_args(...))``.

    gevent's StreamServer takes a ready ``ssl_context`` and wraps each
    accepted socket with it.  Building the context here means a bad pair
    fails at start-up with CertificateError, not at the first client.
    """
    return {"ssl_context": load_ssl_context(certpath, keypath)}
