"""Calls made at the same moment, served by one run.

A thread that calls `Coalescer.submit` while no run is going starts one with its own item.
Threads that call while a run is going wait; when it ends, the first of them starts the
next run with every item that arrived meanwhile, and so on. A lone call therefore waits for
nothing, and a burst of N calls costs a handful of runs instead of N. No thread is kept and
no timer is involved: the callers' own threads take turns running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class CoalescedRunFailed(RuntimeError):
    """The run that carried this call raised; the run's own error is the cause."""


class _Ticket(Generic[Item, Result]):
    __slots__ = ("error", "item", "leads", "ready", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.ready = threading.Event()
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.leads = False  # woken to run the next batch rather than with an answer


class Coalescer(Generic[Item, Result]):
    """`run(items)` answers a batch of items, one result per item in their order."""

    def __init__(self, run: Callable[[Sequence[Item]], Sequence[Result]]) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._waiting: list[_Ticket[Item, Result]] = []
        self._running = False
        self.runs = 0  # how many runs there have been, for the curious (and the tests)

    @property
    def waiting(self) -> int:
        """How many calls wait for the next run."""
        with self._lock:
            return len(self._waiting)

    def submit(self, item: Item) -> Result:
        """`item`'s result, from the run that took it (in this thread or another)."""
        ticket: _Ticket[Item, Result] = _Ticket(item)
        with self._lock:
            self._waiting.append(ticket)
            leading = not self._running
            self._running = True
        if not leading:
            ticket.ready.wait()
            if not ticket.leads:
                return _answer(ticket)
        self._lead()
        return _answer(ticket)

    def _lead(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
            self.runs += 1
        try:
            results = self._run([ticket.item for ticket in batch])
            if len(results) != len(batch):
                raise ValueError(f"{len(results)} results for {len(batch)} items")
            for ticket, result in zip(batch, results, strict=True):
                ticket.result = result
        except BaseException as error:
            for ticket in batch:
                ticket.error = error
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                if successor is None:
                    self._running = False
                else:
                    successor.leads = True
            for ticket in batch:
                ticket.leads = False
                ticket.ready.set()
            if successor is not None:
                successor.ready.set()


def _answer(ticket: _Ticket[Item, Result]) -> Result:
    if ticket.error is not None:
        raise CoalescedRunFailed("the run that carried this call failed") from ticket.error
    return ticket.result  # type: ignore[return-value]
