"""An intent journal for a rename that also changes a database.

Moving a file and updating its database row cannot be one atomic step.  The
caller writes the intent (old and new path, what the database row is) with
:meth:`RenameJournal.begin` before it renames, and :meth:`RenameJournal.end`
after the database committed.  A journal found at the next start is an
operation that died in between; the caller decides from the database which
side won (:meth:`RenameJournal.pending`).  One rename at a time: the server
runs its edits one after the other (``librarydir.one_at_a_time``).
"""

import json
import os

FILENAME = "rename.journal"


class RenameJournal:
    """``<data>/rename.journal``: one JSON object, or no file."""

    def __init__(self, datadir):
        self.path = os.path.join(datadir, FILENAME)

    def begin(self, record):
        """Write ``record`` (plain JSON data) durably, before anything is renamed.

        Raises:
            OSError: the data directory cannot be written (nothing was renamed yet).
        """
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        _sync_directory(os.path.dirname(self.path))

    def end(self):
        """The operation is complete (or undone): forget it."""
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass

    def pending(self):
        """The record of an unfinished operation, or None (an unreadable journal is None too,
        after :meth:`begin` failed half-way nothing was renamed)."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                record = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None


def _sync_directory(directory):
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
