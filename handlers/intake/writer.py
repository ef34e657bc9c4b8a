"""Group commit for intake: leads from concurrent requests stored in shared transactions.

Each request hands its validated leads to one writer thread and waits for the answer. While
the writer commits one transaction, the requests that arrive queue up; the next transaction
takes all of them at once — one identity query, one insert per table, one commit for many
requests — so the cost of a transaction is shared as load grows, and a lone request waits
for nothing. Nothing is answered before its leads are committed, so "accepted" still means
stored. Requests are received in the order they arrived, exactly as if they had come one at
a time (`receive_leads` splits where a lead repeats an earlier one).

A shared transaction that fails is not allowed to fail its neighbours: each of its requests
is then stored on its own, and only the one at fault gets the error.

The writer keeps its database connection between transactions instead of checking one out
(and pinging it) for each: on PostgreSQL that is one round trip fewer per transaction. A
connection found broken is replaced and the transaction run again on the new one; if it
broke during the commit, the second run finds the leads stored and answers `duplicate`,
so nothing is lost or stored twice.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain.intake import IntakeResult, LeadInput, store_received_leads
from storage.db import session_factory
from storage.types import utcnow

logger = logging.getLogger(__name__)

# Requests keep joining a transaction until it holds this many leads (two full batches).
MAX_LEADS_PER_TRANSACTION = 1000


@dataclass
class _Request:
    leads: Sequence[LeadInput]
    answer: Future


class IntakeWriter:
    """The one thread that stores this process's intake, started on first use.

    One thread, not several: on SQLite writing transactions take turns anyway, and on
    PostgreSQL a second writer measured no faster (the work is bound by CPU, not waiting).
    """

    def __init__(self, engine: Engine, *, max_leads: int = MAX_LEADS_PER_TRANSACTION):
        self._engine = engine
        self._max_leads = max_leads
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def store(self, leads: Sequence[LeadInput]) -> list[IntakeResult]:
        """Receive `leads`; returns once they are committed, one result per lead in order."""
        return await asyncio.wrap_future(self.submit(leads))

    def submit(self, leads: Sequence[LeadInput]) -> Future:
        """Queue `leads`; the future holds their results once committed (or the error)."""
        answer: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the intake writer is closed")
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="intake-writer", daemon=True)
                self._thread.start()
            self._queue.put(_Request(leads, answer))
        return answer

    def close(self, timeout: float = 10.0) -> None:
        """Store what is queued, then stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        connection = _KeptConnection(self._engine)
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group, stop = self._join_waiting(first)
                self._store(group, connection)
                if stop:
                    return
        finally:
            connection.close()

    def _join_waiting(self, first: _Request) -> tuple[list[_Request], bool]:
        """`first` and the requests already waiting behind it, up to the size limit."""
        group, size = [first], len(first.leads)
        while size < self._max_leads:
            try:
                waiting = self._queue.get_nowait()
            except queue.Empty:
                break
            if waiting is None:
                return group, True
            group.append(waiting)
            size += len(waiting.leads)
        return group, False

    def _store(self, group: list[_Request], connection: _KeptConnection) -> None:
        # A request whose caller gave up before its turn is dropped: it was never answered.
        group = [request for request in group if request.answer.set_running_or_notify_cancel()]
        if not group:
            return
        try:
            results = connection.receive([lead for request in group for lead in request.leads])
        except Exception as error:
            if len(group) == 1:
                group[0].answer.set_exception(error)
                return
            logger.warning("A shared intake transaction failed; storing its requests apart")
            for request in group:
                try:
                    request.answer.set_result(connection.receive(request.leads))
                except Exception as alone:
                    request.answer.set_exception(alone)
            return
        start = 0
        for request in group:
            request.answer.set_result(results[start : start + len(request.leads)])
            start += len(request.leads)


class _KeptConnection:
    """The writer thread's database connection, kept between its transactions."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._connection: Connection | None = None

    def receive(self, leads: Sequence[LeadInput]) -> list[IntakeResult]:
        """One transaction; once more on a new connection if this one broke."""
        try:
            return store_received_leads(self._sessions(), leads=leads, now=utcnow())
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            logger.warning("The intake's database connection broke; trying again on a new one")
            return store_received_leads(self._sessions(), leads=leads, now=utcnow())

    def _sessions(self) -> sessionmaker[Session]:
        """Sessions on the kept connection, opened anew (and checked) when it broke."""
        if self._connection is not None and self._connection.invalidated:
            self.close()
        if self._connection is None:
            self._connection = self._engine.connect()
        return session_factory(self._connection)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
