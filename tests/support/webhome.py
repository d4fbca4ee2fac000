"""A server home whose music and webdata folders hold known files (for the HTTP route tests)."""

import io

from PIL import Image

ARTIST = "Ärtist ∕ Ünïcode"
ALBUM_DIR = "2020 - Album"
SONG_PATH = f"{ARTIST}/{ALBUM_DIR}/01 Song.mp3"
VIDEO_PATH = f"{ARTIST}/Video.mp4"
ARTWORK_NAME = f"{ARTIST} - Album.jpg"
FRAMES_DIR = f"{ARTIST}/Video"  # a video's framesdirectory, inside the artwork directory
FRAME_NAME = "thumbnail (150×83).jpg"
SECRET = b"TOP-SECRET-OUTSIDE-THE-ROOTS\n"
# Every byte position holds a known value, so a wrong range shows in the body.
SONG_BYTES = bytes(i % 251 for i in range(300_000))


def small_jpeg(colour=(200, 40, 40)):
    """A real 8x8 JPEG (browsers and Pillow can open it)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def populate(home):
    """Music, artwork and bait files for the route tests, created before the server starts.

    ``secret.txt`` lies beside (outside) every served root, and two symlinks in
    the music directory point at it; ``inside-link`` points into the root.
    """
    music, artwork = home / "music", home / "data" / "webdata" / "artwork"
    (music / ARTIST / ALBUM_DIR).mkdir(parents=True)
    (artwork / "150x150").mkdir(parents=True)
    (music / SONG_PATH).write_bytes(SONG_BYTES)
    (music / VIDEO_PATH).write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    (home / "secret.txt").write_bytes(SECRET)
    (music / "out-link").symlink_to(home)
    (music / ARTIST / "leak.mp3").symlink_to(home / "secret.txt")
    (music / "inside-link").symlink_to(music / ARTIST / ALBUM_DIR)
    (artwork / ARTWORK_NAME).write_bytes(small_jpeg())
    (artwork / "150x150" / ARTWORK_NAME).write_bytes(small_jpeg((40, 40, 200)))
    (artwork / FRAMES_DIR).mkdir(parents=True)
    (artwork / FRAMES_DIR / FRAME_NAME).write_bytes(small_jpeg((40, 200, 40)))
