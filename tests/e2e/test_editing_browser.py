"""End to end: edits made with the legacy WebUI's own controls in one Chromium reach a
second Chromium without a reload."""

import os
import sqlite3

import pytest

from tests.support import ServerProcess, needs_legacy_webui
from tests.e2e.browser import Browser, missing_browser
from tests.e2e.test_webui_browser import Library, tag_albums_with_genres
from tests.support import import_demo_library

pytestmark = [pytest.mark.browser, needs_legacy_webui,
              pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))]

TILES = "document.querySelectorAll('#LeftContentBox .AlbumTile')"
# The album view's song tile and the song's settings (genre and mood tabs) below it.
SONG_TILE = "WebUI.GetView('Album').songtiles[arguments[0]].tile.GetHTMLElement()"
SONG_SETTINGS = "WebUI.GetView('Album').songtiles[arguments[0]].settings.GetHTMLElement()"

# name, icon, color, posx, posy: a 2x1 mood grid for the song settings.
MOODS = (("Happy", "☺", "#F0C040", 0, 0), ("Calm", "☾", "#80A0F0", 1, 0))


def add_moods(database):
    """Add mood flags, as the WebUI's mood manager would (a new database has none)."""
    with sqlite3.connect(database) as db:
        db.executemany("INSERT INTO tags (name, class, icontype, icon, color, posx, posy) "
                       "VALUES (?, 3, 1, ?, ?, ?, ?)", MOODS)


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
    add_moods(home / "data" / "music.db")
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


def open_album(page, name):
    """Click the album's tile and wait for the album view the click asked for."""
    shown = "window.__mdbTraffic.filter(e => e.direction === 'in' " \
            "&& e.packet.fncname === 'GetAlbum' && e.packet.fncsig === 'ShowAlbum').length"
    before = page.js("return " + shown + ";")
    page.click("Array.from(%s).find(tile => tile.innerText.includes(arguments[0]))" % TILES, name)
    page.wait_for(shown + " > arguments[0] && document.getElementById('MiddleContentBox')"
                  ".innerText.includes(arguments[1])", "the album view", before, name)


def show_song_settings(page, songid):
    """Open the song's settings below its tile the way the WebUI offers: a right click on it."""
    page.context_click(SONG_TILE, songid)
    page.wait_for(SONG_SETTINGS + ".style.display === 'flex'", "the song settings", songid)


def song_tags(server, songid):
    return server.library.rows("SELECT t.name, s.approval, s.confidence FROM songtags s "
                               "JOIN tags t ON t.tagid = s.tagid WHERE s.songid = ? "
                               "ORDER BY s.entryid", (songid,))


def sent_song_tags(page, songid):
    """(fncsig, arguments) of every SetSongTag request the page sent for the song."""
    packets = [entry["packet"] for entry in page.traffic() if entry["direction"] == "out"]
    return [(packet.get("fncsig"), packet.get("arguments")) for packet in packets
            if packet.get("fncname") == "SetSongTag" and packet["arguments"]["songid"] == songid]


def tag_id(server, name):
    return server.library.rows("SELECT tagid FROM tags WHERE name = ?", (name,))[0]["tagid"]


def last_album_song(server, offset):
    """A song of the last visible album (the hiding test takes the first)."""
    return server.library.rows(
        "SELECT s.songid AS id, s.albumid, a.name AS album FROM songs s "
        "JOIN albums a ON a.albumid = s.albumid WHERE a.albumid = "
        "(SELECT max(albumid) FROM albums WHERE hidden = 0) ORDER BY s.songid "
        "LIMIT 1 OFFSET ?", (offset,))[0]


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


def test_a_genre_typed_for_a_song_in_one_browser_shows_in_the_other(pages, server):
    editor, watcher = pages
    song = last_album_song(server, 0)
    genre = server.library.rows("SELECT name FROM tags WHERE class = 1 AND name != 'Other' "
                                "AND tagid NOT IN (SELECT tagid FROM albumtags WHERE albumid = ?)",
                                (song["albumid"],))[0]["name"]
    for page in pages:
        open_album(page, song["album"])
        show_song_settings(page, song["id"])
    # The settings open on the "Genre Tags" tab with its input focused; typing a genre's
    # full name picks it (TagListEdit.Find), which sends SetSongTag.
    editor.js("return %s.querySelector('.TagListEdit input');" % SONG_SETTINGS,
              song["id"]).send_keys(genre)
    song_genres = ("Array.from(%s.querySelector('.TagListEdit .TagView').querySelectorAll("
                   "'.Tag:not(.ghost)')).map(tag => tag.innerText.trim())" % SONG_SETTINGS)
    for page in pages:
        page.wait_for(song_genres + ".includes(arguments[1])", "the song's new genre tag",
                      song["id"], genre)
    # The song's genre is counted for its album: the album's tags gain it too.
    watcher.wait_for("document.getElementById('TagsCell').innerText.includes(arguments[0])",
                     "the album's derived genre tag", genre)
    editor.screenshot("song-genre-editor")
    watcher.screenshot("song-genre-watcher")
    assert sent_song_tags(editor, song["id"]) == [
        ("UpdateTags", {"songid": song["id"], "tagid": tag_id(server, genre)})]
    assert song_tags(server, song["id"]) == [{"name": genre, "approval": 1, "confidence": 1.0}]
    assert editor.api_errors() == [] and watcher.api_errors() == []
    assert editor.new_errors() == [] and watcher.new_errors() == []


def test_a_mood_flagged_for_a_song_in_one_browser_shows_in_the_other(pages, server):
    editor, watcher = pages
    song = last_album_song(server, 1)
    mood, icon = MOODS[0][:2]
    for page in pages:
        open_album(page, song["album"])
    show_song_settings(editor, song["id"])
    # The mood grid is on the second tab of the song settings; its tab bar is faint
    # (hovpacity) until the pointer is over it, which the click does anyway.
    editor.click("Array.from(%s.querySelectorAll('.tabbutton')).find(button => "
                 "button.innerText.includes('Moods'))" % SONG_SETTINGS, song["id"])
    button = "%s.querySelector('.musicmoods [title=\"' + arguments[1] + '\"]')" % SONG_SETTINGS
    editor.click(button, song["id"], mood)
    editor.wait_for("window.__mdbTraffic.some(e => e.direction === 'in' && e.packet.fncname === "
                    "'GetSong' && e.packet.arguments.song.id === arguments[0] && "
                    "e.packet.arguments.tags.moods.some(tag => tag.name === arguments[1]))",
                    "the GetSong broadcast", song["id"], mood)
    flag = SONG_TILE + ".querySelector('.FlagBar [title=\"' + arguments[1] + '\"]')"
    for page in pages:
        page.wait_for(flag + "?.innerText === arguments[2]", "the mood flag on the song tile",
                      song["id"], mood, icon)
    assert editor.js("return %s.dataset.selected;" % button, song["id"], mood) == "true"
    editor.screenshot("song-mood-editor")
    watcher.screenshot("song-mood-watcher")
    assert sent_song_tags(editor, song["id"]) == [
        ("UpdateSong", {"songid": song["id"], "tagid": tag_id(server, mood)})]
    assert song_tags(server, song["id"]) == [{"name": mood, "approval": 1, "confidence": 1.0}]
    assert editor.api_errors() == [] and watcher.api_errors() == []
    assert editor.new_errors() == [] and watcher.new_errors() == []
