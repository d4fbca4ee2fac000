"""End to end: edits made with the legacy WebUI's own controls in one Chromium reach a
second Chromium without a reload."""

import os

import pytest

from tests.support import ServerProcess, needs_legacy_webui
from tests.e2e.browser import Browser, missing_browser
from tests.e2e.test_webui_browser import Library, tag_albums_with_genres
from tests.support import import_demo_library

pytestmark = [pytest.mark.browser, needs_legacy_webui,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

TILES = "document.querySelectorAll('#LeftContentBox .AlbumTile')"


def open_webui(browser, server):
    """Open the WebUI of ``server`` and wait for its WebSocket (a login step goes here)."""
    browser.open(server.http_url + "/musicdb/")
    browser.wait_for("typeof MusicDB !== 'undefined' && MusicDB.socket "
                     "&& MusicDB.socket.readyState === WebSocket.OPEN", "the WebSocket connection")
    return browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("editing")
    import_demo_library(home)
    tag_albums_with_genres(home / "data" / "music.db")
    server = ServerProcess(home, tls=True)
    server.library = Library(home / "data" / "music.db")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, server):
    """Two browsers on the same server: the one that edits and the one that watches."""
    shots = os.environ.get("MUSICDB_SCREENSHOTS") or str(tmp_path_factory.mktemp("shots"))
    browsers = []
    try:
        for name in ("editor", "watcher"):
            browsers.append(Browser(tmp_path_factory.mktemp(f"profile-{name}"), shots))
            open_webui(browsers[-1], server)
        yield browsers
    finally:
        for browser in browsers:
            browser.quit()


def test_hiding_an_album_in_one_browser_removes_its_tile_in_the_other(pages, server):
    editor, watcher = pages
    albums = server.library.rows("SELECT albumid AS id, name FROM albums WHERE hidden = 0 "
                                 "ORDER BY albumid")
    for page in pages:
        page.wait_for(TILES + ".length === %d" % len(albums), "the album tiles")
    editor.click("Array.from(%s).find(tile => tile.innerText.includes(arguments[0]))" % TILES,
                 albums[0]["name"])
    editor.wait_for("WebUI.GetView('Album').hidealbum !== undefined "
                    "&& document.getElementById('MiddleContentBox').innerText.includes(arguments[0])",
                    "the album view", albums[0]["name"])
    editor.js("WebUI.GetView('Album').hidealbum.GetHTMLElement().click();")
    watcher.wait_for(TILES + ".length === %d" % (len(albums) - 1), "one album tile fewer")
    assert server.library.rows("SELECT hidden FROM albums WHERE albumid = ?",
                               (albums[0]["id"],)) == [{"hidden": 1}]
    assert editor.api_errors() == [] and watcher.api_errors() == []


def test_lyrics_saved_in_one_browser_reach_the_other(pages, server):
    editor, watcher = pages
    song = server.library.rows("SELECT songid AS id, name FROM songs ORDER BY songid LIMIT 1")[0]
    editor.js("MusicDB.Request('GetSongLyrics', 'ShowLyrics', {songid: arguments[0]});", song["id"])
    editor.wait_for("WebUI.GetView('Lyrics').currentsongid === arguments[0]", "the lyrics view",
                    song["id"])
    editor.js("WebUI.GetView('Lyrics').lyricsedit.SetEditMode();")
    editor.js("return WebUI.GetView('Lyrics').lyricsedit.editbox.element;").send_keys(
        "Lä lä lä, the words")  # typed: the editor enables its state buttons on input
    editor.click("WebUI.GetView('Lyrics').lyricsedit.stateselect.buttons[3].box.GetHTMLElement()")
    editor.js("WebUI.GetView('Lyrics').lyricsedit.Save();")  # what its Save button does
    watcher.wait_for("window.__mdbTraffic.some(e => e.direction === 'in' "
                     "&& e.packet.fncname === 'GetSong' && e.packet.arguments.song.id === arguments[0]"
                     "&& e.packet.arguments.song.lyricsstate === 3)", "the GetSong broadcast",
                     song["id"])
    watcher.js("MusicDB.Request('GetSongLyrics', 'ShowLyrics', {songid: arguments[0]});",
               song["id"])
    watcher.wait_for("document.getElementById('MiddleContentBox').innerText.includes("
                     "'Lä lä lä, the words')", "the saved lyrics in the other browser")
    assert server.library.rows("SELECT lyrics FROM lyrics WHERE songid = ?", (song["id"],)) == \
        [{"lyrics": "Lä lä lä, the words"}]
