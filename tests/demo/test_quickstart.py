"""The quick start's demo, and that the importer and the server do not load the generator."""

import subprocess
import sys
from collections import Counter

from musicdb.demo.quickstart import import_demo
from musicdb.lib.cfg.musicdb import MusicDBConfig
from musicdb.lib.db.musicdb import MusicDatabase
from tests.support import ROOT, write_config

GENERATOR = ("musicdb.demo", "musicdb.demo.library", "musicdb.demo.quickstart")


def test_import_demo_fills_an_empty_music_directory_only(tmp_path):
    """import_demo generates and imports into an empty music directory, else does nothing."""
    cfg = MusicDBConfig(write_config(str(tmp_path), 9999))
    summary = import_demo(cfg, songs=6, seconds=1)  # 30 s clips take ffmpeg ~20 s to encode
    assert summary.added == 6 and summary.failed == 0
    assert import_demo(cfg, songs=6, seconds=1) is None
    database = MusicDatabase(str(tmp_path / "data" / "music.db"))
    assert Counter(r["n"] for r in database.rows("SELECT count(*) AS n FROM songs")) == {6: 1}
    database.close()


def loaded_generator_modules(*modules):
    """The demo modules in ``sys.modules`` of a fresh interpreter after importing ``modules``."""
    code = ("import sys\n"
            + "".join(f"import {name}\n" for name in modules)
            + f"print(','.join(sorted(m for m in sys.modules if m in {GENERATOR!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_importer_and_server_do_not_import_the_demo_generator():
    """Neither the importer nor the server (nor the CLI) loads the demo package."""
    assert loaded_generator_modules("musicdb.lib.importer", "musicdb.mdbapi.server",
                                    "musicdb.mod.server", "musicdb.mod") == ""


def test_the_probe_sees_the_generator_when_it_is_imported():
    """The check above can fail: importing the quick start shows up in sys.modules."""
    assert "musicdb.demo.library" in loaded_generator_modules("musicdb.demo.quickstart")
