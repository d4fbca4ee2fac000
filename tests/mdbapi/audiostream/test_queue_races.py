"""The audio stream advancing the real song queue while clients skip, remove and move entries.

The songs are 0.3 s long, so the stream pops the head several times a second,
while client greenlets remove the head (a skip), remove and move other entries
and add songs through the real handlers.  Every queue and blacklist save yields
to the thread pool, so the stream and the clients really interleave.
"""

import os
import random
import time
from types import SimpleNamespace

import gevent
import gevent.event
import pytest

from musicdb.lib import statecsv
from musicdb.mdbapi import audiostream, events, handlers
from musicdb.mdbapi.songqueue import SongQueue
from tests.support import build_app, make_cfg, wait_until
from tests.support.media import encode_song

SONGS = 1000
HAMMER_SECONDS = 6.0


class EntryTracker:
    """Records which songs were played to their end (every queued song is a song of its own)."""

    def __init__(self):
        self.songs = []

    def song_played(self, songid, israndom):
        self.songs.append(songid)


class QueueWatch:
    """Checks at every queue notification that the file already holds what the queue holds."""

    def __init__(self, queue):
        self.queue = queue
        self.mismatches = []
        self.popped = 0
        self.head = None        # the head at the last notification
        self.seen = {}          # entry ID -> song ID of every entry ever seen in the queue

    def __call__(self, event):
        if event.name not in (events.SONGQUEUE_CHANGED, events.SONGQUEUE_HEAD):
            return
        if event.name == events.SONGQUEUE_HEAD:
            # A new head after an empty queue (a song added) is no pop.
            self.popped += self.head is not None
            return
        self.head = self.queue.head_entryid()
        entries = self.queue.entries()
        self.seen.update((e["entryid"], e["songid"]) for e in entries)
        on_disk = statecsv.read_table(self.queue.path, self.queue._from_row)
        if on_disk != entries:
            self.mismatches.append((on_disk, entries))


@pytest.fixture
def race(stream_home):
    """A stream with a real SongQueue over ``SONGS`` short songs, playing; stopped after the test."""
    relpath = "Sine Band/2020 - Tones/00 Blip.mp3"
    encode_song(os.path.join(stream_home.music, relpath), seconds=0.3)
    with stream_home.db.transaction():
        songids = [stream_home.add_song(f"Blip {n}", relpath) for n in range(SONGS)]
    datadir = os.path.join(stream_home.home, "data")
    os.makedirs(os.path.join(datadir, "state"), exist_ok=True)
    cfg = make_cfg(datadir, music=stream_home.music, disablevideos=True)
    # Randy's MinSongLength is 120: Randy never adds a song.
    app = build_app(datadir, stream_home.db, cfg=cfg, tracker=EntryTracker())
    queue = app.songqueue
    app.audiostream = audiostream.AudioStream(app)
    watch = QueueWatch(queue)
    events.subscribe(watch)
    app.audiostream.start()
    app.audiostream.play(True)
    yield SimpleNamespace(app=app, queue=queue, watch=watch, songids=songids, cfg=cfg)
    app.audiostream.stop()
    events.unsubscribe(watch)


def call(app, fncname, **arguments):
    return handlers.call(fncname, arguments, app)


def churn(app, queue, songids, removed, rng, until):
    """Add songs and remove the last entry again: the queue lock is busy with saves all the time."""
    for songid in songids:
        if time.monotonic() > until:
            return
        call(app, "AddSongToQueue", songid=songid, position=rng.choice(["last", "next"]))
        entries = queue.entries()
        if len(entries) > 6:
            removed.add(entries[-1]["entryid"])
            call(app, "RemoveSongFromQueue", entryid=str(entries[-1]["entryid"]))
        gevent.sleep(rng.uniform(0, 0.01))


def hammer_head(app, queue, requested, rng, until):
    """Skip every other head when its song is about to end, and try to move it away."""
    stream, skip = app.audiostream, {}
    while time.monotonic() < until:
        ids = [str(e["entryid"]) for e in queue.entries()]
        if ids and skip.setdefault(ids[0], rng.random() < 0.5) and stream.played_time() > 0.2:
            requested.add(int(ids[0]))
            call(app, "RemoveSongFromQueue", entryid=ids[0])
            call(app, "MoveSongInQueue", entryid=ids[0], afterid=ids[-1])
        if len(ids) > 2:
            call(app, "MoveSongInQueue", entryid=ids[1], afterid=rng.choice(ids))
        gevent.sleep(rng.uniform(0, 0.01))


