#!/usr/bin/env python3
"""Attacks on the WebSocket server at 20,000 songs: its memory, and whether others still get in.

Usage::

    python benchmarks/abuse.py [--songs 20000] [--seconds 12] [--attacks 1,2,...] [--keep DIR]

What it does:

1. Builds a library of ``--songs`` songs as ``benchmarks/api_latency.py``
   does (rows inserted straight into a fresh ``music.db``) and starts the
   real server on a free 127.0.0.1 port (plain ws://, default limits).
2. Prints the size and time of the largest answers (one request each).
3. Runs each attack for ``--seconds`` from 127.0.0.1, bounded in sockets:
   200 keyless sockets each sending an 8 MiB message; 900 clients that send
   one valid packet and never read, plus 1.5 MB broadcasts (and the same
   with 448 clients from 7 addresses, to fill the limits from several
   hosts); 1,100 slow-loris sockets sending one byte every 9 s; 950 keyless
   WebSockets that stay idle; 12 clients looping the heaviest calls.
   Attackers whose socket is refused or closed try again after 0.5 s.
4. Meanwhile, in a process of its own, a normal client from 127.0.0.2 (another host, as far as the
   server can tell) connects, sends GetMDBState and waits for the answer
   every 0.5 s; and it counts the gaps between its heartbeats
   (``onTimeChanged``, once per second).  Printed per attack: the server's
   largest RSS, the slowest and the failed connects, the longest heartbeat
   gap.

Aims (issue 10): RSS stays below 400 MiB, every connect of the normal client
takes under 1 s, no heartbeat gap exceeds 2 s.  Run it on an otherwise idle
machine: other load shows up in the figures.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import websocket  # noqa: E402

from benchmarks.common import in_home, stop  # noqa: E402
from benchmarks.api_latency import build_library, rss_mib  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

EXTRA = "[log]\nloglevel = WARNING\n"
ATTACKER = "127.0.0.1"
NORMAL = "127.0.0.2"
RETRY = 0.5
UPGRADE = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
HEAVY = [("Find", {"searchstring": "a", "limit": 10**9}), ("GetTables", {"tables": ["songs"]}),
         ("GetFilteredArtistsWithAlbums", None), ("GetArtistsWithAlbums", None),
         ("GetAlbums", {"artistid": 0, "applyfilter": False}), ("GetTagsStatistics", None),
         ("GetTables", {"tables": ["albums", "artists", "tags"]})]


# -- a minimal client on raw sockets (cheap enough for a thousand of them) ---------------

def open_socket(port, source, rcvbuf=None):
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.bind((source, 0))
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def handshake(sock):
    """Upgrade ``sock``; True when the server answered 101."""
    sock.sendall(UPGRADE.encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            return False
        answer += chunk
    return answer.startswith(b"HTTP/1.1 101")


def frame_header(length):
    """A masked text frame's header (mask of zeros: the payload goes out as it is)."""
    if length < 126:
        return struct.pack("!BB", 0x81, 0x80 | length) + bytes(4)
    if length < 65536:
        return struct.pack("!BBH", 0x81, 0xFE, length) + bytes(4)
    return struct.pack("!BBQ", 0x81, 0xFF, length) + bytes(4)


def packet(fncname, arguments=None, key="", method="request", fncsig="abuse"):
    text = json.dumps({"method": method, "fncname": fncname, "fncsig": fncsig,
                       "arguments": arguments, "pass": None, "key": key}).encode()
    return frame_header(len(text)) + text


class Tally:
    """What the attackers saw: upgrades (slow loris: sockets opened) and refusals."""

    def __init__(self):
        self.upgraded = self.refused = 0


def attacker(port, tally, stop, source, body):
    """Connect, upgrade, run ``body(sock)``; again after RETRY when refused or closed."""
    while not stop.is_set():
        try:
            sock = open_socket(port, source, rcvbuf=4096)
            try:
                if handshake(sock):
                    tally.upgraded += 1
                    body(sock, stop)
                else:
                    tally.refused += 1
            finally:
                sock.close()
        except OSError:
            tally.refused += 1
        stop.wait(RETRY)


# -- the attacks -----------------------------------------------------------------------------

def big_keyless_message(sock, stop):
    """Announce an 8 MiB message without a key and send it (the server stops at 64 KiB)."""
    sock.sendall(frame_header(8 << 20))
    chunk = b" " * 65536
    for _ in range(128):
        sock.sendall(chunk)
    stop.wait()


def never_reads(key):
    def body(sock, stop):
        sock.sendall(packet("GetMDBState", key=key))
        stop.wait()
    return body


def idle_keyless(sock, stop):
    """Hold the WebSocket and read whatever comes, until the server closes it."""
    while not stop.is_set() and sock.recv(65536):
        pass


