"""MusicDBConfig reads MusicDB 8's musicdb.ini and names every bad value."""

import logging
import os

import pytest

from musicdb.lib.cfg.musicdb import ConfigError, MusicDBConfig
from tests.support import ROOT

ETC = os.path.join(ROOT, "etc", "musicdb.ini")

# The keys and values of the musicdb.ini MusicDB 8 ships (foundations.md §1).
MUSICDB8_INI = """
[meta]
version = 7
[musicdb]
username = musicdb
groupname = musicdb
[directories]
music = /var/music
data = /var/lib/musicdb
[log]
logfile = journal
loglevel = WARNING
debugfile = /var/log/musicdb/debuglog.ansi
ignore = requests, PIL
[debug]
disablestats = False
disabletracker = False
disabletagging = False
disableicecast = False
disablevideos = True
disableai = True
[websocket]
bind = 127.0.0.1
port = 9000
opentimeout = 10
closetimeout = 5
cert = /var/lib/musicdb/websocket.cert
key = /var/lib/musicdb/websocket.key
[uploads]
allow = artwork, albumfile
[tracker]
cuttime = 30
trackrandom = False
[Icecast]
port = 8000
user = source
password =
mountname = /stream
[music]
ignoreartists = lost+found
ignorealbums =
ignoresongs = .directory / desktop.ini / Desktop.ini / .DS_Store / Thumbs.db / README
[albumcover]
scales = 150, 200, 500, 1000
[videoframes]
frames = 5
previewlength = 3
scales = 150x83
[extern]
configtemplate = /usr/share/musicdb/extconfig.ini
statedir = .mdbstate
configfile = config.ini
songmap = songmap.csv
"""


def write(tmp_path, text):
    path = tmp_path / "musicdb.ini"
    path.write_text(text)
    return str(path)


def test_musicdb8_shipped_config_loads_unchanged(tmp_path):
    cfg = MusicDBConfig(write(tmp_path, MUSICDB8_INI))
    assert cfg.websocket.port == 9000
    assert cfg.debug.disablevideos is True
    assert cfg.albumcover.scales == [150, 200, 500, 1000]
    assert cfg.videoframes.frames == 5 and cfg.videoframes.scales == ["150x83"]
    assert cfg.music.ignoresongs[-1] == "README" and len(cfg.music.ignoresongs) == 6
    assert cfg.music.ignorealbums == []
    assert cfg.log.ignore == ["requests", "PIL"]
    assert cfg.icecast.mountname == "/stream" and cfg.icecast.port == 8000
    assert cfg.uploads.allow == ["artwork", "albumfile"]


def test_missing_keys_take_the_defaults_with_sane_certificate_paths(tmp_path):
    cfg = MusicDBConfig(write(tmp_path, "[directories]\ndata = /srv/mdb\n"))
    assert cfg.websocket.bind == "127.0.0.1" and cfg.websocket.port == 9000
    assert cfg.websocket.cert == "/srv/mdb/websocket.cert"
    assert cfg.websocket.key == "/srv/mdb/websocket.key"
    assert cfg.tracker.cuttime == 30
    assert cfg.albumcover.scales == [150, 200, 500, 1000]
    assert cfg.loglevel == logging.WARNING


def test_log_level_is_case_insensitive(tmp_path):
    cfg = MusicDBConfig(write(tmp_path, "[log]\nloglevel = critical\n"))
    assert cfg.loglevel == logging.CRITICAL


@pytest.mark.parametrize("section,key,value", [
    ("websocket", "port", "ninethousand"),
    ("websocket", "port", "70000"),
    ("debug", "disablestats", "maybe"),
    ("log", "loglevel", "LOUD"),
    ("tracker", "cuttime", "-1"),
])
def test_a_bad_value_names_file_section_and_key(tmp_path, section, key, value):
    path = write(tmp_path, f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as caught:
        MusicDBConfig(path)
    message = str(caught.value)
    assert path in message and f"[{section}]" in message and key in message


def test_unknown_keys_are_accepted_and_logged(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    cfg = MusicDBConfig(write(tmp_path, "[websocket]\nport = 9001\nfancy = 1\n[newsection]\na = b\n"))
    assert cfg.websocket.port == 9001
    assert "fancy" in caplog.text and "newsection" in caplog.text


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        MusicDBConfig(str(tmp_path / "nope.ini"))


def test_unparsable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        MusicDBConfig(write(tmp_path, "[websocket\nport = 1\n"))


def test_the_shipped_example_config_is_valid():
    cfg = MusicDBConfig(ETC)
    assert cfg.websocket.port == 9000


def test_comments_and_special_characters_read_as_musicdb8_did(tmp_path):
    cfg = MusicDBConfig(write(tmp_path, "; a comment\n# another\n[Icecast]\n"
                                         "password = pa#ss;w,rd\n[log]\nlogfile: stderr\n"))
    assert cfg.icecast.password == "pa#ss;w,rd"
    assert cfg.log.logfile == "stderr"
