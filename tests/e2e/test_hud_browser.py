"""End to end: the legacy WebUI's current-song display (HUD) follows a queue that was empty.

With nothing in the queue and nothing Randy may pick (the demo songs last
2 s, Randy's minimum is 120 s), the page opens with a blank HUD.  Another
client then queues an album: the HUD must show its first song without a
reload.  MusicDB 8 sent only ``onSongQueueChanged`` then, which refreshes
the queue list but not the HUD (issue 17).  Screenshots go to
``$MUSICDB_SCREENSHOTS`` (or a pytest temporary directory).
"""

import os

import pytest

from tests.e2e.browser import Browser, missing_browser
from tests.support import Client, ServerProcess, import_demo_library, needs_legacy_webui

pytestmark = [pytest.mark.browser, needs_legacy_webui,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

HUD_TEXT = "return document.getElementById('HUDBox').innerText;"


@pytest.fixture(scope="module")
def empty_queue_server(tmp_path_factory):
    """A server on the demo library whose queue is empty and stays so until a client adds."""
    home = tmp_path_factory.mktemp("hud")
    import_demo_library(home)
    server = ServerProcess(home, tls=True)
    yield server
    server.stop()


@pytest.fixture
def page(tmp_path_factory, empty_queue_server):
    shots = os.environ.get("MUSICDB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots")
    os.makedirs(shots, exist_ok=True)
    browser = Browser(tmp_path_factory.mktemp("chromium-profile"), str(shots))
    try:
        browser.open(empty_queue_server.http_url + "/musicdb/")
        browser.wait_for("typeof MusicDB !== 'undefined' && MusicDB.socket "
                         "&& MusicDB.socket.readyState === WebSocket.OPEN",
                         "the WebSocket connection")
        yield browser
    finally:
        browser.quit()


def received(page, fncname, fncsig):
    return [entry for entry in page.traffic() if entry["direction"] == "in"
            and entry["packet"].get("fncname") == fncname
            and entry["packet"].get("fncsig") == fncsig]


def test_hud_shows_the_first_song_of_an_album_queued_into_an_empty_queue(
        page, empty_queue_server):
    """An album added by another client shows up in the HUD and the queue, the page not reloaded."""
    client = Client(empty_queue_server)
    try:
        assert client.request("GetSongQueue") == []
        # The WebUI asked for the stream state at start and got no song: the HUD stays empty.
        page.wait_for("window.__mdbTraffic.some(e => e.direction === 'in' "
                      "&& e.packet.fncname === 'GetAudioStreamState')", "the first stream state")
        page.js("window.__notReloaded = true;")
        page.screenshot("hud-1-empty-queue")
        album = next(artist["albums"][0]["album"]
                     for artist in client.request("GetArtistsWithAlbums")
                     if artist["albums"])
        client.send("call", "AddAlbumToQueue", {"albumid": album["id"], "position": "last"})
        client.wait_for(lambda packet: packet.get("fncsig") == "onSongQueueChanged")
        queue = client.request("GetSongQueue")
    finally:
        client.close()
    first = queue[0]["song"]
    assert first["albumid"] == album["id"]
    page.wait_for("document.getElementById('HUDBox').innerText.includes(arguments[0])",
                  "the album's first song in the HUD", first["name"])
    page.wait_for("document.querySelectorAll('#RightContentBox .QueueView .Tile').length === %d"
                  % len(queue), "the album in the queue list")
    page.screenshot("hud-2-album-queued")
    hud = page.js(HUD_TEXT)
    assert album["name"] in hud, hud
    assert page.js("return window.__notReloaded === true;")
    assert received(page, "MusicDB:SongQueue", "onSongChanged")
    assert page.new_errors() == [], page.report()
    assert page.api_errors() == [], page.report()
