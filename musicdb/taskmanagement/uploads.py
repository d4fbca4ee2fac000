"""Task type ``upload``: a file uploaded in chunks, preprocessed, integrated (api-uploads.md §6).

The chunks arrive through :mod:`musicdb.mdbapi.uploads` (state
``waitforchunk``); this type runs the steps after the last chunk:

* ``uploadcomplete`` → ``preprocessing``: album files are read for their
  tags (annotated), a zip archive is unpacked into ``<uploads>/<name>.d``
  (safely, see :func:`musicdb.lib.uploadfiles.unpack_zip`); artwork that is
  no JPEG is converted to one; a video (m4v, mp4, webm) must be one for
  ffprobe → ``readyforintegration`` or ``invalidcontent``.
* ``startintegration`` → ``integrating``: the file (or the archive's files;
  a video at its ``videofile``, ``<Artist>/<YYYY> - <Name>.<ext>``, its
  annotated ``origin`` kept for the import, :mod:`.importhints`)
  enters the music directory atomically: a hard link (or a hidden copy and
  then a link) that never replaces an existing file → ``readyforimport`` or
  ``integrationfailed``.  A placed file with the upload's content counts as
  done, so a step interrupted by a restart runs again safely.
* ``startartworkimport``: an artwork upload's import (:mod:`.artworkimport`).
"""

import errno
import logging
import mimetypes
import os
import shutil

from musicdb.lib import halfcopies, safepath, uploadfiles
from musicdb.lib.media import tags
from musicdb.lib.media import video as videoinfo
from musicdb.lib.media.artwork import ArtworkError
from musicdb.lib.media.errors import MediaError
from musicdb.lib.musicdirectory import VIDEO_EXTENSIONS
from musicdb.taskmanagement import artworkimport, importhints
from musicdb.lib.threads import in_thread
from musicdb.taskmanagement.mdb8 import MusicDB8Task, uploads_directory

log = logging.getLogger(__name__)

NAME = "upload"
UNSUPPORTED = "Unsupported content type"
EXISTS = "File already exists in the music directory"
INTEGRATING = ("startintegration", "integrating")   # the states whose step places files


class IntegrationFailed(Exception):
    """The upload cannot enter the music directory; the message is the InternalError's."""


class Upload(MusicDB8Task):
    name = NAME
    contenttype = None   # the client's: albumfile, artwork, video
    initial = "waitforchunk"
    failed = "uploadfailed"
    steps = {"uploadcomplete": "preprocess", "startintegration": "integrate",
             "startartworkimport": "import_artwork"}

    def preprocess(self, task, app):
        data = task.as_dict()
        preprocess = PREPROCESSORS.get(data.get("contenttype"))
        if preprocess is None:
            return task.set_state("invalidcontent", notice="InternalError", message=UNSUPPORTED)
        try:
            return preprocess(task, data, uploads_directory(app.cfg), app.cfg)
        except (uploadfiles.UploadError, ArtworkError, MediaError, OSError) as error:
            log.warning("Upload %s: invalid content: %s", task.id, error)
            return task.set_state("invalidcontent", notice="InternalError",
                                  message=str(error), reason=str(error))

    def integrate(self, task, app):
        data = task.as_dict()
        place = INTEGRATIONS.get(data.get("contenttype"))
        if place is None:
            return task.set_state("integrationfailed", reason=UNSUPPORTED)
        try:
            placed = place(task.id, data, app)
        except IntegrationFailed as error:
            task.message(str(error))
            return task.set_state("integrationfailed", reason=str(error))
        except (OSError, safepath.UnsafePath) as error:
            log.warning("Upload %s: integration failed: %s", task.id, error)
            task.message(_copy_message(error))
            return task.set_state("integrationfailed", reason=str(error))
        return task.set_state("readyforimport", **placed)

    def import_artwork(self, task, app):
        return artworkimport.import_artwork(task, app)


