"""Headless Chromium for the WebUI tests: start, wait, read the console and the WebSocket traffic.

Chromium runs as Debian packages it (``/usr/bin/chromium`` with the matching
``/usr/bin/chromedriver``); selenium is given both paths, so its driver
manager never goes looking on the network.  Every incoming and outgoing
WebSocket packet is recorded in the page (``window.__mdbTraffic``) by a
script installed before the WebUI's own, so a failing test can say which
API call went wrong and with which arguments.
"""

import json
import os
import shutil

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from tests.support import TEST_PASSWORD, TEST_USER

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

OTHER_HOST = "musicbox.test"

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1600,1000",
         "--autoplay-policy=user-gesture-required", "--mute-audio",
         # A name for this machine as a browser elsewhere in the network would use it.
         "--host-resolver-rules=MAP %s 127.0.0.1" % OTHER_HOST)

# Installed before any page script: wraps WebSocket to record every packet.
RECORDER = """
(() => {
    const traffic = window.__mdbTraffic = [];
    const record = (direction, data) => {
        let packet;
        try { packet = JSON.parse(data); } catch (error) { packet = {unparsable: String(data).slice(0, 300)}; }
        if (packet && packet.key !== undefined) packet.key = "(key)";
        traffic.push({direction: direction, packet: packet});
    };
    const Native = window.WebSocket;
    class RecordingWebSocket extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => record("in", event.data));
        }
        send(data) { record("out", data); return super.send(data); }
    }
    window.WebSocket = RecordingWebSocket;
})();
"""


def missing_browser():
    """The reason the browser tests cannot run here, or None if they can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return "%s is not installed (apt-get install -y chromium chromium-driver)" % package
    return None


class Browser:
    """One headless Chromium with a fresh profile; ``shots`` is the screenshot directory."""

    def __init__(self, profile, shots, flags=()):
        """``flags`` are added to :data:`FLAGS` (a later switch wins over an earlier one)."""
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + tuple(flags) + ("--user-data-dir=%s" % profile,):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        self.shots = shots
        self.console = []   # every browser log entry so far
        self._checked = 0   # console entries already checked by new_errors()

    def open(self, url, user=TEST_USER, password=TEST_PASSWORD):
        """Load *url*; if the server shows its login page instead, log in with the form."""
        self.driver.get(url)
        if self.js("return document.getElementById('login') !== null "
                   "&& location.pathname === '/login';"):
            self.log_in(user, password)

    def log_in(self, user=TEST_USER, password=TEST_PASSWORD):
        """Fill in and send the login form shown now; wait until the browser left it."""
        self.driver.find_element("id", "username").clear()
        self.driver.find_element("id", "username").send_keys(user)
        self.driver.find_element("id", "password").send_keys(password)
        self.driver.find_element("css selector", "#login button").click()
        WebDriverWait(self.driver, 20, poll_frequency=0.1).until(
            lambda driver: driver.execute_script(
                "return document.readyState === 'complete' && "
                "(location.pathname !== '/login' || document.getElementById('error') !== null);"))

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait_for(self, script, what, *args, timeout=20):
        """Poll the JS expression *script* (``arguments[i]`` are *args*) until it is truthy.

        Returns the expression's value.

        On timeout the AssertionError names *what* was awaited and carries the
        console and the API errors, which usually tell why.
        """
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
                lambda driver: driver.execute_script("return " + script, *args))
        except TimeoutException:
            self.screenshot("timeout")
            raise AssertionError("Timed out waiting for %s\n%s" % (what, self.report())) from None

    def read_console(self):
        """All console entries so far (chromedriver hands each out only once)."""
        self.console.extend(self.driver.get_log("browser"))
        return self.console

    def new_errors(self):
        """SEVERE console entries (uncaught exceptions, console.error, failed loads) not yet
        returned by an earlier call."""
        entries = self.read_console()
        fresh, self._checked = entries[self._checked:], len(entries)
        return [entry for entry in fresh if entry["level"] == "SEVERE"]

    def click(self, script, *args):
        """A real (trusted) mouse click on the element the JS expression *script* returns.

        Unlike ``element.click()`` in JS it counts as a user gesture, which
        the browser requires before it plays audio.
        """
        element = self.driver.execute_script("return " + script, *args)
        assert element is not None, "nothing to click: %s" % script
        element.click()

    def context_click(self, script, *args):
        """A real right click (the ``contextmenu`` event) on the element *script* returns."""
        element = self.driver.execute_script("return " + script, *args)
        assert element is not None, "nothing to right-click: %s" % script
        ActionChains(self.driver).context_click(element).perform()

    def traffic(self):
        return self.js("return window.__mdbTraffic || [];")

    def api_errors(self):
        """``MusicDB:Error`` packets the server sent the WebUI (their arguments)."""
        return [entry["packet"].get("arguments") for entry in self.traffic()
                if entry["direction"] == "in" and entry["packet"].get("fncname") == "MusicDB:Error"]

    def screenshot(self, name):
        path = os.path.join(self.shots, "%s.png" % name)
        self.driver.save_screenshot(path)
        return path

    def report(self):
        lines = ["console:"] + ["  %(level)s %(message)s" % e for e in self.read_console()[-40:]]
        lines.append("API errors: %s" % json.dumps(self.api_errors(), ensure_ascii=False))
        return "\n".join(lines)

    def quit(self):
        self.driver.quit()
