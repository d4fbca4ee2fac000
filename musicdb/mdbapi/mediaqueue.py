"""One ordered queue of songs or videos, persisted, announced, refilled by Randy (api-playback.md §3.1-§3.3).

:class:`MediaQueue` is configured by its subclasses (``SongQueue``,
``VideoQueue``) with the key and column names, the file, the notification
names and the Randy functions.  Entries are ``{"entryid": int, <key>: int,
"israndom": bool}``; entry IDs are ``uuid4().int`` (128 bit), index 0 is the
current song/video.

Every change runs inside :meth:`MediaQueue._change`, which ends in
:meth:`MediaQueue._commit`: save the whole queue atomically (an empty queue
as the bare header), then announce it, so a restart - or ``kill -9`` -
brings back what the clients saw last.  A change that cannot be saved (a
full or read-only disk) is undone in memory, announced to nobody and
raised as :class:`~musicdb.lib.storage.StorageError` to the caller.  The announcement is exactly one
``…QueueChanged``, preceded by ``…Changed`` (``onSongChanged``) whenever
entry 0 is another entry than before: the WebUI refreshes its current-song
display only then, so a song added to an empty queue must say so too.  A
change together with the random refill it triggers is one notification, an
album added in one piece is one save and one notification; nothing
unchanged is announced (MusicDB 8 sent duplicates and announced failed
refills).  One re-entrant lock per queue serializes the changes and their
saves; changes nested in another (a removal that pops the head) are saved
and announced once, by the outermost.
"""

import contextlib
import logging
import time
import uuid

import gevent
import gevent.lock

from musicdb.lib import statecsv
from musicdb.lib.storage import StorageError, storage_error

from . import events

log = logging.getLogger(__name__)

MIN_LENGTH = 2   # current + next, refilled by Randy after a pop or removal


