"""Third-party Subsonic clients (py-opensonic, knuckles) against a real server.

py-opensonic logs in three ways: a token over form POST (its default), the
password as ``enc:`` hex over GET, and an API key; knuckles sends the password
in clear (``p``) and the bare endpoint names (no ``.view``), and a token.
"""

import asyncio
import os

import pytest

from tests.support import TEST_USER, make_library_home
from tests.mdbapi.subsonic.support import APP_PASSWORD, create_apikey, ok, set_app_password

libopensonic = pytest.importorskip("libopensonic")
knuckles = pytest.importorskip("knuckles")


@pytest.fixture(scope="module")
def home(tmp_path_factory, demo_library):
    home = make_library_home(tmp_path_factory.mktemp("clients") / "home", demo_library)
    set_app_password(home)
    return home


OPENSONIC_LOGINS = {"token-post": {}, "enc-get": {"legacy_auth": True, "use_get": True},
                    "apikey": {"api_key": True}}


@pytest.fixture(params=sorted(OPENSONIC_LOGINS))
def opensonic(request, server, home):
    options = dict(OPENSONIC_LOGINS[request.param])
    user, password = TEST_USER, APP_PASSWORD
    if options.get("api_key"):
        options["api_key"] = create_apikey(home, "opensonic")
        user = password = None
    connection = libopensonic.Connection("http://127.0.0.1", user, password,
                                         port=server.port, **options)
    try:
        yield connection
    finally:
        connection.cleanup()


@pytest.fixture(params=["clear-p", "token"])
def knuckled(request, server):
    return knuckles.Subsonic("127.0.0.1:%d" % server.port, TEST_USER, APP_PASSWORD, "tests",
                             use_https=False, use_token=request.param == "token")


def _file_of(home, song_id, server):
    song = ok(server, "getSong", {"id": song_id})["song"]
    with open(os.path.join(str(home.music), song["path"]), "rb") as handle:
        return handle.read()


def test_py_opensonic_browses_searches_streams_and_stars(opensonic, server, home):
    assert opensonic.ping()
    artists = opensonic.get_artists()
    artist = artists.index[0].artist[0]
    assert artist.id.startswith("ar-") and artist.album_count >= 1
    full = opensonic.get_artist(artist.id)
    album = opensonic.get_album(full.album[0].id)
    assert album.song_count == len(album.song) > 0
    song = album.song[0]
    found = opensonic.search3(song.title.split()[0])
    assert song.id in [s.id for s in found.song or []]
    response = opensonic.stream(song.id)  # an aiohttp reader on the client's own loop
    data = asyncio.run_coroutine_threadsafe(response.read(), opensonic._loop).result(10)
    assert data == _file_of(home, song.id, server)
    opensonic.star(sids=[song.id])
    assert ok(server, "getSong", {"id": song.id})["song"].get("starred")
    opensonic.unstar(sids=[song.id])


def test_knuckles_browses_searches_streams_and_stars(knuckled, server, home, tmp_path):
    assert str(getattr(knuckled.system.ping().status, "value", knuckled.system.ping().status)) == "ok"
    artists = knuckled.browsing.get_artists()
    assert artists and artists[0].id.startswith("ar-")
    album_id = ok(server, "getArtist", {"id": artists[0].id})["artist"]["album"][0]["id"]
    album = knuckled.browsing.get_album(album_id)
    assert album.songs
    song = album.songs[0]
    result = knuckled.searching.search(song.title.split()[0])
    assert song.id in [s.id for s in result.songs]
    path = knuckled.media_retrieval.download(song.id, tmp_path, use_stream=True)
    assert path.read_bytes() == _file_of(home, song.id, server)
    knuckled.media_annotation.star_song(song.id)
    assert ok(server, "getSong", {"id": song.id})["song"].get("starred")
    knuckled.media_annotation.unstar_song(song.id)
