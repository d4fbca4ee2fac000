"""Tag edits through the handler table (api-editing.md §2): answers, stored rows, refusals."""

import pytest

from musicdb.lib.ws.errors import InvalidArguments, NotFound


@pytest.fixture
def rows(library):
    """An artist with an album of two songs, a video, a genre, a sub-genre and a mood."""
    artist = library.add_artist()
    album = library.add_album(artist)
    ids = {"artist": artist, "album": album,
           "songs": [library.add_song(album, "Éins", 1), library.add_song(album, "Zwéi", 2)],
           "video": library.add_video(artist),
           "genre": library.add_tag("Rock", 1)}
    ids["subgenre"] = library.add_tag("Krautrock", 2, parentid=ids["genre"])
    ids["mood"] = library.add_tag("Happy", 3, icon="☺", icontype=1)
    return ids


def mapping(library, target, objectid, tagid):
    return library.db.get_tag_mapping(target, objectid, tagid)


def test_set_song_tag_stores_a_user_mapping_and_derives_the_album_genre(api, library, rows):
    song = rows["songs"][0]
    assert api("SetSongTag", songid=song, tagid=rows["genre"]) is None
    assert mapping(library, "song", song, rows["genre"])["approval"] == 1
    derived = mapping(library, "album", rows["album"], rows["genre"])
    assert (derived["approval"], derived["confidence"]) == (0, 0.5)
    assert api("GetSong", songid=song)["tags"]["genres"][0]["tagid"] == rows["genre"]


def test_a_guess_never_downgrades_a_user_set_song_tag(api, library, rows):
    song = rows["songs"][0]
    api("SetSongTag", songid=song, tagid=rows["mood"], approval=2, confidence=1.0)
    api("SetSongTag", songid=song, tagid=rows["mood"], approval=0, confidence=0.3)
    assert mapping(library, "song", song, rows["mood"])["approval"] == 2


def test_approval_counts_only_with_a_confidence(api, library, rows):
    song = rows["songs"][0]
    api("SetSongTag", songid=song, tagid=rows["genre"], approval=0)
    assert mapping(library, "song", song, rows["genre"])["approval"] == 1


def test_moods_are_not_derived_to_the_album(api, library, rows):
    api("SetSongTag", songid=rows["songs"][0], tagid=rows["mood"])
    assert mapping(library, "album", rows["album"], rows["mood"]) is None


def test_remove_song_tag_deletes_the_mapping(api, library, rows):
    song = rows["songs"][1]
    api("SetSongTag", songid=song, tagid=rows["subgenre"])
    api("RemoveSongTag", songid=song, tagid=rows["subgenre"])
    assert mapping(library, "song", song, rows["subgenre"]) is None


@pytest.mark.parametrize("target", ["album", "video"])
def test_set_and_remove_album_and_video_tags(api, library, rows, target):
    name = target.title()
    api(f"Set{name}Tag", **{f"{target}id": rows[target], "tagid": rows["genre"]})
    stored = mapping(library, target, rows[target], rows["genre"])
    assert (stored["approval"], stored["confidence"]) == (1, 1.0)
    api(f"Remove{name}Tag", **{f"{target}id": rows[target], "tagid": rows["genre"]})
    assert mapping(library, target, rows[target], rows["genre"]) is None


def test_set_album_tag_keeps_a_training_approval(api, library, rows):
    library.tag("album", rows["album"], rows["genre"], approval=2)
    api("SetAlbumTag", albumid=rows["album"], tagid=rows["genre"])
    assert mapping(library, "album", rows["album"], rows["genre"])["approval"] == 2


def test_add_genre_subgenre_and_mood(api, library, rows):
    api("AddGenre", name="Jäzz")
    api("AddGenre", name="Jäzz")
    api("AddSubgenre", name="Bebop", parentname="Jäzz")
    api("AddMoodFlag", name="Calm", icon="<b>c</b>", color="#A0B1C2", posx=1, posy=2)
    tags = api("GetTags")
    jazz = [tag for tag in tags["genres"] if tag["name"] == "Jäzz"]
    assert len(jazz) == 1
    assert [tag["parentid"] for tag in tags["subgenres"] if tag["name"] == "Bebop"] == [jazz[0]["id"]]
    calm = [tag for tag in tags["moods"] if tag["name"] == "Calm"][0]
    assert (calm["icontype"], calm["icon"], calm["color"], calm["posx"], calm["posy"]) == \
        (2, "<b>c</b>", "#A0B1C2", 1, 2)


def test_add_mood_treats_empty_icon_and_color_as_none(api, library):
    api("AddMoodFlag", name="Plain", icon="", color="", posx=None, posy=None)
    plain = library.db.find_tag("Plain", 3)
    assert (plain["icon"], plain["icontype"], plain["color"]) == (None, None, None)


def test_delete_tag_removes_sub_genres_and_every_mapping(api, library, rows):
    library.tag("song", rows["songs"][0], rows["subgenre"])
    library.tag("album", rows["album"], rows["genre"])
    library.tag("video", rows["video"], rows["genre"])
    api("DeleteTag", tagid=rows["genre"])
    assert library.db.get_tag(rows["subgenre"]) is None
    assert library.db.get_tag(rows["genre"]) is None
    assert library.db.value("SELECT count(*) FROM songtags") == 0
    assert library.db.value("SELECT count(*) FROM albumtags") == 0
    assert library.db.value("SELECT count(*) FROM videotags") == 0


