"""The tracker: relations of songs played one after the other, as MusicDB 8 records them."""

import pytest

from musicdb.mdbapi.tracker import Tracker
from tests.support import make_cfg


@pytest.fixture
def songs(library):
    album = library.add_album(library.add_artist())
    return [library.add_song(album, f"S{n}", number=n) for n in range(6)]


def make_tracker(datadir, trackerdb, library, clock, **options):
    return Tracker(make_cfg(datadir, **options), trackerdb, library.db, clock)


@pytest.fixture
def playtracker(datadir, trackerdb, library, clock):
    return make_tracker(datadir, trackerdb, library, clock)


def pairs(trackerdb, target="song"):
    return trackerdb.rows(f"SELECT {target}ida AS a, {target}idb AS b, weight "
                          f"FROM {target}relations ORDER BY id")


def test_consecutive_songs_are_related_smaller_id_first(playtracker, trackerdb, songs, clock):
    a, b, c = songs[3], songs[1], songs[2]
    for song in (a, b, c):
        playtracker.song_played(song, False)
        clock.now += 200
    assert pairs(trackerdb) == [{"a": b, "b": a, "weight": 1}, {"a": b, "b": c, "weight": 1}]


def test_a_pair_played_again_in_either_order_gains_weight(playtracker, trackerdb, songs, clock):
    for song in (songs[0], songs[1], songs[0]):
        playtracker.song_played(song, False)
        clock.now += 200
    assert pairs(trackerdb) == [{"a": songs[0], "b": songs[1], "weight": 2}]


def test_relations_are_found_from_both_sides(playtracker, trackerdb, songs):
    for song in (songs[0], songs[1], songs[2]):
        playtracker.song_played(song, False)
    related = trackerdb.relations("song", songs[1])
    assert sorted((r["id"], r["weight"]) for r in related) == [(songs[0], 1), (songs[2], 1)]


def test_the_same_song_twice_is_no_relation(playtracker, trackerdb, songs):
    playtracker.song_played(songs[0], False)
    playtracker.song_played(songs[0], False)
    assert pairs(trackerdb) == []


def test_a_gap_longer_than_cuttime_cuts_the_chain(datadir, trackerdb, library, clock, songs):
    """MusicDB 8.2 meant to cut here but reset an unused attribute, relating songs hours apart."""
    playtracker = make_tracker(datadir, trackerdb, library, clock, cuttime=30)
    playtracker.song_played(songs[0], False)
    clock.now += 30 * 60 + 1
    playtracker.song_played(songs[1], False)
    clock.now += 30 * 60
    playtracker.song_played(songs[2], False)
    assert pairs(trackerdb) == [{"a": songs[1], "b": songs[2], "weight": 1}]


def test_random_songs_are_logged_but_not_related_and_do_not_break_the_chain(
        playtracker, trackerdb, songs):
    playtracker.song_played(songs[0], False)
    playtracker.song_played(songs[1], True)
    playtracker.song_played(songs[2], False)
    assert pairs(trackerdb) == [{"a": songs[0], "b": songs[2], "weight": 1}]
    played = trackerdb.rows("SELECT songid, random FROM playedsongs ORDER BY id")
    assert played == [{"songid": songs[0], "random": 0}, {"songid": songs[1], "random": 1},
                      {"songid": songs[2], "random": 0}]


def test_trackrandom_relates_random_songs_too(datadir, trackerdb, library, clock, songs):
    playtracker = make_tracker(datadir, trackerdb, library, clock, trackrandom=True)
    playtracker.song_played(songs[0], False)
    playtracker.song_played(songs[1], True)
    assert pairs(trackerdb) == [{"a": songs[0], "b": songs[1], "weight": 1}]


def test_played_songs_get_lastplayed_and_a_played_row(playtracker, trackerdb, library, songs,
                                                      clock):
    playtracker.song_played(songs[0], False)
    assert library.db.get_song(songs[0])["lastplayed"] == clock.now
    assert trackerdb.rows("SELECT songid, timestamp FROM playedsongs") == [
        {"songid": songs[0], "timestamp": clock.now}]


def test_disabletracker_writes_nothing_to_the_tracker(datadir, trackerdb, library, clock, songs):
    playtracker = make_tracker(datadir, trackerdb, library, clock, disabletracker=True)
    for song in songs[:3]:
        playtracker.song_played(song, False)
    assert pairs(trackerdb) == []
    assert trackerdb.value("SELECT count(*) FROM playedsongs") == 0
    assert library.db.get_song(songs[0])["lastplayed"] == clock.now


def test_disablestats_keeps_lastplayed(datadir, trackerdb, library, clock, songs):
    playtracker = make_tracker(datadir, trackerdb, library, clock, disablestats=True)
    playtracker.song_played(songs[0], False)
    playtracker.song_played(songs[1], False)
    assert library.db.get_song(songs[0])["lastplayed"] == 0
    assert len(pairs(trackerdb)) == 1


def test_videos_have_their_own_chain(playtracker, trackerdb, library, songs):
    artist = library.add_artist("Video Artist")
    videos = [library.add_video(artist, f"V{n}") for n in range(2)]
    playtracker.song_played(songs[0], False)
    playtracker.video_played(videos[0], False)
    playtracker.song_played(songs[1], False)
    playtracker.video_played(videos[1], False)
    assert pairs(trackerdb) == [{"a": songs[0], "b": songs[1], "weight": 1}]
    assert pairs(trackerdb, "video") == [{"a": videos[0], "b": videos[1], "weight": 1}]
    assert library.db.get_video(videos[1])["lastplayed"] > 0


def test_a_non_integer_id_cuts_the_chain(playtracker, trackerdb, songs):
    playtracker.song_played(songs[0], False)
    playtracker.song_played(None, False)
    playtracker.song_played(songs[1], False)
    assert pairs(trackerdb) == []


def test_cut_relation_deletes_the_pair_in_either_order(playtracker, trackerdb, songs):
    playtracker.song_played(songs[0], False)
    playtracker.song_played(songs[1], False)
    trackerdb.cut_relation("song", songs[1], songs[0])
    assert pairs(trackerdb) == []


def test_a_broken_tracker_database_still_sets_lastplayed(playtracker, trackerdb, library, songs,
                                                         clock, caplog):
    """Tracking errors are only logged (api-playback.md §3.4 step 5); the statistics go on."""
    trackerdb.execute("DROP TABLE playedsongs")
    playtracker.song_played(songs[0], False)
    assert library.db.get_song(songs[0])["lastplayed"] == clock.now
    assert "playedsongs" in caplog.text
