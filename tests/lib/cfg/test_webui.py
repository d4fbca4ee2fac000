"""webui.ini: template, upgrade, load and save (api-library.md §3.1)."""

import configparser
import os
import threading
from types import SimpleNamespace

import pytest

from musicdb.lib.cfg.webui import WebUIConfig, stream_url
from musicdb.lib.ws.errors import InvalidArguments
from tests.support import STREAM_URL

SHIPPED = {"meta": {"version": 3},
           "WebUI": {"videomode": "disabled", "lyrics": "enabled"},
           "MainMenu": {"showstreamplayer": False, "showsystemstatus": False},
           "ArtistsView": {"showrelease": True},
           "GenreSelectionView": {"showother": True},
           "Stream": {"url": STREAM_URL, "username": "", "password": ""},
           "debug": {"blurartwork": False}}


def read_as_musicdb8(path):
    """MusicDB 8 reads with interpolation: ``%%`` becomes ``%``."""
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def write(config, text):
    os.makedirs(os.path.dirname(config.path), exist_ok=True)
    with open(config.path, "w", encoding="utf-8") as handle:
        handle.write(text)


def test_install_writes_the_shipped_template_with_our_host_relative_stream_url(app, api):
    app.webuiconfig.install()
    result = api("LoadWebUIConfiguration")
    assert result == SHIPPED
    assert list(result) == list(SHIPPED)
    assert read_as_musicdb8(app.webuiconfig.path).get("Stream", "url") == STREAM_URL


def test_install_keeps_an_existing_file(app):
    write(app.webuiconfig, "[meta]\nversion = 3\n[WebUI]\nvideomode = enabled\n")
    app.webuiconfig.install()
    assert app.webuiconfig.load()["WebUI"]["videomode"] == "enabled"


def test_a_file_missing_when_read_is_created_with_the_created_with_values(app, api):
    result = api("LoadWebUIConfiguration")
    assert result["MainMenu"]["showsystemstatus"] is True
    assert result["meta"]["version"] == 3 and result["Stream"]["url"] == STREAM_URL
    assert os.path.exists(app.webuiconfig.path)


def test_a_version_1_file_keeps_its_values_and_gains_the_newer_keys(app, api):
    write(app.webuiconfig, "[meta]\nversion=1\n\n[WebUI]\nvideomode=enabled\nlyrics=disabled\n\n"
                           "[debug]\nblurartwork=true\n")
    result = api("LoadWebUIConfiguration")
    assert result["WebUI"] == {"videomode": "enabled", "lyrics": "disabled"}
    assert result["debug"]["blurartwork"] is True
    assert result["ArtistsView"]["showrelease"] is True
    assert result["MainMenu"] == {"showstreamplayer": False, "showsystemstatus": True}
    assert read_as_musicdb8(app.webuiconfig.path).get("meta", "version") == "3"


def test_absent_or_unparsable_values_read_as_defaults_with_json_booleans(app, api):
    """MusicDB 8 returned the string "False" for absent MainMenu keys; we return false."""
    write(app.webuiconfig, "[meta]\nversion = 3\n[ArtistsView]\nshowrelease = perhaps\n")
    result = api("LoadWebUIConfiguration")
    assert result["MainMenu"] == {"showstreamplayer": False, "showsystemstatus": False}
    assert result["ArtistsView"]["showrelease"] is True
    assert result["Stream"] == {"url": STREAM_URL, "username": "", "password": ""}


def test_save_stores_values_as_text_and_answers_with_them_read_back(app, api):
    config = api("LoadWebUIConfiguration")
    config["MainMenu"]["showstreamplayer"] = True
    config["Stream"].update(url="https://box:9000/stream", username="me", password="50% off")
    config["meta"]["version"] = "3"

    result = api("SaveWebUIConfiguration", config=config)

    assert result["MainMenu"]["showstreamplayer"] is True
    assert result["Stream"]["password"] == "50% off"
    assert result["meta"]["version"] == 3
    saved = read_as_musicdb8(app.webuiconfig.path)
    assert saved.get("MainMenu", "showstreamplayer") == "True"
    assert saved.get("Stream", "password") == "50% off"


