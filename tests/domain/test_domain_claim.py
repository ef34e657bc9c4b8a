"""Claiming in the domain: who may, and what each outcome queues for people to see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.domain.claim import ClaimAnswer, claim_lead
from bot.domain.roles import RoleDirectory
from storage.db import session_scope
from storage.models import Lead, OutboxEntry

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
