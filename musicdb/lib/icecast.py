"""An Icecast source client: push an MP3 stream to a mount, update its title.

Two protocols, both HTTP-like:

* ``PUT`` (Icecast >= 2.4.0): ``PUT /mount HTTP/1.1`` with Basic
  authentication, ``Content-Type: audio/mpeg``, the ``ice-*`` stream headers
  and ``Expect: 100-continue``.  Icecast answers ``100 Continue`` (when asked)
  and then ``200 OK``; after that the connection carries the audio.
* ``SOURCE`` (older servers): the same head with the method ``SOURCE`` and
  HTTP/1.0, answered by ``200 OK`` alone.

Titles go through the admin call ``GET /admin/metadata?mount=/m&mode=updinfo
&song=...`` with the source credentials, on a connection of its own.

The request heads and the parsing of answers are pure functions (bytes in,
values out); :class:`SourceConnection` and :func:`update_metadata` do the
socket work with the standard library only, so under gevent's monkey
patching they block just their own greenlet.  Every failure is an
:class:`IcecastError`; :class:`SourceRefused` means the credentials were
refused (retrying alone will not help), :class:`MountInUse` that another
source feeds the mount, :class:`CertificateUntrusted` that TLS verification
failed (a self-signed certificate needs its own file in ``ca_file``).
"""

import base64
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urlencode

PROTOCOLS = ("put", "source")
MAX_HEAD = 16384


class IcecastError(Exception):
    """The source connection or a title update failed; the message says why."""


class SourceRefused(IcecastError):
    """Icecast refused the source credentials (401)."""


class MountInUse(IcecastError):
    """Another source already feeds the mount (403)."""


class CertificateUntrusted(IcecastError):
    """Icecast's TLS certificate failed verification (unknown CA, wrong name, expired)."""


@dataclass(frozen=True)
class SourceConfig:
    """Where and how to push: the server, the mount, the credentials, the stream's description."""

    host: str = "127.0.0.1"
    port: int = 8000
    mount: str = "/stream"
    user: str = "source"
    password: str = ""
    tls: bool = False
    protocol: str = "put"           # "put" (Icecast >= 2.4.0) or "source"
    name: str = "MusicDB Stream"
    description: str = ""
    genre: str = ""
    url: str = ""
    public: bool = False
    bitrate: int = 320
    samplerate: int = 44100
    channels: int = 2
    timeout: float = 10.0           # connecting, and waiting for an answer
    send_buffer: int = 0            # the socket's send buffer in bytes; 0: the system's
    verify_tls: bool = True
    ca_file: str = ""               # PEM file of the CAs to trust instead of the system's

    def __post_init__(self):
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"Icecast source protocol must be one of {PROTOCOLS}, "
                             f"not {self.protocol!r}")
        if not self.mount.startswith("/"):
            object.__setattr__(self, "mount", "/" + self.mount)

    @property
    def where(self):
        """``host:port/mount`` for messages."""
        return f"{self.host}:{self.port}{self.mount}"


def _authorization(config):
    token = base64.b64encode(f"{config.user}:{config.password}".encode("utf-8"))
    return "Basic " + token.decode("ascii")


def _header_value(text):
    """A header value without line breaks (a name with a newline must not inject headers)."""
    return " ".join(str(text).split())