def _archive_limits(cfg):
    uploads = cfg.uploads
    return uploadfiles.ArchiveLimits(entries=uploads.archiveentries, size=uploads.archivesize,
                                     ratio=uploads.archiveratio)


def _preprocess_artwork(task, data, directory, _cfg):
    source = os.path.join(directory, data["uploadpath"])
    target = source
    if uploadfiles.extension(data["uploadpath"]) != "jpg":
        target = os.path.splitext(source)[0] + ".jpg"
        in_thread(uploadfiles.convert_to_jpeg, source, target)
    return task.set_state("readyforintegration", preprocessedpath=target)


def _preprocess_albumfile(task, data, directory, cfg):
    updates = {"preprocessedpath": data["uploadpath"]}
    if not data.get("mimetype"):
        updates["mimetype"] = _guess_type(data)
    source = os.path.join(directory, data["uploadpath"])
    first = source
    if uploadfiles.is_archive(source):
        unpacked = os.path.splitext(data["uploadpath"])[0] + ".d"
        in_thread(uploadfiles.remove, os.path.join(directory, unpacked))   # a restart's leftover
        files = in_thread(uploadfiles.unpack_zip, source, os.path.join(directory, unpacked),
                        _archive_limits(cfg))
        updates.update(preprocessedpath=unpacked, unpackedpath=unpacked)
        task.update(**updates)
        task.annotate(files=files)
        audio = [name for name in files
                 if uploadfiles.extension(name).lower() in tags.SUPPORTED_EXTENSIONS]
        first = os.path.join(directory, unpacked, *sorted(audio)[0].split("/")) if audio else None
    else:
        task.update(**updates)
    if first is not None:
        _annotate_metadata(task, first)
    return task.set_state("readyforintegration")


def _preprocess_video(task, data, directory, _cfg):
    """A video is checked with ffprobe (m4v, mp4, webm with a video stream) and annotated
    with its playtime, codec and resolution.  Raises UploadError or VideoError."""
    if uploadfiles.extension(data["uploadpath"]).lower() not in VIDEO_EXTENSIONS:
        raise uploadfiles.UploadError(
            f"a video must be one of these files: {', '.join(VIDEO_EXTENSIONS)}")
    # ffprobe from this greenlet: gevent cannot watch a child process of a worker thread.
    info = videoinfo.probe(os.path.join(directory, data["uploadpath"]))
    task.update(preprocessedpath=data["uploadpath"],
                mimetype=data.get("mimetype") or _guess_type(data))
    task.annotate(playtime=info.playtime, codec=info.codec, xresolution=info.xresolution,
                  yresolution=info.yresolution)
    return task.set_state("readyforintegration")


def _guess_type(data):
    return mimetypes.guess_type(data.get("sourcefilename") or "")[0] or ""


PREPROCESSORS = {"albumfile": _preprocess_albumfile, "artwork": _preprocess_artwork,
                 "video": _preprocess_video}


def _annotate_metadata(task, path):
    try:
        meta = in_thread(_read_tags, path)
    except tags.TagError as error:
        log.info("Upload %s: no metadata: %s", task.id, error)
        return
    task.annotate(**meta.musicdb_metadata())


def _read_tags(path):
    return tags.read_metadata(path, probe=False)   # no ffprobe in a worker thread


# -- integration -------------------------------------------------------------------------

def _integrate_albumfile(taskid, data, app):
    """Place the upload's file(s); returns ``{"albumfilepath": destination}`` (relative to
    the music directory)."""
    root = app.cfg.directories.music
    directory = uploads_directory(app.cfg)
    musicpath = data.get("albumfilepath")
    relpath, absolute = safepath.resolve(root, musicpath)
    source = os.path.join(directory, data.get("preprocessedpath") or data["uploadpath"])
    if not os.path.isdir(source):
        in_thread(_place, source, absolute, taskid)
        return {"albumfilepath": relpath}
    if uploadfiles.is_archive(relpath):
        relpath, absolute = safepath.resolve(root, relpath.rsplit("/", 1)[0])
    for member in _members(source, data.get("annotations", {}).get("files") or []):
        target = os.path.join(absolute, *member[1].split("/"))
        safepath.resolve(root, f"{relpath}/{member[1]}")
        in_thread(_place, os.path.join(source, *member[0].split("/")), target, taskid)
    return {"albumfilepath": relpath}


