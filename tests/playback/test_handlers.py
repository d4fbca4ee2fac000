"""The queue, statistics, relationship and video handlers, run as a packet would run them."""

from types import SimpleNamespace

import gevent
import pytest

from musicdb.lib.ws.errors import InvalidArguments, NotFound
from musicdb.mdbapi import handlers
from musicdb.mdbapi.songqueue import SongQueue
from musicdb.mdbapi.app import App
from musicdb.mdbapi.tracker import Tracker
from musicdb.mdbapi.videoqueue import VideoQueue
from musicdb.mdbapi.videostream import VideoStream
from tests.playback.conftest import make_cfg
from tests.stream.test_engine import wait_until


@pytest.fixture
def songs(library):
    return library.add_artists_with_songs()


def build_ctx(datadir, library, trackerdb, randy, **debug):
    cfg = make_cfg(datadir, **debug)
    handlers.load_areas()
    ctx = App(cfg=cfg, database=library.db, trackerdb=trackerdb, randy=randy,
              songqueue=SongQueue(cfg, library.db, randy),
              videoqueue=VideoQueue(cfg, library.db, randy),
              tracker=Tracker(cfg, trackerdb, library.db))
    ctx.videostream = VideoStream(ctx)
    return ctx


@pytest.fixture
def ctx(datadir, library, trackerdb, randy):
    return build_ctx(datadir, library, trackerdb, randy)


@pytest.fixture
def api(ctx):
    def run(fncname, **arguments):
        return handlers.call(fncname, arguments, ctx)
    return run


# -- statistics -------------------------------------------------------------------------------

@pytest.mark.parametrize("statistic, modifier, column, expected", [
    ("likes", "inc", "likes", 1), ("dislikes", "dec", "dislikes", -1),
    ("likes", "reset", "likes", 0), ("favorite", "love", "favorite", 1),
    ("favorite", "hate", "favorite", -1), ("disable", "yes", "disabled", 1),
    ("liverecording", "yes", "liverecording", 1), ("badaudio", "dec", "badaudio", -1),
    ("lastplayed", 1700000123, "lastplayed", 1700000123)])
def test_song_statistics_change_their_column(api, library, songs, statistic, modifier, column,
                                             expected):
    api("UpdateSongStatistic", songid=songs[0], statistic=statistic, modifier=modifier)
    assert library.db.get_song(songs[0])[column] == expected


def test_likes_count_up_and_reset_does_not_reset(api, library, songs):
    """MusicDB 8 quirk the WebUI sees: "reset" adds 0."""
    for modifier in ("inc", "inc", "reset"):
        api("UpdateSongStatistic", songid=songs[0], statistic="likes", modifier=modifier)
    assert library.db.get_song(songs[0])["likes"] == 2


def test_unknown_statistics_and_modifiers_change_nothing(api, library, songs):
    before = library.db.get_song(songs[0])
    api("UpdateSongStatistic", songid=songs[0], statistic="likes", modifier="lots")
    api("UpdateSongStatistic", songid=songs[0], statistic="lyricsvideo", modifier="yes")
    api("UpdateSongStatistic", songid=songs[0], statistic="lastplayed", modifier=-5)
    assert library.db.get_song(songs[0]) == before


def test_lyricsvideo_is_a_video_statistic(api, library):
    video = library.add_video(library.add_artist())
    api("UpdateVideoStatistic", videoid=video, statistic="lyricsvideo", modifier="yes")
    assert library.db.get_video(video)["lyricsvideo"] == 1


def test_statistics_of_an_unknown_song_are_not_found(api):
    with pytest.raises(NotFound):
        api("UpdateSongStatistic", songid=999, statistic="likes", modifier="inc")


def test_disablestats_keeps_the_statistics(datadir, library, trackerdb, randy, songs):
    ctx = build_ctx(datadir, library, trackerdb, randy, disablestats=True)
    handlers.call("UpdateSongStatistic", {"songid": songs[0], "statistic": "favorite",
                                          "modifier": "love"}, ctx)
    assert library.db.get_song(songs[0])["favorite"] == 0


# -- relationships ----------------------------------------------------------------------------

def test_relationship_lists_related_songs_sorted_without_hated_and_disabled(
        api, library, trackerdb):
    zed = library.add_album(library.add_artist("Zed"), "Late", release=1990)
    abba = library.add_artist("Abba")
    new, old = library.add_album(abba, "New", release=2001), library.add_album(abba, "Old", 1980)
    song = library.add_song(zed, "Centre")
    related = [library.add_song(new, "n2", number=2), library.add_song(zed, "z"),
               library.add_song(old, "o"), library.add_song(new, "n1", number=1),
               library.add_song(zed, "hated", favorite=-1), library.add_song(zed, "off", disabled=1)]
    for other in related:
        trackerdb.add_relation("song", song, other)
    trackerdb.add_relation("song", related[1], song)
    trackerdb.add_relation("song", song, 9999)                      # song deleted since
    result = api("GetSongRelationship", songid=song)
    assert [(s["song"]["name"], s["weight"]) for s in result["songs"]] == [
        ("o", 1), ("n1", 1), ("n2", 1), ("z", 2)]
    assert result["artist"]["name"] == "Zed" and result["album"]["name"] == "Late"
    assert set(result["songs"][0]["tags"]) == {"songid", "genres", "subgenres", "moods"}


def test_relationship_needs_an_integer_song_id(api, songs):
    with pytest.raises(InvalidArguments):
        api("GetSongRelationship", songid=str(songs[0]))


