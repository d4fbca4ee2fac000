"""``musicdb videoframes [-u] [--again] [--video PATH]``: frames and previews of the music videos.

As MusicDB 8's ``videoframes`` module: ``-u`` makes the frames
(``frame-NN.jpg``), their scaled copies (``frame-NN (W×H).jpg``) and the
animated previews (``preview.webp``, ``preview (W×H).webp``) of every video
in the database, or of the one of ``--video``, in
``<data>/webdata/artwork/<Artist>/<Video>/`` (``[videoframes] frames``,
``previewlength``, ``scales``).  Existing files are kept; ``--again`` makes
them anew (after the video file was replaced).  Without ``-u`` the command
only tells how many videos lack frames.  ffmpeg runs in worker threads; a
tqdm bar counts videos on a terminal.  Exit code 0, or 1 on an error or a
video that failed.
"""

import os
import sys
import time

from musicdb.lib.media.errors import MediaError
from musicdb.lib.videoimport import VideoImporter
from musicdb.mod.common import entry_by_path, run_with_pool
from musicdb.mod.database import RELOAD_HINT, progress_bar


def add_arguments(parser):
    parser.set_defaults(module="videoframes")
    parser.add_argument("-u", "--update", action="store_true",
                        help="make the missing frames and previews (without: only report)")
    parser.add_argument("--video", metavar="PATH", help="only this video file")
    parser.add_argument("--again", action="store_true",
                        help="make every frame and preview anew, not only the missing ones")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="threads running ffmpeg (default: %(default)s)")


def run(args, cfg):
    def work(database, pool):
        videos = select_videos(args, cfg, database)
        if not args.update:
            missing = sum(1 for video in videos if not video["framesdirectory"])
            print(f"{len(videos)} videos: {missing} without frames"
                  + ("; run with -u to make them." if missing else ""))
            return 0
        return update(args, cfg, database, pool, videos)

    return run_with_pool(cfg, args.workers, work, errors=(),
                         interrupted="run the command again to complete the frames")


def select_videos(args, cfg, database):
    """Every video, or the one of ``--video`` (see :func:`.common.entry_by_path`)."""
    if not args.video:
        return database.get_videos()
    return [entry_by_path(cfg, args.video, database.find_video_by_path, "video")]


def update(args, cfg, database, pool, videos):
    started, made, failed = time.monotonic(), 0, 0
    with progress_bar(unit="video") as bar:
        bar.reset(total=len(videos))
        importer = VideoImporter(cfg, database, pool)
        for video in videos:
            try:
                made += importer.make_frames(video, again=args.again)
            except (MediaError, OSError) as error:
                failed += 1
                print(f"failed: {video['path']}: {error}", file=sys.stderr)
            bar.update(1)
    print(f"Video frames: {made} videos given new files, {failed} failed "
          f"({len(videos)} videos in {time.monotonic() - started:.1f} s)")
    if made:
        print(RELOAD_HINT)
    return 1 if failed else 0
