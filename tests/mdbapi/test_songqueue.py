"""The song and video queues: order, persistence in MusicDB 8's CSV dialect, refills, notifications."""

import os

import pytest

from musicdb.lib import statecsv
from musicdb.lib.storage import StorageError
from musicdb.mdbapi import events
from musicdb.mdbapi.blacklist import BlackLists
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.videoqueue import VideoQueue
from tests.support import make_cfg, write_randy_ini

SPEC_EXAMPLE = (b'"EntryID","SongID","IsRandom"\r\n'
                b'"30211746215810932771498337260398115524",812,"False"\r\n'
                b'"99876543210987654321098765432109876543",17,"True"\r\n')

CHANGED = ("MusicDB:SongQueue", "onSongQueueChanged", None)
POPPED = ("MusicDB:SongQueue", "onSongChanged", None)   # the head changed, not only by a pop
VIDEO_CHANGED = ("MusicDB:VideoQueue", "onVideoQueueChanged", None)
VIDEO_HEAD = ("MusicDB:VideoQueue", "onVideoChanged", None)


def queue_file(datadir, name="songqueue.csv"):
    return os.path.join(datadir, "state", name)


def queue_events(sent):
    return [event for event in sent if event[0].endswith("Queue")]


@pytest.fixture
def quiet_randy(datadir):
    """Randy finds nothing: every song is shorter than MinSongLength."""
    write_randy_ini(datadir, MinSongLength=10000)


def test_saved_file_is_byte_identical_to_the_spec_example(datadir, cfg, library, randy, songs):
    """Loading the spec's example and changing the queue back and forth writes the same bytes."""
    with open(queue_file(datadir), "wb") as handle:
        handle.write(SPEC_EXAMPLE)
    queue = SongQueue(cfg, library.db, randy)
    entryid = queue.add(songs[0], "last")
    assert queue.remove(entryid)
    with open(queue_file(datadir), "rb") as handle:
        assert handle.read() == SPEC_EXAMPLE


def test_loaded_queue_keeps_ids_order_and_random_flags(datadir, cfg, library, randy):
    with open(queue_file(datadir), "wb") as handle:
        handle.write(SPEC_EXAMPLE)
    queue = SongQueue(cfg, library.db, randy)
    assert queue.entries() == [
        {"entryid": 30211746215810932771498337260398115524, "songid": 812, "israndom": False},
        {"entryid": 99876543210987654321098765432109876543, "songid": 17, "israndom": True}]


def test_a_new_queue_object_reads_back_exactly_what_was_saved(cfg, library, randy, songs):
    queue = SongQueue(cfg, library.db, randy)
    for songid in songs[:4]:
        queue.add(songid, "last")
    queue.add(songs[5], "next")
    assert SongQueue(cfg, library.db, randy).entries() == queue.entries()


