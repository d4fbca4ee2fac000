"""Generated config.js, WebSocket URL and welcome page (musicdb/lib/http/webdata.py)."""

import json
import re

import pytest

from musicdb.lib.http import webdata


def constants(js):
    """Map each ``const NAME = value;`` line of *js* to its value text."""
    return dict(re.findall(r"^const (\w+)\s*=\s*(.*);$", js, re.MULTILINE))


def test_config_js_defines_what_the_webui_reads():
    """config.js defines the five constants the WebUI uses, with the shipped values."""
    js = webdata.render_config_js("wss://music.example:9000", "c2VjcmV0")
    values = constants(js)
    assert values["CONFIG_VERSION"] == "3"
    assert values["WATCHDOG_RUN"] == "true"
    assert values["WATCHDOG_INTERVAL"] == "5000"
    assert json.loads(values["WEBSOCKET_URL"]) == "wss://music.example:9000"
    assert json.loads(values["WEBSOCKET_APIKEY"]) == "c2VjcmV0"
    assert js.startswith('"use strict";')


def test_config_js_values_cannot_break_out_of_their_string():
    """Quotes, backslashes and line breaks in a value stay inside one JS string."""
    key = 'a"; alert(1); "\\\n\u2028'
    js = webdata.render_config_js("wss://h:1", key)
    line = [l for l in js.splitlines() if "WEBSOCKET_APIKEY" in l][0]
    assert json.loads(constants(line)["WEBSOCKET_APIKEY"]) == key
    assert "\u2028" not in js


def test_config_js_refuses_non_string_values():
    """None as API key raises TypeError instead of writing null."""
    with pytest.raises(TypeError):
        webdata.render_config_js("wss://h:1", None)


@pytest.mark.parametrize("host, expected", [
    ("music.example", "wss://music.example:9000"),
    ("music.example:8443", "wss://music.example:9000"),
    ("192.168.1.2:443", "wss://192.168.1.2:9000"),
    ("[::1]:8443", "wss://[::1]:9000"),
    ("[fe80::1]", "wss://[fe80::1]:9000"),
    ("Music.Example", "wss://music.example:9000"),
])
def test_websocket_url_uses_host_header_without_port(host, expected):
    """The URL names the host the browser used, with the WebSocket port."""
    environ = {"HTTP_HOST": host, "SERVER_NAME": "fallback"}
    assert webdata.websocket_url_for(environ, 9000) == expected


@pytest.mark.parametrize("environ, expected", [
    ({"SERVER_NAME": "server.local"}, "wss://server.local:9000"),
    ({"HTTP_HOST": "", "SERVER_NAME": "server.local"}, "wss://server.local:9000"),
    ({"HTTP_HOST": 'evil"host', "SERVER_NAME": "server.local"}, "wss://server.local:9000"),
    ({"SERVER_NAME": "::1"}, "wss://[::1]:9000"),
    ({}, "wss://localhost:9000"),
])
def test_websocket_url_falls_back_to_server_name(environ, expected):
    """Without a usable Host header, SERVER_NAME is used."""
    assert webdata.websocket_url_for(environ, 9000) == expected


def test_websocket_url_without_tls():
    """tls=False gives a ws:// URL."""
    assert webdata.websocket_url_for({"HTTP_HOST": "h"}, 80, tls=False) == "ws://h:80"


def test_welcome_page_links_to_webui_and_escapes_name():
    """The welcome page is HTML with a link to /musicdb/ and an escaped name."""
    page = webdata.welcome_page("<My> MusicDB").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'href="/musicdb/"' in page
    assert "&lt;My&gt; MusicDB" in page and "<My>" not in page
