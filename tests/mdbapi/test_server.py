"""musicdb.mdbapi.server refuses wrong objects before it starts anything."""

import pytest

from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.mdbapi import server


def test_initialize_refuses_a_config_that_is_not_a_musicdbconfig(tmp_path):
    database = MusicDatabase(str(tmp_path / "music.db"))
    with pytest.raises(TypeError, match="MusicDBConfig"):
        server.Initialize({"websocket": {}}, database)
    assert server.cfg is None and server.database is None


def test_initialize_refuses_a_database_that_is_not_a_musicdatabase(tmp_path):
    path = tmp_path / "musicdb.ini"
    path.write_text(f"[directories]\ndata = {tmp_path}\n")
    with pytest.raises(TypeError, match="MusicDatabase"):
        server.Initialize(MusicDBConfig(str(path)), object())
    assert server.cfg is None and server.mise is None
