"""The files of uploads in ``<data>/uploads/``: names, chunks, checksums, archives.

Everything a client sends (task IDs, checksums, file names, archive entries)
is hostile until checked here; nothing from a client becomes a path before
that.  Plain blocking file calls (the caller runs them in the thread pool);
nothing here knows the application.
"""

import binascii
import hashlib
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass

from PIL import Image

from musicdb.lib import safepath

DIVISION_SLASH = "\u2215"   # "/" inside a name, as MusicDB names files
_CHECKSUM = re.compile(r"^[0-9a-f]{40}$")
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,16}$")
_READ_SIZE = 1 << 20


class UploadError(ValueError):
    """An upload, name or archive that is refused; the message says why."""


class ArchiveError(UploadError):
    """An archive that is not unpacked (traversal, links, devices, a bomb, broken)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may unpack to; a zip bomb exceeds one of them."""

    entries: int = 1000
    size: int = 4 << 30      # bytes of all unpacked files together
    ratio: int = 100         # unpacked bytes per compressed byte, per entry and in total


def check_checksum(checksum):
    """Return ``checksum`` if it is a lower-case SHA-1 hex digest.  Raises UploadError."""
    if not isinstance(checksum, str) or not _CHECKSUM.match(checksum):
        raise UploadError("the checksum must be the file's SHA-1 as 40 lower-case hex digits")
    return checksum


def extension(filename):
    """The extension of a client's file name (without dot), or "" if it has none or an odd one."""
    ext = os.path.splitext(filename or "")[1][1:]
    return ext if _EXTENSION.match(ext) else ""


def upload_name(contenttype, checksum, filename):
    """``<contenttype>-<checksum>[.<extension>]`` (api-uploads.md §1).  Raises UploadError."""
    if not re.match(r"^[a-z]{1,16}$", contenttype or ""):
        raise UploadError("invalid content type")
    ext = extension(filename)
    base = f"{contenttype}-{check_checksum(checksum)}"
    return f"{base}.{ext}" if ext else base


def clean_name(name):
    """A client's file name as one safe component: ``/`` becomes ``∕``, control
    characters and leading dots and blanks go, NFC.  Raises UploadError if nothing is left."""
    text = unicodedata.normalize("NFC", str(name)).replace("/", DIVISION_SLASH)
    text = "".join(char for char in text if unicodedata.category(char)[0] != "C")
    text = text.strip().lstrip(".").strip()
    if not text or len(text.encode("utf-8", "surrogateescape")) > safepath.DEFAULT_NAME_MAX:
        raise UploadError(f"unusable file name: {safepath.shown(str(name))}")
    return text


def create_empty(path):
    """Replace ``path`` by an empty file (a new upload)."""
    with open(path, "wb"):
        pass


def size(path):
    """The size of ``path``, 0 if it is missing."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def write_chunk(path, offset, data):
    """Write ``data`` at ``offset`` (what follows is cut off); returns the new file size.

    The offset is the task's, so a chunk sent twice overwrites itself instead
    of doubling.  Raises OSError.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o640)
    try:
        os.ftruncate(fd, min(offset, os.fstat(fd).st_size))
        written = os.pwrite(fd, data, offset) if data else 0
        if written != len(data):
            raise OSError(f"short write ({written} of {len(data)} bytes)")
        return offset + written
    finally:
        os.close(fd)


def decode_hex(text):
    """The bytes of a chunk sent as hex (``binascii``: about 1 ms for the WebUI's 800 kB).

    Raises:
        UploadError: ``text`` is not hex digits, two per byte.
    """
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise UploadError("chunkdata must be hex digits, two per byte") from None


class RunningSha1:
    """The SHA-1 of an upload's file so far, fed with each stored chunk, so the last
    chunk needs no second read of the whole file; ``length`` is how many bytes it saw."""

    def __init__(self):
        self.digest = hashlib.sha1()
        self.length = 0

    def matches(self, size):
        return self.length == size


def store_chunk(path, data, limit, running=None):
    """Append ``data`` to ``path`` at its real size (at most up to ``limit`` bytes);
    returns the new size.  ``running`` (a :class:`RunningSha1` of the file so far) is fed
    the stored bytes; one that does not match the file's size is left alone (the last
    chunk then reads the file again).  One call for the thread pool per chunk.

    Raises:
        OSError: the chunk cannot be stored.
    """
    offset = size(path)
    data = data[:max(limit - offset, 0)]
    end = write_chunk(path, offset, data)
    if running is not None and running.matches(offset):
        running.digest.update(data)   # hashlib lets other threads run meanwhile
        running.length = end
    return end


def file_sha1(path, running=None):
    """The SHA-1 of ``path`` as lower-case hex: ``running``'s when it saw the whole file,
    else read from the disk.  Raises OSError."""
    if running is not None and running.matches(size(path)):
        return running.digest.hexdigest()
    return sha1_file(path)


def sha1_file(path):
    """The SHA-1 of a file as lower-case hex.  Raises OSError."""
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_READ_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def remove(path):
    """Delete a file or a directory tree if it exists (the end of a task)."""
    if not path or not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, files in os.walk(path, topdown=False):
            for name in files + dirs:
                full = os.path.join(root, name)
                os.rmdir(full) if os.path.isdir(full) and not os.path.islink(full) \
                    else os.remove(full)
        os.rmdir(path)
    else:
        os.remove(path)


