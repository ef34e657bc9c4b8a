"""Claims decided together: `quick_claims` over many clicks in one statement, and the
`ClaimLane` that gathers the clicks arriving while a decision is being taken."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from bot.domain.claim import ClaimLane, Click, quick_claims
from bot.domain.roles import RoleDirectory
from storage import queries
from storage.db import make_engine, session_factory, session_scope
from storage.models import ChannelMember, Lead, LeadEvent, OutboxEntry

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SALES = "C0SALES"
SELLERS = tuple(f"U0SELL{n:02d}" for n in range(12))
LISTED = RoleDirectory(SELLERS, (), (), SALES, "C0MKT", "C0MGR")
BY_CHANNEL = RoleDirectory((), (), (), SALES, "C0MKT", "C0MGR")  # sellers: who is in #sales
WAIT = 20


def handed_over(sessions, count: int) -> list[int]:
    with session_scope(sessions) as session:
        leads = [Lead(name=f"Lead {n}", stage="profiled", profiled_at=NOW) for n in range(count)]
        session.add_all(leads)
        session.flush()
        return [lead.id for lead in leads]


def click(lead_id: int, user: str) -> Click:
    return Click(lead_id=lead_id, user_id=user, channel_id=SALES, at=NOW)


def owners(sessions) -> dict[int, str | None]:
    with sessions() as session:
        return dict(session.exec(select(Lead.id, Lead.owner_id)).all())


def trail(sessions) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(lead, actor) of every claim event, and (lead, kind) of every queued notice."""
    with sessions() as session:
        claims = session.exec(
            select(LeadEvent.lead_id, LeadEvent.actor).where(LeadEvent.kind == "claim")
        ).all()
        notices = session.exec(
            select(OutboxEntry.lead_id, OutboxEntry.kind).order_by(col(OutboxEntry.id))
        ).all()
    return sorted(tuple(row) for row in claims), [tuple(row) for row in notices]


class Statements:
    """Counts the statements an engine sends while the block runs."""

    def __init__(self, engine) -> None:
        self.engine, self.sent = engine, []

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, _connection, _cursor, statement, *_args) -> None:
        self.sent.append(statement)


def test_clicks_decided_together_each_win_their_lead_and_one_of_two_rivals_wins(sessions, engine):
    leads = handed_over(sessions, 4)
    with session_scope(sessions) as session:  # the last lead is no longer as handed over
        session.get(Lead, leads[3]).exit = "rejected"
    clicks = [
        click(leads[0], SELLERS[0]),
        click(leads[1], SELLERS[1]),
        click(leads[2], SELLERS[2]),
        click(leads[2], SELLERS[3]),  # the same lead, at the same moment
        click(leads[0], "U0CARLA"),  # not a seller
        click(leads[3], SELLERS[4]),
    ]
    with Statements(engine) as statements, session_scope(sessions) as session:
        won = quick_claims(session, clicks, roles=LISTED)

    assert won[:2] == [True, True]
    assert sorted(won[2:4]) == [False, True]  # exactly one of the rivals
    assert won[4:] == [False, False]
    rival = SELLERS[2] if won[2] else SELLERS[3]
    assert owners(sessions) == {leads[0]: SELLERS[0], leads[1]: SELLERS[1], leads[2]: rival,
                                leads[3]: None}  # fmt: skip
    claims, notices = trail(sessions)
    assert claims == sorted([(leads[0], SELLERS[0]), (leads[1], SELLERS[1]), (leads[2], rival)])
    by_lead = {lead: [kind for i, kind in notices if i == lead] for lead in leads}
    assert by_lead == {leads[0]: ["card_refresh", "thread_line"],
                       leads[1]: ["card_refresh", "thread_line"],
                       leads[2]: ["card_refresh", "thread_line"], leads[3]: []}  # fmt: skip
    if engine.dialect.name == "postgresql":
        assert len(statements.sent) == 1  # every move, event and notice in one statement