class MediaQueue:
    """The queue behind one file; subclasses set the class attributes below."""

    KEY = "songid"
    COLUMN = "SongID"
    CHANGED = events.SONGQUEUE_CHANGED
    HEAD_CHANGED = events.SONGQUEUE_HEAD

    def __init__(self, path, lookup, pick, queued, can_fill=lambda: True):
        """``lookup(id)`` -> row or None; ``pick()`` -> random ID or None;
        ``queued(ids)`` pushes onto the blacklists (all at once: one save of each list);
        ``can_fill()`` allows random fills."""
        self.path = path
        self.lookup = lookup
        self.pick = pick
        self.queued = queued
        self.can_fill = can_fill
        self._lock = gevent.lock.RLock()
        self._depth = 0   # nesting of _change(); only the outermost one commits
        self._entries = statecsv.read_table(path, self._from_row)
        self.changed = time.time()  # when the entries last changed (a saved change)

    # -- reading ----------------------------------------------------------------------

    def entries(self):
        """A copy of the queue, head first."""
        return [dict(entry) for entry in self._entries]

    def head_entryid(self):
        return self._entries[0]["entryid"] if self._entries else None

    def current(self):
        """The head entry (a copy); an empty queue gets one random entry first.

        Head entries whose song/video no longer exists are dropped.  Returns
        None when the queue stays empty (or random fills are off, or the
        fill cannot be saved).  An
        existing head is returned without the lock: the audio stream asks
        ten times a second and must not wait while a client's change is
        being saved.
        """
        if self._entries and self.lookup(self._entries[0][self.KEY]) is not None:
            return self._head()
        try:
            with self._change():
                self._drop_missing_head()
                if not self._entries and self.can_fill():
                    self._fill(1)
                return self._head()
        except StorageError:   # logged; a reader gets the head as it is stored
            return self._head()

    # -- changes ----------------------------------------------------------------------

    def next(self, entryid=None):
        """The head finished or was skipped: pop it, refill to two, announce; returns the new head.

        With ``entryid`` only that entry is popped: a song end and a skip of
        the same song that race each other pop it once, never its successor
        too.  If the head is another entry already, nothing changes.
        """
        with self._change():
            if not self._entries or entryid not in (None, self._entries[0]["entryid"]):
                return self._head()
            self._entries.pop(0)
            if self.can_fill():
                self._fill(MIN_LENGTH)
            return self._head()

    def add(self, mediaid, position, israndom=False):
        """Insert ``mediaid`` at ``position`` ("next", "last" or an entry ID to follow).

        Returns the new entry ID, or None (logged) when the ID does not
        exist or the position entry is not in the queue.
        """
        added = self.add_many([mediaid], position, israndom)
        return added[0] if added else None

    def add_many(self, mediaids, position, israndom=False):
        """Insert ``mediaids`` in their order at ``position`` as one change.

        One save and one announcement for all of them (an album), so a crash
        leaves all of them queued or none.  "next" into an empty queue makes
        the first one the head, as a single "next" does.  IDs that do not
        exist are left out (logged).  Returns the new entry IDs; an empty
        list when nothing was added (no existing ID, or the position entry
        is not in the queue - logged).
        """
        with self._change():
            known = [mediaid for mediaid in mediaids if self._exists(mediaid)]
            index = self._insert_index(position)
            if index is None:
                log.warning("Cannot queue %s %s: no entry %s in the queue",
                            self.KEY, known, position)
                return []
            added = [self._new_entry(mediaid, israndom) for mediaid in known]
            self._entries[index:index] = added
            # Saved while the queue is saved: the writes wait for the disk together.
            pushing = gevent.spawn(self._blacklist, known)
        pushing.get()   # its errors are the caller's, as if it ran here
        return [entry["entryid"] for entry in added]

    def add_random(self, position, pick=None):
        """Insert a random entry (``pick`` defaults to Randy's); returns its entry ID or None."""
        with self._lock:
            mediaid = (pick or self.pick)()
            if mediaid is None:
                return None
            return self.add(mediaid, position, israndom=True)

    def move(self, entryid, afterid):
        """Move ``entryid`` right behind ``afterid``; the head cannot move.  Returns True if moved."""
        with self._change():
            ids = [entry["entryid"] for entry in self._entries]
            if entryid == afterid or entryid not in ids or afterid not in ids:
                return False
            if ids.index(entryid) == 0:
                log.warning("The current entry cannot be moved")
                return False
            entry = self._entries.pop(ids.index(entryid))
            target = [e["entryid"] for e in self._entries].index(afterid)
            self._entries.insert(target + 1, entry)
            return True

    def remove(self, entryid, skip=None):
        """Remove an entry and refill to two; removing the head is a skip.

        The head is handed to ``skip(entryid)`` (the stream that plays it
        moves on), or popped at once without ``skip``.  Deciding this under
        the lock means an entry that became the head while the caller waited
        is skipped, not kept.  Returns True if the queue changed or a skip
        was requested.
        """
        with self._change():
            if self._entries and self._entries[0]["entryid"] == entryid:
                if skip is None:
                    self.next(entryid)
                else:
                    skip(entryid)
                return True
            if len(self._entries) < MIN_LENGTH:
                return False
            before = len(self._entries)
            self._entries = [e for e in self._entries if e["entryid"] != entryid]
            changed = len(self._entries) != before
            if changed and self.can_fill():
                self._fill(MIN_LENGTH)
            return changed

    def drop(self, mediaids):
        """Remove every entry of ``mediaids`` (songs/videos removed from the library).

        One change: saved, then announced once (with the new head if the head
        went; the stream follows it), refilled to two.  Returns the number of
        entries removed.
        """
        gone = set(mediaids)
        with self._change():
            before = len(self._entries)
            self._entries = [e for e in self._entries if e[self.KEY] not in gone]
            removed = before - len(self._entries)
            if removed and self.can_fill():
                self._fill(MIN_LENGTH)
            return removed

    # -- internals ----------------------------------------------------------------------

    def _head(self):
        return dict(self._entries[0]) if self._entries else None

    def _insert_index(self, position):
        if position == "last":
            return len(self._entries)
        if position == "next":
            return min(1, len(self._entries))
        for index, entry in enumerate(self._entries):
            if entry["entryid"] == position:
                return index + 1
        return None

    def _exists(self, mediaid):
        if self.lookup(mediaid) is not None:
            return True
        log.warning("Cannot queue %s %s: it does not exist", self.KEY, mediaid)
        return False

    def _new_entry(self, mediaid, israndom):
        return {"entryid": uuid.uuid4().int, self.KEY: mediaid, "israndom": bool(israndom)}

    def _fill(self, length):
        """Append random entries until the queue has ``length``; True if any was added."""
        added = False
        while len(self._entries) < length:
            mediaid = self.pick()
            if mediaid is None:
                break
            self._entries.append(self._new_entry(mediaid, True))
            self._blacklist([mediaid])
            added = True
        return added

    def _drop_missing_head(self):
        dropped = False
        while self._entries and self.lookup(self._entries[0][self.KEY]) is None:
            gone = self._entries.pop(0)
            log.warning("Dropping queue entry %s: %s %s no longer exists",
                        gone["entryid"], self.KEY, gone[self.KEY])
            dropped = True
        return dropped

    def _blacklist(self, mediaids):
        if not mediaids:
            return
        try:
            self.queued(mediaids)
        except OSError as error:
            log.error("Cannot save the blacklists: %s", error)

    @contextlib.contextmanager
    def _change(self):
        """Hold the lock for one change; the outermost change then commits, if the entries differ.

        An exception inside, or a save that fails, puts the entries back as
        they were (as they are stored) and announces nothing.

        Raises:
            StorageError: the queue file cannot be written.
        """
        with self._lock:
            outermost = self._depth == 0
            before, head = list(self._entries), self._shown_head()
            self._depth += 1
            try:
                yield
            except BaseException:
                if outermost:
                    self._entries = before
                raise
            finally:
                self._depth -= 1
            if outermost and self._entries != before:
                try:
                    self._commit(head)
                except StorageError:
                    self._entries = before
                    raise

    def _shown_head(self):
        """The entry ID of the head clients are told about (subclasses may hide it)."""
        return self.head_entryid()

    def _commit(self, head_before):
        """Save, then announce: a new head first, then the queue change.

        Raises:
            StorageError: the save failed; nothing is announced.
        """
        self._save()
        self.changed = time.time()
        if self._shown_head() != head_before:
            events.emit(self.HEAD_CHANGED)
        events.emit(self.CHANGED)

    def _save(self):
        rows = [(str(e["entryid"]), e[self.KEY], "True" if e["israndom"] else "False")
                for e in self._entries]
        try:
            statecsv.write_table(self.path, ("EntryID", self.COLUMN, "IsRandom"), rows)
        except OSError as error:
            refusal = storage_error(error, self.path, always=True)
            log.error("Cannot save the queue to %s: %s; the change is undone", self.path,
                      refusal.reason)
            raise refusal from None

    def _from_row(self, row):
        return {"entryid": int(row["EntryID"]), self.KEY: int(row[self.COLUMN]),
                "israndom": row["IsRandom"] == "True"}
