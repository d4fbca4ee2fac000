"""Uploads and MusicDB 8's other tasks as the WebSocket API asks for them (api-uploads.md §10).

Every API that starts or feeds a task calls these functions: they check what
the client sent (IDs, checksums, sizes, paths), create tasks on the task
manager (``app.tasks``) and take the chunks.  A chunk is written in the
thread pool at the task's offset, one at a time per task; the offset comes
from the file itself, so a restart loses nothing that reached the disk.  The
file's SHA-1 is kept up to date with each chunk, so the last one needs no
second read (after a restart the file is read once instead).  The
steps after the last chunk are the task types' (:mod:`musicdb.taskmanagement`).
"""

import contextlib
import logging
import os

import gevent.lock

from musicdb.lib import safepath, uploadfiles
from musicdb.lib.musicdirectory import VIDEO_EXTENSIONS, MusicDirectory
from musicdb.lib.storage import storage_error
from musicdb.lib.threads import in_thread
from musicdb.lib.videoimport import name_and_release
from musicdb.mdbapi import events
from musicdb.taskmanagement.mdb8 import REMOVE, uploads_directory
from musicdb.taskmanagement.task import CHUNK_REQUEST, INTERNAL_ERROR, is_valid_id

log = logging.getLogger(__name__)

CONTENTTYPES = ("albumfile", "artwork", "video")
INVALID_TASK_ID = "Invalid Task ID"
HUB_DECODE_LIMIT = 1 << 20   # characters of hex decoded without the thread pool


class TaskRefused(Exception):
    """A request MusicDB 8 answers with a task-less InternalError (``message``)."""


class TaskLocks:
    """One lock per task ID, held only while it is in use: an entry goes when its last
    holder or waiter leaves, so the table never outgrows the chunks in flight."""

    def __init__(self):
        self._entries = {}   # task ID -> [semaphore, holders and waiters]

    def __len__(self):
        return len(self._entries)

    @contextlib.contextmanager
    def __call__(self, taskid):
        entry = self._entries.setdefault(taskid, [gevent.lock.Semaphore(), 0])
        entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._entries[taskid]


_lock = TaskLocks()
_running = {}   # task ID -> RunningSha1 of an upload sent in this process's life


def _forget_running(event):
    if event.name == events.TASK_DELETED:
        _running.pop(event.data, None)


events.subscribe(_forget_running)


def allowed(cfg):
    return [name.strip() for name in cfg.uploads.allow if name and name.strip()]


def initiate(app, taskid, mimetype, contenttype, filesize, checksum, filename):
    """Create the upload task and its empty file; returns the task ID.

    Raises:
        TaskRefused: uploads are off, or this content type is not allowed.
        ValueError: an ID, checksum, size or name that is refused.
    """
    if not allowed(app.cfg):
        raise TaskRefused("Uploads deactivated")
    if contenttype not in allowed(app.cfg):
        raise TaskRefused(f"Upload of {contenttype} not allowed")
    if not is_valid_id(taskid):
        raise ValueError("the task ID must be the file's SHA-1 (40 lower-case hex digits) "
                         "or a UUID4")
    name = uploadfiles.upload_name(contenttype, checksum, filename)
    _check_size(app, filesize, taskid)
    directory = uploads_directory(app.cfg)
    with _lock(taskid):
        old = app.tasks.get(taskid) or {}
        for key in ("uploadpath", "unpackedpath"):   # the replaced task's files
            if old.get(key) and old[key] != name:
                in_thread(uploadfiles.remove, os.path.join(directory, old[key]))
        in_thread(_create_file, directory, name)
        _running[taskid] = uploadfiles.RunningSha1()
        app.tasks.submit("upload", taskid=taskid, contenttype=contenttype, mimetype=mimetype,
                         filesize=filesize, offset=0, sourcefilename=filename,
                         sourcechecksum=checksum, uploadpath=name)
        app.tasks.change(taskid, notice=CHUNK_REQUEST)
    return taskid


def _create_file(directory, name):
    os.makedirs(directory, mode=0o750, exist_ok=True)
    uploadfiles.create_empty(os.path.join(directory, name))


