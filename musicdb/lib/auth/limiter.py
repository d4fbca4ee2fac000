"""The failed-login limiter: too many failures for one key block it for a while.

Keys are strings (the server uses ``ip:<address>`` and ``user:<name>``).
After ``max_failures`` failures within ``window`` seconds a key is blocked
for ``block`` seconds.  Memory is bounded, and a flood cannot wash out a
block: the failures being counted and the blocks are two tables.  At most
``max_keys`` keys are counted (the least recently failed are forgotten
first), so a flood of different names cannot grow it; at most
``max_blocks`` keys are blocked (the block that ends first goes first), so
only that many newer blocks, each ``max_failures`` failures, can push out
the latest offender.
"""

import math
import time
from collections import OrderedDict


class FailureLimiter:
    def __init__(self, max_failures=10, window=60, block=300, max_keys=10000,
                 max_blocks=10000, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.block = block
        self.max_keys = max_keys
        self.max_blocks = max_blocks
        self.clock = clock
        self._failures = OrderedDict()  # key -> [recent failure times], least recent first
        self._blocks = OrderedDict()    # key -> blocked until, the soonest to end first

    def blocked(self, *keys):
        """Seconds until the longest block of ``keys`` ends (0: none is blocked)."""
        now = self.clock()
        waits = [self._blocks[key] - now for key in keys if key in self._blocks]
        return max([0] + [math.ceil(wait) for wait in waits if wait > 0])

    def failed(self, *keys):
        """Count one failure for each key; the ``max_failures``-th in the window blocks it."""
        now = self.clock()
        for key in keys:
            times = [t for t in self._failures.pop(key, ()) if now - t < self.window]
            times.append(now)
            if len(times) >= self.max_failures:
                self._block(key, now)
            else:
                self._failures[key] = times
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def _block(self, key, now):
        """Block ``key`` from ``now``; drops the ended blocks, then the soonest to end
        beyond the bound."""
        self._blocks.pop(key, None)
        self._blocks[key] = now + self.block  # a constant ``block``: ordered by their end
        while self._blocks and next(iter(self._blocks.values())) <= now:
            self._blocks.popitem(last=False)
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)

    def succeeded(self, *keys):
        """Forget the failures of ``keys`` unless they are blocked."""
        now = self.clock()
        for key in keys:
            if self._blocks.get(key, now) <= now:
                self._blocks.pop(key, None)
                self._failures.pop(key, None)

    def __len__(self):
        """Keys remembered: at most ``max_keys + max_blocks``."""
        return len(self._failures) + len(self._blocks)
