"""MiSE and Find: normalization, ranking like MusicDB 8, answers (api-library.md, Find)."""

import random
import threading

import pytest

from musicdb.lib.ws.errors import InvalidArguments
from musicdb.mdbapi import mise as mise_module
from musicdb.mdbapi.mise import NameCache, normalize


def test_normalization_removes_ascii_punctuation_only_and_folds_case_and_spaces():
    assert normalize("AC/DC – Live!") == "acdc – live"
    assert normalize("  Ｆｕｌｌ   Width’s  ") == "full width’s"
    assert normalize("!!") == ""


def lcs(a, b):
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, 1):
            current = row[j]
            row[j] = previous + 1 if x == y else max(row[j], row[j - 1])
            previous = current
    return row[-1]


def ratio(a, b):
    return 100.0 if not a and not b else 100.0 * 2 * lcs(a, b) / (len(a) + len(b))


def spec_partial_ratio(name, query):
    """The score exactly as api-library.md defines it (shorter string ≤ 64 code points)."""
    def one_way(short, long):
        windows = [long[:i] for i in range(1, len(short))]
        windows += [long[i:i + len(short)] for i in range(len(long) - len(short) + 1)]
        windows += [long[i:] for i in range(len(long) - len(short) + 1, len(long))]
        return max(ratio(short, window) for window in windows)
    if len(name) == len(query):
        return max(one_way(name, query), one_way(query, name))
    short, long = sorted((name, query), key=len) if len(name) != len(query) else (name, query)
    return one_way(short, long)


def test_scores_equal_the_spec_definition_of_partial_ratio():
    rng = random.Random(5)
    alphabet = "abcdé rst"
    cache = NameCache()
    for _ in range(300):
        cache.names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))]
        cache.ids = [1]
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
        expected = spec_partial_ratio(cache.names[0], query)
        hits = cache.search(query)
        if expected >= 80:
            assert hits and hits[0][1] == pytest.approx(expected)
        else:
            assert hits == []


@pytest.fixture
def worked_example(library, app):
    """The collection of the spec's worked example."""
    for name in ("Some Band", "Road Crew", "Rhodes Trio"):
        library.add_artist(name)
    band = 1
    open_roads = library.add_album(band, "Open Roads", release=2010)
    library.add_album(band, "Radio Days", release=2001)
    for number, name in enumerate(("Road", "Broad Street", "Crossroads"), 1):
        library.add_song(open_roads, name, number=number)
    library.add_song(open_roads, "Radio", number=4, disabled=1)
    app.mise.UpdateCache()


def test_the_worked_example_ranks_as_the_spec_says(worked_example, api):
    result = api("Find", searchstring="Road!", limit=20)
    assert [hit["artist"]["name"] for hit in result["artists"]] == ["Road Crew"]
    assert [hit["album"]["name"] for hit in result["albums"]] == ["Open Roads", "Radio Days"]
    assert [hit["song"]["name"] for hit in result["songs"]] == ["Broad Street", "Crossroads",
                                                                 "Road"]
    limited = api("Find", searchstring="Road!", limit=2)
    assert [hit["song"]["name"] for hit in limited["songs"]] == ["Broad Street", "Crossroads"]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_of_zero_or_less_finds_nothing_at_all(worked_example, api, limit):
    """Deliberate difference (README): MusicDB 8 still returned one song here."""
    assert api("Find", searchstring="Road!", limit=limit) == \
        {"artists": [], "albums": [], "songs": []}


def test_scores_of_the_worked_example(worked_example, app):
    artists, albums, songs = app.mise.Find("Road!")
    assert artists == [(2, 100)]
    assert [round(score, 1) for _, score in albums] == [100, 85.7]
    assert [round(score, 1) for _, score in songs] == [100, 100, 100, 85.7]


def test_find_answers_carry_artist_album_and_song_objects(worked_example, api):
    result = api("Find", searchstring="some band", limit=5)
    hit = result["artists"][0]
    assert list(hit) == ["artist", "albums"]
    assert [album["name"] for album in hit["albums"]] == ["Radio Days", "Open Roads"]
    song = api("Find", searchstring="crossroads", limit=5)["songs"][0]
    assert list(song) == ["artist", "album", "song"]
    assert song["album"]["name"] == "Open Roads" and song["artist"]["name"] == "Some Band"
    album = api("Find", searchstring="radio days", limit=5)["albums"][0]
    assert list(album) == ["artist", "album"] and album["artist"]["id"] == 1


