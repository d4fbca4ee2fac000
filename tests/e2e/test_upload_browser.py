"""End to end: the legacy WebUI's album import view uploads a directory in Chromium."""

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


def test_an_album_directory_uploaded_from_the_import_view_is_ready_for_integration(
        tmp_path):
    songs = generate_library(tmp_path / "source", songs=3, formats=("mp3",), seconds=1)
    albumdir = tmp_path / "source" / songs[0]["path"].rsplit("/", 1)[0]
    files = sorted(os.listdir(albumdir))
    server = ServerProcess(tmp_path / "home", tls=True)
    browser = Browser(tmp_path / "profile", str(tmp_path))
    try:
        browser.open(server.http_url + "/musicdb/")
        browser.wait_for("typeof MusicDB !== 'undefined' && MusicDB.socket "
                         "&& MusicDB.socket.readyState === WebSocket.OPEN", "the WebSocket")
        browser.js("MusicDB.Request('FindNewContent', 'ShowAlbumImport');")   # its menu entry
        browser.wait_for(INPUT + " !== null", "the import view's directory input")
        browser.js("return " + INPUT).send_keys(str(albumdir))
        browser.wait_for(
            "window.__mdbTraffic.filter(e => e.direction === 'in' && e.packet.fncname === "
            "'MusicDB:Task' && e.packet.arguments.state === 'readyforintegration')"
            ".map(e => e.packet.arguments.taskid).filter((v, i, a) => a.indexOf(v) === i)"
            ".length === arguments[0]", "every file ready for integration", len(files),
            timeout=60)
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