def test_save_with_a_missing_key_changes_nothing(app, api):
    """MusicDB 8 wrote every value before the missing one; we check first, then write once."""
    config = api("LoadWebUIConfiguration")
    before = open(app.webuiconfig.path, encoding="utf-8").read()
    config["WebUI"]["videomode"] = "enabled"
    del config["debug"]["blurartwork"]
    with pytest.raises(InvalidArguments):
        api("SaveWebUIConfiguration", config=config)
    with pytest.raises(InvalidArguments):
        api("SaveWebUIConfiguration", config=None)
    assert open(app.webuiconfig.path, encoding="utf-8").read() == before


def test_save_leaves_no_temporary_file(app, api):
    api("SaveWebUIConfiguration", config=api("LoadWebUIConfiguration"))
    assert os.listdir(os.path.dirname(app.webuiconfig.path)) == ["webui.ini"]


def test_stream_url_default_is_the_host_relative_mount_of_our_stream():
    cfg = SimpleNamespace(icecast=SimpleNamespace(mountname="/live"))
    assert stream_url(cfg) == "/live"


def test_load_shows_our_stream_under_the_name_the_browser_used(app):
    """MusicDB 8 shipped 127.0.0.1, which fails on every other machine."""
    app.webuiconfig.install()
    config = app.webuiconfig.load("https://musicbox.lan:9000")
    assert config["Stream"]["url"] == "https://musicbox.lan:9000/stream"
    assert app.webuiconfig.load("https://localhost:9000")["Stream"]["url"] == \
        "https://localhost:9000/stream"


def test_save_stores_a_url_on_this_server_without_the_savers_host(app):
    """Another browser reaching the server under another name must keep its stream."""
    config = app.webuiconfig.load("https://musicbox.lan:9000")
    saved = app.webuiconfig.save(config, "https://musicbox.lan:9000")
    assert saved["Stream"]["url"] == "/stream"
    assert read_as_musicdb8(app.webuiconfig.path).get("Stream", "url") == "/stream"
    assert app.webuiconfig.load("http://10.0.0.2:9000")["Stream"]["url"] == \
        "http://10.0.0.2:9000/stream"


def test_an_external_stream_url_is_kept_as_given(app):
    config = app.webuiconfig.load("https://musicbox.lan:9000")
    config["Stream"]["url"] = "http://icecast.lan:8000/stream"
    app.webuiconfig.save(config, "https://musicbox.lan:9000")
    assert app.webuiconfig.load("https://musicbox.lan:9000")["Stream"]["url"] == \
        "http://icecast.lan:8000/stream"


def test_a_webui_config_without_default_url_uses_the_shipped_one(tmp_path):
    config = WebUIConfig(str(tmp_path / "webui.ini"))
    config.install()
    assert config.load("https://musicbox.lan:9000")["Stream"]["url"] == \
        "http://127.0.0.1:8000/stream"


def test_a_saved_negative_version_does_not_break_later_loads(app, api):
    """The version is stored unvalidated; a -1 made every later load fail, and with it
    the WebUI's first request (SetupWebUI) for every browser."""
    config = api("LoadWebUIConfiguration")
    config["meta"]["version"] = -1
    config["WebUI"]["videomode"] = "enabled"
    assert api("SaveWebUIConfiguration", config=config)["meta"]["version"] == 3
    assert api("LoadWebUIConfiguration")["MainMenu"]["showsystemstatus"] is True


def test_an_unreadable_file_is_left_for_its_owner_to_repair(app, api):
    """A hand edit with a typo reads as the defaults; the file is not overwritten by a load."""
    text = "[meta]\nversion = 3\n[WebUI]\nvideomode = enabled\nthis line has no equals sign\n"
    write(app.webuiconfig, text)
    assert api("LoadWebUIConfiguration")["WebUI"]["videomode"] == "disabled"
    assert open(app.webuiconfig.path, encoding="utf-8").read() == text


def test_a_carriage_return_in_a_value_keeps_the_file_readable(app, api):
    config = api("LoadWebUIConfiguration")
    config["Stream"]["password"] = "se\rcret"
    config["WebUI"]["videomode"] = "enabled"
    result = api("SaveWebUIConfiguration", config=config)
    assert result["WebUI"]["videomode"] == "enabled"
    assert api("LoadWebUIConfiguration")["Stream"]["password"] == "se\ncret"


def test_writes_run_outside_the_event_loop_thread(app, api, write_threads):
    """The fsync of an atomic write can take long on a busy disk; it must not stall clients."""
    api("SaveWebUIConfiguration", config=api("LoadWebUIConfiguration"))
    assert len(write_threads) == 2 and threading.get_ident() not in write_threads