def test_typos_and_partial_words_still_find_the_name(library, app, api):
    band = library.add_artist("Rammstein")
    album = library.add_album(band, "Mutter")
    library.add_song(album, "Sonne")
    library.add_artist("Metallica")
    app.mise.UpdateCache()
    assert [hit["artist"]["name"] for hit in api("Find", searchstring="Ramstein", limit=5)
            ["artists"]] == ["Rammstein"]
    assert [hit["artist"]["name"] for hit in api("Find", searchstring="RAMM", limit=5)
            ["artists"]] == ["Rammstein"]
    assert api("Find", searchstring="sone", limit=5)["songs"][0]["song"]["name"] == "Sonne"


def test_hidden_albums_are_found_but_not_listed_under_artist_hits(library, app, api):
    band = library.add_artist("Hider")
    library.add_album(band, "Secret Hider Tapes", hidden=1)
    app.mise.UpdateCache()
    result = api("Find", searchstring="hider", limit=5)
    assert result["artists"][0]["albums"] == []
    assert [hit["album"]["name"] for hit in result["albums"]] == ["Secret Hider Tapes"]


def test_hated_and_disabled_songs_are_skipped_until_the_limit_is_filled(library, app, api):
    album = library.add_album(library.add_artist("X"))
    library.add_song(album, "Song A", number=1, favorite=-1)
    library.add_song(album, "Song B", number=2, disabled=-1)
    library.add_song(album, "Song C", number=3)
    library.add_song(album, "Song D", number=4)
    app.mise.UpdateCache()
    assert [hit["song"]["name"] for hit in api("Find", searchstring="song", limit=1)["songs"]] \
        == ["Song C"]


def test_a_query_of_punctuation_only_finds_nothing(worked_example, api):
    """MusicDB 8 sent no answer for it (the WebUI can send "!!"); we answer with empty lists."""
    assert api("Find", searchstring="!!", limit=5) == {"artists": [], "albums": [], "songs": []}


def test_bad_arguments_are_rejected(worked_example, api):
    for arguments in ({"searchstring": None, "limit": 5}, {"searchstring": "x", "limit": "5"},
                      {"searchstring": "x"}):
        with pytest.raises(InvalidArguments):
            api("Find", **arguments)


def test_a_limit_of_zero_finds_nothing(worked_example, api):
    """MusicDB 8 still returned one song for limit ≤ 0; we return none."""
    assert api("Find", searchstring="road", limit=0) == {"artists": [], "albums": [], "songs": []}


def test_stale_cache_entries_are_skipped(worked_example, library, api):
    library.db.execute("DELETE FROM songs WHERE name = 'Crossroads'")
    library.db.execute("DELETE FROM artists WHERE name = 'Road Crew'")
    result = api("Find", searchstring="road", limit=20)
    assert result["artists"] == []
    assert [hit["song"]["name"] for hit in result["songs"]] == ["Broad Street", "Road"]


def test_update_cache_sees_new_names_and_drops_empty_ones(worked_example, library, app, api):
    library.add_artist("Newcomer")
    library.add_artist("???")
    assert api("Find", searchstring="newcomer", limit=5)["artists"] == []
    app.mise.UpdateCache()
    assert api("Find", searchstring="newcomer", limit=5)["artists"][0]["artist"]["name"] == \
        "Newcomer"
    assert "" not in app.mise.artists.names


def test_a_large_cache_is_built_in_the_threadpool(library, app, monkeypatch):
    """Normalizing 20,000 names takes long enough to stall every client; a worker thread does it."""
    album = library.add_album(library.add_artist("Big"))
    library.db.executemany(
        "INSERT INTO songs (albumid, artistid, name, number, cd, disabled) VALUES (?, 1, ?, 1, 1, 0)",
        [(album, f"Song Nümber {i}") for i in range(3000)])
    threads = []
    original = mise_module._build_caches

    def build(rows):
        threads.append(threading.get_ident())
        return original(rows)

    monkeypatch.setattr(mise_module, "_build_caches", build)
    app.mise.UpdateCache()
    assert threads and threads[0] != threading.get_ident()
    assert len(app.mise.songs.ids) == 3000
    assert app.mise.Find("nümber 2999")[2][0][0] == 3000


def test_only_the_first_256_characters_of_a_search_string_are_searched(worked_example, app):
    """Scoring costs grow with the query: a megabyte-long search string stalled every
    client for minutes.  A search box never holds more than a name or two."""
    assert app.mise.Find("x" * 300 + "road crew")[0] == []
    assert app.mise.Find("road crew" + "!" * 10_000_000)[0] == [(2, 100)]
