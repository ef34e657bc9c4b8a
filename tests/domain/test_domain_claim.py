"""Claiming in the domain: who may, and what each outcome queues for people to see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.domain import notices
from bot.domain.claim import ClaimAnswer, claim_lead
from bot.domain.lifecycle import Action, State, expected_move, perform, perform_expected
from bot.domain.roles import RoleDirectory
from bot.domain.vocabulary import Stage
from storage.db import session_scope
from storage.models import Lead, LeadEvent, OutboxEntry

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SALES = "C0SALES"
ROLES = RoleDirectory(("U0ALICE", "U0BRUNO"), (), (), SALES, "C0MKT", "C0MGR")


@pytest.fixture
def lead_id(sessions) -> int:
    with session_scope(sessions) as session:
        lead = Lead(name="Lucía", stage="profiled", profiled_at=NOW)
        session.add(lead)
        session.flush()
        return lead.id


def claim(sessions, lead_id: int, user: str) -> ClaimAnswer:
    with session_scope(sessions) as session:
        return claim_lead(
            session, lead_id=lead_id, user_id=user, channel_id=SALES, roles=ROLES, at=NOW
        )


def queued(sessions) -> list[tuple[str, dict]]:
    with sessions() as session:
        entries = session.exec(select(OutboxEntry).order_by(col(OutboxEntry.id))).all()
        return [(e.kind, e.payload) for e in entries]


def test_the_winner_gets_the_card_redrawn_and_a_thread_line(sessions, lead_id):
    assert claim(sessions, lead_id, "U0ALICE") is ClaimAnswer.CLAIMED
    assert queued(sessions) == [
        ("card_refresh", {}),
        ("thread_line", {"key": "thread.claimed", "params": {"user": "U0ALICE"}}),
    ]


def test_the_next_seller_is_told_who_has_it_and_a_double_click_says_nothing(sessions, lead_id):
    claim(sessions, lead_id, "U0ALICE")
    assert claim(sessions, lead_id, "U0ALICE") is ClaimAnswer.ALREADY_YOURS
    assert claim(sessions, lead_id, "U0BRUNO") is ClaimAnswer.TAKEN
    assert queued(sessions)[2:] == [
        (
            "ephemeral",
            {"user": "U0BRUNO", "key": "claim.taken", "params": {"owner": "U0ALICE"}},
        )
    ]


def test_a_closed_lead_cannot_be_claimed_and_says_what_it_is(sessions, lead_id):
    with session_scope(sessions) as session:
        session.get(Lead, lead_id).exit = "rejected"
    assert claim(sessions, lead_id, "U0BRUNO") is ClaimAnswer.CLOSED
    assert queued(sessions) == [
        (
            "ephemeral",
            {"user": "U0BRUNO", "key": "claim.closed", "params": {"state": "rejected"}},
        )
    ]


def test_only_sellers_claim(sessions, lead_id):
    assert claim(sessions, lead_id, "U0CARLA") is ClaimAnswer.NOT_A_SELLER
    with sessions() as session:
        assert session.get(Lead, lead_id).owner_id is None
    assert [kind for kind, _ in queued(sessions)] == ["ephemeral"]


def stored(sessions, lead_id: int) -> tuple[dict, list[dict], list[dict]]:
    """The lead's moved columns, its events and its notices, as comparable values."""
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        columns = {n: getattr(lead, n) for n in ("stage", "owner_id", "accepted_at", "exit")}
        events = session.exec(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(col(LeadEvent.id))
        ).all()
        entries = session.exec(
            select(OutboxEntry).where(OutboxEntry.lead_id == lead_id).order_by(col(OutboxEntry.id))
        ).all()
        keep = ("at", "actor", "kind", "from_stage", "to_stage", "reason_code", "note", "value")
        return (
            columns,
            [{n: getattr(e, n) for n in (*keep, "data")} for e in events],
            [{n: getattr(e, n) for n in ("kind", "payload", "channel_id", "created_at")}
             for e in entries],
        )  # fmt: skip


def test_the_one_statement_claim_stores_what_the_general_move_stores(sessions, lead_id):
    with session_scope(sessions) as session:
        other = Lead(name="Lucía", stage="profiled", profiled_at=NOW)
        session.add(other)
        session.flush()
        other_id = other.id

    def rows(lead: int) -> list[dict]:
        return notices.card_and_thread(
            lead_id=lead, channel_id=SALES, key="thread.claimed", params={"user": "U0ALICE"},
            at=NOW,
        )  # fmt: skip

    with session_scope(sessions) as session:  # one compare-and-set, nothing read first
        move = expected_move(
            lead_id=lead_id, state=State(Stage.PROFILED), owner=None,
            action=Action.CLAIM, actor="U0ALICE", at=NOW, outbox=rows(lead_id),
        )  # fmt: skip
        assert perform_expected(session, [move]) == [True]
    with session_scope(sessions) as session:  # the general path, as any other move takes it
        outcome = perform(session, lead_id=other_id, action=Action.CLAIM, actor="U0ALICE", at=NOW)
        assert outcome.done
        notices.queue(session, rows(other_id))
    fast, general = stored(sessions, lead_id), stored(sessions, other_id)
    assert fast == general
    columns, events, entries = fast
    assert columns == {"stage": "accepted", "owner_id": "U0ALICE", "accepted_at": NOW, "exit": None}
    assert events[-1]["data"] == {
        "before": {"stage": "profiled", "owner_id": None, "accepted_at": None}
    }
    assert [e["kind"] for e in entries] == ["card_refresh", "thread_line"]


def test_a_lead_not_exactly_as_handed_over_takes_the_general_path(sessions, lead_id):
    earlier = datetime(2026, 11, 1, tzinfo=UTC)
    with session_scope(sessions) as session:
        session.get(Lead, lead_id).accepted_at = earlier  # unusual, but not for the fast path
    with session_scope(sessions) as session:
        move = expected_move(
            lead_id=lead_id, state=State(Stage.PROFILED), owner=None,
            action=Action.CLAIM, actor="U0BRUNO", at=NOW,
        )  # fmt: skip
        assert perform_expected(session, [move]) == [False]
    assert stored(sessions, lead_id)[1:] == ([], [])  # nothing written
    assert claim(sessions, lead_id, "U0BRUNO") is ClaimAnswer.CLAIMED
    _, events, entries = stored(sessions, lead_id)
    assert events[-1]["data"]["before"]["accepted_at"] == earlier.isoformat()
    assert len(entries) == 2
    assert claim(sessions, lead_id, "U0ALICE") is ClaimAnswer.TAKEN