def test_racing_skips_and_song_ends_never_drop_an_extra_song_and_the_file_keeps_up(race):
    """Every entry that left the queue was played to its end or asked to be removed.

    Before the fix a skip of the head that arrived while the stream was
    ending that very song popped the next song too, unplayed and unasked.
    At every notification the queue file already holds the announced queue.
    """
    rng = random.Random(4)
    requested, removed = set(), set()
    until = time.monotonic() + HAMMER_SECONDS
    workers = [gevent.spawn(churn, race.app, race.queue, race.songids, removed, rng, until),
               gevent.spawn(hammer_head, race.app, race.queue, requested, rng, until)]
    gevent.joinall(workers, raise_error=True)
    race.app.audiostream.play(False)    # executed after the pending skips; then nothing moves
    wait_until(lambda: not race.app.audiostream.state()["isplaying"])
    final = {e["entryid"] for e in race.queue.entries()}
    gone = {entryid: songid for entryid, songid in race.watch.seen.items() if entryid not in final}
    played = set(race.app.tracker.songs)
    unasked = [entryid for entryid, songid in gone.items()
               if entryid not in requested | removed and songid not in played]
    assert len(gone) > 20 and requested and played
    assert unasked == []
    assert race.watch.popped == len(set(gone) - removed)
    assert race.watch.mismatches == []
    assert SongQueue(race.cfg, race.app.database, race.app.randy).entries() == \
        race.queue.entries()


def test_a_skip_arriving_while_the_stream_ends_that_song_skips_nothing_else(race, stream_home):
    """Before the fix the skip, queued while the stream popped the ended song, popped the next one."""
    blip, long_song = race.songids[0], stream_home.songs["Low"]
    for songid in (blip, long_song, race.songids[1]):
        call(race.app, "AddSongToQueue", songid=songid, position="last")
    first, second, _ = (e["entryid"] for e in race.queue.entries())
    pop = race.queue.next
    skips = []

    def client_skips_during_the_pop(*args):
        if not skips:       # a client removes the ending song a moment too late
            skips.append(call(race.app, "RemoveSongFromQueue", entryid=str(first)))
        return pop(*args)

    race.queue.next = client_skips_during_the_pop
    wait_until(lambda: skips and race.queue.head_entryid() == second)
    race.app.audiostream.play(False)        # runs after the late skip
    wait_until(lambda: not race.app.audiostream.state()["isplaying"])
    assert race.queue.head_entryid() == second
    assert race.app.tracker.songs == [blip]


def test_a_slow_queue_save_does_not_stall_the_stream(race, stream_home):
    """The producer reads the head ten times a second; it must not wait for the queue's lock
    while a client's change is being saved (a slow disk, a long AddAlbumToQueue)."""
    call(race.app, "AddSongToQueue", songid=stream_home.songs["Low"], position="last")
    listener = race.app.audiostream.broadcaster.add("probe", icy=False)
    arrivals = []

    def read():
        for _ in listener:
            arrivals.append(time.monotonic())

    reader = gevent.spawn(read)
    wait_until(lambda: race.app.audiostream.played_time() > 0.3)
    with race.queue._lock:      # a change whose save takes a second
        gevent.sleep(1.0)
    count = len(arrivals)
    wait_until(lambda: len(arrivals) > count + 1)
    reader.kill()
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert max(gaps) < 0.4


def test_the_next_song_plays_while_the_ended_songs_pop_is_being_saved(race, stream_home):
    """At a song's end the next one streams at once; the queue's saved pop follows.

    Before, the stream waited for that save: on a busy disk (or behind fifty
    clients' work in the thread pool) listeners got nothing for up to 300 ms at
    every song change.  Here the save waits until the test lets it go, and the
    second song is well under way meanwhile (the first one is 0.3 s long).
    """
    stream = race.app.audiostream
    stream.play(False)
    wait_until(lambda: not stream.state()["isplaying"])
    blip, long_song = race.songids[0], stream_home.songs["Low"]
    for songid in (blip, long_song):
        call(race.app, "AddSongToQueue", songid=songid, position="last")
    first, second = (e["entryid"] for e in race.queue.entries())
    save, saving, release = race.queue._save, [], gevent.event.Event()

    def slow_save():
        saving.append(True)
        release.wait()
        return save()

    race.queue._save = slow_save
    stream.play(True)
    wait_until(lambda: saving)
    wait_until(lambda: stream.played_time() > 0.6)      # the second song, its pop unsaved
    assert race.queue.entries()[0]["entryid"] == second  # popped in memory, announced later
    release.set()
    stored = lambda: SongQueue(race.cfg, race.app.database, race.app.randy).entries()  # noqa: E731
    wait_until(lambda: [e["entryid"] for e in stored()] == [second])
    assert race.app.tracker.songs == [blip]
