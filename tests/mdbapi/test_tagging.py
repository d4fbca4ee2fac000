"""The library layer's edits (musicdb.mdbapi.tagging): events after the write, one
transaction, caches, Randy and the search following an edit, thumbnails."""

import os
import subprocess
from types import SimpleNamespace

import pytest

from musicdb.lib.ws.errors import InvalidArguments
from musicdb.mdbapi import events
from musicdb.mdbapi.randy import Randy
from musicdb.mdbapi.tagging import Tagging


@pytest.fixture
def rows(library):
    artist = library.add_artist("Thé Band")
    album = library.add_album(artist, "Hiddén Roads")
    return {"artist": artist, "album": album, "song": library.add_song(album, "Róad"),
            "genre": library.add_tag("Rock", 1)}


@pytest.fixture
def heard():
    """A private event bus and the list its test subscriber fills."""
    bus, seen = events.EventBus(), []
    return bus, seen


def test_an_edit_is_announced_after_it_is_stored(library, rows, heard):
    bus, seen = heard
    tagging = Tagging(library.db, bus)
    bus.subscribe(lambda event: seen.append(
        (event, library.db.get_tag_mapping("song", rows["song"], rows["genre"]))))
    tagging.set_song_tag(rows["song"], rows["genre"])
    event, stored = seen[0]
    assert event.name == events.LIBRARY_CHANGED
    assert event.data == {"change": "songtags", "songid": rows["song"],
                          "albumid": rows["album"], "tagid": rows["genre"]}
    assert stored is not None


def test_a_refused_edit_announces_nothing(library, rows, heard):
    bus, seen = heard
    bus.subscribe(seen.append)
    with pytest.raises(InvalidArguments):
        Tagging(library.db, bus).set_album_color(rows["album"], "bgcolor", "#xyz")
    assert seen == []


def test_a_failing_album_derivation_rolls_the_song_tag_back(library, rows, monkeypatch):
    tagging = Tagging(library.db, events.EventBus())

    def broken(albumid):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tagging, "_derive_album_tags", broken)
    with pytest.raises(RuntimeError):
        tagging.set_song_tag(rows["song"], rows["genre"])
    assert library.db.get_tag_mapping("song", rows["song"], rows["genre"]) is None


def test_disabled_tagging_changes_no_tags(library, rows):
    tagging = Tagging(library.db, events.EventBus(), disabled=True)
    tagging.set_song_tag(rows["song"], rows["genre"])
    tagging.set_album_tag(rows["album"], rows["genre"])
    assert library.db.value("SELECT count(*) FROM songtags") == 0
    assert library.db.value("SELECT count(*) FROM albumtags") == 0


def test_the_cached_artist_list_follows_a_hidden_album(app, api, rows):
    """The answer cache is emptied by the edit's event, so the next list is fresh."""
    app.library.watch(events.bus)
    listed = api("GetFilteredArtistsWithAlbums")
    assert [len(entry["albums"]) for entry in listed] == [1]
    api("HideAlbum", albumid=rows["album"], hide=True)
    assert api("GetFilteredArtistsWithAlbums") == []  # an artist without albums is left out


def test_search_after_hiding_lists_the_artist_without_the_album(app, api, rows):
    app.mise.UpdateCache()
    api("HideAlbum", albumid=rows["album"], hide=True)
    found = api("Find", searchstring="The Band", limit=5)
    assert found["artists"][0]["albums"] == []


def test_randy_never_picks_a_song_of_an_album_hidden_by_the_api(api, library, rows, tmp_path):
    other = library.add_song(library.add_album(rows["artist"], "Shown"), "Visible")
    randy = Randy(library.db, str(tmp_path / "server" / "data"))
    api("HideAlbum", albumid=rows["album"], hide=True)
    assert {randy.get_song() for _ in range(30)} == {other}


# -- thumbnails ---------------------------------------------------------------------------

@pytest.fixture
def video_app(app, library, rows, tmp_path):
    """A real two-second video in the music directory and a config naming the directories."""
    music, data = tmp_path / "music", tmp_path / "server" / "data"
    (music / "Thé Band").mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=5",
                    "-t", "2", "-pix_fmt", "yuv420p", str(music / "Thé Band" / "2001 - Clip.mp4")],
                   check=True, timeout=60)
    app.cfg = SimpleNamespace(directories=SimpleNamespace(music=str(music), data=str(data)),
                              videoframes=SimpleNamespace(scales=["50x27", "150x83"]))
    videoid = library.add_video(rows["artist"], "Clip", path="Thé Band/2001 - Clip.mp4",
                                playtime=2, framesdirectory="Thé Band/Clip")
    return app, videoid, data / "webdata" / "artwork" / "Thé Band" / "Clip"


def test_set_video_thumbnail_writes_the_frame_and_its_scales(api, library, video_app):
    _, videoid, frames = video_app
    assert api("SetVideoThumbnail", videoid=videoid, timestamp=1) is None
    assert sorted(os.listdir(frames)) == ["thumbnail (150×83).jpg", "thumbnail (50×27).jpg",
                                          "thumbnail.jpg"]
    assert library.db.get_video(videoid)["thumbnailfile"] == "thumbnail.jpg"
