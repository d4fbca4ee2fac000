"""Every API function, fed a burst of wrong and odd arguments, answers cleanly.

Each packet either gets its normal answer or a ``MusicDB:Error`` naming a client
mistake (InvalidArguments, NotFound) — never an InternalError — and the server
keeps serving, with its event loop never blocked, even though the whole burst
sits in the socket buffer at once.
"""

import random

from musicdb.mdbapi import handlers
from tests.support import Client, ServerProcess

ODD_VALUES = [None, True, 0, -1, 1, 2, 3, 5, "4", "0", "", "abc", 1.5, 2 ** 70, -2 ** 70,
              "../../etc/passwd", [], [1], {}, {"a": 1}, "x" * 5000, "next", "last",
              "168493523207840521806064336792025247758", "play", "playpause"]


def odd_arguments(rng, entry, names):
    """Some of the function's own argument names and some others, with odd values."""
    arguments = {name: rng.choice(ODD_VALUES) for name in rng.sample(names, rng.randint(0, 3))}
    if entry.args and rng.random() < 0.7:
        arguments.update({name: rng.choice(ODD_VALUES) for name in entry.args})
    return arguments


def test_odd_arguments_never_cause_an_internal_error(library_home):
    home = library_home("odd", extra="[debug]\ndisablevideos = False\n")
    server = ServerProcess(home.home, extra="[debug]\ndisablevideos = False\n")
    try:
        entries = handlers.load_areas().entries()
        names = sorted({name for entry in entries for name in entry.args})
        rng, client, sent = random.Random(5), Client(server, timeout=30), 0
        for entry in entries:
            fncname = entry.name
            for _ in range(30):
                client.send("request", fncname, odd_arguments(rng, entry, names), f"odd{sent}")
                sent += 1
        client.send("request", "Bounce", "done", "last packet")
        internal = []
        client.wait_for(lambda p: internal.append(p) or p.get("fncsig") == "last packet")
        internal = [p["arguments"]["request"]["fncname"] for p in internal
                    if p.get("fncname") == "MusicDB:Error"
                    and p["arguments"]["code"] == "InternalError"]
        assert internal == []
        assert Client(server).request("Bounce", "still serving") == "still serving"
    finally:
        server.stop()
    assert "Traceback" not in server.log()