def _check_size(app, filesize, taskid):
    limits = app.cfg.uploads
    if filesize > limits.maxfilesize:
        raise ValueError(f"the file has {filesize} bytes; uploads may have "
                         f"{limits.maxfilesize} bytes")
    pending = sum(task.get("filesize") or 0 for group in app.tasks.tasklist().values()
                  for task in group if task.get("type") == "upload" and task["id"] != taskid)
    if pending + filesize > limits.maxtotalsize:
        raise ValueError(f"all uploads together may have {limits.maxtotalsize} bytes; "
                         f"{pending} are taken")


def task_or_refuse(app, taskid):
    """The task as a dict.  Raises TaskRefused("Invalid Task ID") for an unknown or bad ID."""
    task = app.tasks.get(taskid) if is_valid_id(taskid) else None
    if task is None:
        raise TaskRefused(INVALID_TASK_ID)
    return task


def receive_chunk(app, taskid, text):
    """Store one chunk (hex ``text``); the next ChunkRequest, or the checksum's verdict,
    is notified.

    Raises:
        TaskRefused: an unknown task.
        UploadError: ``text`` is no hex string.
        StorageError: the chunk cannot be stored (the upload failed with that cause).
    """
    with _lock(taskid):
        task = task_or_refuse(app, taskid)
        if task["state"] != "waitforchunk":
            app.tasks.change(taskid, notice="StateUpdate")  # what it is doing now
            return
        path = os.path.join(uploads_directory(app.cfg), task["uploadpath"])
        data = _decode(text)
        try:
            offset = in_thread(uploadfiles.store_chunk, path, data, task["filesize"],
                             _running.get(taskid))
        except OSError as error:
            _write_failed(app, taskid, storage_error(error, path=path, always=True))
        if offset < task["filesize"]:
            app.tasks.change(taskid, notice=CHUNK_REQUEST, lazy=True, offset=offset)
            return
        _complete(app, task, path, offset)


def _decode(text):
    """The WebUI's chunks (800 kB of hex, 1 ms) are decoded here: in a worker the decoding
    holds the GIL all the same and costs two thread switches; larger ones in the pool, so
    the loop is never held longer."""
    if len(text) <= HUB_DECODE_LIMIT:
        return uploadfiles.decode_hex(text)
    return in_thread(uploadfiles.decode_hex, text)


def _write_failed(app, taskid, error):
    _running.pop(taskid, None)
    app.tasks.change(taskid, state="uploadfailed", notice=INTERNAL_ERROR,
                     message=f'Writing data failed with error: "{error.reason}"',
                     reason=error.reason)
    raise error


def _complete(app, task, path, offset):
    try:
        checksum = in_thread(uploadfiles.file_sha1, path, _running.pop(task["id"], None))
    except OSError as error:
        _write_failed(app, task["id"], storage_error(error, path=path, always=True))
    if checksum != task["sourcechecksum"]:
        app.tasks.change(task["id"], state="uploadfailed", notice=INTERNAL_ERROR,
                         message="Checksum mismatch", offset=offset, reason="Checksum mismatch")
    else:
        app.tasks.change(task["id"], state="uploadcomplete", offset=offset)


def annotate(app, arguments):
    """Merge the whole arguments object into the task's annotations (StateUpdate)."""
    taskid = arguments.get("taskid")
    task = task_or_refuse(app, taskid)
    annotations = dict(task["annotations"], **arguments)
    app.tasks.change(taskid, notice="StateUpdate", annotations=annotations)


def remove(app, taskid):
    task = task_or_refuse(app, taskid)
    if task["state"] != REMOVE:
        app.tasks.change(taskid, state=REMOVE)


def integrate(app, taskid, musicpath):
    """Start the integration of a finished upload; returns the ID, False (not ready) or
    None (a path that is refused).  ``musicpath``: an album file's destination, an
    artwork's album or video, a video's ``<Artist>/<YYYY> - <Name>.<ext>`` ("" for the
    one its annotations name).

    Raises:
        TaskRefused: an unknown task.
    """
    task = task_or_refuse(app, taskid)
    if task["state"] != "readyforintegration":
        return False
    start = INTEGRATIONS.get(task.get("contenttype"))
    fields = start(app, task, musicpath) if start is not None else None
    if fields is None:
        return None
    app.tasks.change(taskid, **fields)
    return taskid


