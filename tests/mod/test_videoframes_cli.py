"""``musicdb videoframes``: frames and previews of the videos in the database, made again."""

import shutil

# The fixtures clip and video_home come from the video import tests (imported by name).
from tests.lib.test_importer_videos import (FRAME_FILES, PREVIEWS, SCALED, VIDEO, clip,  # noqa: F401
                                            video_home, video_rows)
from tests.support.media import needs_ffmpeg

pytestmark = needs_ffmpeg


def frames_dir(home):
    [video] = video_rows(home)
    return home.data / "webdata" / "artwork" / video["framesdirectory"]


def test_update_makes_deleted_frames_again(video_home):
    """-u --video PATH writes the frames directory anew after it was deleted."""
    home = video_home()
    home.import_()
    directory = frames_dir(home)
    shutil.rmtree(directory)
    report = home.cli("videoframes")
    assert report.returncode == 0 and "1 videos" in report.stdout
    done = home.cli("videoframes", "-u", "--video", VIDEO)
    assert done.returncode == 0, done.stderr
    assert "1 videos given new files" in done.stdout
    assert sorted(p.name for p in directory.iterdir()) == sorted(FRAME_FILES + SCALED + PREVIEWS)


def test_again_replaces_frames_and_keeps_the_users_files(video_home):
    home = video_home()
    home.import_()
    directory = frames_dir(home)
    (directory / "frame-01.jpg").write_bytes(b"stale")
    (directory / "notes.txt").write_text("mine")
    done = home.cli("videoframes", "-u", "--again")
    assert done.returncode == 0, done.stderr
    assert (directory / "frame-01.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert (directory / "notes.txt").read_text() == "mine"


def test_an_unknown_video_is_an_error(video_home):
    home = video_home()
    done = home.cli("videoframes", "-u", "--video", "Nobody/2000 - Nothing.mp4")
    assert done.returncode == 1 and "no video with this path" in done.stderr
