"""``musicdb artwork``: the artwork cache rebuilt from embedded pictures, folder images or nothing."""

import shutil

from PIL import Image

from tests.lib.test_importer import albums_of, rows

SCALES = (150, 200, 500, 1000)


def reset_artwork(library):
    """Forget every artwork: no files, every album on default.jpg."""
    shutil.rmtree(library.data / "webdata" / "artwork")
    database = library.database()
    try:
        database.execute("UPDATE albums SET artworkpath = 'default.jpg'")
    finally:
        database.close()


def artwork_of(library):
    return {row["path"]: row["artworkpath"] for row in rows(library, "SELECT * FROM albums")}


def test_update_builds_every_scale_from_embedded_pictures_folder_images_or_the_default(
        library_home):
    """-u gives albums with embedded art and with a folder image their own artwork in
    every configured scale, named "<Artist> - <Album>.jpg", and the rest default.jpg."""
    library = library_home()
    albums = albums_of(library.songs)
    embedded = [path for path, songs in albums.items() if songs[0]["artwork"]]
    folder = next(path for path, songs in albums.items() if not songs[0]["artwork"])
    bare = f"{folder.split('/')[0]}/2030 - Bare"  # an album with neither picture nor image
    song = albums[folder][0]["path"]
    (library.music / bare).mkdir()
    shutil.copy(library.music / song, library.music / bare / ("01 Bare." + song.rsplit(".")[-1]))
    assert library.cli("database", "import", bare).returncode == 0
    albums[bare] = []
    Image.new("RGB", (1200, 900), (20, 200, 20)).save(library.music / folder / "folder.jpg")
    reset_artwork(library)

    report = library.cli("artwork")
    assert report.returncode == 0, report.stderr
    assert f"{len(albums)} without their own artwork" in report.stdout
    done = library.cli("artwork", "-u")
    assert done.returncode == 0, done.stderr
    assert f"{len(embedded) + 1} written" in done.stdout

    names = artwork_of(library)
    artwork = library.data / "webdata" / "artwork"
    assert (artwork / "default.jpg").is_file()
    assert names[bare] == "default.jpg"
    for path in embedded + [folder]:
        song = albums[path][0]
        assert names[path] == f"{song['artist']} - {song['album']}.jpg"
        assert (artwork / names[path]).is_file()
        for scale in SCALES:
            with Image.open(artwork / f"{scale}x{scale}" / names[path]) as image:
                assert image.format == "JPEG" and max(image.size) <= scale
    with Image.open(artwork / "500x500" / names[folder]) as image:
        assert image.size == (500, 375)


def test_a_second_update_only_completes_missing_scales(library_home):
    """A deleted scaled copy is written again; nothing else is touched."""
    library = library_home()
    name = next(name for name in artwork_of(library).values() if name != "default.jpg")
    artwork = library.data / "webdata" / "artwork"
    (artwork / "200x200" / name).unlink()
    done = library.cli("artwork", "-u")
    assert done.returncode == 0, done.stderr
    assert "1 completed" in done.stdout and " 0 written" in done.stdout
    assert (artwork / "200x200" / name).is_file()


def test_a_given_artwork_replaces_the_albums_cover_and_scales(library_home, tmp_path):
    """--album PATH --artwork FILE replaces the full-size image and every scale."""
    library = library_home()
    path = next(iter(albums_of(library.songs)))
    image = tmp_path / "new.png"
    Image.new("RGB", (640, 640), (0, 0, 255)).save(image)
    done = library.cli("artwork", "-u", "--album", str(library.music / path),
                       "--artwork", str(image))
    assert done.returncode == 0, done.stderr
    name = artwork_of(library)[path]
    artwork = library.data / "webdata" / "artwork"
    for scale in SCALES:
        with Image.open(artwork / f"{scale}x{scale}" / name) as scaled:
            assert scaled.size == (min(scale, 640),) * 2
            assert scaled.getpixel((5, 5))[2] > 200  # the new blue cover


def test_an_unknown_album_is_an_error(library_home):
    library = library_home()
    done = library.cli("artwork", "-u", "--album", "Nobody/2000 - Nothing")
    assert done.returncode == 1 and "no album with this path" in done.stderr
