"""Lyrics and album and video settings through the handler table (api-editing.md §3)."""

import pytest

from musicdb.lib.ws.errors import InvalidArguments, NotFound


@pytest.fixture
def rows(library):
    artist = library.add_artist()
    album = library.add_album(artist)
    return {"album": album, "song": library.add_song(album),
            "video": library.add_video(artist, playtime=180)}


def song(library, songid):
    return library.db.get_song(songid)


def test_set_song_lyrics_stores_text_and_state(api, library, rows):
    api("SetSongLyrics", songid=rows["song"], lyrics="Lä lä lä", lyricsstate=3)
    answer = api("GetSongLyrics", songid=rows["song"])
    assert (answer["lyrics"], answer["lyricsstate"]) == ("Lä lä lä", 3)


def test_new_lyrics_replace_the_old_ones(api, library, rows):
    library.add_lyrics(rows["song"], "old")
    api("SetSongLyrics", songid=rows["song"], lyrics="new", lyricsstate="2")
    assert library.db.rows("SELECT lyrics FROM lyrics") == [{"lyrics": "new"}]


@pytest.mark.parametrize("lyrics, state, stored", [
    (None, 3, (None, 0)), ("", 2, (None, 0)), ("words", 4, (None, 4)),
    (None, 4, (None, 4)), ("words", 0, (None, 0))])
def test_lyrics_state_rules(api, library, rows, lyrics, state, stored):
    library.add_lyrics(rows["song"], "old")
    api("SetSongLyrics", songid=rows["song"], lyrics=lyrics, lyricsstate=state)
    assert (library.db.get_lyrics(rows["song"]), song(library, rows["song"])["lyricsstate"]) == stored


def test_hide_album_removes_it_from_the_lists(api, library, rows):
    assert api("HideAlbum", albumid=rows["album"], hide=True) is None
    assert library.db.get_album(rows["album"])["hidden"] == 1
    assert api("GetAlbums", artistid=0, applyfilter=False) == []
    api("HideAlbum", albumid=rows["album"], hide=False)
    assert len(api("GetAlbums", artistid=0, applyfilter=False)) == 1


def test_album_origin_import_time_and_colors(api, library, rows):
    album = rows["album"]
    assert api("SetAlbumOrigin", albumid=album, origin="bandcamp") is None
    assert api("SetAlbumImportTime", albumid=album, importtime="1700000000") is None
    assert api("SetAlbumColor", albumid=album, colorname="hlcolor", color="#ABCDEF") is True
    stored = library.db.get_album(album)
    assert (stored["origin"], stored["added"], stored["hlcolor"]) == \
        ("bandcamp", 1700000000, "#ABCDEF")


def test_video_color_and_time_frame(api, library, rows):
    video = rows["video"]
    assert api("SetVideoColor", videoid=video, colorname="bgcolor", color="#000001") is True
    assert api("SetVideoTimeFrame", videoid=video, begin=10.7, end=170) is True
    stored = library.db.get_video(video)
    assert (stored["bgcolor"], stored["vbegin"], stored["vend"]) == ("#000001", 10, 170)


def test_time_frame_null_means_the_whole_video(api, library, rows):
    api("SetVideoTimeFrame", videoid=rows["video"], begin=None, end=None)
    stored = library.db.get_video(rows["video"])
    assert (stored["vbegin"], stored["vend"]) == (0, 180)


def snapshot(library):
    return {table: library.db.rows("SELECT * FROM " + table)
            for table in ("albums", "videos", "songs", "lyrics")}


@pytest.mark.parametrize("fncname, arguments, error", [
    ("SetSongLyrics", {"songid": 999, "lyrics": "x", "lyricsstate": 3}, NotFound),
    ("SetSongLyrics", {"songid": "song", "lyrics": "x", "lyricsstate": 5}, InvalidArguments),
    ("SetSongLyrics", {"songid": "song", "lyrics": "x", "lyricsstate": "three"}, InvalidArguments),
    ("SetSongLyrics", {"songid": "song", "lyrics": 12, "lyricsstate": 3}, InvalidArguments),
    ("HideAlbum", {"albumid": 999, "hide": True}, NotFound),
    ("HideAlbum", {"albumid": "album", "hide": "yes"}, InvalidArguments),
    ("HideAlbum", {"albumid": "1", "hide": True}, InvalidArguments),
    ("SetAlbumOrigin", {"albumid": "album", "origin": 5}, InvalidArguments),
    ("SetAlbumOrigin", {"albumid": 999, "origin": "CD"}, NotFound),
    ("SetAlbumImportTime", {"albumid": "album", "importtime": "yesterday"}, InvalidArguments),
    ("SetAlbumImportTime", {"albumid": "album", "importtime": -5}, InvalidArguments),
    ("SetAlbumColor", {"albumid": "album", "colorname": "bgcolor", "color": "#12345"}, InvalidArguments),
    ("SetAlbumColor", {"albumid": "album", "colorname": "bgcolor", "color": "#12345G"}, InvalidArguments),
    ("SetAlbumColor", {"albumid": "album", "colorname": "bgcolor", "color": None}, InvalidArguments),
    ("SetAlbumColor", {"albumid": "album", "colorname": "textcolor", "color": "#123456"}, InvalidArguments),
    ("SetAlbumColor", {"albumid": 999, "colorname": "bgcolor", "color": "#123456"}, NotFound),
    ("SetVideoColor", {"videoid": 999, "colorname": "bgcolor", "color": "#123456"}, NotFound),
    ("SetVideoColor", {"videoid": "video", "colorname": "fgcolor", "color": "white"}, InvalidArguments),
    ("SetVideoTimeFrame", {"videoid": "video", "begin": 100, "end": 50}, InvalidArguments),
    ("SetVideoTimeFrame", {"videoid": "video", "begin": -1, "end": 50}, InvalidArguments),
    ("SetVideoTimeFrame", {"videoid": "video", "begin": 0, "end": 181}, InvalidArguments),
    ("SetVideoTimeFrame", {"videoid": "video", "begin": "1.5", "end": 50}, InvalidArguments),
    ("SetVideoTimeFrame", {"videoid": 999, "begin": 0, "end": 50}, NotFound),
    ("SetVideoThumbnail", {"videoid": 999, "timestamp": 1}, NotFound),
    ("SetVideoThumbnail", {"videoid": "video", "timestamp": 500}, InvalidArguments),
    ("SetVideoThumbnail", {"videoid": "video", "timestamp": 5}, InvalidArguments),
    ("SetVideoThumbnail", {"videoid": "video", "timestamp": "5"}, InvalidArguments),
])
def test_bad_settings_are_refused_and_change_nothing(api, library, rows, fncname, arguments, error):
    arguments = {key: rows.get(value, value) if isinstance(value, str) else value
                 for key, value in arguments.items()}
    before = snapshot(library)
    with pytest.raises(error):
        api(fncname, **arguments)
    assert snapshot(library) == before
