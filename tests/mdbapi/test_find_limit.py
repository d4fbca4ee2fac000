"""Find's ``limit`` is capped (README, deliberate differences): fairness between clients."""

from benchmarks.api_latency import build_library
from musicdb.lib.db.musicdb import MusicDatabase
from musicdb.mdbapi import library as library_module
from musicdb.mdbapi.library import Library


class Everything:
    """A search engine that finds every artist, album and song (IDs 1..n) for any string."""

    def __init__(self, count):
        self.hits = [(number, 100) for number in range(1, count + 1)]

    def Find(self, searchstring):
        return self.hits, self.hits, self.hits


def test_a_huge_limit_returns_at_most_max_find_limit_hits_of_each_kind(tmp_path, monkeypatch):
    monkeypatch.setattr(library_module, "MAX_FIND_LIMIT", 3)
    path = str(tmp_path / "music.db")
    build_library(path, 200)
    layer = Library(MusicDatabase(path), None, Everything(100))
    found = layer.find("anything", 10**9)
    assert [len(found[kind]) for kind in ("artists", "albums", "songs")] == [3, 3, 3]
    assert [len(layer.find("anything", 2)[kind]) for kind in ("artists", "albums", "songs")] \
        == [2, 2, 2]
