"""The queue handlers, run as a packet would run them."""

from types import SimpleNamespace

import gevent
import pytest

from musicdb.lib.ws.errors import InvalidArguments
from musicdb.mdbapi import handlers
from musicdb.mdbapi.songqueue import SongQueue
from tests.support import build_app, wait_until


def test_removing_the_current_song_skips_it(api, app, songs, notifications):
    first = app.songqueue.add(songs[0], "last")
    second = app.songqueue.add(songs[4], "last")
    api("RemoveSongFromQueue", entryid=str(first))
    assert app.songqueue.head_entryid() == second
    assert ("MusicDB:SongQueue", "onSongChanged", None) in notifications


def test_entry_ids_must_be_decimal_strings(api, app, songs):
    entry = app.songqueue.add(songs[0], "last")
    app.songqueue.add(songs[4], "last")
    with pytest.raises(InvalidArguments):
        api("RemoveSongFromQueue", entryid=entry)
    with pytest.raises(InvalidArguments):
        api("MoveSongInQueue", entryid="abc", afterid=str(entry))


def test_random_video_is_queued_as_random(api, app, library):
    video = library.add_video(library.add_artist())
    api("AddRandomVideoToQueue", position="last")
    assert app.videoqueue.entries()[0]["videoid"] == video
    assert app.videoqueue.entries()[0]["israndom"] is True


def test_video_queue_lists_album_and_artist_when_the_video_has_them(api, app, library):
    artist = library.add_artist()
    album = library.add_album(artist)
    with_album = library.add_video(artist, "With", albumid=album)
    app.videoqueue.add(with_album, "last")
    [entry] = api("GetVideoQueue")
    assert entry["album"]["id"] == album and entry["artist"]["id"] == artist
    assert isinstance(entry["entryid"], str)


def test_concurrent_insertions_are_all_saved_and_announced(datadir, cfg, library, randy, songs,
                                                           notifications):
    queue = SongQueue(cfg, library.db, randy)
    gevent.joinall([gevent.spawn(queue.add, song, "last") for song in songs[:20]])
    assert len(queue.entries()) == 20
    assert SongQueue(cfg, library.db, randy).entries() == queue.entries()
    assert notifications.count(("MusicDB:SongQueue", "onSongQueueChanged", None)) == 20


def test_an_entry_that_became_the_head_while_its_removal_waited_is_skipped(api, app, songs):
    """The head check and the removal are one step: the entry is skipped, not silently kept."""
    first, second, _ = (app.songqueue.add(s, "last") for s in (songs[0], songs[4], songs[8]))
    skipped = []
    app.audiostream = SimpleNamespace(play_next=skipped.append)
    with app.songqueue._lock:      # the stream is ending the first song right now
        removal = gevent.spawn(api, "RemoveSongFromQueue", entryid=str(second))
        gevent.sleep(0)
        app.songqueue.next(first)
    removal.join()
    assert skipped == [second]


def test_play_next_video_racing_video_ended_skips_only_the_ended_video(
        datadir, library, trackerdb, randy, notifications):
    """Before the fix the skip queued behind the end report popped the next video too."""
    app = build_app(datadir, library.db, trackerdb=trackerdb, randy=randy)
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}") for n in range(3)]
    entries = [app.videoqueue.add(video, "last") for video in videos]
    app.videostream.start()
    try:
        app.videostream.video_ended(entries[0])       # two clients, the same moment
        handlers.call("RemoveVideoFromQueue", {"entryid": str(entries[0])}, app)
        app.videostream.set_streaming(True)             # announced once both ran
        wait_until(lambda: ("MusicDB:VideoStream", "onStatusChanged") in
                   [(f, s) for f, s, _ in notifications])
        assert [e["entryid"] for e in app.videoqueue.entries()] == entries[1:]
        announced = [a["queue"]["entryid"] for f, s, a in notifications
                     if s == "onStreamNextVideo"]
        assert announced == [str(entries[1])]
    finally:
        app.videostream.stop()
