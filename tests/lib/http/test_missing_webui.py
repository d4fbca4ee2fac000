"""Without the legacy WebUI, /musicdb/ says what is missing; the default directory follows
``$MUSICDB_WEBUI`` at every start instead of being written into the first config."""

import urllib.error
import urllib.request

import pytest

from musicdb.lib.cfg import defaults
from musicdb.lib.cfg.musicdb import SYSTEM_WEBUI, MusicDBConfig
from musicdb.lib.http import app as webapp
from tests.lib.http.test_app import FakeWebSocketServer, call
from tests.support import ServerProcess, auth_headers, write_config


@pytest.fixture
def missing(tmp_path):
    config = MusicDBConfig(write_config(str(tmp_path), 4711, webui=str(tmp_path / "nowhere")))
    return webapp.make_app(config, FakeWebSocketServer(), gate=None)


@pytest.mark.parametrize("path", ["/musicdb/", "/musicdb/index.html", "/musicdb/js/x.js"])
def test_every_webui_page_explains_how_to_install_it(missing, tmp_path, path):
    status, headers, body = call(missing, path)
    assert status.startswith("404") and headers["Content-Type"].startswith("text/html")
    assert b"not installed" in body and b"MUSICDB_WEBUI" in body
    assert str(tmp_path / "nowhere").encode() in body


def test_webdata_and_music_are_still_served_without_the_webui(missing, tmp_path):
    (tmp_path / "music" / "song.mp3").write_bytes(b"ID3song")
    assert call(missing, "/musicdb/music/song.mp3")[2] == b"ID3song"
    assert call(missing, "/musicdb/webdata/config.js")[2].startswith(b'"use strict";')


def test_an_unset_directory_is_the_environment_variable_then_the_system_copy(tmp_path,
                                                                             monkeypatch):
    home = str(tmp_path / "home")
    path = defaults.ensure_local_home(home)
    with open(path, encoding="utf-8") as handle:
        assert "\ndirectory" not in handle.read()   # not frozen into the first config
    monkeypatch.delenv("MUSICDB_WEBUI", raising=False)
    assert MusicDBConfig(path).webui.directory == SYSTEM_WEBUI
    monkeypatch.setenv("MUSICDB_WEBUI", str(tmp_path / "later"))
    assert MusicDBConfig(path).webui.directory == str(tmp_path / "later")


def test_a_server_without_the_webui_warns_once_and_serves_the_explanation(tmp_path):
    server = ServerProcess(tmp_path / "server",
                           extra=f"[webui]\ndirectory = {tmp_path / 'absent'}\n")
    try:
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(urllib.request.Request(
                f"{server.http_url}/musicdb/", headers=auth_headers(server)), timeout=10)
        assert answer.value.code == 404 and b"not installed" in answer.value.read()
    finally:
        server.stop()
    assert server.log().count("The legacy WebUI is not installed") == 1
