"""End to end: the legacy WebUI's album import view uploads a directory in Chromium, and its
own layers integrate and import it until the album is in the library with its artwork."""

import os
import sqlite3

import pytest

from musicdb.demo.library import generate_library
from tests.e2e.browser import Browser, missing_browser
from tests.support import Client, ServerProcess, needs_legacy_webui

pytestmark = [pytest.mark.browser, needs_legacy_webui,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

INPUT = ("(() => { const view = WebUI.GetView('AlbumImport');"
         " return view && view.element.querySelector('input[type=file]'); })()")
SCALES = (150, 200, 500, 1000)
# An album tile of the artists list (left) with the album's name and its artwork loaded.
TILE_SHOWN = ("Array.from(document.querySelectorAll('#LeftContentBox .AlbumTile')).some("
              "tile => tile.innerText.includes(arguments[0]) && Array.from("
              "tile.querySelectorAll('img')).some(img => img.complete && img.naturalWidth > 0"
              " && decodeURIComponent(img.src).includes(arguments[1])))")


def button(layer, name):
    """The JS expression of a layer's TextButton element (the WebUI keeps them as fields)."""
    return f"WebUI.GetLayer('{layer}').{name}.element"


def press(browser, layer, name, timeout=60):
    """Wait until the layer is shown and its button enabled, then click it as a user does."""
    element = button(layer, name)
    browser.wait_for(f"{element}.dataset.enabled === 'true' && {element}.offsetParent !== null",
                     f"{layer}'s {name}", timeout=timeout)
    browser.screenshot(f"{layer}-{name}")
    browser.click(element)


def upload_directory(browser, server, albumdir, count):
    """Open the import view, choose the album directory; wait until every file is ready."""
    browser.open(server.http_url + "/musicdb/")
    browser.wait_for("typeof MusicDB !== 'undefined' && MusicDB.socket "
                     "&& MusicDB.socket.readyState === WebSocket.OPEN", "the WebSocket")
    browser.js("MusicDB.Request('FindNewContent', 'ShowAlbumImport');")   # its menu entry
    # The view exists before it is mounted; WebDriver cannot hand out a detached element.
    browser.wait_for(INPUT + "?.isConnected", "the import view's directory input")
    browser.js("return " + INPUT).send_keys(str(albumdir))
    browser.wait_for(
        "window.__mdbTraffic.filter(e => e.direction === 'in' && e.packet.fncname === "
        "'MusicDB:Task' && e.packet.arguments.state === 'readyforintegration')"
        ".map(e => e.packet.arguments.taskid).filter((v, i, a) => a.indexOf(v) === i)"
        ".length === arguments[0]", "every file ready for integration", count,
        timeout=60)


def test_an_album_directory_uploaded_from_the_import_view_is_ready_for_integration(
        tmp_path):
    songs = generate_library(tmp_path / "source", songs=3, formats=("mp3",), seconds=1)
    albumdir = tmp_path / "source" / songs[0]["path"].rsplit("/", 1)[0]
    files = sorted(os.listdir(albumdir))
    server = ServerProcess(tmp_path / "home", tls=True)
    browser = Browser(tmp_path / "profile", str(tmp_path))
    try:
        upload_directory(browser, server, albumdir, len(files))
        assert browser.api_errors() == []
        client = Client(server)
        tasks = client.request("GetCurrentTasks")["albumfiles"]
        client.close()
        assert sorted(task["sourcefilename"] for task in tasks) == files
        for task in tasks:
            assert task["state"] == "readyforintegration"
            assert task["annotations"]["selectorid"] and task["annotations"]["groupid"]
            assert task["annotations"]["artist"] == songs[0]["artist"]
        with sqlite3.connect(tmp_path / "home" / "data" / "music.db") as db:
            assert db.execute("SELECT COUNT(*) FROM songs").fetchone()[0] == 0
    finally:
        browser.quit()
        server.stop()


def test_an_album_uploaded_in_the_import_view_is_integrated_and_imported_from_its_layers(
        tmp_path):
    """Upload, "Continue with Integration", "Integrate Album", "Continue with Import",
    "Import Album": the album is in the library with its artwork in every scale, and the
    WebUI's artists list shows it."""
    songs = generate_library(tmp_path / "source", songs=3, formats=("mp3",), seconds=1)
    albumpath = songs[0]["path"].rsplit("/", 1)[0]
    albumdir = tmp_path / "source" / albumpath
    server = ServerProcess(tmp_path / "home", tls=True)
    browser = Browser(tmp_path / "profile", str(tmp_path))
    try:
        upload_directory(browser, server, albumdir, len(songs))
        press(browser, "AlbumUploadProgress", "integratebutton")
        press(browser, "AlbumIntegration", "integratebutton")
        press(browser, "AlbumIntegrationProgress", "importbutton")
        press(browser, "AlbumImport", "importbutton")
        browser.wait_for(button("AlbumImportProgress", "settingsbutton")
                         + ".dataset.enabled === 'true'", "the imported album's ID", timeout=90)
        browser.screenshot("AlbumImportProgress-done")
        assert browser.js("return WebUI.GetLayer('AlbumImportProgress').successmessage"
                          ".element.offsetParent !== null")
        assert browser.api_errors() == []
        press(browser, "AlbumImportProgress", "closebutton")
        album = imported_album(server, albumpath)
        assert sorted(entry["song"]["path"] for cd in album["cds"] for entry in cd) == \
            sorted(song["path"] for song in songs)
        artwork = tmp_path / "home" / "data" / "webdata" / "artwork"
        name = album["album"]["artworkpath"]
        assert name != "default.jpg"
        for scale in SCALES:
            assert (artwork / f"{scale}x{scale}" / name).is_file()
        browser.wait_for(TILE_SHOWN, "the album's tile with its artwork in the artists list",
                         songs[0]["album"], name, timeout=30)
        browser.screenshot("album-shown")
        assert (tmp_path / "home" / "music" / songs[0]["path"]).is_file()
        assert os.listdir(tmp_path / "home" / "data" / "uploads") == []
    finally:
        browser.quit()
        server.stop()


def imported_album(server, albumpath):
    """GetAlbum of the album at ``albumpath``, as the WebUI's album view asks for it."""
    with sqlite3.connect(os.path.join(server.home, "data", "music.db")) as db:
        row = db.execute("SELECT albumid FROM albums WHERE path = ?", (albumpath,)).fetchone()
    assert row is not None, f"{albumpath} is not in the database"
    client = Client(server)
    try:
        return client.request("GetAlbum", {"albumid": row[0]})
    finally:
        client.close()