def test_sellers_taken_from_the_channel_are_looked_up_once_for_all_the_clicks(sessions, engine):
    leads = handed_over(sessions, 3)
    with session_scope(sessions) as session:
        session.add_all(
            ChannelMember(channel_id=SALES, user_id=user, synced_at=NOW) for user in SELLERS[:2]
        )
    clicks = [click(leads[0], SELLERS[0]), click(leads[1], SELLERS[1]), click(leads[2], "U0OUT")]
    with Statements(engine) as statements, session_scope(sessions) as session:
        won = quick_claims(session, clicks, roles=BY_CHANNEL)

    assert won == [True, True, False]
    assert owners(sessions)[leads[2]] is None
    membership = [s for s in statements.sent if "channel_member" in s]
    assert len(membership) == 1


def test_clicks_that_come_during_a_decision_are_decided_together_in_the_next(sessions, engine):
    leads = handed_over(sessions, 10)
    lane = ClaimLane(sessions, LISTED)
    # Someone else holds the first lead (a row lock on PostgreSQL, the write lock on SQLite),
    # so the first decision waits, and every click after it queues for the next one.
    blocker = sessions()
    blocker.exec(update(Lead).where(col(Lead.id) == leads[0]).values(updated_at=NOW))
    later = [click(lead, SELLERS[n + 1]) for n, lead in enumerate(leads[1:9])]
    later += [click(leads[9], SELLERS[10]), click(leads[9], SELLERS[11])]
    with ThreadPoolExecutor(len(later) + 1) as pool:
        first = pool.submit(lane.claim, click(leads[0], SELLERS[0]))
        until(lambda: lane.batches == 1)
        answers = [pool.submit(lane.claim, c) for c in later]
        until(lambda: lane.waiting == len(later))
        blocker.rollback()
        blocker.close()
        won = [answer.result(WAIT) for answer in answers]
        assert first.result(WAIT) is True

    assert lane.batches == 2
    assert won[:8] == [True] * 8
    assert sorted(won[8:]) == [False, True]
    winner = SELLERS[10] if won[8] else SELLERS[11]
    expected = {lead: SELLERS[n] for n, lead in enumerate(leads[:9])} | {leads[9]: winner}
    assert owners(sessions) == expected
    claims, notices = trail(sessions)
    assert claims == sorted(expected.items())
    assert len(notices) == 2 * len(leads)


def test_many_sellers_at_once_through_the_lane_leave_one_owner_per_lead(sessions):
    leads = handed_over(sessions, 6)
    lane = ClaimLane(sessions, LISTED)
    clicks = [click(leads[n % 6], seller) for n, seller in enumerate(SELLERS)]  # two per lead
    start = threading.Barrier(len(clicks))

    def clicked(c: Click) -> bool:
        start.wait(WAIT)
        return lane.claim(c)

    with ThreadPoolExecutor(len(clicks)) as pool:
        won = list(pool.map(clicked, clicks))

    assert sum(won) == 6
    winners = {c.lead_id: c.user_id for c, w in zip(clicks, won, strict=True) if w}
    assert owners(sessions) == winners
    assert trail(sessions)[0] == sorted(winners.items())


def test_a_decision_the_database_refuses_leaves_each_click_to_be_decided_alone(
    database_url, caplog
):
    broken = database_url.replace("test.db", "missing/test.db")  # SQLite: no such folder
    if broken == database_url:  # PostgreSQL: no such database
        broken = database_url.replace("/test?", "/no_such_database?", 1)
    engine = make_engine(broken)
    lane = ClaimLane(session_factory(engine), LISTED)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.domain.claim"):
            assert lane.claim(click(1, SELLERS[0])) is False
    finally:
        engine.dispose()
    assert "1 claims decided together failed" in caplog.text


def test_moves_of_different_shapes_cannot_share_a_statement(sessions):
    leads = handed_over(sessions, 2)
    same = {"expected": {"stage": "profiled"}, "event": {"at": NOW, "actor": "U0A"}}
    moves = [
        queries.TrailedMove(lead_id=leads[0], changes={"owner_id": "U0A"}, **same),
        queries.TrailedMove(lead_id=leads[1], changes={"owner_id": "U0A", "stage": "x"}, **same),
    ]
    with session_scope(sessions) as session, pytest.raises(ValueError, match="shapes"):
        queries.move_with_trail(session, moves=moves)
    assert set(owners(sessions).values()) == {None}


def until(condition) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)
