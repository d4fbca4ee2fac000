#!/usr/bin/env python3
"""Our web page at 20,000 songs in headless Chromium: bytes transferred, time to the artist tiles.

Usage::

    python benchmarks/webpage.py [--songs 20000] [--loads 5] [--tls]

What it does:

1. Builds the library of ``benchmarks/api_latency.py`` (rows straight into a
   fresh ``music.db``; no artwork files, so every tile shows ``default.jpg``).
2. Starts the real server on a free 127.0.0.1 port and logs in through the
   login form in headless Chromium.
3. Loads ``/`` ``--loads`` times with the browser cache disabled (a first
   visit) and as often with the cache on (a return visit, answered with 304s),
   and reads from the page: the bytes transferred for the document, its
   scripts and styles (Resource Timing ``transferSize``; gzip is on), the
   artwork images loaded, the size of the artists list that came over the
   WebSocket, and the time from navigation start to the first artist tiles
   (the page's ``musicdb:artists`` mark) and to all panels filled
   (``data-ready``).

Aims (issue 13): first load under 150 KB transferred, interactive within
300 ms on loopback.  Run it on an otherwise idle machine.
"""

import argparse
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from benchmarks.common import in_home  # noqa: E402
from api_latency import EXTRA, build_library  # noqa: E402
from tests.e2e.browser import Browser, missing_browser  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

READY = "return document.documentElement.dataset.ready === 'true'"

FIGURES = """
const navigation = performance.getEntriesByType('navigation')[0];
const resources = performance.getEntriesByType('resource');
const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
const sum = (list) => list.reduce((total, entry) => total + (entry.transferSize || 0), 0);
const images = resources.filter((entry) => entry.initiatorType === 'img');
const assets = resources.filter((entry) => entry.initiatorType !== 'img');
const artists = (window.__mdbTraffic || []).find((entry) => entry.direction === 'in'
    && entry.packet.fncname === 'GetFilteredArtistsWithAlbums');
return {
    document: navigation.transferSize, assets: sum(assets), assetCount: assets.length,
    images: sum(images), imageCount: images.length,
    artistsJSON: artists ? JSON.stringify(artists.packet.arguments).length : 0,
    tiles: mark('musicdb:artists'), ready: window.__readyAt,
};
"""

READY_WATCH = """
new MutationObserver(() => {
    if (document.documentElement.dataset.ready === 'true' && !window.__readyAt)
        window.__readyAt = performance.now();
}).observe(document.documentElement, {attributes: true});
"""


def load(browser, url):
    browser.driver.get(url)
    browser.driver.execute_script(READY_WATCH)
    browser.wait_for("document.documentElement.dataset.ready === 'true' && "
                     "performance.getEntriesByName('musicdb:artists').length > 0",
                     "the page", timeout=60)
    return browser.driver.execute_script(FIGURES)


def report(name, runs):
    first = runs[0]
    print(f"{name}: document {first['document'] / 1024:.1f} KiB + {first['assetCount']} "
          f"scripts/styles {first['assets'] / 1024:.1f} KiB = "
          f"{(first['document'] + first['assets']) / 1024:.1f} KiB; "
          f"artwork {first['imageCount']} images {first['images'] / 1024:.1f} KiB; "
          f"artists list over the WebSocket {first['artistsJSON'] / 1024:.0f} KiB (uncompressed)")
    tiles = [run["tiles"] for run in runs]
    ready = [run["ready"] for run in runs if run["ready"]]
    print(f"  first artist tiles: p50 {statistics.median(tiles):.0f} ms, max {max(tiles):.0f} ms"
          + (f"; all panels filled: p50 {statistics.median(ready):.0f} ms" if ready else ""))


def run(args, home):
    albumids, _ = build_library(os.path.join(home, "data", "music.db"), args.songs)
    print(f"library: {args.songs} songs, {len(albumids)} albums", flush=True)
    server = ServerProcess(home, tls=args.tls, extra=EXTRA)
    browser = Browser(os.path.join(home, "profile"), home)
    try:
        url = server.http_url + "/"
        browser.open(url)
        browser.wait_for("document.documentElement.dataset.ready === 'true'", "the login")
        browser.driver.execute_cdp_cmd("Network.enable", {})
        browser.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        report("first visit (no cache)", [load(browser, url) for _ in range(args.loads)])
        browser.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        load(browser, url)
        report("return visit (cache, 304s)", [load(browser, url) for _ in range(args.loads)])
    finally:
        browser.quit()
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=20000)
    parser.add_argument("--loads", type=int, default=5, help="page loads per case")
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    if missing_browser():
        sys.exit(missing_browser())
    in_home(run, args, "webpage-bench-")


if __name__ == "__main__":
    main()
