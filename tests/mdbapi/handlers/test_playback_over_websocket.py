"""Queues, video stream, statistics and Randy settings end to end: the real server over WebSocket."""

import os

import pytest

from musicdb.lib.db.trackerdb import TrackerDatabase


def notified(client, fncname, fncsig, timeout=None):
    """The next notification ``fncname``/``fncsig`` (other packets are skipped)."""
    return client.wait_for(lambda p: p["method"] == "notification" and p["fncname"] == fncname
                           and p["fncsig"] == fncsig, timeout)


def queue_changed(client):
    return notified(client, "MusicDB:SongQueue", "onSongQueueChanged")


def next_queue_event(client):
    """The next packet of MusicDB:SongQueue (to check that nothing came before it)."""
    packet = client.wait_for(lambda p: p["fncname"] == "MusicDB:SongQueue")
    return packet["fncsig"]


@pytest.fixture
def playback_server(library_server, connect):
    """``start(extra="")`` runs the server on ``library`` with ``[debug] disableicecast`` (so the
    audio loop never consumes the queue under test); ``start.connect(server)`` opens a client."""
    def start(extra=""):
        return library_server("[debug]\ndisableicecast = True\n" + extra)

    start.connect = connect
    return start


@pytest.fixture
def server(playback_server, songs):
    return playback_server()


@pytest.fixture
def client(playback_server, server):
    return playback_server.connect(server)


def queued_songs(client):
    return [(entry["song"]["id"], entry["israndom"]) for entry in client.request("GetSongQueue")]


def test_added_song_is_announced_and_listed_with_its_album_and_artist(client, library, songs):
    client.send("call", "AddSongToQueue", {"songid": songs[4], "position": "last"})
    queue_changed(client)
    [entry] = client.request("GetSongQueue")
    song = library.db.get_song(songs[4])
    assert isinstance(entry["entryid"], str) and int(entry["entryid"]) > 0
    assert entry["israndom"] is False
    assert entry["song"] == song
    assert entry["album"] == library.db.get_album(song["albumid"])
    assert entry["artist"] == library.db.get_artist(song["artistid"])


def test_a_song_id_sent_as_string_is_refused_without_change(client, songs):
    client.send("request", "AddSongToQueue", {"songid": str(songs[0]), "position": "last"})
    assert client.error()["arguments"]["code"] == "InvalidArguments"
    assert client.request("GetSongQueue") == []


def test_move_and_remove_are_announced_once_each(client, songs):
    for songid in songs[:4]:
        client.send("call", "AddSongToQueue", {"songid": songid, "position": "last"})
        queue_changed(client)
    ids = [entry["entryid"] for entry in client.request("GetSongQueue")]
    client.send("call", "MoveSongInQueue", {"entryid": ids[1], "afterid": ids[3]})
    assert next_queue_event(client) == "onSongQueueChanged"
    assert [e["entryid"] for e in client.request("GetSongQueue")] == [ids[0], ids[2], ids[3], ids[1]]
    client.send("call", "RemoveSongFromQueue", {"entryid": ids[2]})
    assert next_queue_event(client) == "onSongQueueChanged"
    assert [e["entryid"] for e in client.request("GetSongQueue")] == [ids[0], ids[3], ids[1]]


def test_album_is_queued_in_order_without_disabled_and_hated_songs(client, library):
    album = library.add_album(library.add_artist("Album Artist"), "Two CDs", numofcds=2)
    second = library.add_song(album, "b", number=2, cd=1)
    first = library.add_song(album, "a", number=1, cd=1)
    library.add_song(album, "off", number=3, cd=1, disabled=1)
    library.add_song(album, "hated", number=4, cd=1, favorite=-1)
    other_cd = library.add_song(album, "c", number=1, cd=2)
    client.send("call", "AddAlbumToQueue", {"albumid": album, "position": "last"})
    queue_changed(client)
    assert queued_songs(client) == [(first, False), (second, False), (other_cd, False)]
    client.send("call", "AddAlbumToQueue", {"albumid": album, "position": "next", "cd": 1})
    queue_changed(client)
    assert [song for song, _ in queued_songs(client)] == [first, other_cd, second, other_cd]