def _integrate_video(taskid, data, app):
    """Place the video at its ``videofile`` (``<Artist>/<YYYY> - <Name>.<ext>``, set by
    InitiateContentIntegration); returns the keys ``videofile`` and ``videopath``."""
    relpath, absolute = safepath.resolve(app.cfg.directories.music, data.get("videofile"))
    source = os.path.join(uploads_directory(app.cfg),
                          data.get("preprocessedpath") or data["uploadpath"])
    in_thread(_place, source, absolute, taskid)
    try:
        importhints.remember(app.cfg, relpath, data.get("annotations") or {})
    except OSError as error:   # the video is in place: only its origin is not carried
        log.warning("Upload %s: cannot keep its origin for the import: %s", taskid, error)
    return {"videofile": relpath, "videopath": relpath}


INTEGRATIONS = {"albumfile": _integrate_albumfile, "video": _integrate_video}


def _members(source, files):
    """``(unpacked path, destination path)``: a single top directory of the archive is dropped."""
    tops = {name.split("/")[0] for name in files}
    strip = len(tops) == 1 and all("/" in name for name in files)
    return [(name, name.split("/", 1)[1] if strip else name) for name in files]


def _place(source, destination, taskid):
    """Put ``source`` at ``destination`` atomically, never over an existing file.

    Raises:
        IntegrationFailed: a different file is there already.
        OSError: the directory or the file cannot be written.
    """
    os.makedirs(os.path.dirname(destination), mode=0o775, exist_ok=True)
    uploadfiles.remove(_temporary(destination, taskid))   # a killed integration's half copy
    if os.path.lexists(destination):
        if os.path.isfile(destination) and _same_content(source, destination):
            return   # placed before a restart
        raise IntegrationFailed(EXISTS)
    try:
        os.link(source, destination)
        return
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
    _copy_then_link(source, destination, taskid)


def _copy_then_link(source, destination, taskid):
    """Another file system: a hidden copy next to the target, linked when complete."""
    temp = _temporary(destination, taskid)
    try:
        shutil.copyfile(source, temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.link(temp, destination)
    except FileExistsError:
        raise IntegrationFailed(EXISTS) from None
    finally:
        uploadfiles.remove(temp)


def _temporary(destination, taskid):
    return os.path.join(os.path.dirname(destination), halfcopies.name_of(taskid))


def remove_orphaned_half_copies(app):
    """At start: delete the half-copies in the music directory of every task whose
    integration will not run again (a kill -9's leftovers: the task's file is gone or
    expired, or it is past ``integrating``); logs how many and where.  A resumed
    integration's own half-copy stays: that step removes it itself.
    Returns their paths relative to the music directory."""
    root = app.cfg.directories.music
    keep = {task["id"] for task in app.tasks.list() if task.get("state") in INTEGRATING}
    removed = in_thread(halfcopies.sweep, root, keep)
    if removed:
        log.warning("Removed %d half-copies of uploads from the music directory %s that "
                    "belong to no running integration (left by a crash): %s",
                    len(removed), root, ", ".join(removed))
    return removed


def _same_content(first, second):
    if os.path.samefile(first, second):
        return True
    return os.path.getsize(first) == os.path.getsize(second) and \
        uploadfiles.sha1_file(first) == uploadfiles.sha1_file(second)


def _copy_message(error):
    if isinstance(error, PermissionError):
        return "Copying failed - Permission denied"
    if isinstance(error, FileNotFoundError):
        return "Copying failed - File not found"
    return f"Copying failed - {getattr(error, 'strerror', None) or error}"
