"""The login page in headless Chromium: a wrong password shows an error, the right one lands
on the WebUI (connected), and logging out sends the browser back to the login."""

import os

import pytest

from tests.support import ServerProcess, TEST_PASSWORD, TEST_USER, needs_legacy_webui
from tests.e2e.browser import Browser, missing_browser

pytestmark = [pytest.mark.browser, needs_legacy_webui,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

CONNECTED = ("typeof MusicDB !== 'undefined' && MusicDB.socket "
             "&& MusicDB.socket.readyState === WebSocket.OPEN")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("loginpage"), tls=True)
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path_factory):
    shots = os.environ.get("MUSICDB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots")
    os.makedirs(shots, exist_ok=True)
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"), str(shots))
    yield chromium
    chromium.quit()


def test_a_wrong_password_shows_an_error_and_the_right_one_opens_the_webui(server, browser):
    browser.driver.get(server.http_url + "/musicdb/")
    assert browser.js("return location.pathname + location.search") == \
        "/login?next=%2Fmusicdb%2F"
    browser.log_in(TEST_USER, "not the password")
    assert browser.js("return location.pathname") == "/login"
    assert "Wrong user name or password" in browser.js(
        "return document.getElementById('error').innerText")
    assert browser.js("return document.getElementById('username').value") == TEST_USER
    browser.screenshot("login-1-wrong-password")
    browser.log_in(TEST_USER, TEST_PASSWORD)
    assert browser.js("return location.pathname") == "/musicdb/"
    browser.wait_for(CONNECTED, "the WebUI's WebSocket after the login")
    assert browser.js("return typeof WEBSOCKET_APIKEY") == "string"
    assert browser.js("return document.cookie") == ""  # HttpOnly: scripts cannot read it
    browser.screenshot("login-2-webui")


def test_logout_sends_the_browser_back_to_the_login(server, browser):
    browser.open(server.http_url + "/musicdb/")
    browser.wait_for(CONNECTED, "the WebUI after the login")
    browser.js("fetch('/logout', {method: 'POST'}).then(() => location.reload());")
    browser.wait_for("location.pathname === '/login' && document.getElementById('login')",
                     "the login page after the logout")
