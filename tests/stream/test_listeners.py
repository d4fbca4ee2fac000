"""Fan-out to listeners, ICY metadata and the access rules, without a server."""

import base64

import gevent

from musicdb.mdbapi.audiostream import METAINT, Broadcaster, ListenerAccess, icy_metadata
from tests.stream.conftest import split_icy


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


def test_addresses_networks_and_prefixes_limit_who_may_listen():
    access = ListenerAccess(["10.1.0.0/16", "192.168.2.", "127.0.0.1"])
    assert access.allowed_address("10.1.200.3")
    assert access.allowed_address("192.168.2.77")
    assert access.allowed_address("::ffff:127.0.0.1")
    assert not access.allowed_address("127.0.0.10")
    assert not access.allowed_address("192.168.20.1")
    assert ListenerAccess([]).allowed_address("203.0.113.9")


def test_the_password_is_accepted_as_basic_auth_with_any_user_or_as_query():
    access = ListenerAccess(password="sëcret")
    token = base64.b64encode("whoever:sëcret".encode()).decode()
    assert access.authorized({"HTTP_AUTHORIZATION": f"Basic {token}"})
    assert access.authorized({"QUERY_STRING": "password=s%C3%ABcret"})
    assert not access.authorized({"QUERY_STRING": "password=wrong"})
    assert not access.authorized({"HTTP_AUTHORIZATION": "Basic !!!"})
    assert not access.authorized({})
    assert ListenerAccess(password="").authorized({})