def slow_loris(port, tally, stop):
    """One byte of the upgrade request every 9 s, on a socket of its own; again when closed."""
    while not stop.is_set():
        try:
            sock = open_socket(port, ATTACKER)
            tally.upgraded += 1
            try:
                for byte in UPGRADE.encode():
                    sock.sendall(bytes([byte]))
                    if stop.wait(9):
                        break
            finally:
                sock.close()
        except OSError:
            tally.refused += 1
        stop.wait(RETRY)


def heavy_looper(key):
    def body(sock, stop):
        reader = WsReader(sock)
        while not stop.is_set():
            for fncname, arguments in HEAVY:
                sock.sendall(packet(fncname, arguments, key))
                reader.until(lambda text: '"fncsig": "abuse"' in text)
    return body


class WsReader:
    """Frames of an unmasked server stream; only the first 300 bytes of each are kept, the
    rest is read into one reused buffer (a client decoding 9 MB answers would measure itself)."""

    HEAD = 300

    def __init__(self, sock):
        self.sock = sock
        self.spare = bytearray(1 << 20)

    def _exactly(self, size):
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return bytes(data)

    def _skip(self, size):
        view = memoryview(self.spare)
        while size:
            got = self.sock.recv_into(view[:min(size, len(view))])
            if not got:
                raise OSError("closed")
            size -= got

    def until(self, predicate):
        """Read frames until ``predicate(head)`` holds for a frame's head (as text); returns
        ``(head, length)``."""
        while True:
            first, second = self._exactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._exactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._exactly(8))[0]
            head = self._exactly(min(length, self.HEAD))
            self._skip(length - len(head))
            if first & 0x0F == 0x8:
                raise OSError("closed by the server")
            text = head.decode("utf-8", "replace")
            if predicate(text):
                return text, length


# -- what a normal client sees ----------------------------------------------------------------

class Watch:
    """The server's RSS, the normal client's connects and its heartbeat gaps.

    Runs in a process of its own (``--watch``), so the attackers' work in this
    one does not show up in its figures.
    """

    def __init__(self, server):
        self.server = server
        self.rss, self.connects, self.failures, self.gaps = [], [], [], []

    def run(self, seconds):
        stop = gevent.event.Event()
        greenlets = [gevent.spawn(self._sample, stop), gevent.spawn(self._probe, stop),
                     gevent.spawn(self._heartbeats, stop)]
        stop.wait(seconds)
        stop.set()
        gevent.joinall(greenlets, timeout=15)
        return {"rss": self.rss, "connects": self.connects, "failures": self.failures,
                "gaps": self.gaps}

    def _sample(self, stop):
        while not stop.wait(0.2):
            self.rss.append(rss_mib(self.server.pid))

    def _probe(self, stop):
        while not stop.wait(0.5):
            started = time.monotonic()
            try:
                client = connect(self.server, NORMAL)
                client.send(json.dumps({"method": "request", "fncname": "GetMDBState",
                                        "fncsig": "probe", "arguments": None, "pass": None,
                                        "key": self.server.apikey}))
                while '"fncsig": "probe"' not in client.recv()[:300]:
                    pass
                client.close()
                self.connects.append(time.monotonic() - started)
            except (OSError, websocket.WebSocketException) as error:
                self.failures.append(f"{type(error).__name__}: {error}"[:100])

    def _heartbeats(self, stop):
        sock = open_socket(self.server.port, NORMAL)
        handshake(sock)
        sock.sendall(packet("GetMDBState", key=self.server.apikey))
        reader, last = WsReader(sock), time.monotonic()
        try:
            while not stop.is_set():
                reader.until(lambda text: "onTimeChanged" in text)
                now = time.monotonic()
                self.gaps.append(now - last)
                last = now
        except OSError as error:
            self.failures.append(f"heartbeat client: {type(error).__name__}: {error}"[:100])
        finally:
            sock.close()


def report(name, figures, tally):
    connects, failures = figures["connects"], figures["failures"]
    slowest = max(connects) if connects else float("nan")
    print(f"{name:<44} RSS max {max(figures['rss'] or [0]):5.0f} MiB   connect max "
          f"{slowest * 1000:6.0f} ms ({len(connects)} ok, {len(failures)} failed)"
          f"   heartbeat gap max {max(figures['gaps'][1:] or [0]):4.1f} s   attackers: "
          f"{tally.upgraded} upgraded, {tally.refused} refused", flush=True)
    for failure in sorted(set(failures))[:3]:
        print(f"    failure: {failure}")


def watch_main(spec, seconds):
    """``--watch port,pid,key``: watch for ``seconds``, print the figures as JSON."""
    port, pid, key = spec.split(",", 2)
    server = SimpleNamespace(port=int(port), pid=int(pid), apikey=key,
                             url=f"ws://127.0.0.1:{port}/")
    print(json.dumps(Watch(server).run(seconds)))


def connect(server, source):
    sock = open_socket(server.port, source)
    return websocket.create_connection(server.url, timeout=10, socket=sock,
                                       skip_utf8_validation=True)