def test_entry_ids_are_random_128_bit_integers(songqueue, songs):
    ids = [songqueue.add(songs[0], "last") for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(isinstance(i, int) and 0 < i < 2 ** 128 for i in ids)
    assert max(ids) > 2 ** 64


def test_emptied_queue_is_saved_as_header_only_and_stays_empty(
        datadir, cfg, library, randy, songs, quiet_randy):
    """MusicDB 8 could not write an empty queue, so old entries came back after a restart."""
    queue = SongQueue(cfg, library.db, randy)
    queue.add(songs[0], "last")
    queue.next()
    with open(queue_file(datadir), "rb") as handle:
        assert handle.read() == b'"EntryID","SongID","IsRandom"\r\n'
    assert SongQueue(cfg, library.db, randy).entries() == []


def test_unreadable_rows_are_skipped_and_the_rest_is_loaded(datadir, cfg, library, randy):
    with open(queue_file(datadir), "wb") as handle:
        handle.write(b'"EntryID","SongID","IsRandom"\r\n"abc",3,"False"\r\n"5",x,"True"\r\n'
                     b'"7",8,"yes"\r\n')
    queue = SongQueue(cfg, library.db, randy)
    assert queue.entries() == [{"entryid": 7, "songid": 8, "israndom": False}]


def test_positions_next_last_and_after_an_entry(songqueue, songs):
    first = songqueue.add(songs[0], "next")          # empty queue: "next" becomes current
    last = songqueue.add(songs[1], "last")
    nxt = songqueue.add(songs[2], "next")             # never before the current song
    after = songqueue.add(songs[3], nxt)
    assert [e["entryid"] for e in songqueue.entries()] == [first, nxt, after, last]
    assert [e["songid"] for e in songqueue.entries()] == [songs[0], songs[2], songs[3], songs[1]]
    assert not any(e["israndom"] for e in songqueue.entries())


def test_unknown_song_or_position_changes_nothing_and_announces_nothing(
        songqueue, songs, notifications):
    songqueue.add(songs[0], "last")
    del notifications[:]
    assert songqueue.add(99999, "last") is None
    assert songqueue.add(songs[1], 12345) is None
    assert len(songqueue.entries()) == 1
    assert queue_events(notifications) == []


def test_every_insertion_is_saved_before_its_notifications(
        datadir, songqueue, songs, notifications):
    """The first insertion into an empty queue is a new head too: onSongChanged, then the queue."""
    seen = []

    def check(event):
        with open(queue_file(datadir), "rb") as handle:
            seen.append(handle.read().count(b"\r\n") - 1)
    events.subscribe(check)
    try:
        songqueue.add(songs[0], "last")
        songqueue.add(songs[1], "last")
    finally:
        events.unsubscribe(check)
    assert queue_events(notifications) == [POPPED, CHANGED, CHANGED]
    assert seen == [1, 1, 2]


def move_ids(queue):
    return [e["entryid"] for e in queue.entries()]


def test_move_behind_another_entry_in_both_directions(songqueue, songs, notifications):
    a, b, c, d = (songqueue.add(s, "last") for s in songs[:4])
    del notifications[:]
    assert songqueue.move(b, d)
    assert move_ids(songqueue) == [a, c, d, b]
    assert songqueue.move(b, a)
    assert move_ids(songqueue) == [a, b, c, d]
    assert queue_events(notifications) == [CHANGED, CHANGED]


def test_move_refuses_the_current_entry_unknown_ids_and_same_ids(songqueue, songs, notifications):
    a, b, c = (songqueue.add(s, "last") for s in songs[:3])
    del notifications[:]
    assert not songqueue.move(a, c)
    assert not songqueue.move(b, b)
    assert not songqueue.move(b, 42)
    assert move_ids(songqueue) == [a, b, c]
    assert queue_events(notifications) == []


def test_remove_refills_to_two_with_one_notification(songqueue, songs, notifications):
    """MusicDB 8 announced the refill and the removal separately (two notifications)."""
    head = songqueue.add(songs[0], "last")
    second = songqueue.add(songs[3], "last")
    del notifications[:]
    assert songqueue.remove(second)
    entries = songqueue.entries()
    assert entries[0]["entryid"] == head and len(entries) == 2 and entries[1]["israndom"]
    assert queue_events(notifications) == [CHANGED]


def test_removing_the_head_hands_it_to_the_skip_or_pops_it(songqueue, songs, quiet_randy):
    """The head is never silently kept: the stream skips it, or without a stream it is popped."""
    head = songqueue.add(songs[0], "last")
    second = songqueue.add(songs[3], "last")
    skipped = []
    assert songqueue.remove(head, skip=skipped.append)
    assert skipped == [head] and move_ids(songqueue) == [head, second]
    assert songqueue.remove(head)
    assert move_ids(songqueue) == [second]
    assert not songqueue.remove(12345)
    assert move_ids(songqueue) == [second]


def test_a_skip_or_end_of_an_entry_that_is_no_longer_the_head_pops_nothing(
        songqueue, songs, notifications):
    """A song end and a skip of the same song racing each other pop it once, not its successor."""
    head = songqueue.add(songs[0], "last")
    second = songqueue.add(songs[3], "last")
    third = songqueue.add(songs[6], "last")
    assert songqueue.next(head)["entryid"] == second
    del notifications[:]
    assert songqueue.next(head)["entryid"] == second
    assert move_ids(songqueue) == [second, third]
    assert queue_events(notifications) == []


def test_remove_of_an_unknown_entry_is_silent(songqueue, songs, notifications):
    for songid in songs[:3]:
        songqueue.add(songid, "last")
    del notifications[:]
    assert not songqueue.remove(12345)
    assert queue_events(notifications) == []


def test_next_pops_refills_and_announces_song_then_queue(songqueue, songs, notifications):
    """MusicDB 8 sent onSongQueueChanged, onSongChanged, onSongQueueChanged."""
    songqueue.add(songs[0], "last")
    second = songqueue.add(songs[4], "last")
    del notifications[:]
    head = songqueue.next()
    assert head["entryid"] == second
    assert len(songqueue.entries()) == 2 and songqueue.entries()[1]["israndom"]
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_current_fills_an_empty_queue_once(songqueue, songs, notifications):
    head = songqueue.current()
    assert head["israndom"] and head["songid"] in songs
    assert songqueue.current() == head
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_current_of_an_empty_queue_without_candidates_announces_nothing(
        songqueue, songs, quiet_randy, notifications):
    """MusicDB 8 announced the failed fill anyway."""
    assert songqueue.current() is None
    assert queue_events(notifications) == []


def test_current_drops_head_entries_whose_song_was_deleted(songqueue, library, songs):
    songqueue.add(songs[0], "last")
    second = songqueue.add(songs[5], "last")
    library.db.execute("DELETE FROM songs WHERE songid = ?", (songs[0],))
    assert songqueue.current()["entryid"] == second


def test_queued_songs_are_blacklisted_at_insertion(songqueue, randy, library, songs):
    songqueue.add(songs[0], "last")
    song = library.db.get_song(songs[0])
    assert randy.blacklists.ids("songs") == [songs[0]]
    assert randy.blacklists.ids("albums") == [song["albumid"]]
    assert randy.blacklists.ids("artists") == [song["artistid"]]


def test_video_queue_has_no_head_and_never_fills_with_videos_disabled(
        datadir, library, randy, notifications):
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}") for n in range(3)]
    queue = VideoQueue(make_cfg(datadir, disablevideos=True), library.db, randy)
    assert queue.current() is None
    entry = queue.add(videos[0], "last")
    assert queue.entries()[0]["entryid"] == entry and queue.current() is None
    assert queue_events(notifications) == [VIDEO_CHANGED]


