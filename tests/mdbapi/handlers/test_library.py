"""The library read functions: keys, values and orders of api-library.md §4."""

import pytest

from musicdb.lib.ws.errors import InvalidArguments, NotFound
from musicdb.mdbapi import handlers

ALBUM_KEYS = ["id", "artistid", "name", "path", "numofsongs", "numofcds", "origin", "release",
              "artworkpath", "bgcolor", "fgcolor", "hlcolor", "added", "hidden"]
SONG_KEYS = ["id", "albumid", "artistid", "name", "path", "number", "cd", "disabled", "playtime",
             "bitrate", "likes", "dislikes", "favorite", "lyricsstate", "checksum", "lastplayed",
             "liverecording", "badaudio"]


def names(entries, key=None):
    return [(entry[key] if key else entry)["name"] for entry in entries]


def test_artists_come_in_lowercase_name_order_including_artists_without_albums(library, api):
    for name in ("ärzte", "Zebra", "another band", "Another Band"):
        library.add_artist(name)
    artists = api("GetArtists")
    assert names(artists) == ["another band", "Another Band", "Zebra", "ärzte"]
    assert list(artists[0]) == ["id", "name", "path"]


def test_artists_with_albums_keep_empty_artists_and_hide_hidden_albums(library, api):
    band = library.add_artist("Band")
    library.add_artist("Lonely")
    library.add_album(band, "Late", release=2010)
    library.add_album(band, "Hidden", release=2000, hidden=1)
    library.add_album(band, "Broken Year", release=None)
    library.add_album(band, "Early", release=1999)
    library.add_album(band, "Also Late", release=2010)

    result = api("GetArtistsWithAlbums")

    assert [entry["artist"]["name"] for entry in result] == ["Band", "Lonely"]
    assert names(result[0]["albums"], "album") == ["Broken Year", "Early", "Also Late", "Late"]
    assert result[1]["albums"] == []
    first = result[0]["albums"][0]
    assert list(first) == ["album", "tags"] and list(first["album"]) == ALBUM_KEYS
    assert first["tags"]["albumid"] == first["album"]["id"]


def test_filtered_artists_without_a_selected_genre_list_every_visible_album(library, api):
    band = library.add_artist("Band")
    library.add_artist("Lonely")
    library.add_album(band, "Shown")
    library.add_album(band, "Hidden", hidden=1)
    result = api("GetFilteredArtistsWithAlbums")
    assert [entry["artist"]["name"] for entry in result] == ["Band"]
    assert names(result[0]["albums"], "album") == ["Shown"]


@pytest.fixture
def genres(library):
    """The example of api-library.md §2.2: Rock (Punk, Grunge), Metal (Doom)."""
    rock = library.add_tag("Rock", posx=1)
    metal = library.add_tag("Metal", posx=2)
    return {"Rock": rock, "Metal": metal,
            "Punk": library.add_tag("Punk", 2, parentid=rock),
            "Grunge": library.add_tag("Grunge", 2, parentid=rock),
            "Doom": library.add_tag("Doom", 2, parentid=metal)}


def test_genre_filter_passes_albums_as_the_spec_example(library, api, app, genres):
    band = library.add_artist("Band")
    examples = {"Rock+Grunge": ["Rock", "Grunge"], "Rock+Punk": ["Rock", "Punk"],
                "Rock only": ["Rock"], "Rock+Doom": ["Rock", "Doom"], "Metal only": ["Metal"],
                "Untagged": []}
    for name, tags in examples.items():
        album = library.add_album(band, name)
        for tag in tags:
            library.tag("album", album, genres[tag], approval=0, confidence=0.3)
    library.add_album(band, "Hidden Rock", hidden=1)
    app.mdbstate.set("GenreFilter", "Rock", True)
    app.mdbstate.set("SubgenreFilter:Rock", "Punk", False)

    result = api("GetFilteredArtistsWithAlbums")

    assert names(result[0]["albums"], "album") == ["Rock only", "Rock+Grunge"]  # same year
    assert names(api("GetAlbums", artistid=band, applyfilter=True), "album") == \
        ["Rock only", "Rock+Grunge"]
    assert len(api("GetAlbums", artistid=band, applyfilter=False)) == 6


