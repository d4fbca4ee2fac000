"""Task type ``fsscan``: what the file system lost and gained (api-uploads.md §9).

``lostpaths``: database entries whose file or directory is gone;
``newpaths``: paths of the music directory the database does not know, each
``{"path": …}`` (files with their SHA-256 ``checksum``), ``filteredsongs``
the new songs in known albums.  The scan runs in the thread pool; the result
replaces the task's annotations.
"""

import os

from musicdb.lib.media import tags
from musicdb.lib.musicdirectory import MusicDirectory
from musicdb.lib.threads import in_thread
from musicdb.taskmanagement.mdb8 import MusicDB8Task

NAME = "fsscan"
VIDEO_EXTENSIONS = ("mp4", "m4v", "webm")


class FilesystemScan(MusicDB8Task):
    name = NAME
    contenttype = "any"
    initial = "startfsscan"
    steps = {"startfsscan": "scan"}

    def scan(self, task, app):
        try:
            result = scan(app)
        except Exception as error:  # any failure: fsscanfailed (MusicDB 8)
            return task.set_state("fsscanfailed", reason=str(error) or type(error).__name__)
        return task.set_state("fsscancomplete", annotations=result)


def scan(app):
    """``{"lostpaths": …, "newpaths": …}``.  Raises OSError, DatabaseError."""
    database = app.database
    entries = {"artists": database.get_artists(), "albums": database.get_albums(),
               "songs": database.get_table("songs"), "videos": database.get_videos()}
    entries = {kind: [dict(entry) for entry in rows] for kind, rows in entries.items()}
    known = {kind: {entry["path"] for entry in rows} for kind, rows in entries.items()}
    directory = MusicDirectory.from_config(app.cfg)
    lost, new = in_thread(_scan, directory, entries, known)
    return {"lostpaths": lost, "newpaths": new}


def _scan(directory, entries, known):
    root = directory.root
    lost = {kind: [entry for entry in rows if not os.path.exists(os.path.join(root, entry["path"]))]
            for kind, rows in entries.items()}
    new = {"artists": [], "albums": [], "songs": [], "filteredsongs": [], "videos": []}
    for artist in directory.artists():
        if artist not in known["artists"]:
            new["artists"].append({"path": artist})
        for album in directory.albums(artist):
            if album not in known["albums"]:
                new["albums"].append({"path": album})
            for song in directory.songs(album):
                if song not in known["songs"]:
                    entry = _with_checksum(directory, song)
                    new["songs"].append(entry)
                    if album in known["albums"]:
                        new["filteredsongs"].append(entry)
        for video in directory.videos(artist):
            if video not in known["videos"] and video.rsplit(".", 1)[-1] in VIDEO_EXTENSIONS:
                new["videos"].append(_with_checksum(directory, video))
    return lost, new


def _with_checksum(directory, relpath):
    return {"path": relpath, "checksum": tags.file_checksum(directory.absolute(relpath))}
