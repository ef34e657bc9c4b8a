"""`smarketing digest`, run in-process on a real database: the last complete week's digest
in the terminal; sending it with nowhere to send it is refused, naming the settings
(sending itself: tests/test_cli_digest_send.py)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digest import last_week
from storage.db import session_scope
from storage.models import Lead, Person
from storage.types import utcnow

pytestmark = pytest.mark.any_backend


@pytest.fixture
def leads(sessions) -> None:
    """In the last complete week (UTC): a lead Ana won for 4,000 and one captured lead; an
    open lead of Ana's idle for three weeks."""
    week = last_week(now=utcnow(), tz=ZoneInfo("UTC"), sla_period="month")
    middle = week.start + timedelta(days=3, hours=12)
    with session_scope(sessions) as session:
        session.add_all(
            [
                Person(user_id="U0ANA", display_name="Ana Torres"),
                Lead(name="Won", created_at=middle, profiled_at=middle, stage="won",
                     accepted_at=middle, owner_id="U0ANA", won_at=middle, won_value=4000,
                     phone="+5511999990000", source="google"),
                Lead(name="Captured", created_at=middle, stage="lead"),
                Lead(name="Idle lead", created_at=week.start - timedelta(days=21),
                     stage="contacted", owner_id="U0ANA",
                     accepted_at=week.start - timedelta(days=21)),
            ]
        )  # fmt: skip


def test_the_digest_prints_the_last_complete_week(smarketing, leads):
    result = smarketing("digest")
    assert (result.code, result.err) == (0, "")
    week = last_week(now=utcnow(), tz=ZoneInfo("UTC"), sla_period="month")
    sunday = (week.end - timedelta(days=1)).date()
    lines = result.out.splitlines()
    assert lines[0] == f"Weekly digest · {week.start.date()} to {sunday}"
    assert any(line.startswith("Won ") and line.split()[1] == "1" for line in lines)
    assert "  Best closer: Ana Torres, 4,000 won in 1 deals" in lines
    assert any(line.startswith("Idle lead") and "Ana Torres" in line for line in lines)
    assert "No SLA review meeting is scheduled (SLA_REVIEW_SCHEDULE)." in lines


def test_the_digest_names_the_next_review(smarketing, leads, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", "every week thu 10:00 from 2026-01-01")
    result = smarketing("digest")
    assert result.code == 0, result.err
    assert any(line.startswith("Next SLA review: ") and "10:00" in line
               for line in result.out.splitlines())  # fmt: skip


def test_the_digest_in_spanish_on_an_empty_database(smarketing, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    result = smarketing("digest")
    assert result.code == 0, result.err
    assert result.out.startswith("Resumen semanal · ")
    assert "No se creó ningún lead esta semana." in result.out
    assert "Ningún lead abierto lleva 3 días hábiles sin actividad." in result.out


@pytest.mark.parametrize("flags", [["--send"], ["--force"], ["--send", "--force"]])
def test_sending_with_nowhere_to_send_it_is_refused(smarketing, flags):
    result = smarketing("digest", *flags)
    assert result.code == 2
    assert result.out == ""
    assert result.err.strip() == (
        "There is nowhere to send the digest: set MANAGERS_CHANNEL_ID, MANAGER_USER_IDS or both."
    )
