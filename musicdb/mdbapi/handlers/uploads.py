"""API area: uploads, integration, imports, artwork imports, file-system scans (api-uploads.md §10).

The work is in :mod:`musicdb.mdbapi.uploads` and the task types; progress
reaches every client as ``MusicDB:Task`` notifications (``notifications.py``).
A refusal MusicDB 8 reports as a task-less InternalError ("Invalid Task ID",
"Uploads deactivated", ...) goes to the calling connection only: the
WebUI's integration layer breaks on a task-less notification.
``IntegrateUpload`` stays unknown, as in MusicDB 8.
"""

from musicdb.lib.ws import protocol
from musicdb.lib.ws.errors import InvalidArguments
from musicdb.mdbapi import uploads
from musicdb.lib.uploadfiles import UploadError

from . import handler
from .arguments import integer, string

def contenttype(value):
    if value not in uploads.CONTENTTYPES:
        raise ValueError(f"must be one of {', '.join(uploads.CONTENTTYPES)}")
    return value


def filesize(value):
    if integer(value) <= 0:
        raise ValueError("must be a positive number of bytes")
    return value


def hex_string(value):
    string(value)
    if len(value) % 2:
        raise ValueError("must be hex digits, two per byte")
    return value


def refused(caller, message):
    """The task-less InternalError, to the caller only."""
    if caller is not None:
        caller.send(protocol.notification("MusicDB:Task", "InternalError", {
            "taskid": None, "offset": None, "chunksize": None, "state": "notexisting",
            "task": None, "message": message}))


@handler("InitiateUpload", args={"taskid": string, "mimetype": string,
                                 "contenttype": contenttype, "filesize": filesize,
                                 "checksum": string, "filename": string}, caller=True)
def initiate_upload(args, app, caller):
    try:
        return uploads.initiate(app, args["taskid"], args["mimetype"], args["contenttype"],
                                args["filesize"], args["checksum"], args["filename"])
    except uploads.TaskRefused as refusal:
        refused(caller, str(refusal))
        return args["taskid"]
    except ValueError as error:   # an ID, checksum, size or name that is refused
        raise InvalidArguments(f"InitiateUpload: {error}") from None


@handler("UploadChunk", args={"taskid": string, "chunkdata": hex_string}, caller=True)
def upload_chunk(args, app, caller):
    try:
        uploads.receive_chunk(app, args["taskid"], args["chunkdata"])
    except uploads.TaskRefused as refusal:
        refused(caller, str(refusal))
    except UploadError as error:
        raise InvalidArguments(f"UploadChunk: {error}") from None


@handler("GetCurrentTasks")
def get_current_tasks(args, app):
    return app.tasks.tasklist()


@handler("AnnotateUpload", raw_args=True, caller=True)
def annotate_upload(arguments, app, caller):
    if not isinstance(arguments, dict):
        raise InvalidArguments("AnnotateUpload: the arguments must be an object with a taskid")
    try:
        uploads.annotate(app, arguments)
    except uploads.TaskRefused as refusal:
        refused(caller, str(refusal))


@handler("RemoveUpload", args={"taskid": string}, caller=True)
def remove_upload(args, app, caller):
    try:
        uploads.remove(app, args["taskid"])
    except uploads.TaskRefused as refusal:
        refused(caller, str(refusal))


@handler("InitiateContentIntegration", args={"taskid": string, "musicpath": string},
         caller=True)
def initiate_content_integration(args, app, caller):
    try:
        return uploads.integrate(app, args["taskid"], args["musicpath"])
    except uploads.TaskRefused as refusal:
        refused(caller, str(refusal))
        return None


@handler("InitiateMusicImport", args={"contenttype": string, "contentpath": string})
def initiate_music_import(args, app):
    return uploads.music_import(app, args["contenttype"], args["contentpath"])


@handler("InitiateArtworkImport", raw_args=True)
def initiate_artwork_import(arguments, app):
    arguments = arguments if isinstance(arguments, dict) else {}
    source, target = arguments.get("sourcepath"), arguments.get("targetpath")
    if not isinstance(source, str) or not isinstance(target, str):
        return None
    return uploads.artwork_import(app, source, target)


@handler("InitiateFilesystemScan")
def initiate_filesystem_scan(args, app):
    return uploads.filesystem_scan(app)
