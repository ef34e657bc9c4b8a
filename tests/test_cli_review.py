"""`smarketing review`, run in-process on a real database: the next SLA-review meeting and its
agenda in the terminal, or that none is scheduled; `--send` refused without a channel (its
sending is tested in `test_cli_review_send`)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bot.domain.review import meeting_before, next_meeting
from storage.db import session_scope
from storage.models import AgendaItem, Contest, Lead, LeadEvent, Person
from storage.types import utcnow

pytestmark = pytest.mark.any_backend

# Every Monday at 10:00 UTC from a Monday long past: a meeting within the coming week.
SCHEDULE = "every week mon 10:00 from 2026-01-05"


@pytest.fixture
def agenda_data(sessions) -> None:
    """An item Marta added about a lead, and Marta's objection to Ana's verdict on it."""
    now = utcnow()
    # Everything happens since the meeting before the next one, however recent it was.
    since = meeting_before(SCHEDULE, meeting=next_meeting(SCHEDULE, now=now, tz=UTC), tz=UTC)
    step = (now - since) / 4
    with session_scope(sessions) as session:
        lead = Lead(name="Bea", company="Grupo Andino", created_at=since + step,
                    profiled_at=since + step, stage="profiled", exit="rejected",
                    exit_reason="not_icp", exited_at=since + 2 * step, source="google")  # fmt: skip
        session.add_all([Person(user_id="U0MARTA", display_name="Marta Ruiz"),
                         Person(user_id="U0ANA", display_name="Ana Torres"), lead])  # fmt: skip
        session.flush()
        verdict = LeadEvent(lead_id=lead.id, at=since + 2 * step, actor="U0ANA",
                            kind="reject", reason_code="not_icp", to_stage="rejected",
                            note="No budget.")  # fmt: skip
        session.add(verdict)
        session.flush()
        session.add_all([
            Contest(lead_id=lead.id, exit_event_id=verdict.id, exit="rejected",
                    reason_code="not_icp", seller_id="U0ANA", marketer_id="U0MARTA",
                    text="They asked for a quote.", created_at=since + 3 * step),
            AgendaItem(text="Budget check at intake?", lead_id=lead.id, added_by="U0MARTA",
                       added_at=now - timedelta(days=30)),
        ])  # fmt: skip


def test_without_a_schedule_it_says_none_is_scheduled(smarketing, agenda_data, monkeypatch):
    monkeypatch.delenv("SLA_REVIEW_SCHEDULE", raising=False)
    result = smarketing("review")
    assert (result.code, result.err) == (0, "")
    assert result.out.strip() == (
        "No SLA review meeting is scheduled: set SLA_REVIEW_SCHEDULE "
        "(e.g. every 2 weeks thu 10:00 from 2026-12-03)."
    )


def test_the_next_meeting_and_its_agenda(smarketing, agenda_data, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", SCHEDULE)
    result = smarketing("review")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0].startswith("SLA review ")
    assert "Monday " in lines[0] and lines[0].endswith(" 10:00")
    assert lines[2].startswith("Data since the meeting before (")
    assert "    google — Not a fit: Not our ideal customer (1)" in lines
    assert "    Seller (Ana Torres): “No budget.”" in lines
    assert "    Marketer (Marta Ruiz): “They asked for a quote.”" in lines
    assert any(
        line.startswith("  Budget check at intake? — Marta Ruiz, ")
        and line.endswith("(lead 1: Bea · Grupo Andino)")
        for line in lines
    )
    assert "Items added (1)" in lines
    assert lines[-1] == "Times in UTC; durations in business time."


def test_the_agenda_in_spanish(smarketing, agenda_data, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", SCHEDULE)
    monkeypatch.setenv("BOT_LOCALE", "es")
    result = smarketing("review")
    assert result.code == 0, result.err
    assert result.out.startswith("Revisión del SLA ")
    assert "Puntos añadidos (1)" in result.out


def test_an_unreadable_schedule_is_named(smarketing, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", "fortnightly")
    result = smarketing("review")
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("Configuration error: ")
    assert "fortnightly" in result.err


def test_sending_without_a_channel_is_refused_naming_the_settings(smarketing, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", SCHEDULE)
    for name in ("MANAGERS_CHANNEL_ID", "MARKETING_CHANNEL_ID", "SALES_CHANNEL_ID"):
        monkeypatch.setenv(name, "")
    result = smarketing("review", "--send")
    assert (result.code, result.out) == (2, "")
    assert result.err.strip() == (
        "Nowhere to post the SLA review reminder: set MANAGERS_CHANNEL_ID, "
        "MARKETING_CHANNEL_ID or SALES_CHANNEL_ID."
    )
