"""Outbox entries are leased to one worker at a time, on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from storage import queries
from storage.db import session_scope
from storage.models import Lead, OutboxEntry, SentMessage

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


def claim(sessions, worker: str, *, now=NOW, limit=2, **skipping) -> list[int]:
    with session_scope(sessions) as session:
        return queries.claim_outbox_entries(
            session, worker=worker, now=now, lease=LEASE, limit=limit, **skipping
        )


def test_workers_take_different_entries_oldest_first(queued):
    first, second = claim(queued, "a"), claim(queued, "b")
    third, fourth = claim(queued, "c"), claim(queued, "d")
    assert len(first) == len(second) == len(third) == 2 and fourth == []
    assert first < second < third
    with queued() as session:
        waiting = queries.undelivered_outbox_entries(session, limit=100)
        owners = {e.id: e.locked_by for e, _lead in waiting}
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


# -- delivering -------------------------------------------------------------------------------


def entry(sessions, entry_id: int) -> OutboxEntry:
    with sessions() as session:
        return session.get(OutboxEntry, entry_id)


def test_entries_for_a_full_channel_are_left_for_later_but_new_ones_are_taken(queued):
    first = claim(queued, "a", limit=2)
    with session_scope(queued) as session:
        queries.route_outbox_entries(session, channels={first[0]: "C0FULL", first[1]: "C0OK"})
        queries.give_back_outbox_entries(session, ids=first, worker="a")
    again = claim(queued, "a", limit=10)
    with session_scope(queued) as session:
        queries.give_back_outbox_entries(session, ids=again, worker="a")
    skipping = claim(queued, "b", limit=10, skip_channels=["C0FULL"], skip_kinds=["lead_card"])
    assert first[0] in again and first[0] not in skipping
    assert first[1] in skipping and len(skipping) == 5  # unrouted entries are still taken


def test_a_given_back_claim_does_not_count_as_an_attempt(queued):
    [taken] = claim(queued, "a", limit=1)
    with session_scope(queued) as session:
        queries.give_back_outbox_entries(session, ids=[taken], worker="someone-else")
    assert entry(queued, taken).locked_by == "a"  # only the holder can give it back
    with session_scope(queued) as session:
        queries.give_back_outbox_entries(session, ids=[taken], worker="a")
    back = entry(queued, taken)
    assert (back.locked_by, back.locked_until, back.attempts) == (None, None, 0)


def test_a_route_once_decided_is_kept(queued):
    [taken] = claim(queued, "a", limit=1)
    with session_scope(queued) as session:
        queries.route_outbox_entries(session, channels={taken: "C0FIRST"})
        queries.route_outbox_entries(session, channels={taken: "C0SECOND"})
    assert entry(queued, taken).channel_id == "C0FIRST"


def test_leases_renew_only_for_their_holder(queued):
    mine = claim(queued, "a", limit=2)
    theirs = claim(queued, "b", limit=1)
    with session_scope(queued) as session:
        kept = queries.renew_outbox_leases(
            session, ids=[*mine, *theirs], worker="a", until=NOW + timedelta(minutes=5)
        )
    assert kept == set(mine)
    assert entry(queued, theirs[0]).locked_until == NOW + LEASE


def test_a_post_begins_only_with_enough_of_the_lease_left(queued):
    [taken] = claim(queued, "a", limit=1)

    def begin(worker: str, margin: timedelta) -> bool:
        with session_scope(queued) as session:
            return queries.begin_posting(
                session, entry_id=taken, worker=worker, at=NOW, held_until=NOW + margin
            )

    assert not begin("b", timedelta(seconds=1))  # not the holder
    assert not begin("a", LEASE + timedelta(seconds=1))  # the lease would run out mid-post
    assert begin("a", timedelta(seconds=15))
    assert entry(queued, taken).posting_since == NOW


def test_a_delivery_is_recorded_once_whoever_records_it(queued):
    [taken] = claim(queued, "a", limit=1)
    done = entry(queued, taken)
    for _ in range(2):  # the poster, then a history search after a lost answer
        with session_scope(queued) as session:
            queries.finish_delivery(
                session,
                entry=done,
                channel_id="C0SALES",
                ts="1700000000.000100",
                at=NOW,
                message_kind="card",
            )
    recorded = entry(queued, taken)
    assert (recorded.done_at, recorded.locked_by, recorded.posting_since) == (NOW, None, None)
    with queued() as session:
        messages = session.exec(select(SentMessage)).all()
    assert [(m.lead_id, m.kind, m.channel_id, m.ts) for m in messages] == [
        (done.lead_id, "card", "C0SALES", "1700000000.000100")
    ]


@pytest.mark.parametrize("maybe_posted", [True, False])
def test_a_postponed_entry_keeps_its_error_and_whether_it_may_be_posted(queued, maybe_posted):
    [taken] = claim(queued, "a", limit=1)
    later = NOW + timedelta(minutes=10)
    with session_scope(queued) as session:
        queries.begin_posting(
            session, entry_id=taken, worker="a", at=NOW, held_until=NOW + timedelta(seconds=5)
        )
        queries.postpone_delivery(
            session,
            entry_id=taken,
            worker="a",
            until=later,
            error="channel_not_found",
            maybe_posted=maybe_posted,
        )
    postponed = entry(queued, taken)
    assert (postponed.available_at, postponed.last_error) == (later, "channel_not_found")
    assert postponed.locked_by is None
    assert (postponed.posting_since is not None) is maybe_posted
    assert taken not in claim(queued, "b", now=later - timedelta(seconds=1), limit=10)
    assert taken in claim(queued, "b", now=later, limit=10)


def test_the_backlog_counts_waiting_and_failing_entries(queued):
    [taken] = claim(queued, "a", limit=1)
    with session_scope(queued) as session:
        queries.postpone_delivery(
            session, entry_id=taken, worker="a", until=NOW, error="http_500", maybe_posted=True
        )
    with queued() as session:
        backlog = queries.outbox_backlog(session)
    assert (backlog["pending"], backlog["failing"]) == (7, 1)
    assert backlog["oldest"] is not None


def test_a_full_channel_still_gets_its_redraws_and_answers(queued):
    with session_scope(queued) as session:
        lead = queries.add_lead(session, lead=Lead(name="Mateo"))
        redraw = queries.add_outbox_entry(
            session,
            entry=OutboxEntry(
                lead_id=lead.id, kind="card_refresh", channel_id="C0FULL", available_at=NOW
            ),
        ).id
    taken = claim(
        queued, "b", limit=10, skip_channels=["C0FULL"], skip_kinds=["lead_card", "thread_line"]
    )
    assert redraw in taken
