"""End to end: our own web page (``musicdb/web/``) at ``/`` in headless Chromium.

One server with the imported demo library and two browsers serve the module:
the first does what a user does, the second only watches, so every change
must reach it without a reload.  Both browsers start logged in and each test
sets up what it needs, because pytest-xdist may run the module's tests on
several workers, each with its own server and browsers.  Each test ends with no error in either
console and no ``MusicDB:Error`` sent to either page.  Screenshots go to
``$MUSICDB_SCREENSHOTS`` (or a pytest temporary directory, printed by the
first test).
"""

import base64
import json
import os
import shutil
import sqlite3
import subprocess

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.e2e.browser import Browser, missing_browser
from tests.support import Client, ServerProcess, import_demo_library
from tests.support.stream import frames_of

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

AUTOPLAY = ("--autoplay-policy=no-user-gesture-required",)
READY = "document.documentElement.dataset.ready === 'true'"


def rows(database, sql, params=()):
    with sqlite3.connect("file:%s?mode=ro" % database, uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, params)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("webpage")
    import_demo_library(home, songs=24, formats=("mp3", "flac"))
    server = ServerProcess(home, tls=False)
    server.database = home / "data" / "music.db"
    client = Client(server)
    try:
        config = client.request("LoadRandyConfiguration")
        config["Constraints"]["MinSongLength"] = 0   # the demo songs last 2 s
        client.request("SaveRandyConfiguration", {"config": config})
        assert client.request("GetAudioStreamState")["hasqueue"] is True
    finally:
        client.close()
    yield server
    server.stop()


def open_browser(tmp_path_factory, name):
    shots = os.environ.get("MUSICDB_SCREENSHOTS") or str(tmp_path_factory.getbasetemp() / "shots")
    os.makedirs(shots, exist_ok=True)
    browser = Browser(tmp_path_factory.mktemp("profile-" + name), shots, flags=AUTOPLAY)
    browser.driver.set_window_size(1280, 860)
    return browser


@pytest.fixture(scope="module")
def page(tmp_path_factory, server):
    browser = open_browser(tmp_path_factory, "user")
    browser.server = server
    browser.open(server.http_url + "/")
    browser.wait_for(READY, "the page to load")
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def watcher(tmp_path_factory, server, page):
    """A second browser, logged in, showing the page."""
    browser = open_browser(tmp_path_factory, "watcher")
    browser.open(server.http_url + "/")
    browser.wait_for(READY, "the second page to load")
    yield browser
    browser.quit()


@pytest.fixture(autouse=True)
def no_errors_left_behind(request):
    yield
    for name in ("page", "watcher"):
        if name in request.fixturenames:
            browser = request.getfixturevalue(name)
            assert browser.new_errors() == [], browser.report()
            assert browser.api_errors() == [], browser.report()


def shown_artists(page):
    return page.js("return [...document.querySelectorAll('#library .artist h3')]"
                   ".map(h => h.textContent);")


def test_the_page_needs_a_login_and_the_login_comes_back_to_it(page, server):
    """``/`` shows the login form first; after it, the page at ``/`` lists every demo artist."""
    page.driver.delete_all_cookies()   # the fixture logged in
    page.driver.get(server.http_url + "/")
    assert page.js("return location.pathname") == "/login"
    page.log_in()
    assert page.js("return location.pathname") == "/"
    page.wait_for(READY, "the page to load its data")
    artists = rows(server.database, "SELECT name FROM artists WHERE artistid IN "
                                    "(SELECT artistid FROM albums WHERE hidden = 0)")
    expected = sorted(row["name"].replace(" ∕ ", " / ") for row in artists)
    page.wait_for("document.querySelectorAll('#library .artist').length === %d" % len(expected),
                  "every artist")
    assert sorted(shown_artists(page)) == expected
    page.wait_for("[...document.querySelectorAll('.tile img')].every(i => i.complete "
                  "&& i.naturalWidth > 0)", "the artwork tiles")
    print("screenshots:", page.shots)
    page.screenshot("page-1280-artists")


def open_first_album(page):
    page.js("location.hash = '#/';")
    page.wait_for("location.hash === '#/' && document.querySelector('#library .tile')", "tiles")
    page.click("document.querySelector('#library .tile')")
    page.wait_for("location.hash.startsWith('#/album/') && "
                  "document.querySelectorAll('#library li.song').length > 0", "the album view")
    return int(page.js("return location.hash.split('/')[2]"))


def test_an_album_shows_its_songs_by_cd(page, server):
    albumid = open_first_album(page)
    songs = rows(server.database, "SELECT name, cd FROM songs WHERE albumid = ? "
                                  "ORDER BY cd, number", (albumid,))
    shown = page.js("return [...document.querySelectorAll('#library li.song .name')]"
                    ".map(e => e.firstChild.textContent);")
    assert shown == [song["name"].replace(" - ", " – ") for song in songs]
    assert page.js("return document.activeElement.id") == "view-heading"
    page.screenshot("page-1280-album")


