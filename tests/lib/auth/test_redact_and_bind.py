"""Secrets never reach a log line; the server listens beyond loopback only when safe."""

import pytest

from musicdb.lib.auth import bind
from musicdb.lib.auth.redact import redact


@pytest.mark.parametrize("line, secret", [
    ("GET /stream?token=abc123 HTTP/1.1", "abc123"),
    ("GET /stream?icy=1&password=h%C3%B6rbar HTTP/1.1", "h%C3%B6rbar"),
    ("GET /?key=QUJD&x=1 HTTP/1.1", "QUJD"),
    ("GET /x;apikey=zz HTTP/1.1", "zz"),
    ("open https://anna:pässwort@host/stream", "pässwort"),
])
def test_secret_values_are_masked(line, secret):
    masked = redact(line)
    assert secret not in masked and "***" in masked


def test_other_query_values_stay():
    assert redact("GET /a?page=2&keyboard=x HTTP/1.1") == "GET /a?page=2&keyboard=x HTTP/1.1"


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
def test_loopback_needs_nothing(address):
    assert bind.refusal(address, tls=False, allow_plain=False, has_accounts=False) is None


@pytest.mark.parametrize("address", ["0.0.0.0", "", "::", "192.168.1.5", "musicbox.lan"])
def test_beyond_loopback_an_account_is_needed(address):
    line = bind.refusal(address, tls=True, allow_plain=False, has_accounts=False)
    assert "python musicdb.py user add NAME" in line and "\n" not in line
    assert bind.refusal(address, tls=True, allow_plain=False, has_accounts=True) is None


def test_plain_http_beyond_loopback_needs_the_explicit_key():
    assert "allowplain" in bind.refusal("0.0.0.0", tls=False, allow_plain=False, has_accounts=True)
    assert bind.refusal("0.0.0.0", tls=False, allow_plain=True, has_accounts=True) is None
