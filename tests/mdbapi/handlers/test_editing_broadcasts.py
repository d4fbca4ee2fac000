"""Tag, lyrics and settings edits over real WebSockets: two clients on the real server, the
second one sees every change as the spec's forced broadcast (protocol.md §2.4)."""

import pytest


@pytest.fixture
def setup(library, library_server, connect):
    """A library (album of two songs, a video, a genre, a mood) served to clients A and B."""
    artist = library.add_artist("Some Bänd")
    album = library.add_album(artist, "Röads")
    ids = {"album": album, "song": library.add_song(album, "Öne", 1),
           "other": library.add_song(album, "Two", 2), "video": library.add_video(artist),
           "genre": library.add_tag("Rock", 1), "mood": library.add_tag("Happy", 3)}
    server = library_server()
    return ids, connect(server), connect(server)


def broadcast(client, fncname):
    return client.wait_for(lambda p: p.get("method") == "broadcast" and p["fncname"] == fncname)


def test_song_tags_reach_the_other_client_as_get_song(setup, library):
    ids, a, b = setup
    a.send("request", "SetSongTag", {"songid": ids["song"], "tagid": ids["genre"]},
           fncsig="UpdateTags", passthrough={"x": 1})
    seen = broadcast(b, "GetSong")
    assert (seen["fncsig"], seen["pass"]) == ("UpdateTags", {"x": 1})
    assert [tag["id"] for tag in seen["arguments"]["tags"]["genres"]] == [ids["genre"]]
    assert broadcast(a, "GetSong")["arguments"]["song"]["id"] == ids["song"]
    a.send("call", "RemoveSongTag", {"songid": ids["song"], "tagid": ids["genre"]})
    seen = broadcast(b, "GetSong")
    assert seen["fncsig"] is None and seen["arguments"]["tags"]["genres"] == []
    assert library.db.get_tag_mapping("album", ids["album"], ids["genre"])["approval"] == 0


@pytest.mark.parametrize("target, getter", [("album", "GetAlbum"), ("video", "GetVideo")])
def test_album_and_video_tags_reach_the_other_client(setup, target, getter):
    ids, a, b = setup
    name = target.title()
    a.send("call", f"Set{name}Tag", {f"{target}id": ids[target], "tagid": ids["mood"]})
    assert broadcast(b, getter)["arguments"]["tags"]["moods"][0]["id"] == ids["mood"]
    a.send("call", f"Remove{name}Tag", {f"{target}id": ids[target], "tagid": ids["mood"]})
    assert broadcast(b, getter)["arguments"]["tags"]["moods"] == []


def test_tag_definitions_reach_the_other_client_as_get_tags(setup):
    ids, a, b = setup
    sent = [("AddGenre", {"name": "Jazz"}), ("AddSubgenre", {"name": "Bebop", "parentname": "Jazz"}),
            ("AddMoodFlag", {"name": "Calm", "icon": "☾", "color": "#102030", "posx": 0, "posy": 1}),
            ("ModifyTag", {"tagid": ids["mood"], "attribute": "color", "value": "#FFEE00"}),
            ("DeleteTag", {"tagid": ids["genre"]})]
    for fncname, arguments in sent:
        a.send("request", fncname, arguments, fncsig="GenreSettings",
               passthrough={"origin": "GenreSettings"})
        seen = broadcast(b, "GetTags")
        assert seen["pass"] == {"origin": "GenreSettings"}
    tags = seen["arguments"]
    assert [tag["name"] for tag in tags["genres"]] == ["Other", "Jazz"]
    assert [tag["name"] for tag in tags["subgenres"]] == ["Bebop"]
    assert {tag["name"]: tag["color"] for tag in tags["moods"]} == {"Happy": "#FFEE00",
                                                                    "Calm": "#102030"}


def test_lyrics_reach_the_other_client_and_are_stored(setup, library):
    ids, a, b = setup
    a.send("call", "SetSongLyrics", {"songid": ids["song"], "lyrics": "Lä", "lyricsstate": 3})
    assert broadcast(b, "GetSong")["arguments"]["song"]["lyricsstate"] == 3
    assert b.request("GetSongLyrics", {"songid": ids["song"]})["lyrics"] == "Lä"


def test_hide_album_sent_as_broadcast_reaches_everyone(setup, library):
    ids, a, b = setup
    a.send("broadcast", "HideAlbum", {"albumid": ids["album"], "hide": True},
           fncsig="UpdateArtists")
    seen = broadcast(b, "HideAlbum")
    assert (seen["fncsig"], seen["arguments"]) == ("UpdateArtists", None)
    assert b.request("GetFilteredArtistsWithAlbums") == []
    assert library.db.get_album(ids["album"])["hidden"] == 1


def test_settings_are_answered_and_stored(setup, library):
    ids, a, _ = setup
    album, video = ids["album"], ids["video"]
    assert a.request("SetAlbumOrigin", {"albumid": album, "origin": "bandcamp"}) is None
    assert a.request("SetAlbumImportTime", {"albumid": album, "importtime": 1234}) is None
    assert a.request("SetAlbumColor", {"albumid": album, "colorname": "bgcolor",
                                       "color": "#010203"}) is True
    assert a.request("SetVideoColor", {"videoid": video, "colorname": "fgcolor",
                                       "color": "#040506"}) is True
    assert a.request("SetVideoTimeFrame", {"videoid": video, "begin": 5, "end": 60}) is True
    stored, clip = library.db.get_album(album), library.db.get_video(video)
    assert (stored["origin"], stored["added"], stored["bgcolor"]) == ("bandcamp", 1234, "#010203")
    assert (clip["fgcolor"], clip["vbegin"], clip["vend"]) == ("#040506", 5, 60)


def test_a_refused_edit_is_an_error_for_the_sender_only(setup, library):
    ids, a, b = setup
    a.send("call", "SetSongTag", {"songid": ids["song"], "tagid": 999})
    assert a.error()["arguments"]["code"] == "NotFound"
    a.send("call", "SetAlbumColor", {"albumid": ids["album"], "colorname": "bgcolor",
                                     "color": "#12"})
    assert a.error()["arguments"]["code"] == "InvalidArguments"
    b.send("request", "Bounce", {"x": 1}, fncsig="probe")
    before = []
    b.wait_for(lambda p: p.get("fncsig") == "probe" or before.append(p))
    assert [p for p in before if p["method"] != "notification" or p["fncname"] == "MusicDB:Error"] == []
    assert library.db.get_album(ids["album"])["bgcolor"] == "#101010"
