"""The failed-login limiter: ten failures a minute block a key; memory stays bounded and a
flood of other keys does not wash out a block."""

from musicdb.lib.auth.limiter import FailureLimiter


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_the_tenth_failure_in_a_minute_blocks_for_the_block_time():
    clock = Clock()
    limiter = FailureLimiter(max_failures=10, window=60, block=300, clock=clock)
    for _ in range(9):
        limiter.failed("ip:1")
        clock.now += 1
    assert limiter.blocked("ip:1") == 0
    limiter.failed("ip:1")
    assert 0 < limiter.blocked("ip:1") <= 300
    assert limiter.blocked("ip:2") == 0
    clock.now += 301
    assert limiter.blocked("ip:1") == 0


def test_failures_older_than_the_window_do_not_count():
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, window=60, clock=clock)
    for _ in range(10):
        limiter.failed("user:anna")
        clock.now += 31
    assert limiter.blocked("user:anna") == 0


def test_any_blocked_key_blocks_the_try():
    clock = Clock()
    limiter = FailureLimiter(max_failures=2, clock=clock)
    limiter.failed("ip:1", "user:anna")
    limiter.failed("ip:2", "user:anna")
    assert limiter.blocked("ip:3", "user:anna") > 0


def test_a_success_forgets_failures_but_not_a_block():
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, clock=clock)
    limiter.failed("k")
    limiter.failed("k")
    limiter.succeeded("k")
    limiter.failed("k")
    limiter.failed("k")
    assert limiter.blocked("k") == 0
    limiter.failed("k")
    limiter.succeeded("k")
    assert limiter.blocked("k") > 0


def test_a_flood_of_names_keeps_memory_bounded():
    limiter = FailureLimiter(max_keys=100)
    for number in range(10_000):
        limiter.failed(f"user:name{number}")
    assert len(limiter) == 100


def test_a_flood_of_distinct_addresses_and_names_does_not_wash_out_a_recent_block():
    """100,000 failures of different (address, user) pairs keep the table within its bound,
    and the offender blocked just before them is still refused."""
    clock = Clock()
    limiter = FailureLimiter(max_failures=10, window=60, block=300, max_keys=1000,
                             max_blocks=1000, clock=clock)
    for _ in range(10):
        limiter.failed("ip:203.0.113.9", "user:anna")
    for number in range(100_000):
        limiter.failed("ip:10.%d.%d.%d" % (number >> 16, number >> 8 & 255, number & 255),
                       "user:name%d" % number)
        clock.now += 0.001
        assert len(limiter) <= limiter.max_keys + limiter.max_blocks
    assert limiter.blocked("ip:203.0.113.9", "user:somebody") > 0
    assert limiter.blocked("ip:192.0.2.1", "user:anna") > 0
    assert limiter.blocked("ip:10.0.0.1", "user:name1") == 0


def test_blocks_are_bounded_and_the_newest_are_kept():
    clock = Clock()
    limiter = FailureLimiter(max_failures=2, max_keys=10, max_blocks=10, clock=clock)
    for number in range(50):
        limiter.failed(f"user:name{number}")
        limiter.failed(f"user:name{number}")
        clock.now += 0.01
    assert len(limiter) <= 20
    assert limiter.blocked("user:name49") > 0
    assert limiter.blocked("user:name0") == 0
