"""The WebSocket protocol end to end: a real server process, real clients (protocol.md §2-§7)."""

import json
import signal
import socket
import time

import pytest
import websocket

from tests.support import Client, session_cookie, wait_close


def is_error(packet):
    return packet.get("fncname") == "MusicDB:Error"


def test_request_is_answered_with_fncsig_and_pass_echoed(client):
    client.send("request", "Bounce", {"a": [1, "ü"]}, "MySig", {"from": "hud"})
    answer = client.answer("MySig")
    assert answer == {"method": "response", "fncname": "Bounce", "fncsig": "MySig",
                      "arguments": {"a": [1, "ü"]}, "pass": {"from": "hud"}}


def test_call_is_not_answered(client):
    client.send("call", "Bounce", {"n": 1}, "Silent")
    client.send("request", "Bounce", {"n": 2}, "Loud")
    answer = client.wait_for(lambda p: p["method"] in ("response", "broadcast"))
    assert answer["fncsig"] == "Loud"


def test_broadcast_reaches_every_client_including_the_sender(client_factory):
    sender, other = client_factory(), client_factory()
    sender.send("broadcast", "Bounce", {"x": 1}, "Everyone")
    for each in (sender, other):
        packet = each.answer("Everyone")
        assert packet["method"] == "broadcast" and packet["arguments"] == {"x": 1}


def test_answers_keep_the_request_order(client):
    for number in range(50):
        client.send("request", "Bounce", {"n": number}, "Order")
    received = [client.answer("Order")["arguments"]["n"] for _ in range(50)]
    assert received == list(range(50))


def test_messages_up_to_the_limit_are_accepted(client):
    payload = "f" * (2 * 1024 * 1024)
    assert client.request("Bounce", {"chunk": payload})["chunk"] == payload


def test_wrong_key_is_refused_and_the_connection_keeps_working(server, client):
    client.send("request", "Bounce", {"x": 1}, "Sneaky", key="not-the-key")
    error = client.error()
    assert error["arguments"]["code"] == "InvalidAPIKey"
    assert "not-the-key" not in json.dumps(error)
    assert client.request("Bounce", {"x": 2}) == {"x": 2}
    log = server.log()
    assert "not-the-key" not in log and server.apikey not in log


BAD_INPUT = [
    ("not json at all", "InvalidJSON"),
    ("", "InvalidJSON"),
    ("[1, 2]", "InvalidPacket"),
    ('{"method": "request"}', "InvalidPacket"),
    ('{"method": 5, "fncname": "Bounce", "fncsig": null, "arguments": null, "pass": null, '
     '"key": "KEY"}', "InvalidPacket"),
    ('{"method": "response", "fncname": "Bounce", "fncsig": null, "arguments": null, '
     '"pass": null, "key": "KEY"}', "UnknownMethod"),
    ('{"method": "request", "fncname": "GetFoo", "fncsig": "ShowFoo", "arguments": null, '
     '"pass": null, "key": "KEY"}', "UnknownFunction"),
]


@pytest.mark.parametrize("text,code", BAD_INPUT)
def test_bad_input_gets_an_error_only_for_the_sender(client_factory, server, text, code):
    sender, bystander = client_factory(), client_factory()
    sender.send_raw(text.replace("KEY", server.apikey))
    error = sender.error()
    assert error["method"] == "notification" and error["fncsig"] == "onError"
    assert error["arguments"]["code"] == code
    assert sender.request("Bounce", {"still": "alive"}) == {"still": "alive"}
    bystander.send("request", "Bounce", None, "Mine")
    packets = []
    bystander.wait_for(lambda p: packets.append(p) or p.get("fncsig") == "Mine")
    assert not any(is_error(p) for p in packets)


def test_unknown_function_error_repeats_the_request(client):
    client.send("request", "GetFoo", None, "ShowFoo")
    error = client.error()["arguments"]
    assert error["request"] == {"method": "request", "fncname": "GetFoo",
                                "fncsig": "ShowFoo", "pass": None}
    assert "GetFoo" in error["message"]