def test_filtered_artists_omit_artists_whose_albums_are_all_filtered_out(library, api, app,
                                                                          genres):
    rockers, metalheads = library.add_artist("Rockers"), library.add_artist("Metalheads")
    library.tag("album", library.add_album(rockers, "R"), genres["Rock"])
    library.tag("album", library.add_album(metalheads, "M"), genres["Metal"])
    app.mdbstate.set("GenreFilter", "Metal", True)
    assert [entry["artist"]["name"] for entry in api("GetFilteredArtistsWithAlbums")] == \
        ["Metalheads"]


def test_albums_of_one_year_come_by_name_whatever_the_import_order(library, app, api):
    """Issue 17: ties of the release year are broken by name, then ID, in every album list."""
    first, second = library.add_artist("First"), library.add_artist("Second")
    names_of_2001 = ["bravo", "Alpha", "Charlie", "Alpha"]
    for name in names_of_2001:
        library.add_album(first, name, release=2001)
    for name in reversed(names_of_2001):
        library.add_album(second, name, release=2001)
    library.add_album(second, "Zulu", release=2000)
    app.mise.UpdateCache()
    expected = {first: ["Alpha", "Alpha", "bravo", "Charlie"],
                second: ["Zulu", "Alpha", "Alpha", "bravo", "Charlie"]}
    for fncname in ("GetArtistsWithAlbums", "GetFilteredArtistsWithAlbums"):
        for entry in api(fncname):
            albums = entry["albums"]
            assert names(albums, "album") == expected[entry["artist"]["id"]]
            twins = [album["album"]["id"] for album in albums if album["album"]["name"] == "Alpha"]
            assert twins == sorted(twins)  # equal names: ID order
    for artistid in expected:
        assert names(api("GetAlbums", artistid=artistid, applyfilter=True), "album") == \
            expected[artistid]
    for hit in api("Find", searchstring="First", limit=5)["artists"] + \
            api("Find", searchstring="Second", limit=5)["artists"]:
        assert names(hit["albums"]) == expected[hit["artist"]["id"]]


def test_get_albums_with_a_falsy_artist_lists_all_artists_albums(library, api):
    """MusicDB 8 quirk kept: a falsy artistid removes the artist condition."""
    one, two = library.add_artist("One"), library.add_artist("Two")
    library.add_album(one, "A", release=2002)
    library.add_album(two, "B", release=2001)
    for falsy in (0, "", None, False):
        assert names(api("GetAlbums", artistid=falsy, applyfilter=False), "album") == ["B", "A"]
    assert names(api("GetAlbums", artistid=str(one), applyfilter=0), "album") == ["A"]
    assert api("GetAlbums", artistid="0", applyfilter=False) == []
    assert api("GetAlbums", artistid=4711, applyfilter=False) == []


def test_get_albums_rejects_a_non_numeric_artist_and_a_missing_applyfilter(library, api):
    with pytest.raises(InvalidArguments):
        api("GetAlbums", artistid="abc", applyfilter=False)
    with pytest.raises(InvalidArguments):
        api("GetAlbums", artistid=1)


def test_hidden_albums_are_sorted_by_path(library, api):
    band, abba = library.add_artist("Band"), library.add_artist("Abba")
    library.add_album(band, "Zed", release=1990, hidden=1)
    library.add_album(abba, "Late", release=2000, hidden=1)
    library.add_album(abba, "Early", release=1980, hidden=1)
    library.add_album(abba, "Shown")
    result = api("GetHiddenAlbums")
    assert names(result, "album") == ["Early", "Late", "Zed"]
    assert result[0]["tags"]["genres"] == []


