"""An upload's annotated origin, kept from its integration for the import of its path."""

import json
import time
from types import SimpleNamespace

from musicdb.taskmanagement import importhints

VIDEO = "Band/2019 - Clip.mp4"


def config(tmp_path):
    return SimpleNamespace(directories=SimpleNamespace(data=str(tmp_path)))


def test_the_import_takes_the_origin_once(tmp_path):
    cfg = config(tmp_path)
    importhints.remember(cfg, VIDEO, {"origin": " Live recording ", "name": "Clip"})
    assert importhints.take(cfg, "Band/2019 - Other.mp4") == {}
    assert importhints.take(cfg, VIDEO) == {"origin": "Live recording"}
    assert importhints.take(cfg, VIDEO) == {}


def test_no_odd_origin_is_kept(tmp_path):
    cfg = config(tmp_path)
    for origin in (None, 7, "", "  ", "x" * (importhints.MAX_ORIGIN + 1), ["CD"]):
        importhints.remember(cfg, VIDEO, {"origin": origin})
        assert importhints.take(cfg, VIDEO) == {}
    assert not (tmp_path / "state" / importhints.FILENAME).exists()


def test_stale_and_broken_hints_are_dropped(tmp_path):
    cfg = config(tmp_path)
    path = tmp_path / "state" / importhints.FILENAME
    path.parent.mkdir()
    path.write_text("{not json")
    assert importhints.take(cfg, VIDEO) == {}
    old = time.time() - importhints.LIFETIME - 1
    path.write_text(json.dumps({VIDEO: {"origin": "CD", "time": old}, "x": [1]}))
    importhints.remember(cfg, "Band/2020 - New.mp4", {"origin": "CD"})
    assert list(json.loads(path.read_text())) == ["Band/2020 - New.mp4"]
    assert importhints.take(cfg, VIDEO) == {}