def test_video_queue_persists_in_its_own_file_and_blacklists_the_video(
        datadir, videoqueue, library, randy):
    artist = library.add_artist()
    video = library.add_video(artist)
    entry = videoqueue.add(video, "last")
    with open(queue_file(datadir, "videoqueue.csv"), "rb") as handle:
        assert handle.read() == (f'"EntryID","VideoID","IsRandom"\r\n"{entry}",{video},"False"\r\n'
                                 .encode())
    assert randy.blacklists.ids("videos") == [video]
    assert randy.blacklists.ids("artists") == []


# -- a new head is announced, whatever made it (issue 17) -----------------------------------
# The WebUI refreshes its current-song display on onSongChanged only: a head that changes
# with nothing but onSongQueueChanged leaves the display blank or stale until a reload.

def test_a_song_added_to_an_empty_queue_is_announced_as_the_new_head(songqueue, songs,
                                                                     notifications):
    entry = songqueue.add(songs[0], "last")
    assert songqueue.head_entryid() == entry
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_next_into_an_empty_queue_becomes_the_announced_head(songqueue, songs, notifications):
    entry = songqueue.add(songs[0], "next")
    assert songqueue.head_entryid() == entry
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_a_random_song_added_to_an_empty_queue_is_announced_as_the_new_head(
        songqueue, songs, notifications):
    assert songqueue.add_random("next") is not None
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_additions_behind_the_head_do_not_announce_a_new_head(songqueue, songs, notifications):
    head = songqueue.add(songs[0], "last")
    del notifications[:]
    after = songqueue.add(songs[1], "next")
    songqueue.add(songs[2], "last")
    songqueue.add(songs[3], head)
    songqueue.add_many(songs[4:6], after)
    songqueue.add_random("next")
    assert songqueue.head_entryid() == head
    assert queue_events(notifications) == [CHANGED] * 5