def queue_names(browser):
    return browser.js("return [...document.querySelectorAll('#queue li.entry .title')]"
                      ".map(e => e.textContent);")


def test_a_song_added_here_appears_in_the_queue_of_another_browser(page, watcher):
    albumid = open_first_album(page)
    name = page.js("return document.querySelector('#library li.song .name').firstChild"
                   ".textContent")
    before = len(queue_names(watcher))
    page.click("document.querySelector('#library li.song .icon.add')")
    watcher.wait_for("[...document.querySelectorAll('#queue li.entry .title')]"
                     ".slice(1).some(e => e.textContent === arguments[0])",
                     "the added song in the other browser's queue", name)
    assert len(queue_names(watcher)) == before + 1
    page.wait_for("document.querySelectorAll('#queue li.entry').length === %d" % (before + 1),
                  "the song in our own queue")
    assert albumid


ENTRY_IDS = "[...document.querySelectorAll('#queue li.entry')].map(e => e.dataset.entryid)"


def test_remove_and_move_change_the_queue_everywhere(page, watcher):
    open_first_album(page)
    for _ in range(3):
        page.click("document.querySelector('#library li.song .icon.add')")
    page.wait_for("document.querySelectorAll('#queue li.entry').length >= 4", "four entries")
    order = page.js("return " + ENTRY_IDS)
    page.click("document.querySelectorAll('#queue li.entry')[2]"
               ".querySelector('button[aria-label^=\"Move\"][aria-label$=\"up\"]')")
    expected = [order[0], order[2], order[1], *order[3:]]
    watcher.wait_for(ENTRY_IDS + ".join() === arguments[0]", "the moved entry", ",".join(expected))
    page.click("document.querySelectorAll('#queue li.entry')[1].querySelector('.icon.remove')")
    watcher.wait_for("!%s.includes(arguments[0])" % ENTRY_IDS, "the removal", expected[1])
    page.screenshot("page-1280-queue")


def test_search_as_you_type_finds_an_album(page, server):
    album = rows(server.database, "SELECT name FROM albums ORDER BY albumid LIMIT 1")[0]["name"]
    box = page.driver.find_element("id", "search")
    box.clear()
    box.send_keys(album[:6])
    page.wait_for("location.hash.startsWith('#/search/') && [...document.querySelectorAll("
                  "'#library .tile .tile-name')].some(e => e.textContent.startsWith(arguments[0]))",
                  "the album among the results", album.replace(" - ", " – ")[:6])
    page.screenshot("page-1280-search")
    box.send_keys(Keys.ESCAPE)   # back to the artists
    page.wait_for("document.querySelectorAll('#library .artist').length > 0", "the artists again")


def test_the_genre_filter_is_shared_by_every_page(page, watcher):
    page.click("document.querySelector('#genres button.genre')")
    watcher.wait_for("document.querySelector('#genres button.genre')"
                     ".getAttribute('aria-pressed') === 'true'", "the genre pressed elsewhere")
    page.click("document.querySelector('#genres button.genre')")
    watcher.wait_for("document.querySelector('#genres button.genre')"
                     ".getAttribute('aria-pressed') === 'false'", "the genre released elsewhere")
    watcher.wait_for("document.querySelectorAll('#library .artist').length > 0", "all artists")


def test_love_and_a_genre_tag_on_a_song_are_stored_and_shown(page, server):
    open_first_album(page)
    songid = int(page.js("return document.querySelector('#library li.song').dataset.songid"))
    row = "document.querySelector('#library li.song[data-songid=\"%d\"]')" % songid
    page.click(row + ".querySelector('.icon.love')")
    page.wait_for(row + ".querySelector('.icon.love').getAttribute('aria-pressed') === 'true'",
                  "the love shown")
    assert rows(server.database, "SELECT favorite FROM songs WHERE songid = ?",
                (songid,))[0]["favorite"] == 1
    page.click(row + ".querySelector('.icon.tags')")
    page.wait_for(row + ".querySelector('.tag-editor button')", "the tag editor")
    page.click(row + ".querySelector('.tag-editor button')")
    page.wait_for(row + ".querySelector('.chip') && " + row + ".querySelector('.chip')"
                  ".textContent === 'Other'", "the genre chip")
    assert page.js("return document.activeElement.closest('.tag-editor') !== null"), \
        "the focus stays in the editor"
    page.screenshot("page-1280-tags")
    page.click(row + ".querySelector('.tag-editor button')")
    page.wait_for("!" + row + ".querySelector('.chip')", "the genre removed")
    page.click(row + ".querySelector('.icon.love')")
    page.wait_for(row + ".querySelector('.icon.love').getAttribute('aria-pressed') === 'false'",
                  "the love taken back")