def test_cut_with_a_non_integer_related_id_changes_nothing(api, trackerdb, songs):
    trackerdb.add_relation("song", songs[0], songs[1])
    api("CutSongRelationship", songid=songs[0], relatedsongid="x")
    assert trackerdb.value("SELECT count(*) FROM songrelations") == 1
    api("CutSongRelationship", songid=songs[1], relatedsongid=songs[0])
    assert trackerdb.value("SELECT count(*) FROM songrelations") == 0


def test_cut_does_nothing_with_disabletracker(datadir, library, trackerdb, randy, songs):
    ctx = build_ctx(datadir, library, trackerdb, randy, disabletracker=True)
    trackerdb.add_relation("song", songs[0], songs[1])
    handlers.call("CutSongRelationship", {"songid": songs[0], "relatedsongid": songs[1]}, ctx)
    assert trackerdb.value("SELECT count(*) FROM songrelations") == 1


def test_video_relationship_lists_related_videos(api, library, trackerdb):
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}", release=2000 + n) for n in range(3)]
    trackerdb.add_relation("video", videos[0], videos[2])
    trackerdb.add_relation("video", videos[1], videos[0])
    result = api("GetVideoRelationship", videoid=videos[0])
    assert [v["video"]["id"] for v in result["videos"]] == [videos[1], videos[2]]
    assert result["videoid"] == videos[0]


# -- queue handlers -----------------------------------------------------------------------

def test_removing_the_current_song_skips_it(api, ctx, songs, notifications):
    first = ctx.songqueue.add(songs[0], "last")
    second = ctx.songqueue.add(songs[4], "last")
    api("RemoveSongFromQueue", entryid=str(first))
    assert ctx.songqueue.head_entryid() == second
    assert ("MusicDB:SongQueue", "onSongChanged", None) in notifications


def test_entry_ids_must_be_decimal_strings(api, ctx, songs):
    entry = ctx.songqueue.add(songs[0], "last")
    ctx.songqueue.add(songs[4], "last")
    with pytest.raises(InvalidArguments):
        api("RemoveSongFromQueue", entryid=entry)
    with pytest.raises(InvalidArguments):
        api("MoveSongInQueue", entryid="abc", afterid=str(entry))


def test_random_video_is_queued_as_random(api, ctx, library):
    video = library.add_video(library.add_artist())
    api("AddRandomVideoToQueue", position="last")
    assert ctx.videoqueue.entries()[0]["videoid"] == video
    assert ctx.videoqueue.entries()[0]["israndom"] is True


def test_video_queue_lists_album_and_artist_when_the_video_has_them(api, ctx, library):
    artist = library.add_artist()
    album = library.add_album(artist)
    with_album = library.add_video(artist, "With", albumid=album)
    ctx.videoqueue.add(with_album, "last")
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


def test_an_entry_that_became_the_head_while_its_removal_waited_is_skipped(api, ctx, songs):
    """The head check and the removal are one step: the entry is skipped, not silently kept."""
    first, second, _ = (ctx.songqueue.add(s, "last") for s in (songs[0], songs[4], songs[8]))
    skipped = []
    ctx.audiostream = SimpleNamespace(play_next=skipped.append)
    with ctx.songqueue._lock:      # the stream is ending the first song right now
        removal = gevent.spawn(api, "RemoveSongFromQueue", entryid=str(second))
        gevent.sleep(0)
        ctx.songqueue.next(first)
    removal.join()
    assert skipped == [second]


def test_play_next_video_racing_video_ended_skips_only_the_ended_video(
        datadir, library, trackerdb, randy, notifications):
    """Before the fix the skip queued behind the end report popped the next video too."""
    ctx = build_ctx(datadir, library, trackerdb, randy)
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}") for n in range(3)]
    entries = [ctx.videoqueue.add(video, "last") for video in videos]
    ctx.videostream.start()
    try:
        ctx.videostream.video_ended(entries[0])       # two clients, the same moment
        handlers.call("RemoveVideoFromQueue", {"entryid": str(entries[0])}, ctx)
        ctx.videostream.set_streaming(True)             # announced once both ran
        wait_until(lambda: ("MusicDB:VideoStream", "onStatusChanged") in
                   [(f, s) for f, s, _ in notifications])
        assert [e["entryid"] for e in ctx.videoqueue.entries()] == entries[1:]
        announced = [a["queue"]["entryid"] for f, s, a in notifications
                     if s == "onStreamNextVideo"]
        assert announced == [str(entries[1])]
    finally:
        ctx.videostream.stop()


@pytest.mark.parametrize("fncname", ["SetAudioStreamState", "SetVideoStreamState"])
def test_an_unknown_stream_state_is_ignored_and_answered_with_null(api, ctx, fncname):
    """api-playback.md: any other value is a warning and nothing happens (MusicDB 8 answered null);
    SetVideoStreamState works like SetAudioStreamState."""
    commands = []
    ctx.audiostream = SimpleNamespace(play=commands.append, toggle=commands.append)
    ctx.videostream = SimpleNamespace(set_streaming=commands.append)
    assert api(fncname, state="stop") is None
    assert commands == []
    with pytest.raises(InvalidArguments):
        api(fncname, state=1)


def test_a_failing_tracker_database_does_not_fail_the_cut(api, trackerdb, songs, caplog):
    """api-playback.md CutSongRelationship: errors are swallowed (logged)."""
    trackerdb.execute("DROP TABLE songrelations")
    assert api("CutSongRelationship", songid=songs[0], relatedsongid=songs[1]) is None
    assert "songrelations" in caplog.text
