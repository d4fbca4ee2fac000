"""in_thread: blocking work off the hub, its failures raised to the caller only."""

import threading

import gevent
import gevent.threadpool
import pytest

from musicdb.lib.threads import in_thread


def test_the_work_runs_in_another_thread_and_its_result_comes_back():
    assert in_thread(threading.get_ident) != threading.get_ident()
    assert in_thread(divmod, 7, 2) == (3, 1)


def test_a_failure_is_raised_to_the_caller_and_not_printed_as_a_crash(capfd):
    def missing():
        open("/nonexistent/artwork.jpg")

    with pytest.raises(FileNotFoundError):
        in_thread(missing)
    gevent.sleep(0)  # give the hub its chance to print, as gevent's apply would
    assert "Traceback" not in capfd.readouterr().err


def test_a_pool_of_its_own_is_used_when_given():
    pool = gevent.threadpool.ThreadPool(1)
    try:
        names = {in_thread(lambda: threading.current_thread().name, pool=pool) for _ in range(3)}
        assert len(names) == 1
    finally:
        pool.kill()