def _albumfile_integration(app, task, musicpath):
    try:
        relpath, _absolute = safepath.resolve(app.cfg.directories.music, musicpath)
    except safepath.UnsafePath:
        return None
    return {"state": "startintegration", "albumfilepath": relpath}


def _artwork_integration(app, task, musicpath):
    target = _target(app, musicpath)
    if target is None:
        return None
    return dict(target, state="startartworkimport", awsourcetype="imagefile",
                awsourcepath=task.get("preprocessedpath"))


def _video_integration(app, task, musicpath):
    """The video's place: ``musicpath`` if given, else made of the annotations ``artistname``,
    ``release`` and ``name`` (api-uploads.md §6.3) as ``<Artist>/<YYYY> - <Name>.<ext>``."""
    if not musicpath:
        musicpath = video_path(task.get("annotations") or {},
                               uploadfiles.extension(task["uploadpath"]))
    try:
        relpath, _absolute = safepath.resolve(app.cfg.directories.music, musicpath)
    except safepath.UnsafePath:
        return None
    parts = relpath.split("/")
    _name, release = name_and_release(relpath)
    if len(parts) != 2 or not release \
            or uploadfiles.extension(relpath).lower() not in VIDEO_EXTENSIONS:
        return None
    return {"state": "startintegration", "videofile": relpath}


def video_path(annotations, ext):
    """``<Artist>/<YYYY> - <Name>.<ext>`` of a video upload's annotations, or None."""
    try:
        artist = uploadfiles.clean_name(annotations.get("artistname") or "")
        name = uploadfiles.clean_name(annotations.get("name") or "")
        release = int(annotations.get("release"))
    except (uploadfiles.UploadError, TypeError, ValueError):
        return None
    if not 1000 <= release <= 9999:
        return None
    return f"{artist}/{release} - {name}.{ext}"


INTEGRATIONS = {"albumfile": _albumfile_integration, "artwork": _artwork_integration,
                "video": _video_integration}


def _target(app, path):
    """``{"albumpath": …}`` or ``{"videopath": …}`` of an existing album or video, or None."""
    try:
        relpath, absolute = safepath.resolve(app.cfg.directories.music, path)
    except safepath.UnsafePath:
        return None
    kind = MusicDirectory.from_config(app.cfg).kind(relpath)
    if kind == "album" and os.path.isdir(absolute):
        return {"albumpath": relpath}
    if kind == "video" and os.path.isfile(absolute):
        return {"videopath": relpath}
    return None


def music_import(app, contenttype, contentpath):
    """A music import task (nothing checked until it runs); returns its ID or None."""
    if contenttype == "album":
        return app.tasks.submit("musicimport", contenttype="album", albumpath=contentpath)
    if contenttype == "video":
        return app.tasks.submit("musicimport", contenttype="video", videopath=contentpath)
    return None


def artwork_import(app, sourcepath, targetpath):
    """An artwork import task; returns its ID, or None for an unknown source or target."""
    target = _target(app, targetpath)
    source = _source_type(app, sourcepath)
    if target is None or source is None:
        return None
    return app.tasks.submit("artworkimport", contenttype="artwork", awsourcetype=source,
                            awsourcepath=sourcepath, **target)


def _source_type(app, path):
    uploads = uploads_directory(app.cfg)
    try:
        _relpath, absolute = safepath.resolve(uploads, path)
        if os.path.isfile(absolute):
            return "imagefile"
        relpath, absolute = safepath.resolve(app.cfg.directories.music, path)
    except safepath.UnsafePath:
        return None
    kind = MusicDirectory.from_config(app.cfg).kind(relpath)
    if not os.path.isfile(absolute):
        return None
    return {"song": "songfile", "video": "videofile"}.get(kind)


def filesystem_scan(app):
    return app.tasks.submit("fsscan", contenttype="any")
