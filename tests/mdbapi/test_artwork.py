"""set_album_artwork: the function the artwork uploads call."""

import pytest
from PIL import Image

from musicdb.lib.media.artwork import ArtworkError
from musicdb.lib.ws.errors import NotFound
from musicdb.mdbapi import events
from musicdb.mdbapi.app import App
from musicdb.mdbapi.artwork import set_album_artwork
from tests.lib.media.test_artwork_bomb import bomb_png


@pytest.fixture
def app_on_home(library_home):
    home = library_home()
    database = home.database()
    seen = []
    events.subscribe(seen.append)
    try:
        yield home, App(cfg=home.cfg, database=database), seen
    finally:
        events.unsubscribe(seen.append)
        database.close()


def test_an_uploaded_image_replaces_the_cover_and_tells_the_clients(app_on_home, tmp_path):
    """The scales show the new image; library.changed then caches.updated (sys:refresh)."""
    home, app, seen = app_on_home
    album = app.database.get_albums()[0]
    image = tmp_path / "upload.jpg"
    Image.new("RGB", (300, 300), (255, 255, 0)).save(image)
    name = set_album_artwork(app, album["id"], str(image))
    assert app.database.get_album(album["id"])["artworkpath"] == name != "default.jpg"
    with Image.open(home.data / "webdata" / "artwork" / "150x150" / name) as scaled:
        assert scaled.size == (150, 150) and scaled.getpixel((3, 3))[2] < 60
    assert [event.name for event in seen] == [events.LIBRARY_CHANGED, events.CACHES_UPDATED]
    assert seen[0].data == {"change": "artwork", "albumid": album["id"]}


def test_refresh_false_leaves_the_refresh_to_the_caller(app_on_home, tmp_path):
    home, app, seen = app_on_home
    image = tmp_path / "upload.jpg"
    Image.new("RGB", (30, 30)).save(image)
    set_album_artwork(app, app.database.get_albums()[0]["id"], str(image), refresh=False)
    assert [event.name for event in seen] == [events.LIBRARY_CHANGED]


def test_a_bomb_upload_is_refused_and_the_album_keeps_its_artwork(app_on_home, tmp_path):
    home, app, seen = app_on_home
    album = app.database.get_albums()[0]
    image = tmp_path / "upload.png"
    image.write_bytes(bomb_png())
    with pytest.raises(ArtworkError):
        set_album_artwork(app, album["id"], str(image))
    assert app.database.get_album(album["id"])["artworkpath"] == album["artworkpath"]
    assert seen == []


def test_an_unknown_album_is_not_found(app_on_home, tmp_path):
    with pytest.raises(NotFound):
        set_album_artwork(app_on_home[1], 99999, str(tmp_path / "x.jpg"))