def test_get_album_returns_artist_album_tags_and_songs_per_cd(library, api):
    band = library.add_artist("Band")
    album = library.add_album(band, "Roads", hidden=1)
    second = library.add_song(album, "B", number=2)
    first = library.add_song(album, "A", number=1)
    library.tag("album", album, 1)

    result = api("GetAlbum", albumid=str(album))

    assert list(result) == ["artist", "album", "tags", "cds"]
    assert result["artist"] == {"id": band, "name": "Band", "path": "Band"}
    assert result["album"]["numofsongs"] == 2 and result["album"]["hidden"] == 1
    assert names(result["tags"]["genres"]) == ["Other"]
    assert [[entry["song"]["id"] for entry in cd] for cd in result["cds"]] == [[first, second]]
    assert list(result["cds"][0][0]["song"]) == SONG_KEYS
    assert result["cds"][0][0]["tags"] == {"songid": first, "genres": [], "subgenres": [],
                                           "moods": []}


def test_get_album_of_an_unknown_id_is_not_found(library, api):
    with pytest.raises(NotFound):
        api("GetAlbum", albumid=4711)
    with pytest.raises(InvalidArguments):
        api("GetAlbum", albumid=0)


def test_cds_hold_only_songs_within_numofcds_sorted_by_number(library, api, app):
    album = library.add_album(library.add_artist())
    library.add_song(album, "1-2", number=2, cd=1)
    library.add_song(album, "1-1", number=1, cd=1)
    library.add_song(album, "3-1", number=1, cd=3)
    library.add_song(album, "no cd", number=1, cd=None)
    library.db.update_album(album, numofcds=2)

    cds = api("GetSortedAlbumCDs", albumid=album)

    assert [names(cd, "song") for cd in cds] == [["1-1", "1-2"], []]


def test_an_album_without_cd_count_lists_songs_by_name(library, api):
    album = library.add_album(library.add_artist())
    for name, number in (("b", 1), ("B", 2), ("a", 3)):
        library.add_song(album, name, number=number)
    library.db.update_album(album, numofcds=0)
    assert [names(cd, "song") for cd in api("GetSortedAlbumCDs", albumid=album)] == \
        [["B", "a", "b"]]
    assert api("GetSortedAlbumCDs", albumid=4711) == []


def test_get_song_returns_song_artist_album_and_tags(library, api):
    album = library.add_album(library.add_artist())
    song = library.add_song(album, "Road")
    result = api("GetSong", songid=song)
    assert list(result) == ["song", "artist", "album", "tags"]
    assert result["song"]["name"] == "Road" and result["album"]["id"] == album
    library.db.execute("DELETE FROM artists")
    assert api("GetSong", songid=str(song))["artist"] is None
    with pytest.raises(NotFound):
        api("GetSong", songid=song + 1)
    for bad in (None, 1.5, True, "x", [1]):
        with pytest.raises(InvalidArguments):
            api("GetSong", songid=bad)


def test_videos_of_an_artist_come_by_release_with_tags(library, api):
    band = library.add_artist()
    library.add_video(band, "Late", release=2010)
    library.add_video(band, "Null", release=None)
    library.add_video(band, "Early", release=2000)
    result = api("GetVideos", artistid=band, applyfilter=True)
    assert names(result, "video") == ["Null", "Early", "Late"]
    assert result[0]["tags"]["videoid"] == result[0]["video"]["id"]
    assert api("GetVideos", artistid=4711) == []
    for bad in (0, "0", None, "abc"):
        with pytest.raises(InvalidArguments):
            api("GetVideos", artistid=bad)


def test_get_video_links_album_and_song_only_when_set(library, api):
    band = library.add_artist()
    album = library.add_album(band)
    song = library.add_song(album)
    plain = library.add_video(band, "Plain", albumid=0)
    linked = library.add_video(band, "Linked", albumid=album, songid=song)

    result = api("GetVideo", videoid=plain)
    assert list(result) == ["artist", "album", "song", "video", "tags"]
    assert result["album"] is None and result["song"] is None
    assert result["video"]["vbegin"] == 0 and result["video"]["codec"] == "h264"
    linked_result = api("GetVideo", videoid=linked)
    assert linked_result["album"]["id"] == album and linked_result["song"]["id"] == song
    with pytest.raises(NotFound):
        api("GetVideo", videoid=4711)


