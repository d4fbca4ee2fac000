"""Fan-out to listeners and ICY metadata, without a server."""

import gevent

from musicdb.mdbapi.audiostream.broadcast import METAINT, Broadcaster, icy_metadata
from tests.support.stream import split_icy


def collect(listener):
    received = bytearray()

    def read():
        for chunk in listener:
            received.extend(chunk)
    return received, gevent.spawn(read)


def test_icy_metadata_is_inserted_every_metaint_bytes_and_repeated_only_on_change():
    hub = Broadcaster(maxlisteners=5, limit=10**6, burst=0)
    listener = hub.add("x", icy=True)
    first, second = icy_metadata("A - One"), icy_metadata("B - Two")
    audio = bytes(range(256)) * 200          # 51200 bytes
    hub.send([(audio, first)])
    hub.send([(audio, second)])
    received, reader = collect(listener)
    gevent.sleep(0)
    assert received[METAINT] * 16 == len(first) - 1
    plain, titles = split_icy(bytes(received))
    assert plain == audio + audio
    assert titles == ["StreamTitle='A - One';", "StreamTitle='B - Two';"]
    reader.kill()


def test_icy_title_block_is_padded_to_16_bytes():
    block = icy_metadata("Ärzte - Ünïcode")
    assert (len(block) - 1) % 16 == 0 and block[0] == (len(block) - 1) // 16
    assert block[1:].rstrip(b"\0").decode("utf-8") == "StreamTitle='Ärzte - Ünïcode';"


def test_a_listener_that_does_not_read_is_dropped_and_the_others_keep_getting_data():
    hub = Broadcaster(maxlisteners=5, limit=100_000, burst=0)
    slow = hub.add("slow", icy=False)
    fast = hub.add("fast", icy=False)
    received, reader = collect(fast)
    for _ in range(30):
        hub.send([(b"x" * 10_000, b"\0")])
        gevent.sleep(0)
    assert slow.dropped and slow not in hub.listeners
    assert fast in hub.listeners and len(received) == 300_000
    reader.kill()


def test_a_new_listener_starts_with_the_latest_audio_at_a_block_boundary():
    hub = Broadcaster(maxlisteners=5, limit=10**6, burst=25_000)
    for index in range(10):
        hub.send([(bytes((index,)) * 10_000, b"\0")])
    listener = hub.add("late", icy=False)
    received, reader = collect(listener)
    gevent.sleep(0)
    assert bytes(received) == bytes((7,)) * 10_000 + bytes((8,)) * 10_000 + bytes((9,)) * 10_000
    reader.kill()


def test_more_listeners_than_allowed_are_refused():
    hub = Broadcaster(maxlisteners=2, limit=1000, burst=0)
    assert hub.add("a", False) and hub.add("b", False)
    assert hub.add("c", False) is None