@pytest.mark.parametrize("attribute, value, expected", [
    ("name", "Härd Rock", {"name": "Härd Rock"}),
    ("color", "#00ff00", {"color": "#00ff00"}),
    ("color", "", {"color": None}),
    ("posx", 3, {"posx": 3}),
    ("icontype", 2, {"icontype": 2}),
    ("icon", "<i>x</i>", {"icon": "<i>x</i>", "icontype": 2}),
    ("icon", "♪", {"icon": "♪", "icontype": 1}),
])
def test_modify_tag_writes_the_attribute(api, library, rows, attribute, value, expected):
    api("ModifyTag", tagid=rows["genre"], attribute=attribute, value=value)
    tag = library.db.get_tag(rows["genre"])
    assert {key: tag[key] for key in expected} == expected


def test_modify_tag_moves_a_sub_genre_to_another_genre(api, library, rows):
    pop = library.add_tag("Pop", 1)
    api("ModifyTag", tagid=rows["subgenre"], attribute="parentid", value=pop)
    assert library.db.get_tag(rows["subgenre"])["parentid"] == pop


# -- refusals: a clear error, nothing written ------------------------------------------


def unchanged(library):
    """A snapshot of every table an edit may touch."""
    return {table: library.db.rows("SELECT * FROM " + table)
            for table in ("tags", "songtags", "albumtags", "videotags")}


@pytest.mark.parametrize("fncname, arguments, error", [
    ("SetSongTag", {"songid": 999, "tagid": "genre"}, NotFound),
    ("SetSongTag", {"songid": "song", "tagid": 999}, NotFound),
    ("SetSongTag", {"songid": "song", "tagid": "genre", "approval": 3, "confidence": 1}, InvalidArguments),
    ("SetSongTag", {"songid": "song", "tagid": "genre", "approval": 0, "confidence": 1.5}, InvalidArguments),
    ("SetSongTag", {"songid": "song", "tagid": "genre", "approval": 0, "confidence": "x"}, InvalidArguments),
    ("SetSongTag", {"songid": "song", "tagid": "oddclass"}, InvalidArguments),
    ("SetSongTag", {"songid": True, "tagid": "genre"}, InvalidArguments),
    ("RemoveSongTag", {"songid": 999, "tagid": "genre"}, NotFound),
    ("SetAlbumTag", {"albumid": 999, "tagid": "genre"}, NotFound),
    ("SetAlbumTag", {"albumid": "album", "tagid": 999}, NotFound),
    ("RemoveAlbumTag", {"albumid": 999, "tagid": "genre"}, NotFound),
    ("SetVideoTag", {"videoid": 999, "tagid": "genre"}, NotFound),
    ("RemoveVideoTag", {"videoid": 999, "tagid": "genre"}, NotFound),
    ("AddGenre", {"name": 5}, InvalidArguments),
    ("AddGenre", {"name": "  "}, InvalidArguments),
    ("AddSubgenre", {"name": "Orphan", "parentname": "No Such Genre"}, NotFound),
    ("AddSubgenre", {"name": "Orphan", "parentname": "Happy"}, NotFound),
    ("AddMoodFlag", {"name": "Sad", "icon": "☹", "color": "#12345", "posx": 1, "posy": 1}, InvalidArguments),
    ("AddMoodFlag", {"name": "Sad", "icon": "☹", "color": "#GGGGGG", "posx": 1, "posy": 1}, InvalidArguments),
    ("AddMoodFlag", {"name": "Sad", "icon": 7, "color": None, "posx": 1, "posy": 1}, InvalidArguments),
    ("AddMoodFlag", {"name": "Sad", "icon": None, "color": None, "posx": "left", "posy": 1}, InvalidArguments),
    ("DeleteTag", {"tagid": 999}, NotFound),
    ("DeleteTag", {"tagid": "x"}, InvalidArguments),
    ("ModifyTag", {"tagid": 999, "attribute": "name", "value": "X"}, NotFound),
    ("ModifyTag", {"tagid": "genre", "attribute": "class", "value": 2}, InvalidArguments),
    ("ModifyTag", {"tagid": "genre", "attribute": "color", "value": "red"}, InvalidArguments),
    ("ModifyTag", {"tagid": "genre", "attribute": "icontype", "value": 3}, InvalidArguments),
    ("ModifyTag", {"tagid": "genre", "attribute": "name", "value": "Pop"}, InvalidArguments),
    ("ModifyTag", {"tagid": "genre", "attribute": "name", "value": ""}, InvalidArguments),
    ("ModifyTag", {"tagid": "genre", "attribute": "parentid", "value": "pop"}, InvalidArguments),
    ("ModifyTag", {"tagid": "subgenre", "attribute": "parentid", "value": "mood"}, InvalidArguments),
    ("ModifyTag", {"tagid": "subgenre", "attribute": "parentid", "value": 999}, NotFound),
    ("ModifyTag", {"tagid": "genre", "attribute": "posy", "value": 1.5}, InvalidArguments),
])
def test_bad_tag_edits_are_refused_and_change_nothing(api, library, rows, fncname, arguments, error):
    rows = dict(rows, song=rows["songs"][0], oddclass=library.add_tag("Odd", 7),
                pop=library.add_tag("Pop", 1))
    arguments = {key: rows.get(value, value) if isinstance(value, str) else value
                 for key, value in arguments.items()}
    before = unchanged(library)
    with pytest.raises(error):
        api(fncname, **arguments)
    assert unchanged(library) == before