def queue_events_until_marker(client):
    """The MusicDB:SongQueue notifications before the broadcast with fncsig "marker", and it."""
    seen = []
    while True:
        packet = client.wait_for(lambda p: p["fncname"] == "MusicDB:SongQueue"
                                 or p.get("fncsig") == "marker")
        if packet.get("fncsig") == "marker":
            return seen, packet
        seen.append(packet["fncsig"])


def test_an_album_is_one_change_that_every_client_hears_of_once(
        playback_server, server, client, library, tmp_path):
    """MusicDB 8 saved and announced each of the album's songs on its own (issue 17)."""
    other = playback_server.connect(server)
    album = library.add_album(library.add_artist("Twelve"), "Dozen")
    songids = [library.add_song(album, f"Track {n}", number=n) for n in range(1, 13)]
    client.send("call", "AddAlbumToQueue", {"albumid": album, "position": "last"})
    client.send("broadcast", "GetSongQueue", None, "marker")   # handled after the album
    for receiver in (client, other):
        seen, marker = queue_events_until_marker(receiver)
        assert seen == ["onSongChanged", "onSongQueueChanged"]   # it also became the head
        assert [entry["song"]["id"] for entry in marker["arguments"]] == songids
    saved = (tmp_path / "server" / "data" / "state" / "songqueue.csv").read_text()
    assert [int(line.split(",")[1]) for line in saved.splitlines()[1:]] == songids


def test_random_song_of_an_album_is_flagged_random(client, library, songs):
    albumid = library.db.get_song(songs[7])["albumid"]
    client.send("call", "AddRandomSongToQueue", {"position": "last", "albumid": albumid})
    queue_changed(client)
    [(songid, israndom)] = queued_songs(client)
    assert israndom and library.db.get_song(songid)["albumid"] == albumid


def test_queue_comes_back_exactly_after_kill_9(playback_server, server, client, songs, tmp_path):
    for songid in (songs[0], songs[5], songs[9]):
        client.send("call", "AddSongToQueue", {"songid": songid, "position": "next"})
        queue_changed(client)
    client.send("call", "AddRandomSongToQueue", {"position": "last"})
    queue_changed(client)
    before = client.request("GetSongQueue")
    server.kill()
    again = playback_server.connect(playback_server())
    assert again.request("GetSongQueue") == before
    assert not [name for name in os.listdir(tmp_path / "server" / "data" / "state")
                if name.endswith(".tmp")]


def test_statistic_update_is_broadcast_as_getsong(playback_server, server, client, library, songs):
    other = playback_server.connect(server)
    client.send("request", "UpdateSongStatistic",
                {"songid": songs[0], "statistic": "likes", "modifier": "inc"}, "UpdateSong", 7)
    for receiver in (client, other):
        packet = receiver.answer("UpdateSong")
        assert (packet["method"], packet["fncname"], packet["pass"]) == ("broadcast", "GetSong", 7)
        assert packet["arguments"]["song"]["likes"] == 1
    assert library.db.get_song(songs[0])["likes"] == 1


def test_cut_relationship_request_is_answered_with_the_remaining_relations(
        playback_server, library, songs, tmp_path):
    tracker = TrackerDatabase(str(tmp_path / "server" / "data" / "tracker.db"))
    tracker.execute("INSERT INTO songrelations (songida, songidb, weight) VALUES (?, ?, 3)",
                    (songs[0], songs[4]))
    tracker.execute("INSERT INTO songrelations (songida, songidb, weight) VALUES (?, ?, 1)",
                    (songs[0], songs[8]))
    tracker.close()
    client = playback_server.connect(playback_server())
    shown = client.request("GetSongRelationship", {"songid": songs[4]})
    assert shown["songid"] == songs[4] and shown["song"]["id"] == songs[4]
    assert [(s["song"]["id"], s["weight"]) for s in shown["songs"]] == [(songs[0], 3)]
    assert set(shown["songs"][0]) == {"song", "tags", "weight", "album", "artist"}
    client.send("request", "CutSongRelationship", {"songid": songs[0], "relatedsongid": songs[4]},
                "ShowSongRelationship")
    packet = client.answer("ShowSongRelationship")
    assert (packet["method"], packet["fncname"]) == ("response", "GetSongRelationship")
    assert [(s["song"]["id"], s["weight"]) for s in packet["arguments"]["songs"]] == [(songs[8], 1)]


