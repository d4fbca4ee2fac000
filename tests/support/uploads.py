"""An upload client: MusicDB 8's WebUI upload manager in a few functions (api-uploads.md §11)."""

import hashlib
import io
import json
import os
import time
import zipfile

TASK = "MusicDB:Task"


def sha1(data):
    return hashlib.sha1(data).hexdigest()


def task_packet(taskid, predicate=lambda packet: True):
    """A wait_for predicate: a MusicDB:Task notification of ``taskid``."""
    return lambda packet: (packet.get("fncname") == TASK
                           and packet["arguments"].get("taskid") == taskid
                           and predicate(packet))


def state_of(client, taskid, states, timeout=30):
    """Wait for a StateUpdate (or InternalError) of ``taskid`` entering one of ``states``."""
    return client.wait_for(task_packet(taskid, lambda packet: packet["fncsig"] != "ChunkRequest"
                                       and packet["arguments"]["state"] in states), timeout)


def start_upload(client, data, filename, contenttype="albumfile", taskid=None, checksum=None,
                 mimetype=""):
    """Send InitiateUpload (as the WebUI: a request); returns the task ID."""
    taskid = taskid or sha1(data)
    client.send("request", "InitiateUpload", {
        "taskid": taskid, "mimetype": mimetype, "contenttype": contenttype,
        "filesize": len(data), "checksum": checksum or sha1(data), "filename": filename},
        "UploadingContent", {"contenttype": contenttype})
    return taskid


def send_chunks(client, data, taskid, until=("readyforintegration", "uploadfailed",
                                              "invalidcontent"), stop_after=None, timeout=60,
                chunksize=None):
    """Answer ChunkRequests of ``taskid`` until a state in ``until``; returns that packet.
    ``stop_after``: return the ChunkRequest that asks for more after this many bytes;
    ``chunksize``: send chunks of this size instead of the requested one."""
    while True:
        packet = client.wait_for(task_packet(taskid), timeout)
        arguments = packet["arguments"]
        if packet["fncsig"] == "ChunkRequest":
            offset, size = arguments["offset"], chunksize or arguments["chunksize"]
            if stop_after is not None and offset >= stop_after:
                return packet
            send_chunk(client, taskid, data[offset:offset + size])
        elif arguments["state"] in until:
            return packet


_SLOT = "chunk-goes-here"


def send_chunk(client, taskid, chunk):
    """UploadChunk of ``chunk`` as hex, the packet the WebUI sends.  Its text is encoded
    around the hex, which needs no escaping: ``json.dumps`` spends 3.5 ms scanning the
    800 kB that a browser's native ``JSON.stringify`` copies, and an upload's speed is
    set by each chunk's round trip."""
    text = client.encode("call", "UploadChunk", {"taskid": taskid, "chunkdata": _SLOT})
    client.send_raw(text.replace(json.dumps(_SLOT), '"' + chunk.hex() + '"', 1))


def upload(client, data, filename, contenttype="albumfile", **options):
    """Upload ``data`` in chunks; returns the packet of its end state."""
    taskid = start_upload(client, data, filename, contenttype, **options)
    return send_chunks(client, data, taskid)


def zip_directory(directory, prefix=""):
    """A zip of every file below ``directory`` as bytes (names relative, under ``prefix``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for root, _dirs, files in os.walk(directory):
            for name in sorted(files):
                path = os.path.join(root, name)
                archive.write(path, prefix + os.path.relpath(path, directory))
    return buffer.getvalue()


def plant_integrating_task(home, data, albumfilepath, state="integrating"):
    """What a kill -9 during an album file's integration leaves in ``home``: the upload's
    file and its task file in ``state``; returns the task ID (the file's SHA-1)."""
    taskid, now = sha1(data), int(time.time())
    name = f"albumfile-{taskid}.mp3"
    with open(os.path.join(home, "data", "uploads", name), "wb") as handle:
        handle.write(data)
    task = {"id": taskid, "type": "upload", "state": state, "contenttype": "albumfile",
            "params": {}, "annotations": {}, "progress": {"done": 0, "total": None},
            "reason": None, "result": None, "initializationtime": now, "updatetime": now,
            "owner": 1, "filesize": len(data), "offset": len(data),
            "sourcefilename": os.path.basename(albumfilepath), "sourcechecksum": taskid,
            "uploadpath": name, "preprocessedpath": name, "albumfilepath": albumfilepath,
            "mimetype": "", "videopath": None, "albumpath": None, "awsourcetype": None,
            "awsourcepath": None}
    with open(os.path.join(home, "data", "tasks", f"{taskid}.json"), "w") as handle:
        json.dump(task, handle)
    return taskid
