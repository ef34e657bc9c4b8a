"""The SLA scorecard against a hand-computed fixture, and the durations it reads."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.scorecard import Period, scorecard, store_durations
from bot.domain.sla import Policy
from storage.db import session_scope
from storage.models import CARD_MESSAGE, Lead, SentMessage

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3, no DST
NOW = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # Monday 13:00 local, day 16 of 30
POLICY = Policy.defaults().with_changes(
    {"revenue_goal": 100_000, "average_deal_value": 6_667, "leads_per_sale": 8}
)  # 120 profiled leads a month; first touch within 60 business minutes, Mon–Fri 09–18


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def leads(sessions) -> dict[str, int]:
    """Six leads: what each contributes is written beside it."""
    complete = {"email": "a@x.example", "summary": "s", "history": "h", "approach": "a",
                "profile_url": "https://crm.example/1"}  # fmt: skip
    rows = {
        # Captured and handed over this month, complete; card posted Friday 17:30, claimed
        # Monday 09:30 (routing 60 business min), first touch 10:00 (response 30), 2 attempts.
        "quick": Lead(name="Quick", stage="contacted", created_at=local(13, 17), **complete,
                      profiled_at=local(13, 17), accepted_at=local(16, 9, 30),
                      first_touch_at=local(16, 10), attempts=2),
        # Handed over this month without history; claimed at once (routing 0 under the
        # calendar: Saturday), first touch 3 business hours later (response 180).
        "slow": Lead(name="Slow", stage="accepted", created_at=local(14, 10), phone="+5511",
                     summary="s", approach="a", profile_url="https://crm.example/2",
                     profiled_at=local(14, 10), accepted_at=local(14, 10, 5),
                     first_touch_at=local(16, 12), attempts=0),
        # Captured this month, never profiled: lowers the profiled share.
        "raw": Lead(name="Raw", stage="lead", created_at=local(10, 8)),
        # Handed over last month: counts for nothing this month.
        "old": Lead(name="Old", stage="accepted", created_at=local(20, 9, month=10),
                    profiled_at=local(20, 9, month=10), accepted_at=local(21, 9, month=10),
                    **(complete | {"email": "old@x.example"})),
        # Created last month, handed over this month (by hand-off time), not yet accepted,
        # missing every contact.
        "late": Lead(name="Late", stage="profiled", created_at=local(30, 9, month=10),
                     profiled_at=local(2, 9), summary="s"),
    }  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows.values())
        session.flush()
        card = SentMessage(lead_id=rows["quick"].id, kind=CARD_MESSAGE, channel_id="C1",
                           ts="1.1", created_at=local(13, 17, 30))  # fmt: skip
        session.add(card)
        return {name: lead.id for name, lead in rows.items()}


def test_durations_are_stored_in_business_minutes_once(sessions, leads):
    with session_scope(sessions) as session:
        # 3 routing delays, 2 response times, and 4 profilings (captured → profiled).
        assert store_durations(session, policy=POLICY, tz=TZ) == 9
    with session_scope(sessions) as session:
        assert store_durations(session, policy=POLICY, tz=TZ) == 0
        quick, slow = session.get(Lead, leads["quick"]), session.get(Lead, leads["slow"])
        assert (quick.routing_minutes, quick.response_minutes) == (60, 30)
        assert (slow.routing_minutes, slow.response_minutes) == (0, 180)
        assert (quick.profile_minutes, slow.profile_minutes) == (0, 0)  # profiled at once


def test_the_scorecard_of_the_month_counts_by_hand_off_time(sessions, leads):
    with session_scope(sessions) as session:
        store_durations(session, policy=POLICY, tz=TZ)
        card = scorecard(session, policy=POLICY, now=NOW, tz=TZ)
    assert card.period == Period.containing("month", NOW, TZ)
    assert (card.period.start, card.period.end) == (local(1, 0), local(1, 0, month=12))
    # Marketing: quick, slow and late were handed over in November; 120 needed.
    assert (card.handed_over, card.leads_needed) == (3, 120)
    assert card.projected == round(3 / ((15 * 24 + 13) / (30 * 24)))  # 15.5 of 30 days gone
    assert (card.captured, card.captured_profiled) == (3, 2)  # quick, slow, raw
    assert card.profiled_share == pytest.approx(2 / 3)
    assert card.missing_fields == 2  # slow lacks history; late lacks contact and more
    # Sales: quick and slow accepted this month; both first touched.
    assert card.accepted == 2
    assert card.routing_median == 30  # median of 60 and 0
    assert (card.touched, card.touched_in_time) == (2, 1)  # 30 ≤ 60 < 180
    assert card.response_median == 105
    assert card.attempts_per_lead == 1.0


def test_an_empty_period_and_a_policy_without_goal(sessions):
    with session_scope(sessions) as session:
        card = scorecard(session, policy=Policy.defaults(), now=NOW, tz=TZ)
    assert (card.handed_over, card.leads_needed, card.captured) == (0, None, 0)
    assert card.profiled_share is None and card.in_time_share is None
    assert card.routing_median is None and card.attempts_per_lead is None


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        ("week", local(16, 0), local(23, 0)),
        ("month", local(1, 0), local(1, 0, month=12)),
        ("quarter", local(1, 0, month=10), datetime(2027, 1, 1, 3, tzinfo=UTC)),
    ],
)
def test_periods_start_at_local_midnight(kind, start, end):
    period = Period.containing(kind, NOW, TZ)
    assert (period.start, period.end) == (start, end)


def test_each_stage_gets_its_time_from_the_stage_before_in_business_minutes(sessions):
    # Captured Monday 10:00, profiled 11:00, accepted 12:00, contacted 14:00, a meeting
    # booked Tuesday 10:00 (5 business hours later), won Wednesday 09:30.
    stamps = {
        "created_at": local(16, 10), "profiled_at": local(16, 11), "accepted_at": local(16, 12),
        "contacted_at": local(16, 14), "qualified_at": local(17, 10), "won_at": local(18, 9, 30),
    }  # fmt: skip
    skipped = {"created_at": local(16, 9), "accepted_at": local(16, 9, 30),
               "won_at": local(16, 10, 30)}  # won straight after acceptance  # fmt: skip
    with session_scope(sessions) as session:
        full = Lead(name="Full", stage="won", **stamps)
        jump = Lead(name="Jump", stage="won", **skipped)
        session.add_all([full, jump])
        session.flush()
        store_durations(session, policy=POLICY, tz=TZ)
        session.refresh(full)
        session.refresh(jump)
        assert (full.profile_minutes, full.contact_minutes) == (60, 120)
        assert (full.qualify_minutes, full.win_minutes) == (5 * 60, 8 * 60 + 30)
        # Its win counts from the latest stage it did reach: acceptance.
        assert (jump.profile_minutes, jump.contact_minutes, jump.win_minutes) == (None, None, 60)
