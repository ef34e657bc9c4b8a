"""`Coalescer`: calls made while a run is going share the next run; a lone call runs alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.domain.batching import CoalescedRunFailed, Coalescer

WAIT = 10  # seconds: only ever reached when something is broken


class Recorder:
    """A run that answers each item doubled and remembers the batches it was given; the
    first run can be held until the test lets it go."""

    def __init__(self, *, hold_first: bool = False, fail_on: object = None) -> None:
        self.batches: list[list] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.first_started.set()
            assert self.release.wait(WAIT)
        if self.fail_on in items:
            raise LookupError(f"no answer for {self.fail_on}")
        return [item * 2 for item in items]


def until(condition) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)


def test_a_lone_call_is_run_at_once_with_its_own_item():
    run = Recorder()
    coalescer = Coalescer(run)
    assert coalescer.submit(4) == 8
    assert coalescer.submit(5) == 10
    assert run.batches == [[4], [5]]
    assert coalescer.runs == 2


def test_calls_made_during_a_run_share_the_next_one_and_each_gets_its_own_answer():
    run = Recorder(hold_first=True)
    coalescer = Coalescer(run)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(coalescer.submit, 1)
        assert run.first_started.wait(WAIT)
        later = {item: pool.submit(coalescer.submit, item) for item in range(10, 17)}
        until(lambda: coalescer.waiting == 7)
        run.release.set()
        answers = {item: future.result(WAIT) for item, future in later.items()}
        assert first.result(WAIT) == 2

    assert answers == {item: item * 2 for item in range(10, 17)}
    assert run.batches[0] == [1]
    assert sorted(run.batches[1]) == list(range(10, 17))
    assert coalescer.runs == 2


def test_a_failed_run_fails_its_own_calls_only_and_the_next_run_still_happens():
    run = Recorder(hold_first=True, fail_on=1)
    coalescer = Coalescer(run)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(coalescer.submit, 1)
        assert run.first_started.wait(WAIT)
        second = pool.submit(coalescer.submit, 2)
        until(lambda: coalescer.waiting == 1)
        run.release.set()
        with pytest.raises(CoalescedRunFailed) as failed:
            first.result(WAIT)
        assert second.result(WAIT) == 4

    assert isinstance(failed.value.__cause__, LookupError)
    assert run.batches == [[1], [2]]
    assert coalescer.submit(3) == 6  # nothing is left stuck


def test_a_run_that_answers_the_wrong_number_of_items_fails_every_call_in_it():
    coalescer = Coalescer(lambda items: [])
    with pytest.raises(CoalescedRunFailed) as failed:
        coalescer.submit("x")
    assert "0 results for 1 items" in str(failed.value.__cause__)


def test_many_threads_at_once_each_get_their_own_answer_from_exactly_one_run():
    run = Recorder()
    coalescer = Coalescer(run)
    start = threading.Barrier(40)

    def call(item: int) -> int:
        start.wait(WAIT)
        return coalescer.submit(item)

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(call, range(40)))

    assert answers == [item * 2 for item in range(40)]
    assert sorted(item for batch in run.batches for item in batch) == list(range(40))
    assert coalescer.runs == len(run.batches)
