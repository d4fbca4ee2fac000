"""The read API over a real WebSocket against the real server process."""

import configparser
import signal
import urllib.request

import pytest

from tests.support import Client, ServerProcess, auth_headers


def request(client, fncname, arguments=None, fncsig=None):
    return client.request(fncname, arguments, fncsig=fncsig)


def test_webui_start_up_sequence_is_answered(library, library_server, connect):
    """The WebUI's first requests (protocol.md §6.2) get answers with the keys it reads."""
    band = library.add_artist("Some Band")
    album = library.add_album(band, "Roads")
    library.add_song(album, "Road")
    client = connect(library_server())

    config = request(client, "LoadWebUIConfiguration", fncsig="SetupWebUI")
    assert set(config) == {"meta", "WebUI", "MainMenu", "ArtistsView", "GenreSelectionView",
                           "Stream", "debug"}
    assert request(client, "GetTagsStatistics", fncsig="UpdateGenreSelection")["1"]["tag"][
        "name"] == "Other"
    state = request(client, "GetMDBState", fncsig="InitializeWebUI")
    assert state["MusicDB"] == {"uimode": "audio"} and state["SubgenreFilter"] == {"Other": []}
    assert [artist["name"] for artist in request(client, "GetArtists")] == ["Some Band"]
    artists = request(client, "GetFilteredArtistsWithAlbums", fncsig="ShowArtists")
    assert artists[0]["albums"][0]["album"]["name"] == "Roads"
    current = state["audiostream"]["currentsong"]
    assert current is not None and current["albumid"] == album  # Randy filled the empty queue
    assert request(client, "GetAlbum", {"albumid": current["albumid"]}, "ShowAlbum")[
        "album"]["id"] == album