def run_one(server, name, seconds, spawn_attackers):
    """Run ``spawn_attackers(stop, tally)`` for ``seconds`` while watching; print the figures."""
    stop, tally = gevent.event.Event(), Tally()
    watcher = subprocess.Popen(
        [sys.executable, __file__, "--seconds", str(seconds), "--watch",
         f"{server.port},{server.proc.pid},{server.apikey}"], stdout=subprocess.PIPE)
    attackers = spawn_attackers(stop, tally)
    output, _ = watcher.communicate(timeout=seconds + 60)
    stop.set()
    gevent.killall(attackers, timeout=5)
    report(name, json.loads(output), tally)
    settle(server)


def settle(server):
    """Wait (at most 15 s) until the server answers a fresh client again after an attack."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            connect(server, NORMAL).close()
            return
        except (OSError, websocket.WebSocketException):
            gevent.sleep(0.2)


def many(count, func, *args, sources=(ATTACKER,), **kwargs):
    return [gevent.spawn(func, *args, sources[index % len(sources)], **kwargs)
            for index in range(count)]


def attacks(server, seconds, chosen):
    port, key = server.port, server.apikey
    broadcast = packet("GetFilteredArtistsWithAlbums", key=key, method="broadcast")

    def broadcaster(stop, tally):
        """A 1.5 MB broadcast every second, from a client that reads what it gets."""
        sock = open_socket(port, NORMAL)
        handshake(sock)
        drain = gevent.spawn(lambda: all(iter(lambda: sock.recv(1 << 20), b"")))
        while not stop.wait(1):
            sock.sendall(broadcast)
        drain.kill()
        sock.close()

    selected = iter(range(1, 7))

    def run_attack(*arguments):
        if next(selected) in chosen:
            run_one(*arguments)

    run_attack(server, "200 keyless 8 MiB messages", seconds,
               lambda stop, tally: many(200, attacker, port, tally, stop,
                                        body=big_keyless_message))
    run_attack(server, "900 never-reading clients + broadcasts", seconds,
               lambda stop, tally: many(900, attacker, port, tally, stop,
                                        body=never_reads(key))
               + [gevent.spawn(broadcaster, stop, tally)])
    sources = [f"127.0.1.{number}" for number in range(1, 8)]
    run_attack(server, "448 never-reading clients (7 hosts) + bc.", seconds,
               lambda stop, tally: many(448, attacker, port, tally, stop, sources=sources,
                                        body=never_reads(key))
               + [gevent.spawn(broadcaster, stop, tally)])
    run_attack(server, "1,100 slow-loris sockets", seconds,
               lambda stop, tally: [gevent.spawn(slow_loris, port, tally, stop)
                                    for _ in range(1100)])
    run_attack(server, "950 idle keyless WebSockets", seconds,
               lambda stop, tally: many(950, attacker, port, tally, stop, body=idle_keyless))
    run_attack(server, "12 clients looping the heaviest calls", seconds,
               lambda stop, tally: many(12, attacker, port, tally, stop,
                                        body=heavy_looper(key)))


def answer_sizes(server):
    """Size and round trip of the heavy answers, one request each."""
    sock = open_socket(server.port, NORMAL)
    handshake(sock)
    reader = WsReader(sock)
    for fncname, arguments in HEAVY:
        started = time.monotonic()
        sock.sendall(packet(fncname, arguments, server.apikey))
        _, length = reader.until(lambda text: '"fncsig": "abuse"' in text)
        print(f"{fncname + ' ' + json.dumps(arguments):<60} {length / 1e6:6.2f} MB "
              f"{(time.monotonic() - started) * 1000:6.0f} ms", flush=True)
    sock.close()


def run(args, home):
    started = time.monotonic()
    build_library(os.path.join(home, "data", "music.db"), args.songs)
    print(f"library: {args.songs} songs (built in {time.monotonic() - started:.1f} s)")
    server = ServerProcess(home, extra=EXTRA)
    try:
        print(f"server RSS after start: {rss_mib(server.proc.pid):.0f} MiB", flush=True)
        answer_sizes(server)
        attacks(server, args.seconds, args.attacks)
        print(f"server RSS at the end: {rss_mib(server.proc.pid):.0f} MiB")
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=12, help="length of each attack")
    parser.add_argument("--keep", metavar="DIR", help="build the home in DIR and keep it")
    parser.add_argument("--attacks", type=lambda text: {int(n) for n in text.split(",")},
                        default=set(range(1, 7)), help="which attacks, e.g. 1,6 (default: all)")
    parser.add_argument("--watch", help=argparse.SUPPRESS)  # port,pid,key: the watcher process
    args = parser.parse_args()
    if args.watch:
        return watch_main(args.watch, args.seconds)
    in_home(run, args, "abuse-", keep=args.keep)


if __name__ == "__main__":
    main()
