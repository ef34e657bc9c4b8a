"""Receiving leads in transactions that race: two replicas, one lead."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot.domain.intake import IntakeStatus, LeadInput, receive_leads, store_received_leads
from bot.domain.vocabulary import Exit, Stage
from storage.db import session_scope
from storage.models import Lead, LeadEvent, OutboxEntry
from storage.types import utcnow

TIMEOUT = 20
NURTURED = LeadInput(
    platform="api", name="Lucía García", external_id="crm-1", email="lucia@example.com"
)


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_two_transactions_moving_one_lead_forward_hand_it_over_once(sessions, database_url):
    """Two replicas receive the same nurtured lead at once: one hand-off, one duplicate."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writing transaction at a time")
    [stored] = store_received_leads(sessions, leads=[NURTURED], now=utcnow())
    with session_scope(sessions) as session:
        row = session.get(Lead, stored.id)
        row.exit, row.exit_reason = Exit.NURTURE, "timing"
    outbox_before = count(sessions, OutboxEntry)

    second: list = []
    with session_scope(sessions) as session:
        [first] = receive_leads(session, leads=[NURTURED], now=utcnow())

        def other_replica():
            second.extend(store_received_leads(sessions, leads=[NURTURED], now=utcnow()))

        thread = threading.Thread(target=other_replica)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second transaction should wait for the lead's row lock"
    thread.join(TIMEOUT)

    assert first.status is IntakeStatus.UPDATED
    assert [r.status for r in second] == [IntakeStatus.DUPLICATE]
    assert count(sessions, OutboxEntry) == outbox_before + 1
    with sessions() as session:
        row = session.get(Lead, stored.id)
        assert (row.stage, row.exit) == (Stage.PROFILED, None)
        kinds = session.scalars(
            select(LeadEvent.kind).where(LeadEvent.lead_id == stored.id).order_by(LeadEvent.id)
        ).all()
    assert kinds == ["captured", "handed_over", "handed_over_again"]
