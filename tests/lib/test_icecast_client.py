"""The Icecast source client protocol: request heads, answers, and a scripted server."""

import base64
import socket
import ssl
import threading

import pytest

from musicdb.lib.icecast import (IcecastError, MountInUse, SourceConfig, SourceConnection,
                                 SourceRefused, metadata_request, parse_head, source_request,
                                 tls_context, update_metadata)


def head_lines(data):
    return data.decode("utf-8").split("\r\n")


def test_put_head_carries_credentials_format_and_expect_continue():
    """PUT opens the mount with Basic credentials, audio/mpeg, ice-* headers and Expect."""
    config = SourceConfig(host="ice.example", port=8443, mount="live", user="source",
                          password="pässword", name="My Stream", bitrate=192)
    data = source_request(config)
    lines = head_lines(data)
    assert data.endswith(b"\r\n\r\n")
    assert lines[0] == "PUT /live HTTP/1.1"
    token = base64.b64encode("source:pässword".encode()).decode()
    assert f"Authorization: Basic {token}" in lines
    for line in ("Host: ice.example:8443", "Content-Type: audio/mpeg", "ice-name: My Stream",
                 "ice-public: 0", "ice-bitrate: 192", "Expect: 100-continue",
                 "ice-audio-info: ice-bitrate=192;ice-samplerate=44100;ice-channels=2"):
        assert line in lines


def test_source_head_is_http10_without_expect():
    """The SOURCE method of old servers has no Expect header."""
    lines = head_lines(source_request(SourceConfig(protocol="source")))
    assert lines[0] == "SOURCE /stream HTTP/1.0"
    assert not any(line.startswith("Expect") for line in lines)


def test_a_stream_name_with_a_line_break_cannot_add_headers():
    """Header values lose their line breaks."""
    lines = head_lines(source_request(SourceConfig(name="Evil\r\nice-public: 1")))
    assert "ice-name: Evil ice-public: 1" in lines
    assert "ice-public: 0" in lines


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError):
        SourceConfig(protocol="rtmp")


def test_metadata_request_quotes_the_title():
    """The title goes into the admin call's query, percent-encoded."""
    lines = head_lines(metadata_request(SourceConfig(mount="/m"), "AC/DC & Co – Straße"))
    assert lines[0] == ("GET /admin/metadata?mount=%2Fm&mode=updinfo&song=AC%2FDC+%26+Co+"
                        "%E2%80%93+Stra%C3%9Fe HTTP/1.0")


def test_parse_head_waits_for_the_end_and_keeps_what_follows():
    assert parse_head(b"HTTP/1.1 100 Continue\r\n") is None
    data = b"HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\n\r\n"
    status, reason, headers, rest = parse_head(data)
    assert (status, reason, headers) == (100, "Continue", {"content-length": "0"})
    assert parse_head(rest)[:2] == (200, "OK")
    assert parse_head(b"OK2\r\nicy-caps:11\r\n\r\n")[0] == 200


def test_parse_head_refuses_what_is_not_http():
    with pytest.raises(IcecastError):
        parse_head(b"SSH-2.0-OpenSSH\r\n\r\n")


class ScriptedIcecast:
    """One connection on 127.0.0.1: records the request head, writes ``answers`` one by one."""

    def __init__(self, *answers):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.answers = answers
        self.head = b""
        self.body = b""
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        connection, _ = self.sock.accept()
        with connection:
            connection.settimeout(5)
            while b"\r\n\r\n" not in self.head:
                self.head += connection.recv(4096)
            self.head, _, self.body = self.head.partition(b"\r\n\r\n")
            for answer in self.answers:
                connection.sendall(answer)
            try:
                while chunk := connection.recv(65536):
                    self.body += chunk
            except OSError:
                pass
        self.done.set()

    def config(self, **kwargs):
        return SourceConfig(port=self.port, password="secret", timeout=2, **kwargs)


def test_source_connection_accepts_continue_then_ok_and_sends_audio():
    """100 Continue and 200 OK in separate writes open the mount; audio follows the head."""
    server = ScriptedIcecast(b"HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n",
                             b"HTTP/1.0 200 OK\r\n\r\n")
    connection = SourceConnection(server.config(mount="/x")).open()
    connection.send(b"\xff\xfb" * 100)
    connection.close()
    assert server.done.wait(5)
    assert server.head.startswith(b"PUT /x HTTP/1.1")
    assert server.body == b"\xff\xfb" * 100


def test_a_refused_password_names_the_mount():
    server = ScriptedIcecast(b"HTTP/1.0 401 Authentication Required\r\n\r\nYou need to "
                             b"authenticate\r\n")
    with pytest.raises(SourceRefused, match="refused the source password for mount /x"):
        SourceConnection(server.config(mount="/x")).open()


def test_a_mount_in_use_is_its_own_error():
    server = ScriptedIcecast(b"HTTP/1.0 403 Forbidden\r\n\r\nMountpoint in use")
    with pytest.raises(MountInUse, match="in use"):
        SourceConnection(server.config()).open()


def test_an_icecast_that_does_not_answer_times_out():
    server = ScriptedIcecast()
    with pytest.raises(IcecastError, match="did not answer within 2 s"):
        SourceConnection(server.config()).open()


def test_nobody_listening_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IcecastError, match="cannot connect to Icecast at 127.0.0.1"):
        SourceConnection(SourceConfig(port=port)).open()


def test_title_update_uses_the_source_credentials():
    server = ScriptedIcecast(b"HTTP/1.0 200 OK\r\n\r\n<iceresponse/>")
    update_metadata(server.config(mount="/m"), "Band - Song")
    assert server.done.wait(5)
    lines = head_lines(server.head)
    assert lines[0].startswith("GET /admin/metadata?mount=%2Fm&mode=updinfo&song=Band+-+Song ")
    assert "Authorization: Basic " + base64.b64encode(b"source:secret").decode() in lines


def test_a_refused_title_update_is_an_error():
    server = ScriptedIcecast(b"HTTP/1.0 401 Authentication Required\r\n\r\n")
    with pytest.raises(SourceRefused):
        update_metadata(server.config(), "Band - Song")


def test_a_ca_file_that_holds_no_certificate_is_named_in_the_error(tmp_path):
    """A cafile that is not PEM is refused before connecting, with the file's name."""
    path = tmp_path / "notes.txt"
    path.write_text("not a certificate\n")
    with pytest.raises(IcecastError, match=f"cannot read the CA file {path}: it holds no PEM"):
        tls_context(SourceConfig(tls=True, ca_file=str(path)))


def test_without_verification_the_ca_file_is_not_read(tmp_path):
    """verify_tls=False checks neither the certificate nor the host name."""
    context = tls_context(SourceConfig(tls=True, verify_tls=False,
                                       ca_file=str(tmp_path / "missing.pem")))
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname

