"""Half-copies: the hidden files an upload's integration writes into the music directory.

When an upload cannot be hard-linked into the music directory (another file
system), its file is first copied next to its destination under the name
``.<task ID>.musicdb-upload`` and linked into place only when complete.  A
kill -9 can leave such a half-copy behind; :func:`sweep` removes those of
tasks that will not run again.

The name is recognised only in exactly this form: a leading dot, a task ID
in its canonical form (:data:`TASK_ID`) and the suffix.  Anything else (a
user's ``.x.musicdb-upload``, an upper-case ID, another suffix) is never
touched.  The walk of the music directory skips hidden names, so neither the
importer nor the file-system scan sees a half-copy.  Plain blocking file
work: the server calls :func:`sweep` in the thread pool.
"""

import logging
import os
import re
import stat

log = logging.getLogger(__name__)

#: A task ID: the canonical form of a UUID4, or the lower-case SHA-1 hex digest the
#: WebUI uses as the ID of an upload (the task manager accepts nothing else).
TASK_ID = (r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
           r"|[0-9a-f]{40}")
SUFFIX = ".musicdb-upload"
_NAME = re.compile(rf"\.({TASK_ID}){re.escape(SUFFIX)}")


def name_of(taskid):
    """The file name of ``taskid``'s half-copy (in the directory of its destination)."""
    return f".{taskid}{SUFFIX}"


def owner_of(name):
    """The task ID whose half-copy ``name`` is, or None if it is no half-copy's name."""
    match = _NAME.fullmatch(name)
    return match.group(1) if match else None


def sweep(root, keep=()):
    """Delete every half-copy below ``root`` whose task ID is not in ``keep``; returns
    their paths relative to ``root``, sorted.

    Symbolic links are neither followed (the walk stays inside ``root``) nor
    deleted, and only regular files are.  A directory that cannot be read or
    a file that cannot be deleted is logged and skipped.
    """
    keep = frozenset(keep)
    removed = []
    if not os.path.isdir(root):
        return removed
    for directory, _dirs, files in os.walk(root, onerror=_unreadable):
        for name in files:
            owner = owner_of(name)
            path = os.path.join(directory, name)
            if owner is not None and owner not in keep and _remove_file(path):
                removed.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(removed)


def _remove_file(path):
    """Delete ``path`` if it is a regular file (not a link); True if it went."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        os.remove(path)
    except FileNotFoundError:
        return False
    except OSError as error:
        log.warning("Cannot remove the half-copy %s: %s", path, error)
        return False
    return True


def _unreadable(error):
    log.warning("Cannot look for half-copies in %s: %s", error.filename, error.strerror)