def test_video_filter_with_no_genre_selected_passes_only_untagged_videos(library, api, app,
                                                                         genres):
    band, other = library.add_artist("Band"), library.add_artist("Other Band")
    library.add_video(band, "Untagged")
    library.tag("video", library.add_video(band, "Rock video"), genres["Rock"])
    library.tag("video", library.add_video(other, "Metal video"), genres["Metal"])

    def shown():
        return {entry["artist"]["name"]: names(entry["videos"], "video")
                for entry in api("GetFilteredArtistsWithVideos")}

    assert shown() == {"Band": ["Untagged"]}
    app.mdbstate.set("GenreFilter", "Rock", True)
    assert shown() == {"Band": ["Untagged", "Rock video"]}


def test_get_tags_splits_classes_in_tag_id_order(library, api, genres):
    library.add_tag("Happy", 3, icontype=1, icon="☺", color="#E0C040", posx=0, posy=0)
    library.add_tag("Weird", 9)
    result = api("GetTags")
    assert list(result) == ["genres", "subgenres", "moods"]
    assert names(result["genres"]) == ["Other", "Rock", "Metal"]
    assert names(result["subgenres"]) == ["Punk", "Grunge", "Doom"]
    assert result["moods"][0]["icontype"] == 1
    assert result["genres"][0] == {"id": 1, "name": "Other", "class": 1, "parentid": None,
                                   "icontype": None, "icon": None, "color": None, "posx": 0,
                                   "posy": None}


def test_tags_statistics_are_keyed_by_string_tag_id(library, api, genres):
    album = library.add_album(library.add_artist())
    library.tag("album", album, genres["Rock"])
    library.tag("song", library.add_song(album), genres["Rock"], approval=0)
    result = api("GetTagsStatistics")
    assert list(result) == ["1", str(genres["Rock"]), str(genres["Metal"]), str(genres["Punk"]),
                            str(genres["Grunge"]), str(genres["Doom"])]
    assert result[str(genres["Rock"])] == {"tag": api("GetTags")["genres"][1], "songs": 1,
                                           "albums": 1, "videos": 0, "children": 2}
    assert result["1"]["albums"] == 0


def test_tag_set_functions_echo_the_id_as_sent(library, api):
    song = library.add_song(library.add_album(library.add_artist()))
    assert api("GetSongTags", songid=str(song))["songid"] == str(song)
    assert api("GetSongTags", songid=song)["songid"] == song
    assert api("GetAlbumTags", albumid=4711) == {"albumid": 4711, "genres": [], "subgenres": [],
                                                 "moods": []}
    assert api("GetVideoTags", videoid="3")["videoid"] == "3"
    for bad in (None, 0):
        with pytest.raises(InvalidArguments):
            api("GetSongTags", songid=bad)


def test_get_tables_returns_the_named_tables_only(library, api):
    band = library.add_artist("Band")
    library.add_album(band, hidden=1)
    result = api("GetTables", tables=["artists", "albums", "lyrics"])
    assert list(result) == ["albums", "artists"]
    assert result["artists"] == [{"id": band, "name": "Band", "path": "Band"}]
    assert len(result["albums"]) == 1
    assert list(api("GetTables", tables="songs,tags")) == ["songs", "tags"]
    assert api("GetTables", tables=[]) == {}
    with pytest.raises(InvalidArguments):
        api("GetTables", tables=None)


def test_song_lyrics_come_with_song_album_artist_and_state(library, api):
    album = library.add_album(library.add_artist())
    song = library.add_song(album, lyricsstate=3)
    library.add_lyrics(song, ":: ref\nOn the road again\n::\n<<(twice)>>")
    result = api("GetSongLyrics", songid=str(song))
    assert list(result) == ["songid", "song", "album", "artist", "lyrics", "lyricsstate"]
    assert result["songid"] == str(song) and result["lyricsstate"] == 3
    assert result["lyrics"].startswith(":: ref\n")
    assert api("GetSongLyrics", songid=library.add_song(album, "Quiet", number=2))["lyrics"] \
        is None
    with pytest.raises(NotFound):
        api("GetSongLyrics", songid=4711)


