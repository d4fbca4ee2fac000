"""Tasks run one after the other in the task greenlet; a failing task does not stop the loop."""

import gevent

from musicdb.taskmanagement import managementthread


def test_tasks_run_in_order_and_failures_do_not_stop_the_loop():
    managementthread.StartTaskManagementThread()
    try:
        done = []

        def fail():
            raise ValueError("broken file")

        first = managementthread.submit(done.append, 1)
        broken = managementthread.submit(fail)
        last = managementthread.submit(lambda: done.append(2) or "ok")
        assert last.get(timeout=5) == "ok"
        assert first.successful() and done == [1, 2]
        assert isinstance(broken.exception, ValueError)
    finally:
        managementthread.StopTaskManagementThread()
    gevent.sleep(0)
