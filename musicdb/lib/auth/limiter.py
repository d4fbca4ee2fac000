"""The failed-login limiter: too many failures for one key block it for a while.

Keys are strings (the server uses ``ip:<address>`` and ``user:<name>``).
After ``max_failures`` failures within ``window`` seconds a key is blocked
for ``block`` seconds.  Memory is bounded: at most ``max_keys`` keys are
remembered, the least recently failed are forgotten first, so a flood of
different names cannot grow it.
"""

import math
import time
from collections import OrderedDict


class FailureLimiter:
    def __init__(self, max_failures=10, window=60, block=300, max_keys=10000,
                 clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.block = block
        self.max_keys = max_keys
        self.clock = clock
        self._keys = OrderedDict()   # key -> ([recent failure times], blocked until)

    def blocked(self, *keys):
        """Seconds until the longest block of ``keys`` ends (0: none is blocked)."""
        now = self.clock()
        waits = [self._keys[key][1] - now for key in keys if key in self._keys]
        return max([0] + [math.ceil(wait) for wait in waits if wait > 0])

    def failed(self, *keys):
        """Count one failure for each key."""
        now = self.clock()
        for key in keys:
            times, until = self._keys.pop(key, ([], 0.0))
            times = [t for t in times if now - t < self.window] + [now]
            if len(times) >= self.max_failures:
                until, times = now + self.block, []
            self._keys[key] = (times, until)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)

    def succeeded(self, *keys):
        """Forget the failures of ``keys`` unless they are blocked."""
        now = self.clock()
        for key in keys:
            entry = self._keys.get(key)
            if entry is not None and entry[1] <= now:
                del self._keys[key]

    def __len__(self):
        return len(self._keys)