def test_functions_without_arguments_ignore_whatever_arguments_hold(library, api, app):
    """protocol.md §2.1: the WebUI sends null or {}, other clients may send anything."""
    library.add_artist("Band")
    for arguments in (None, {}, [], "x", {"artistid": 5}):
        assert names(handlers.call("GetArtists", arguments, app)) == ["Band"]
        assert list(handlers.call("GetTags", arguments, app)) == ["genres", "subgenres", "moods"]


def test_getters_echo_a_string_id_in_the_tag_set_as_sent(library, api):
    """api-library.md §0: an echoed ID keeps the caller's type (MusicDB 8 passed it through)."""
    band = library.add_artist()
    album = library.add_album(band)
    song = library.add_song(album)
    video = library.add_video(band)
    result = api("GetAlbum", albumid=str(album))
    assert result["tags"]["albumid"] == str(album) and result["album"]["id"] == album
    assert result["cds"][0][0]["tags"]["songid"] == song
    assert api("GetSong", songid=f"{song}")["tags"]["songid"] == str(song)
    assert api("GetVideo", videoid=f"{video}")["tags"]["videoid"] == str(video)
    assert api("GetAlbum", albumid=album)["tags"]["albumid"] == album


@pytest.mark.parametrize("fncname, target", [("GetAlbum", "album"), ("GetAlbumTags", "album"),
                                             ("GetSong", "song"), ("GetSongTags", "song"),
                                             ("GetVideo", "video"), ("GetVideoTags", "video")])
def test_a_string_id_is_echoed_only_in_the_tag_sets_first_key(library, api, fncname, target):
    """api-library.md §1.6 (issue 17): the assignments carry the stored integer ID."""
    band = library.add_artist()
    ids = {"album": library.add_album(band), "video": library.add_video(band)}
    ids["song"] = library.add_song(ids["album"])
    rock, mood = library.add_tag("Rock"), library.add_tag("Calm", tagclass=3)
    for tagid in (rock, mood):
        library.tag(target, ids[target], tagid)
    result = api(fncname, **{target + "id": str(ids[target])})
    tags = result if fncname.endswith("Tags") else result["tags"]
    assert tags[target + "id"] == str(ids[target])
    assignments = tags["genres"] + tags["moods"]
    assert len(assignments) == 2
    assert all(type(entry[target + "id"]) is int and entry[target + "id"] == ids[target]
               for entry in assignments)


def test_the_string_zero_finds_nothing_where_the_integer_zero_is_refused(library, api):
    """api-library.md §0: "0" is an ID that does not exist, 0 an invalid argument."""
    assert api("GetSongTags", songid="0") == {"songid": "0", "genres": [], "subgenres": [],
                                              "moods": []}
    assert api("GetSortedAlbumCDs", albumid="0") == []
    for fncname, key in (("GetAlbum", "albumid"), ("GetSong", "songid"),
                         ("GetSongLyrics", "songid")):
        with pytest.raises(NotFound):
            api(fncname, **{key: "0"})
        with pytest.raises(InvalidArguments):
            api(fncname, **{key: 0})


def test_a_bogus_disc_number_does_not_make_millions_of_cd_lists(library, api):
    """numofcds is the highest disc number in the tags; a date there (20190101) made
    MusicDB 8 build one list per number until memory ran out."""
    album = library.add_album(library.add_artist())
    library.add_song(album, "First", number=1, cd=1)
    library.add_song(album, "Bogus", number=2, cd=10 ** 6)
    assert library.db.get_album(album)["numofcds"] == 10 ** 6
    cds = api("GetAlbum", albumid=album)["cds"]
    assert len(cds) == 1000
    assert [[entry["song"]["name"] for entry in cd] for cd in cds if cd] == [["First"]]
