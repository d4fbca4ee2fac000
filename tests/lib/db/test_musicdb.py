"""MusicDatabase read methods: tag sets, lists and counts (api-library.md §1)."""

from musicdb.lib.db.musicdb import MusicDatabase


def test_song_tag_set_lists_assignments_by_class_in_mapping_order(library):
    artist = library.add_artist()
    song = library.add_song(library.add_album(artist))
    rock = library.add_tag("Rock", 1, posx=1)
    punk = library.add_tag("Punk", 2, parentid=rock)
    happy = library.add_tag("Happy", 3, icontype=1, icon="☺", color="#E0C040", posx=0, posy=0)
    library.tag("song", song, happy)
    first = library.tag("song", song, punk, confidence=0.5, approval=0)
    library.tag("song", song, rock)

    tags = library.db.get_song_tags(song)

    assert list(tags) == ["songid", "genres", "subgenres", "moods"]
    assert tags["songid"] == song
    assert [t["name"] for t in tags["genres"]] == ["Rock"]
    assert tags["subgenres"][0] == {
        "entryid": first, "songid": song, "tagid": punk, "confidence": 0.5, "approval": 0,
        "id": punk, "name": "Punk", "class": 2, "parentid": rock, "icontype": None,
        "icon": None, "color": None, "posx": None, "posy": None}
    assert list(tags["subgenres"][0]) == ["entryid", "songid", "tagid", "confidence", "approval",
                                          "id", "name", "class", "parentid", "icontype", "icon",
                                          "color", "posx", "posy"]
    assert tags["moods"][0]["icon"] == "☺" and tags["moods"][0]["icontype"] == 1


def test_tag_set_echoes_a_string_id_and_skips_deleted_and_invalid_tags(library):
    """MusicDB 8 failed on a tag of an unknown class; we skip the assignment."""
    album = library.add_album(library.add_artist())
    gone = library.add_tag("Gone", 1)
    odd = library.add_tag("Odd", 7)
    library.tag("album", album, gone)
    library.tag("album", album, odd)
    library.tag("album", album, 1)
    library.db.execute("DELETE FROM tags WHERE tagid = ?", (gone,))

    tags = library.db.get_album_tags(str(album))

    assert tags["albumid"] == str(album)
    assert [t["name"] for t in tags["genres"]] == ["Other"]
    assert tags["subgenres"] == [] and tags["moods"] == []


def test_untagged_or_unknown_object_has_three_empty_lists(library):
    assert library.db.get_video_tags(999) == {"videoid": 999, "genres": [], "subgenres": [],
                                              "moods": []}


def test_tag_usage_counts_assignments_of_every_approval_and_children(library):
    album = library.add_album(library.add_artist())
    song = library.add_song(album)
    rock = library.add_tag("Rock")
    library.add_tag("Punk", 2, parentid=rock)
    library.add_tag("Grunge", 2, parentid=rock)
    library.tag("song", song, rock, approval=0, confidence=0.2)
    library.tag("album", album, rock)

    usage = library.db.get_tag_usage()

    assert usage[rock] == {"songs": 1, "albums": 1, "videos": 0, "children": 2}
    assert 1 not in usage


def test_entries_by_ids_skip_missing_rows(library):
    artist = library.add_artist()
    assert set(library.db.get_entries("artists", [artist, 4711])) == {artist}


def test_lyrics_are_none_without_a_row(library):
    song = library.add_song(library.add_album(library.add_artist()))
    assert library.db.get_lyrics(song) is None
    library.add_lyrics(song, ":: ref\nOn the road\n::")
    assert library.db.get_lyrics(song) == ":: ref\nOn the road\n::"


def test_reads_see_a_database_reopened_from_disk(library):
    artist = library.add_artist("Zebra")
    other = MusicDatabase(library.db.path)
    assert [a["name"] for a in other.get_artists()] == ["Zebra"]
    assert other.get_albums(artist) == []
    other.close()