def test_randy_settings_are_saved_for_everyone_and_read_back_as_numbers(
        playback_server, server, client):
    other = playback_server.connect(server)
    config = client.request("LoadRandyConfiguration")
    assert config["Constraints"]["MinSongLength"] == 120
    config["Constraints"]["MinSongLength"] = "90"
    client.send("broadcast", "SaveRandyConfiguration", {"config": config}, "ReloadRandySettings")
    saved = other.answer("ReloadRandySettings")["arguments"]
    assert saved["Constraints"]["MinSongLength"] == 90
    assert client.request("LoadRandyConfiguration") == saved


# -- video stream -----------------------------------------------------------------------------

VIDEO_IDS = (111111111111111111111111111111111111, 222222222222222222222222222222222222)


@pytest.fixture
def videos(library, tmp_path):
    """Three videos; the video queue file holds the first two (entry IDs :data:`VIDEO_IDS`)."""
    artist = library.add_artist("Video Artist")
    ids = [library.add_video(artist, f"Video {n}") for n in range(3)]
    path = tmp_path / "server" / "data" / "state" / "videoqueue.csv"
    path.write_bytes(b'"EntryID","VideoID","IsRandom"\r\n' + b"".join(
        f'"{entry}",{video},"False"\r\n'.encode() for entry, video in zip(VIDEO_IDS, ids)))
    return ids


def video_event(client, fncsig):
    return client.wait_for(lambda p: p["fncname"].startswith("MusicDB:Video")
                           and p["fncsig"] == fncsig)


def test_video_stream_follows_the_queue_as_clients_report_ends(playback_server, videos, library):
    client = playback_server.connect(playback_server())
    state = client.request("GetVideoStreamState")
    assert (state["isstreaming"], state["isplaying"]) == (True, False)
    assert state["currententry"] == str(VIDEO_IDS[0]) and state["video"]["id"] == videos[0]
    assert list(state)[-1] == "hasqueue" and state["hasqueue"] is True
    client.send("call", "VideoEnded", {"entryid": str(VIDEO_IDS[0])})
    video_event(client, "onVideoChanged")
    video_event(client, "onVideoQueueChanged")
    announced = video_event(client, "onStreamNextVideo")["arguments"]
    assert announced["video"]["id"] == videos[1]
    assert announced["queue"] == {"entryid": str(VIDEO_IDS[1]), "videoid": videos[1],
                                  "israndom": False}
    assert announced["streamstate"] == {"isstreaming": True, "isplaying": True,
                                        "currententry": str(VIDEO_IDS[1])}
    assert library.db.get_video(videos[0])["lastplayed"] > 0


def test_late_video_end_reports_are_ignored_and_pause_is_announced(playback_server, videos):
    client = playback_server.connect(playback_server())
    client.send("call", "VideoEnded", {"entryid": str(VIDEO_IDS[0])})
    video_event(client, "onStreamNextVideo")
    client.send("call", "VideoEnded", {"entryid": str(VIDEO_IDS[0])})   # a second client, late
    client.send("call", "SetVideoStreamState", {"state": "playpause"})
    packet = client.wait_for(lambda p: p["fncname"].startswith("MusicDB:Video"))
    assert packet["fncsig"] == "onStatusChanged"
    assert packet["arguments"] == {"isstreaming": False, "isplaying": True,
                                   "currententry": str(VIDEO_IDS[1])}


def test_play_next_video_skips_to_the_next_entry(playback_server, videos):
    client = playback_server.connect(playback_server())
    client.send("call", "PlayNextVideo")
    video_event(client, "onVideoChanged")
    video_event(client, "onVideoQueueChanged")
    announced = video_event(client, "onStreamNextVideo")["arguments"]
    assert announced["queue"]["entryid"] == str(VIDEO_IDS[1])
    queue = client.request("GetVideoQueue")
    assert queue[0]["entryid"] == str(VIDEO_IDS[1]) and len(queue) == 2
    assert queue[0]["artist"]["name"] == "Video Artist" and queue[0]["album"] is None


def test_video_stream_with_videos_disabled_answers_like_musicdb_8(playback_server, videos):
    client = playback_server.connect(playback_server("disablevideos = True\n"))
    assert client.request("GetVideoStreamState") == {
        "isstreaming": False, "isplaying": False, "currententry": None, "hasqueue": False}
