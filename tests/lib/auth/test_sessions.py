"""Sessions: random tokens, stored hashed in a private file, ended by idle time or lifetime."""

import os
import stat

import pytest

from musicdb.lib.auth.sessions import SessionStore, digest


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "state" / "sessions.json")


def test_a_session_survives_a_restart_and_only_its_digest_is_stored(path, clock):
    token = SessionStore(path, clock=clock).create("anna", "stamp")
    assert token not in open(path).read()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    session = SessionStore(path, clock=clock).lookup(token)
    assert (session.user, session.stamp) == ("anna", "stamp")


def test_unknown_and_empty_tokens_have_no_session(path, clock):
    store = SessionStore(path, clock=clock)
    store.create("anna", "s")
    assert store.lookup("forged") is None and store.lookup("") is None


def test_idle_time_ends_a_session_and_requests_keep_it_alive(path, clock):
    store = SessionStore(path, idle=100, lifetime=10_000, clock=clock)
    token = store.create("anna", "s")
    for _ in range(5):
        clock.now += 90
        assert store.lookup(token) is not None
    clock.now += 101
    assert store.lookup(token) is None


def test_the_lifetime_ends_a_session_however_busy(path, clock):
    store = SessionStore(path, idle=100, lifetime=250, clock=clock)
    token = store.create("anna", "s")
    for _ in range(2):
        clock.now += 90
        assert store.lookup(token) is not None
    clock.now += 90
    assert store.lookup(token) is None


def test_logout_ends_the_session_for_good(path, clock):
    store = SessionStore(path, clock=clock)
    token = store.create("anna", "s")
    store.end(token)
    assert store.lookup(token) is None
    assert SessionStore(path, clock=clock).lookup(token) is None


def test_an_unreadable_file_means_everyone_logs_in_again(path, clock):
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        handle.write("garbage")
    assert len(SessionStore(path, clock=clock)) == 0


def test_listeners_hear_the_digest_of_every_session_that_ends(path, clock):
    """Logout, expiry found by a lookup and expiry found by a sweep each tell the listeners."""
    store = SessionStore(path, idle=10, lifetime=100, clock=clock)
    ended = []
    store.subscribe(ended.append)
    first, second, third = (store.create(user, "s") for user in ("anna", "ben", "cleo"))
    store.end(first)
    clock.now += 11
    assert store.lookup(second) is None
    assert store.sweep() == 1
    assert ended == [digest(first), digest(second), digest(third)]
    store.end(first)    # ended already: nobody hears of it again
    assert len(ended) == 3


def test_a_sweep_ends_the_sessions_that_valid_refuses_and_keeps_the_others(path, clock):
    """A changed password (another stamp) ends its sessions without a request."""
    store = SessionStore(path, clock=clock)
    ended = []
    store.subscribe(ended.append)
    anna, ben = store.create("anna", "old"), store.create("ben", "b")
    assert store.sweep(lambda session: session.stamp != "old") == 1
    assert ended == [digest(anna)]
    assert store.lookup(ben) is not None
    assert SessionStore(path, clock=clock).lookup(anna) is None  # also gone from the file


def test_a_failing_listener_does_not_keep_a_session_alive(path, clock):
    store = SessionStore(path, clock=clock)
    ended = []
    store.subscribe(lambda key: 1 / 0)
    store.subscribe(ended.append)
    token = store.create("anna", "s")
    store.end(token)
    assert ended == [digest(token)] and store.lookup(token) is None


class SlowDisk:
    """``datadir.write_atomic`` that holds each write until the test lets it go (in a thread
    of the pool, as a slow fsync would)."""

    def __init__(self, monkeypatch):
        import threading
        from musicdb.lib import datadir
        self.release = threading.Event()
        self.writing = threading.Event()
        self._write = datadir.write_atomic
        monkeypatch.setattr(datadir, "write_atomic", self)

    def __call__(self, path, text, mode):
        self.writing.set()
        assert self.release.wait(30), "the test never let the write go"
        self._write(path, text, mode)


def test_a_slow_disk_delays_the_login_but_never_the_event_loop(path, clock, monkeypatch):
    """While a session's write waits on the disk, other greenlets (the stream, other
    clients) run; the login returns once its session is on disk."""
    import gevent
    disk = SlowDisk(monkeypatch)
    store = SessionStore(path, clock=clock)
    login = gevent.spawn(store.create, "anna", "s")
    ran = []
    while not disk.writing.is_set():
        gevent.sleep(0.001)
    for _ in range(5):
        ran.append(gevent.spawn(lambda: True).get())   # the loop goes on
    assert not login.ready() and ran == [True] * 5
    disk.release.set()
    token = login.get(timeout=30)
    assert SessionStore(path, clock=clock).lookup(token).user == "anna"


def test_saves_that_overlap_leave_the_newest_state_on_disk(path, clock, monkeypatch):
    """A logout that comes while a login's write is on its way is on disk after both."""
    import gevent
    store = SessionStore(path, clock=clock)
    kept = store.create("ben", "b")
    disk = SlowDisk(monkeypatch)
    login = gevent.spawn(store.create, "anna", "s")
    while not disk.writing.is_set():
        gevent.sleep(0.001)
    logout = gevent.spawn(store.end, kept)
    gevent.sleep(0)
    disk.release.set()
    gevent.joinall([login, logout], timeout=30, raise_error=True)
    reread = SessionStore(path, clock=clock)
    assert reread.lookup(login.value).user == "anna"
    assert reread.lookup(kept) is None