def upload_stem(name):
    """``<contenttype>-<checksum>`` of an upload's file or of one made from it
    (``….d`` unpacked, ``….jpg`` converted): the name up to its first dot."""
    return os.path.basename(name).split(".", 1)[0]


def remove_orphans(directory, owned):
    """Delete every entry of ``directory`` whose :func:`upload_stem` is none of the
    names in ``owned`` (the files of the tasks that exist); returns the deleted names.

    Raises:
        OSError: an entry cannot be deleted.
    """
    stems = {upload_stem(name) for name in owned if name}
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    orphans = [name for name in names if not upload_stem(name) or upload_stem(name) not in stems]
    for name in orphans:
        remove(os.path.join(directory, name))
    return orphans


def directory_size(directory):
    """Bytes of all files below ``directory`` (the uploads' total)."""
    total = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def convert_to_jpeg(source, target):
    """Save the image ``source`` as an optimised progressive JPEG ``target`` (artwork uploads).

    Raises:
        UploadError: no readable image (also one larger than Pillow's limit).
        OSError: the target cannot be written.
    """
    try:
        with Image.open(source) as image:
            image.load()
            image.convert("RGB").save(target, "JPEG", optimize=True, progressive=True)
    except (ValueError, Image.DecompressionBombError, SyntaxError) as error:
        raise UploadError(f"no readable image: {error}") from None
    except OSError as error:
        if os.path.exists(target) or error.filename:
            raise
        raise UploadError(f"no readable image: {error}") from None


# -- archives ---------------------------------------------------------------------------

def is_archive(path):
    return path.lower().endswith(".zip")


def archive_members(archive, limits):
    """The regular files of a zip as ``[(info, relative path)]``, checked against ``limits``.

    Raises:
        ArchiveError: an absolute or ``..`` name, a link, device or other special
            entry, too many entries, too much data, too high a compression ratio,
            or a broken archive.
    """
    infos = archive.infolist()
    if len(infos) > limits.entries:
        raise ArchiveError(f"the archive has {len(infos)} entries (at most {limits.entries})")
    members, total, packed = [], 0, 0
    for info in infos:
        relpath = _member_path(info)
        if relpath is None:
            continue  # a directory entry: directories follow from the files
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.ratio:
            raise ArchiveError(f"{safepath.shown(info.filename)}: compression ratio "
                               f"{ratio:.0f} (at most {limits.ratio}); refused as a zip bomb")
        total += info.file_size
        packed += info.compress_size
        members.append((info, relpath))
    if total > limits.size:
        raise ArchiveError(f"the archive unpacks to {total} bytes (at most {limits.size})")
    if total > limits.ratio * max(packed, 1) and total > 1 << 20:
        raise ArchiveError("the archive's compression ratio is too high; refused as a zip bomb")
    return members


def _member_path(info):
    """The checked relative path of a file entry, None for a directory entry."""
    name = info.filename
    mode = info.external_attr >> 16
    if info.is_dir():
        return None
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):   # 0: a zip without Unix modes
        raise ArchiveError(f"{safepath.shown(name)}: links, devices and other special "
                           "files are not unpacked")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\0" in name:
        raise ArchiveError(f"{safepath.shown(name)}: absolute names are not unpacked")
    parts = [part for part in name.split("/") if part not in ("",)]
    if not parts or any(part in (".", "..") for part in parts):
        raise ArchiveError(f"{safepath.shown(name)}: names with '..' are not unpacked")
    try:
        return "/".join(clean_name(part) for part in parts)
    except UploadError as error:
        raise ArchiveError(str(error)) from None


def unpack_zip(path, target, limits=ArchiveLimits()):
    """Unpack the regular files of the zip ``path`` into the new directory ``target``;
    returns their relative paths.  Reads at most what the entries declare, so a
    lying header cannot write more.

    Raises:
        ArchiveError: see :func:`archive_members`; the target is removed then.
        OSError: a file cannot be written.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive_members(archive, limits)
            os.makedirs(target, mode=0o750)
            return [_extract(archive, info, relpath, target) for info, relpath in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        remove(target)
        raise ArchiveError(f"broken archive: {error}") from None
    except ArchiveError:
        remove(target)
        raise


def _extract(archive, info, relpath, target):
    destination = os.path.join(target, *relpath.split("/"))
    if not safepath.inside(os.path.realpath(os.path.dirname(destination)),
                           os.path.realpath(target)):
        raise ArchiveError(f"{safepath.shown(relpath)}: leaves the target directory")
    os.makedirs(os.path.dirname(destination), mode=0o750, exist_ok=True)
    left = info.file_size
    with archive.open(info) as source, \
            open(destination, "xb") as sink:   # "x": never through an existing link
        while True:
            block = source.read(min(_READ_SIZE, left + 1))
            if not block:
                break
            left -= len(block)
            if left < 0:
                raise ArchiveError(f"{safepath.shown(relpath)}: more data than declared")
            sink.write(block)
    return relpath
