"""The statistics and relationship handlers, run as a packet would run them."""

import pytest

from musicdb.lib.ws.errors import InvalidArguments, NotFound
from musicdb.mdbapi import handlers
from tests.support import build_app


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
    app = build_app(datadir, library.db, trackerdb=trackerdb, randy=randy, disablestats=True)
    handlers.call("UpdateSongStatistic", {"songid": songs[0], "statistic": "favorite",
                                          "modifier": "love"}, app)
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
    app = build_app(datadir, library.db, trackerdb=trackerdb, randy=randy, disabletracker=True)
    trackerdb.add_relation("song", songs[0], songs[1])
    handlers.call("CutSongRelationship", {"songid": songs[0], "relatedsongid": songs[1]}, app)
    assert trackerdb.value("SELECT count(*) FROM songrelations") == 1


def test_video_relationship_lists_related_videos(api, library, trackerdb):
    artist = library.add_artist()
    videos = [library.add_video(artist, f"V{n}", release=2000 + n) for n in range(3)]
    trackerdb.add_relation("video", videos[0], videos[2])
    trackerdb.add_relation("video", videos[1], videos[0])
    result = api("GetVideoRelationship", videoid=videos[0])
    assert [v["video"]["id"] for v in result["videos"]] == [videos[1], videos[2]]
    assert result["videoid"] == videos[0]


def test_a_failing_tracker_database_does_not_fail_the_cut(api, trackerdb, songs, caplog):
    """api-playback.md CutSongRelationship: errors are swallowed (logged)."""
    trackerdb.execute("DROP TABLE songrelations")
    assert api("CutSongRelationship", songid=songs[0], relatedsongid=songs[1]) is None
    assert "songrelations" in caplog.text