def test_the_default_stream_url_is_our_own_stream_endpoint(library_server, connect):
    """The WebUI's audio element loads Stream.url; by default it is this server's stream."""
    server = library_server()
    url = request(connect(server), "LoadWebUIConfiguration")["Stream"]["url"]
    assert url == f"http://127.0.0.1:{server.port}/stream"
    stream = urllib.request.Request(url, headers=auth_headers(server))
    with urllib.request.urlopen(stream, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("audio/mpeg")


def test_each_browser_gets_the_stream_under_the_name_it_uses_for_the_server(library_server,
                                                                             connect):
    """A save from a browser on musicbox.test leaves other browsers' stream URL working."""
    server = library_server()
    remote, local = connect(server, host=f"musicbox.test:{server.port}"), connect(server)
    config = request(remote, "LoadWebUIConfiguration")
    assert config["Stream"]["url"] == f"http://musicbox.test:{server.port}/stream"

    remote.send("broadcast", "SaveWebUIConfiguration", {"config": config},
                       fncsig="UpdateConfig")
    assert local.answer("UpdateConfig")["arguments"]["Stream"]["url"] == "/stream"
    assert request(local, "LoadWebUIConfiguration")["Stream"]["url"] == \
        f"http://127.0.0.1:{server.port}/stream"


def test_set_mdb_state_reaches_every_client_and_survives_a_restart(library, library_server,
                                                                   connect, tmp_path):
    rock = library.add_tag("Rock")
    library.add_tag("Punk", 2, parentid=rock)
    server = library_server()
    caller, other = connect(server), connect(server)

    caller.send("call", "SetMDBState", {"category": "GenreFilter", "name": "Rock", "value": True})
    for client in (caller, other):
        packet = client.wait_for(lambda p: p.get("fncname") == "GetMDBState")
        assert packet["method"] == "broadcast" and packet["fncsig"] is None
        assert packet["arguments"]["GenreFilter"] == ["Rock"]
    caller.send("request", "SetMDBState", {"category": "SubgenreFilter:Rock", "name": "Punk",
                                           "value": False}, fncsig="UpdateMDBState")
    packet = other.answer("UpdateMDBState")
    assert packet["fncname"] == "GetMDBState" and packet["method"] == "broadcast"
    assert packet["arguments"]["SubgenreFilter"] == {"Other": [], "Rock": []}

    server.stop()
    restarted = ServerProcess(tmp_path / "server")
    try:
        client = Client(restarted)
        assert request(client, "GetMDBState")["GenreFilter"] == ["Rock"]
        client.close()
    finally:
        restarted.stop()
    saved = configparser.ConfigParser()
    saved.optionxform = str
    saved.read(tmp_path / "server" / "data" / "state" / "state.ini")
    assert saved.get("SubgenreFilter:Rock", "Punk") == "False"


def test_set_mdb_state_with_a_non_string_category_sends_only_an_error(library_server, connect):
    server = library_server()
    caller, other = connect(server), connect(server)
    caller.send("request", "SetMDBState", {"category": None, "name": "Rock", "value": True},
                fncsig="UpdateMDBState")
    assert caller.error()["arguments"]["code"] == "InvalidArguments"
    assert request(other, "Bounce", {"done": True}) == {"done": True}
    caller.send("request", "Bounce", {"done": True}, fncsig="after")
    assert caller.wait_for(lambda p: p.get("fncsig") in ("after", "UpdateMDBState"))[
        "fncsig"] == "after"


def test_saved_webui_configuration_reaches_every_client(library_server, connect):
    server = library_server()
    saver, other = connect(server), connect(server)
    config = request(saver, "LoadWebUIConfiguration")
    config["WebUI"]["videomode"] = "enabled"
    saver.send("broadcast", "SaveWebUIConfiguration", {"config": config}, fncsig="UpdateConfig")
    for client in (saver, other):
        assert client.answer("UpdateConfig")["arguments"]["WebUI"]["videomode"] == "enabled"


def test_an_incomplete_webui_configuration_is_refused_without_update_config(library_server,
                                                                           connect):
    """A client that sent half a configuration must not replace everyone's configuration."""
    server = library_server()
    saver, other = connect(server), connect(server)
    config = request(saver, "LoadWebUIConfiguration")
    del config["Stream"]
    saver.send("broadcast", "SaveWebUIConfiguration", {"config": config}, fncsig="UpdateConfig")
    assert saver.error()["arguments"]["code"] == "InvalidArguments"
    other.send("request", "Bounce", None, fncsig="after")
    assert other.wait_for(lambda p: p.get("fncsig") in ("after", "UpdateConfig"))["fncsig"] == \
        "after"
    assert request(other, "LoadWebUIConfiguration")["WebUI"]["videomode"] == "disabled"


def test_an_unknown_album_is_reported_as_not_found_without_an_answer(library_server, connect):
    client = connect(library_server())
    client.send("request", "GetAlbum", {"albumid": 4711}, fncsig="ShowAlbum")
    error = client.error()["arguments"]
    assert error["code"] == "NotFound" and error["request"]["fncsig"] == "ShowAlbum"
    client.send("request", "Bounce", None, fncsig="after")
    assert client.wait_for(lambda p: p.get("fncsig") in ("after", "ShowAlbum"))["fncsig"] == \
        "after"


def test_sigusr1_lets_find_see_names_added_by_another_process(library, library_server, connect):
    server = library_server()
    client = connect(server)
    assert request(client, "Find", {"searchstring": "Newcomer", "limit": 5})["artists"] == []
    library.add_artist("Newcomer")
    server.signal(signal.SIGUSR1)
    client.wait_for(lambda p: p.get("fncname") == "sys:refresh")
    hits = request(client, "Find", {"searchstring": "newcomer", "limit": 5})["artists"]
    assert [hit["artist"]["name"] for hit in hits] == ["Newcomer"]


@pytest.fixture
def imported(library_home):
    """A server on the demo library (every format) imported by the real importer."""
    home = library_home()
    server = ServerProcess(home.home)
    client = Client(server)
    yield home, client
    client.close()
    server.stop()


def test_an_imported_library_shows_the_files_tags(imported):
    home, client = imported
    songs = home.songs
    artists = request(client, "GetFilteredArtistsWithAlbums", fncsig="ShowArtists")
    assert [entry["artist"]["name"] for entry in artists] == \
        sorted({song["artist"] for song in songs}, key=str.lower)
    for entry in artists:
        expected = {(song["album"], song["release"]) for song in songs
                    if song["artist"] == entry["artist"]["name"]}
        shown = [(album["album"]["name"], album["album"]["release"]) for album in entry["albums"]]
        assert sorted(shown, key=lambda pair: pair[1]) == shown
        assert set(shown) == expected

    album = artists[0]["albums"][0]["album"]
    answer = request(client, "GetAlbum", {"albumid": album["id"]}, "ShowAlbum")
    files = sorted((song for song in songs if song["artist"] == artists[0]["artist"]["name"]
                    and song["album"] == album["name"]), key=lambda s: (s["cd"], s["track"]))
    listed = [entry["song"] for cd in answer["cds"] for entry in cd]
    assert [(s["name"], s["number"], s["cd"]) for s in listed] == \
        [(s["title"], s["track"], s["cd"]) for s in files]
    assert answer["album"]["numofsongs"] == len(files)


def test_find_over_websocket_finds_an_imported_song_with_a_typo(imported):
    home, client = imported
    title = max((song["title"] for song in home.songs), key=len)
    typo = title[:3] + title[4:]
    found = request(client, "Find", {"searchstring": typo, "limit": 20})["songs"]
    assert title in [hit["song"]["name"] for hit in found]