def source_request(config):
    """The request head that opens the source connection (bytes)."""
    method, version = ("PUT", "HTTP/1.1") if config.protocol == "put" else ("SOURCE", "HTTP/1.0")
    headers = [("Host", f"{config.host}:{config.port}"),
               ("Authorization", _authorization(config)),
               ("User-Agent", "MusicDB"),
               ("Content-Type", "audio/mpeg"),
               ("ice-name", config.name), ("ice-public", "1" if config.public else "0"),
               ("ice-bitrate", str(config.bitrate)),
               ("ice-audio-info", f"ice-bitrate={config.bitrate};ice-samplerate="
                                  f"{config.samplerate};ice-channels={config.channels}")]
    headers += [(key, value) for key, value in (("ice-description", config.description),
                                                ("ice-genre", config.genre),
                                                ("ice-url", config.url)) if value]
    if config.protocol == "put":
        headers.append(("Expect", "100-continue"))
    lines = [f"{method} {quote(config.mount)} {version}"]
    lines += [f"{key}: {_header_value(value)}" for key, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def metadata_request(config, title):
    """The admin request that sets the mount's title to ``title`` (bytes)."""
    query = urlencode({"mount": config.mount, "mode": "updinfo", "song": title})
    lines = [f"GET /admin/metadata?{query} HTTP/1.0",
             f"Host: {config.host}:{config.port}",
             f"Authorization: {_authorization(config)}",
             "User-Agent: MusicDB"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def parse_head(data):
    """``(status, reason, headers, rest)`` of the first complete response head in ``data``.

    Returns None while the head is incomplete.  Raises IcecastError when the
    bytes are not an HTTP answer (old servers answer ``OK2``, taken as 200).
    """
    if data.startswith(b"OK2") and b"\n" in data:
        return 200, "OK2", {}, data[data.index(b"\n") + 1:]
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if len(data) > MAX_HEAD:
            raise IcecastError("Icecast's answer has no end of its header")
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise IcecastError(f"not an HTTP answer: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(parts[1]), (parts[2] if len(parts) > 2 else ""), headers, data[end + 4:]


def refusal(config, status, reason, body):
    """The IcecastError for a source connection answered with ``status`` (not 1xx/200)."""
    text = body.decode("utf-8", "replace").strip()[:200]
    if status == 401:
        return SourceRefused(f"Icecast refused the source password for mount {config.mount} "
                             f"(user {config.user!r} at {config.host}:{config.port})")
    if status == 403 and "in use" in text.lower():
        return MountInUse(f"Icecast's mount {config.mount} is in use by another source")
    detail = f": {text}" if text else ""
    return IcecastError(f"Icecast answered {status} {reason}{detail} for mount {config.mount}")


def _connect(config, send_buffer=0):
    """A connected socket (TLS-wrapped if configured); raises IcecastError.

    ``send_buffer`` limits the socket's send buffer: Linux grows it to
    megabytes, which would hide a stalled Icecast for minutes.
    """
    context = tls_context(config) if config.tls else None
    try:
        sock = socket.create_connection((config.host, config.port), timeout=config.timeout)
        if send_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    except OSError as error:
        raise IcecastError(f"cannot connect to Icecast at {config.host}:{config.port}: "
                           f"{error.strerror or error}") from None
    if context is None:
        return sock
    try:
        return context.wrap_socket(sock, server_hostname=config.host)
    except ssl.SSLCertVerificationError as error:
        sock.close()
        raise CertificateUntrusted(
            f"Icecast's TLS certificate at {config.host}:{config.port} is not trusted "
            f"({error.verify_message}); give the file of the CA that signed it, or turn "
            f"verification off") from None
    except (OSError, ssl.SSLError) as error:
        sock.close()
        raise IcecastError(f"TLS with Icecast at {config.host}:{config.port} failed: "
                           f"{error}") from None


def tls_context(config):
    """The client context: the system's CAs, or only those of ``ca_file``; or no checks at all.

    Raises IcecastError when ``ca_file`` cannot be read or holds no certificate.
    """
    if not config.verify_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=config.ca_file or None)
    except ssl.SSLError:
        reason = "it holds no PEM certificate"
    except OSError as error:
        reason = error.strerror or str(error)
    raise IcecastError(f"cannot read the CA file {config.ca_file}: {reason}")


def _read_head(sock, buffered, config):
    """Read until one response head is complete; returns parse_head()'s tuple."""
    data = buffered
    while True:
        head = parse_head(data)
        if head is not None:
            return head
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            raise IcecastError(f"Icecast at {config.host}:{config.port} did not answer "
                               f"within {config.timeout:g} s") from None
        except OSError as error:
            raise IcecastError(f"Icecast closed the connection: {error}") from None
        if not chunk:
            raise IcecastError("Icecast closed the connection without an answer")
        data += chunk


class SourceConnection:
    """One source connection to a mount: :meth:`open`, then :meth:`send` MP3 data.

    Each method raises IcecastError (SourceRefused, MountInUse) on failure;
    the connection is then closed.
    """

    def __init__(self, config):
        self.config = config
        self.sock = None

    def open(self):
        """Connect, send the head and wait until Icecast accepts the source."""
        self.sock = _connect(self.config, self.config.send_buffer)
        try:
            self.sock.sendall(source_request(self.config))
            rest = b""
            while True:
                status, reason, headers, rest = _read_head(self.sock, rest, self.config)
                if status == 100:
                    continue
                if status != 200:
                    raise refusal(self.config, status, reason, rest)
                break
            self.sock.settimeout(self.config.timeout)
        except OSError as error:
            self.close()
            raise IcecastError(f"Icecast connection failed: {error}") from None
        except IcecastError:
            self.close()
            raise
        return self

    def send(self, data):
        """Send audio; a write that makes no progress for ``timeout`` seconds fails too."""
        try:
            self.sock.sendall(data)
        except (OSError, AttributeError) as error:
            self.close()
            raise IcecastError(f"Icecast connection lost: {error}") from None

    def close(self):
        sock, self.sock = self.sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


def update_metadata(config, title):
    """Set the mount's title with the admin call; raises IcecastError on any failure."""
    sock = _connect(config)
    try:
        sock.sendall(metadata_request(config, title))
        status, reason, headers, body = _read_head(sock, b"", config)
    except OSError as error:
        raise IcecastError(f"Icecast title update failed: {error}") from None
    finally:
        sock.close()
    if status == 401:
        raise SourceRefused(f"Icecast refused the source password for the title update of "
                            f"mount {config.mount}")
    if status != 200:
        raise IcecastError(f"Icecast answered {status} {reason} to the title update of mount "
                           f"{config.mount}")