def test_binary_message_is_answered_with_an_error(client):
    client.ws.send_binary(b"\x00\x01binary")
    assert client.error()["arguments"]["code"] == "BinaryMessage"
    assert client.request("Bounce", 1) == 1


def test_invalid_utf8_closes_cleanly_with_1007(client_factory):
    client, bystander = client_factory(), client_factory()
    client.ws.send(b"\xff\xfe{}", opcode=websocket.ABNF.OPCODE_TEXT)
    assert wait_close(client)[0] == 1007
    assert bystander.request("Bounce", "ok") == "ok"


def test_message_over_8_mib_is_refused_before_it_is_buffered(client_factory):
    """Only the frame header announcing 9 MiB is sent: the server must close with 1009
    without waiting for (or storing) the payload; gevent-websocket alone would wait."""
    client, bystander = client_factory(), client_factory()
    header = bytes([0x81, 0x80 | 127]) + (9 * 1024 * 1024).to_bytes(8, "big") + b"mask"
    client.ws.sock.sendall(header + b"only a few bytes")
    assert wait_close(client)[0] == 1009
    assert bystander.request("Bounce", "ok") == "ok"


def test_malformed_handshake_is_refused_without_harm(server, client):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: !!notbase64!!\r\n"
                    b"Cookie: " + session_cookie(server).encode() + b"\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    assert client.request("Bounce", "ok") == "ok"
    assert "Traceback" not in server.log()


def plain_get(server, path):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        response = b""
        while chunk := raw.recv(4096):
            response += chunk
    return response


def test_plain_get_on_the_port_answers_a_page(server):
    """Users open the address once to accept the certificate: it leads to the login page."""
    response = plain_get(server, b"/")
    assert response.startswith(b"HTTP/1.1 303") and b"Location: /login" in response
    response = plain_get(server, b"/login")
    assert response.startswith(b"HTTP/1.1 200") and b"<html" in response.lower()


def test_heartbeat_arrives_at_least_every_two_seconds(client):
    times = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        packet = client.receive(timeout=2.5)
        if packet["fncname"] == "MusicDB:AudioStream" and packet["fncsig"] == "onTimeChanged":
            times.append(time.monotonic())
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) >= 3 and max(gaps) < 2.0


def test_sigusr1_sends_sys_refresh_to_every_client(server, client_factory):
    clients = [client_factory(), client_factory()]
    server.signal(signal.SIGUSR1)
    for client in clients:
        packet = client.wait_for(lambda p: p.get("fncname") == "sys:refresh")
        assert packet == {"method": "broadcast", "fncname": "sys:refresh",
                          "fncsig": "UpdateCaches", "arguments": None, "pass": None}


def test_sigterm_closes_clients_with_1000_and_exits_0(server_factory):
    server = server_factory("term")
    clients = [Client(server), Client(server)]
    server.signal(signal.SIGTERM)
    for client in clients:
        assert wait_close(client) == (1000, "Server shutdown")
        client.close()
    assert server.proc.wait(15) == 0


def test_tls_server_speaks_wss_and_survives_plain_http(server_factory):
    server = server_factory("tls", tls=True)
    client = Client(server)
    assert client.request("Bounce", {"secure": True}) == {"secure": True}
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try:
            raw.recv(100)
        except OSError:
            pass
    assert Client(server).request("Bounce", 2) == 2
    client.close()
    assert "Traceback" not in server.log()


def test_a_connection_that_never_finishes_its_handshake_is_dropped(server_factory):
    server = server_factory("slowopen", extra="[websocket]\nopentimeout = 1\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        answer = b""
        while chunk := raw.recv(100):
            answer += chunk
        assert time.monotonic() - started < 4
        assert answer == b"" or answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 408"))
