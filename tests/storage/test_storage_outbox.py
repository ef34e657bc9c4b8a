"""Outbox entries are leased to one worker at a time, on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from storage import queries
from storage.db import session_scope
from storage.models import Lead, OutboxEntry

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
def queued(sessions):
    """Six lead cards waiting, plus one already delivered and one not due yet."""
    with session_scope(sessions) as session:
        lead = queries.add_lead(session, lead=Lead(name="Lucía", email="l@x.example"))
        for _ in range(6):
            queries.add_outbox_entry(
                session, entry=OutboxEntry(lead_id=lead.id, kind="lead_card", available_at=NOW)
            )
        queries.add_outbox_entry(
            session,
            entry=OutboxEntry(lead_id=lead.id, kind="lead_card", available_at=NOW, done_at=NOW),
        )
        queries.add_outbox_entry(
            session,
            entry=OutboxEntry(
                lead_id=lead.id, kind="lead_card", available_at=NOW + timedelta(minutes=5)
            ),
        )
    return sessions


def claim(sessions, worker: str, *, now=NOW, limit=2) -> list[int]:
    with session_scope(sessions) as session:
        return queries.claim_outbox_entries(
            session, worker=worker, now=now, lease=LEASE, limit=limit
        )


def test_workers_take_different_entries_oldest_first(queued):
    first, second = claim(queued, "a"), claim(queued, "b")
    third, fourth = claim(queued, "c"), claim(queued, "d")
    assert len(first) == len(second) == len(third) == 2 and fourth == []
    assert first < second < third
    with queued() as session:
        owners = {e.id: e.locked_by for e in queries.pending_outbox_entries(session)}
    assert {owners[i] for i in first} == {"a"} and {owners[i] for i in third} == {"c"}


def test_delivered_and_future_entries_are_not_claimed_until_due(queued):
    assert len(claim(queued, "a", limit=10)) == 6
    later = claim(queued, "b", now=NOW + timedelta(minutes=5), limit=10)
    assert len(later) == 7  # the future entry is due, and every lease has run out


def test_an_expired_lease_makes_the_entry_due_again(queued):
    taken = claim(queued, "dead-worker", limit=1)
    assert claim(queued, "b", now=NOW + timedelta(seconds=10), limit=1) != taken
    assert claim(queued, "c", now=NOW + LEASE + timedelta(seconds=1), limit=1) == taken
    with queued() as session:
        entry = session.get(OutboxEntry, taken[0])
    assert entry.attempts == 2 and entry.locked_by == "c"


def test_overlapping_transactions_never_share_an_entry(queued, database_url):
    """Worker A holds its transaction open while B claims: B skips A's rows, no waiting."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; row locks are PostgreSQL's")
    a_claimed, b_done = threading.Event(), threading.Event()
    taken: dict[str, list[int]] = {}

    def worker_a():
        with session_scope(queued) as session:
            taken["a"] = queries.claim_outbox_entries(
                session, worker="a", now=NOW, lease=LEASE, limit=3
            )
            a_claimed.set()
            b_done.wait(10)  # still uncommitted while B claims

    thread = threading.Thread(target=worker_a)
    thread.start()
    assert a_claimed.wait(10)
    taken["b"] = claim(queued, "b", limit=3)
    b_done.set()
    thread.join(10)
    assert len(taken["a"]) == len(taken["b"]) == 3
    assert set(taken["a"]).isdisjoint(taken["b"])