def test_a_next_that_empties_the_queue_announces_the_head_gone(songqueue, songs, quiet_randy,
                                                              notifications):
    songqueue.add(songs[0], "last")
    del notifications[:]
    assert songqueue.next() is None
    assert songqueue.entries() == []
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_next_on_an_empty_queue_changes_and_announces_nothing(songqueue, songs, quiet_randy,
                                                             notifications):
    assert songqueue.next() is None
    assert queue_events(notifications) == []


def test_removing_the_head_without_a_stream_announces_the_new_head_once(
        songqueue, songs, quiet_randy, notifications):
    head = songqueue.add(songs[0], "last")
    second = songqueue.add(songs[3], "last")
    del notifications[:]
    assert songqueue.remove(head)
    assert move_ids(songqueue) == [second]
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_removing_the_head_with_a_stream_leaves_the_announcement_to_its_pop(
        songqueue, songs, notifications):
    head = songqueue.add(songs[0], "last")
    songqueue.add(songs[3], "last")
    del notifications[:]
    assert songqueue.remove(head, skip=songqueue.next)
    assert queue_events(notifications) == [POPPED, CHANGED]
    del notifications[:]
    assert songqueue.remove(songqueue.head_entryid(), skip=lambda entryid: None)
    assert queue_events(notifications) == []


def test_removing_or_moving_other_entries_announces_no_new_head(songqueue, songs, notifications):
    head, b, c, d = (songqueue.add(s, "last") for s in songs[:4])
    del notifications[:]
    assert songqueue.move(d, head)
    assert songqueue.remove(b)
    assert move_ids(songqueue) == [head, d, c]
    assert queue_events(notifications) == [CHANGED, CHANGED]


def test_current_announces_the_head_that_replaces_a_deleted_song(songqueue, library, songs,
                                                                 notifications):
    songqueue.add(songs[0], "last")
    second = songqueue.add(songs[5], "last")
    del notifications[:]
    library.db.execute("DELETE FROM songs WHERE songid = ?", (songs[0],))
    assert songqueue.current()["entryid"] == second
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_a_video_added_to_an_empty_video_queue_is_announced_as_the_new_head(
        videoqueue, library, notifications):
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}") for n in range(2)]
    videoqueue.add(videos[0], "next")
    videoqueue.add(videos[1], "next")
    assert queue_events(notifications) == [VIDEO_HEAD, VIDEO_CHANGED, VIDEO_CHANGED]
    del notifications[:]
    videoqueue.next()
    assert queue_events(notifications) == [VIDEO_HEAD, VIDEO_CHANGED]


def test_a_change_that_cannot_be_saved_is_not_announced(songqueue, songs, notifications,
                                                        monkeypatch):
    def full_disk(path, header, rows):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(statecsv, "write_table", full_disk)
    before = songqueue.entries()
    with pytest.raises(StorageError, match="disk is full"):
        songqueue.add(songs[0], "last")
    assert queue_events(notifications) == []
    assert songqueue.entries() == before


# -- several songs in one change (an album) ---------------------------------------------------