def test_play_starts_the_stream_in_the_audio_element_and_it_is_mp3(page, watcher):
    page.click("document.getElementById('play')")
    watcher.wait_for("document.getElementById('play').getAttribute('aria-pressed') === 'true'",
                     "the other page to show the stream playing")
    page.wait_for("document.getElementById('audio').currentTime > 1.0",
                  "the <audio> element to play the stream", timeout=30)
    assert page.js("return navigator.mediaSession.metadata.title") == \
        page.js("return document.getElementById('now-title').textContent")
    encoded = page.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        (async () => {
            const response = await fetch(document.getElementById('audio').src.split('?')[0]);
            const reader = response.body.getReader();
            let bytes = new Uint8Array(0);
            while (bytes.length < 24000) {
                const {value, done: end} = await reader.read();
                if (end) break;
                const joined = new Uint8Array(bytes.length + value.length);
                joined.set(bytes); joined.set(value, bytes.length);
                bytes = joined;
            }
            reader.cancel();
            let text = '';
            for (const byte of bytes) text += String.fromCharCode(byte);
            done([response.headers.get('content-type'), btoa(text)]);
        })().catch(error => done(['error', String(error)]));""")
    assert encoded[0] == "audio/mpeg", encoded
    data = base64.b64decode(encoded[1])
    frames, parser = frames_of(data)
    assert len(frames) > 20 and parser.skipped < 4096, (len(frames), parser.skipped)
    page.click("document.getElementById('play')")   # pause again
    watcher.wait_for("document.getElementById('play').getAttribute('aria-pressed') === 'false'",
                     "the other page to show the pause")
    page.js("window.musicdb.player.stopAudio();")


def test_at_360_pixels_every_panel_fits(page):
    page.driver.set_window_size(360, 740)
    try:
        page.js("location.hash = '#/';")
        page.wait_for("document.querySelectorAll('#library .artist').length > 0", "the artists")
        width = page.js("return document.documentElement.scrollWidth")
        assert width <= page.js("return window.innerWidth"), "the page scrolls sideways"
        page.screenshot("page-360-artists")
        open_first_album(page)
        page.screenshot("page-360-album")
        page.click("document.getElementById('tab-queue')")
        page.wait_for("getComputedStyle(document.getElementById('queue-panel')).display "
                      "!== 'none'", "the queue panel")
        assert page.js("return getComputedStyle(document.getElementById('library')).display") \
            == "none"
        page.screenshot("page-360-queue")
        page.click("document.getElementById('tab-library')")
    finally:
        page.driver.set_window_size(1280, 860)


def luminance(page, script):
    rgb = page.js("return getComputedStyle(%s).backgroundColor" % script)
    return sum(int(part) for part in rgb[rgb.index("(") + 1:-1].split(",")[:3]) / 3


@pytest.mark.parametrize("scheme, dark", [("dark", True), ("light", False)])
def test_the_theme_follows_the_system_colour_scheme(page, scheme, dark):
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-color-scheme", "value": scheme}]})
    try:
        page.js("location.hash = '#/';")
        page.wait_for("document.querySelector('#library .tile')", "the tiles")
        assert (luminance(page, "document.body") < 80) is dark
        assert (luminance(page, "document.querySelector('.player')") < 80) is dark
        page.screenshot("page-1280-%s" % scheme)
    finally:
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_the_page_is_keyboard_operable(page):
    """From the top, Tab reaches the search, the genre buttons and the album tiles; Enter
    opens an album."""
    page.js("location.hash = '#/';")
    page.wait_for("document.querySelectorAll('#library .tile').length > 0", "tiles")
    page.js("document.querySelector('.skip').focus();")   # the first element of the page
    reached = []
    for _ in range(40):
        ActionChains(page.driver).send_keys(Keys.TAB).perform()
        reached.append(page.js("const e = document.activeElement;"
                               "return e.id || e.className || e.tagName;"))
        if reached[-1] == "tile":
            break
    assert "search" in reached and "genre" in reached and reached[-1] == "tile", reached
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    page.wait_for("location.hash.startsWith('#/album/')", "the album opened by keyboard")


AXE_VERSION = "4"


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory):
    """axe-core from the npm registry, installed into a temporary directory (never committed)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so axe-core cannot be fetched")
    target = tmp_path_factory.mktemp("axe")
    result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(target),
                             "axe-core@" + AXE_VERSION], capture_output=True, text=True,
                            timeout=180)
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if result.returncode != 0 or not script.exists():
        pytest.skip("npm could not install axe-core: " + result.stderr[-300:])
    return script.read_text(encoding="utf-8")


@pytest.mark.parametrize("view", ["#/", "album"])
def test_axe_finds_no_serious_accessibility_violations(page, axe_source, view):
    if view == "album":
        open_first_album(page)
    else:
        page.js("location.hash = '#/';")
        page.wait_for("document.querySelectorAll('#library .artist').length > 0", "the artists")
    page.js(axe_source)
    result = page.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target)}))))"
        ".catch(e => done([{id: 'axe failed', impact: 'critical', nodes: [String(e)]}]));")
    serious = [violation for violation in result if violation["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
