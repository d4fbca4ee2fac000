"""The entry calls over real WebSocket connections: answers, the database afterwards, and
what a second client hears (api-editing.md §4)."""

import pytest

from tests.support import Client, ServerProcess

QUIET = ("onTimeChanged", "onStatusChanged")   # the stream's heartbeat and state


@pytest.fixture
def running(library_home):
    """``(home, server, caller, observer)`` on the imported demo library."""
    home = library_home()
    server = ServerProcess(home.home)
    caller, observer = Client(server), Client(server)
    yield home, server, caller, observer
    caller.close()
    observer.close()
    server.stop()


def rows(home, table):
    database = home.database()
    try:
        return database.get_table(table)
    finally:
        database.close()


def call(client, fncname, arguments):
    """A ``call`` (as the WebUI's repair view sends); returns nothing."""
    client.send("call", fncname, arguments)


def heard(client, fncsig, timeout=5):
    return client.wait_for(lambda p: p.get("fncsig") == fncsig, timeout)


def test_removing_a_queued_song_drops_it_and_tells_every_client(running):
    """RemoveSongEntry answers null; the song is gone, the file stays, the queue announces it."""
    home, _, caller, observer = running
    songs = rows(home, "songs")
    for song in songs[:3]:
        caller.request("AddSongToQueue", {"songid": song["id"], "position": "last"})
    queue = observer.request("GetSongQueue")   # and skips the announcements of the adds
    songid = queue[-1]["song"]["id"]
    assert caller.request("RemoveSongEntry", {"songid": songid}) is None
    heard(observer, "onSongQueueChanged")
    assert songid not in [s["id"] for s in rows(home, "songs")]
    assert songid not in [e["song"]["id"] for e in observer.request("GetSongQueue")]
    assert all(hit["song"]["id"] != songid for hit in caller.request("Find", {"searchstring":
               queue[-1]["song"]["name"], "limit": 20})["songs"])


def test_create_and_update_song_entries(running):
    """CreateSongEntry brings a removed song back; UpdateSongEntry re-reads its file."""
    home, _, caller, _ = running
    song = rows(home, "songs")[0]
    caller.request("RemoveSongEntry", {"songid": song["id"]})
    assert caller.request("CreateSongEntry", {"newpath": song["path"]}) is None
    created = [s for s in rows(home, "songs") if s["path"] == song["path"]][0]
    assert created["albumid"] == song["albumid"] and created["name"] == song["name"]
    assert caller.request("UpdateSongEntry", {"songid": created["id"],
                                              "newpath": song["path"]}) is None
    assert caller.request("GetSong", {"songid": created["id"]})["song"]["path"] == song["path"]


def test_album_and_artist_entries(running):
    """RemoveAlbumEntry, CreateArtistEntry, UpdateArtistEntry, UpdateAlbumEntry, RemoveArtistEntry."""
    home, _, caller, observer = running
    album = rows(home, "albums")[0]
    assert caller.request("UpdateAlbumEntry", {"albumid": album["id"],
                                               "newpath": album["path"]}) is None
    assert caller.request("RemoveAlbumEntry", {"albumid": album["id"]}) is None
    assert album["id"] not in [a["id"] for a in rows(home, "albums")]
    artist = caller.request("CreateArtistEntry", {"name": "Ünïcode Artist"})
    assert artist == {"id": artist["id"], "name": "Ünïcode Artist", "path": "Ünïcode Artist"}
    assert (home.music / "Ünïcode Artist").is_dir()
    assert caller.request("UpdateArtistEntry", {"artistid": artist["id"],
                                                "newpath": "Ünïcode Artist"}) is None
    assert caller.request("RemoveArtistEntry", {"artistid": artist["id"]}) is None
    assert artist["id"] not in [a["id"] for a in rows(home, "artists")]
    assert (home.music / "Ünïcode Artist").is_dir()   # removing entries never deletes files


@pytest.mark.parametrize("fncname,arguments,code", [
    ("RemoveSongEntry", {"songid": 999999}, "NotFound"),
    ("RemoveAlbumEntry", {"albumid": "x"}, "InvalidArguments"),
    ("UpdateArtistEntry", {"artistid": 999999, "newpath": "A"}, "NotFound"),
    ("CreateArtistEntry", {"name": 5}, "InvalidArguments"),
    ("CreateArtistEntry", {"name": "../escape"}, "InvalidArguments"),
    ("CreateSongEntry", {"newpath": "/etc/passwd"}, "InvalidArguments"),
    ("UpdateSongEntry", {"songid": 1, "newpath": "A/../../x"}, "InvalidArguments"),
    ("UpdateAlbumEntry", {"albumid": 1, "newpath": "a\u0000b"}, "InvalidArguments"),
])
def test_bad_ids_types_and_paths_are_one_error_for_the_sender(running, fncname, arguments, code):
    """The sender gets one MusicDB:Error with a reason; nothing changed."""
    home, _, caller, _ = running
    before = {table: rows(home, table) for table in ("artists", "albums", "songs")}
    caller.send("request", fncname, arguments, "bad")
    error = caller.error()
    assert error["arguments"]["code"] == code and error["arguments"]["message"]
    assert {table: rows(home, table) for table in before} == before