@pytest.fixture
def queue_saves(monkeypatch, datadir):
    """The queue file's data rows at each save of songqueue.csv."""
    saves, write = [], statecsv.write_table

    def counting(path, header, rows):
        if path == queue_file(datadir):
            saves.append(len(rows))
        return write(path, header, rows)
    monkeypatch.setattr(statecsv, "write_table", counting)
    return saves


def test_add_many_inserts_in_order_with_one_save_and_one_notification(
        datadir, cfg, library, randy, songqueue, songs, notifications, queue_saves):
    head = songqueue.add(songs[0], "last")
    tail = songqueue.add(songs[1], "last")
    del notifications[:], queue_saves[:]
    added = songqueue.add_many(songs[2:9], "next")
    assert len(added) == 7
    assert move_ids(songqueue) == [head, *added, tail]
    assert [e["songid"] for e in songqueue.entries()][1:8] == songs[2:9]
    assert queue_saves == [9]
    assert queue_events(notifications) == [CHANGED]
    assert SongQueue(cfg, library.db, randy).entries() == songqueue.entries()


def test_add_many_after_an_entry_and_at_the_end(songqueue, songs):
    head = songqueue.add(songs[0], "last")
    last = songqueue.add_many(songs[1:3], "last")
    between = songqueue.add_many(songs[3:5], head)
    assert move_ids(songqueue) == [head, *between, *last]


def test_add_many_into_an_empty_queue_makes_its_first_song_the_announced_head(
        songqueue, songs, notifications, queue_saves):
    added = songqueue.add_many(songs[:5], "next")
    assert move_ids(songqueue) == added
    assert queue_saves == [5]
    assert queue_events(notifications) == [POPPED, CHANGED]


def test_add_many_leaves_out_unknown_songs_and_blacklists_every_queued_one(
        songqueue, randy, songs):
    added = songqueue.add_many([songs[0], 99999, songs[3]], "last")
    assert [e["songid"] for e in songqueue.entries()] == [songs[0], songs[3]]
    assert len(added) == 2
    assert randy.blacklists.ids("songs") == [songs[0], songs[3]]


def test_add_many_with_nothing_to_add_or_an_unknown_position_changes_nothing(
        songqueue, songs, notifications, queue_saves):
    head = songqueue.add(songs[0], "last")
    del notifications[:], queue_saves[:]
    assert songqueue.add_many([], "last") == []
    assert songqueue.add_many([99999], "last") == []
    assert songqueue.add_many(songs[1:3], 12345) == []
    assert move_ids(songqueue) == [head]
    assert queue_saves == [] and queue_events(notifications) == []


def test_an_album_is_blacklisted_song_by_song_in_one_save_of_each_list(
        datadir, songqueue, randy, library, songs, monkeypatch, tmp_path, clock):
    """The blacklists end as song-by-song pushes (MusicDB 8) left them; each file is written once."""
    writes, write = [], statecsv.write_tables

    def counting(tables):
        writes.append(sorted(os.path.basename(path) for path, _, _ in tables))
        return write(tables)
    monkeypatch.setattr(statecsv, "write_tables", counting)
    songqueue.add_many(songs[:5], "last")
    assert writes == [["albumblacklist.csv", "artistblacklist.csv", "songblacklist.csv"]]
    one_by_one = BlackLists(str(tmp_path), clock)
    for songid in songs[:5]:
        song = library.db.get_song(songid)
        one_by_one.push(randy.settings(), songs=songid, albums=song["albumid"],
                        artists=song["artistid"])
    for name in ("songs", "albums", "artists"):
        assert randy.blacklists.ids(name) == one_by_one.ids(name)
    assert randy.blacklists.ids("songs") == songs[:5]
    with open(os.path.join(datadir, "state", "songblacklist.csv"), encoding="utf-8") as handle:
        assert [int(line.split(",")[0]) for line in handle.read().splitlines()[1:]] == songs[:5]
