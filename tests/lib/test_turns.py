"""Turns: a due timer (the stream's tick) is not held back by a crowd of busy requests."""

import time

import gevent
import pytest

from musicdb.lib import turns as turnsmodule
from musicdb.lib.turns import Turns


def busy(seconds):
    """CPU work without a switch, as a request's handler does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def crowd(turns, count, piece, done, order=None):
    """``count`` greenlets that each do ``piece`` seconds of work inside ``turns``."""
    def request(number):
        with turns:
            busy(piece)
            done.append(number)
            if order is not None:
                order.append(number)
    return [gevent.spawn(request, number) for number in range(count)]


def test_a_due_timer_runs_between_the_rounds_of_a_crowd():
    """Thirty requests of 5 ms each: the tick due after 1 ms runs once a round's 20 ms
    budget is spent, not after all 150 ms (without Turns gevent runs them all first)."""
    turns, done, seen = Turns(budget=0.02), [], []

    def tick():
        gevent.sleep(0.001)
        seen.append(len(done))

    ticker = gevent.spawn(tick)
    greenlets = crowd(turns, 30, 0.005, done)
    gevent.joinall(greenlets + [ticker])
    assert len(done) == 30
    assert seen[0] <= 10, f"the tick waited for {seen[0]} of 30 requests"


def test_without_turns_the_crowd_holds_the_tick_back():
    """The failure Turns exists for, shown on the same crowd: nothing to compare against
    would make the test above prove nothing."""
    done, seen = [], []

    class NoTurns:
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return None

    def tick():
        gevent.sleep(0.001)
        seen.append(len(done))

    ticker = gevent.spawn(tick)
    gevent.joinall(crowd(NoTurns(), 30, 0.005, done) + [ticker])
    assert seen[0] == 30


def test_waiting_work_runs_in_arrival_order():
    turns, done, order = Turns(budget=0.01), [], []
    gevent.joinall(crowd(turns, 12, 0.004, done, order))
    assert order == list(range(12))
    assert turns.waiting == 0


def test_a_quiet_loop_lets_work_in_at_once():
    """After a quiet while longer than the budget the first request does not wait for a
    round: the round starts when the poll returns, not when the loop went to sleep."""
    turns, events = Turns(budget=1.0), []
    with turns:             # the watchers start here
        pass
    gevent.sleep(1.2)       # quiet: the loop sleeps in its poll

    def request():
        gevent.spawn(events.append, "other greenlet")
        with turns:
            events.append("request")

    gevent.spawn(request).join()
    assert events[0] == "request"


def test_work_killed_while_waiting_leaves_the_queue_and_the_rest_runs():
    turns, done = Turns(budget=0.01), []
    greenlets = crowd(turns, 10, 0.004, done)
    gevent.sleep(0)                         # let them all arrive; most now wait
    waiting = [g for g in greenlets if not g.dead]
    assert turns.waiting > 0
    victim = waiting[-1]
    victim.kill()
    gevent.joinall(greenlets)
    assert turns.waiting == 0
    assert len(done) == 9 and victim.dead


def test_an_error_inside_a_turn_reaches_the_caller():
    turns = Turns()
    with pytest.raises(ValueError):
        with turns:
            raise ValueError("the handler's failure")
    with turns:
        pass


def test_both_apis_share_one_budget_per_loop():
    assert turnsmodule.of_this_loop() is turnsmodule.of_this_loop()
