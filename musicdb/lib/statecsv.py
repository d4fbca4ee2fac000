"""The CSV files of ``<data>/state/`` (queues, blacklists) in MusicDB 8's dialect.

api-playback.md §3.3: header line, ``,`` delimiter, ``"`` quotes, ``\\``
escape, non-numeric values quoted, numbers bare, ``\\r\\n`` line ends.  The
files must stay readable by the original, so the text is byte-exact.
Writing goes through :func:`musicdb.lib.datadir.write_atomic` (temp file,
fsync, rename): a crash or ``kill -9`` leaves the old or the new file,
never half of one.  An empty table is written as its header.
"""

import csv
import io
import logging

import gevent

from musicdb.lib.datadir import write_atomic
from musicdb.lib.threads import in_thread

log = logging.getLogger(__name__)


def _writer(stream):
    return csv.writer(stream, delimiter=",", quotechar='"', escapechar="\\",
                      quoting=csv.QUOTE_NONNUMERIC)


def format_table(header, rows):
    """The file text for ``rows`` (sequences of int or str); bools must be passed as str."""
    stream = io.StringIO()
    writer = _writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return stream.getvalue()


def write_table(path, header, rows):
    """Replace ``path`` atomically with the table; the calling greenlet waits, the loop runs on.

    The write and its fsync run in the hub's thread pool, because an fsync
    can take long on a busy disk.  Callers serialize their writes of one
    file (the queue holds its lock), so a later state never gets overwritten
    by an earlier one.

    Raises:
        OSError: the file cannot be written (the old one stays intact).
    """
    text = format_table(header, rows)
    in_thread(write_atomic, path, text, 0o644)


def write_tables(tables):
    """Replace several files at once; ``tables`` holds ``(path, header, rows)``.

    The writes run side by side in the hub's thread pool: a journaling file
    system commits fsyncs that wait together in one go, so three files take
    about as long as one (written one after the other, each waits for its
    own journal commit - tens of milliseconds on a busy disk).

    Raises:
        OSError: a file cannot be written (the first error; the other files
            are written all the same, and a failed one keeps its old content).
    """
    pool = gevent.get_hub().threadpool
    pending = [pool.spawn(write_atomic, path, format_table(header, rows), 0o644)
               for path, header, rows in tables]
    errors = []
    for result in pending:
        try:
            result.get()
        except OSError as error:
            errors.append(error)
    if errors:
        raise errors[0]


def read_table(path, convert):
    """Rows of ``path`` as ``convert(dict_of_strings)`` results, header names as keys.

    A missing or unreadable file gives ``[]``; a row that ``convert`` rejects
    (``KeyError``, ``ValueError``, ``TypeError``) is skipped with a warning.
    """
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            raw = list(csv.DictReader(handle, delimiter=",", quotechar='"', escapechar="\\"))
    except FileNotFoundError:
        return []
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        log.warning("Cannot read %s (%s); starting with an empty list", path, error)
        return []
    result = []
    for number, row in enumerate(raw, start=2):
        try:
            result.append(convert(row))
        except (KeyError, ValueError, TypeError) as error:
            log.warning("%s line %d: skipping unreadable row %r (%s)", path, number, row, error)
    return result
