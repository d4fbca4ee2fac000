"""Blocking work in gevent's thread pool, its failures raised where the caller waits."""

import gevent


def in_thread(function, *args, pool=None):
    """``function(*args)`` in ``pool`` (default: the hub's); the calling greenlet waits.

    An ``Exception`` of ``function`` is raised here, to the caller that
    handles it.  gevent's own ``apply`` would also print it with a traceback
    as if the server had crashed, even when the caller expected it (a missing
    artwork file, a full disk).
    """
    pool = pool if pool is not None else gevent.get_hub().threadpool
    result, error = pool.apply(_capture, (function, args))
    if error is not None:
        raise error
    return result


def _capture(function, args):
    try:
        return function(*args), None
    except Exception as error:  # noqa: BLE001 - handed to the caller, who decides
        return None, error
