"""The weekly digest against a hand-computed fixture, on SQLite and PostgreSQL: the local
week's bounds, both sides of the scorecard with targets and week-over-week change, the
week's funnel, exit reasons by source and campaign, stalled leads in business days (a
weekend in between), recognition, open contests and the next review."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.business_time import business_days_between, business_minutes_before
from bot.domain.digest import (
    BestCloser,
    FastestResponder,
    MostImproved,
    ReasonLine,
    weekly_digest,
)
from bot.domain.schedule import ScheduleError
from bot.domain.sla import Policy
from bot.domain.vocabulary import Exit, Stage
from storage.db import session_scope
from storage.models import Contest, Lead, LeadEvent

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
POLICY = Policy.defaults().with_changes(
    {"revenue_goal": 100_000, "average_deal_value": 6_667, "leads_per_sale": 8,
     "required_fields": (("email", "phone"),)}
)  # fmt: skip  # 120 profiled leads a month; a hand-off needs an email or a phone


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


# The Monday 09:00 run: it reports on Monday 16 to Monday 23 November, local (W), against
# Monday 9 to Monday 16 (P).
NOW = local(11, 23, 9)
PHONE = "+5511999990000"


@pytest.fixture
def week(sessions) -> dict[str, int]:
    """Leads of W and P, and older open leads for the stalled list; what each adds is beside
    it. Sellers U1, U2, U3; marketers M1, M2."""
    rows = {
        # W: won by U1 for 5,000; routing 30, response 30, 2 attempts; qualified Tuesday,
        # won Wednesday. google / black-friday.
        "a": Lead(name="A", phone=PHONE, created_at=local(11, 16, 10), stage="won",
                  profiled_at=local(11, 16, 10), accepted_at=local(11, 16, 10, 30),
                  owner_id="U1", routing_minutes=30, first_touch_at=local(11, 16, 11),
                  response_minutes=30, attempts=2, contacted_at=local(11, 16, 11),
                  qualified_at=local(11, 17, 12), won_at=local(11, 18, 15), won_value=5000,
                  source="google", campaign="black-friday"),
        # W: Sunday 23:30 local (already Monday 23rd in UTC): captured, never profiled.
        "b": Lead(name="B", created_at=local(11, 22, 23, 30), stage="lead"),
        # P: Sunday 15th 23:30 local (Monday 16th in UTC): the week before, not W.
        "c": Lead(name="C", created_at=local(11, 15, 23, 30), stage="lead"),
        # W: accepted by U2 (routing 60, response 120, 1 attempt), then not a fit.
        "d": Lead(name="D", phone=PHONE, created_at=local(11, 17, 9), stage="accepted",
                  profiled_at=local(11, 17, 9), accepted_at=local(11, 17, 10), owner_id="U2",
                  routing_minutes=60, first_touch_at=local(11, 17, 12), response_minutes=120,
                  attempts=1, exit="rejected", exit_reason="not_icp",
                  exited_at=local(11, 18, 10), source="google", campaign="black-friday"),
        # W: handed over without an email or a phone; not a fit.
        "e": Lead(name="E", created_at=local(11, 17, 14), stage="profiled",
                  profiled_at=local(11, 17, 14), exit="rejected", exit_reason="not_icp",
                  exited_at=local(11, 19, 10), source="google", campaign="brand-search"),
        # W: U1 (routing 10, response 20, 3 attempts), qualified Thursday, lost on price.
        "f": Lead(name="F", phone=PHONE, created_at=local(11, 18, 9), stage="qualified",
                  profiled_at=local(11, 18, 9), accepted_at=local(11, 18, 9, 10),
                  owner_id="U1", routing_minutes=10, first_touch_at=local(11, 18, 9, 30),
                  response_minutes=20, attempts=3, contacted_at=local(11, 18, 9, 30),
                  qualified_at=local(11, 19, 10), exit="lost", exit_reason="price",
                  exited_at=local(11, 20, 16), source="meta", campaign="black-friday"),
        # W: U2 (routing 30, response 90, 1 attempt), qualified and won for 3,000 Friday.
        "g": Lead(name="G", phone=PHONE, created_at=local(11, 19, 9), stage="won",
                  profiled_at=local(11, 19, 9), accepted_at=local(11, 19, 9, 30),
                  owner_id="U2", routing_minutes=30, first_touch_at=local(11, 19, 11),
                  response_minutes=90, attempts=1, contacted_at=local(11, 19, 11),
                  qualified_at=local(11, 20, 9), won_at=local(11, 20, 10), won_value=3000),
        # P: U2 (routing 60, response 60, 2 attempts), qualified in P, won in W for 2,000.
        "h": Lead(name="H", phone=PHONE, created_at=local(11, 10, 10), stage="won",
                  profiled_at=local(11, 10, 10), accepted_at=local(11, 10, 11), owner_id="U2",
                  routing_minutes=60, first_touch_at=local(11, 10, 12), response_minutes=60,
                  attempts=2, contacted_at=local(11, 10, 12), qualified_at=local(11, 12, 10),
                  won_at=local(11, 17, 10), won_value=2000),
        # P: U3 (routing 30, response 30, 1 attempt), qualified Thursday 12th, open since.
        "i": Lead(name="Iris <!channel>", company="Grupo Andino", phone=PHONE,
                  created_at=local(11, 11, 10), stage="qualified",
                  profiled_at=local(11, 11, 10), accepted_at=local(11, 11, 10, 30),
                  owner_id="U3", routing_minutes=30, first_touch_at=local(11, 11, 11),
                  response_minutes=30, attempts=1, contacted_at=local(11, 11, 11),
                  qualified_at=local(11, 12, 12)),
        # P: handed over with neither an email nor a phone; still profiled.
        "j": Lead(name="J", created_at=local(11, 12, 10), stage="profiled",
                  profiled_at=local(11, 12, 10)),
        # Older: U1's contacted lead, last touched Wednesday 18th 09:00.
        "k": Lead(name="K", phone=PHONE, created_at=local(11, 2, 10), stage="contacted",
                  profiled_at=local(11, 2, 10), accepted_at=local(11, 3, 10), owner_id="U1",
                  first_touch_at=local(11, 4, 10), contacted_at=local(11, 4, 10)),
        # Older: U3's accepted lead, last touched Wednesday 18th 12:00.
        "l": Lead(name="L", phone=PHONE, created_at=local(11, 2, 11), stage="accepted",
                  profiled_at=local(11, 2, 11), accepted_at=local(11, 5, 10), owner_id="U3"),
        # Older: not a fit on Sunday 15th 23:00 local (Monday in UTC): the week before.
        "n": Lead(name="N", created_at=local(11, 1, 10), stage="profiled",
                  profiled_at=local(11, 1, 10), exit="rejected", exit_reason="spam_test",
                  exited_at=local(11, 15, 23), source="google", campaign="black-friday"),
    }  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows.values())
        session.flush()
        ids = {name: lead.id for name, lead in rows.items()}

        def event(name: str, at: datetime, kind: str = "attempt", **extra) -> LeadEvent:
            made = LeadEvent(lead_id=ids[name], at=at, actor="U1", kind=kind, **extra)
            session.add(made)
            return made

        event("i", local(11, 11, 10, 30), "claim")
        event("i", local(11, 12, 12), "qualify")  # the last: Thursday 12th 12:00
        event("k", local(11, 3, 10), "claim")
        event("k", local(11, 18, 9))
        event("l", local(11, 5, 10), "claim")
        event("l", local(11, 18, 12))
        rejected_d = event("d", local(11, 18, 10), "reject", reason_code="not_icp")
        rejected_e = event("e", local(11, 19, 10), "reject", reason_code="not_icp")
        lost_f = event("f", local(11, 20, 16), "lose", reason_code="price")
        session.flush()
        session.add_all([
            Contest(lead_id=ids["d"], exit_event_id=rejected_d.id, exit="rejected",
                    reason_code="not_icp", seller_id="U2", marketer_id="M1", text="Fits.",
                    created_at=local(11, 19, 10)),
            Contest(lead_id=ids["e"], exit_event_id=rejected_e.id, exit="rejected",
                    reason_code="not_icp", seller_id="U2", marketer_id="M2", text="Fits.",
                    created_at=local(11, 18, 10)),
            # Already discussed at a review: not open.
            Contest(lead_id=ids["f"], exit_event_id=lost_f.id, exit="lost",
                    reason_code="price", seller_id="U1", marketer_id="M1", text="Cheap.",
                    created_at=local(11, 17, 10), reviewed_at=local(11, 19, 10)),
        ])  # fmt: skip
        return ids


def digest(sessions, now: datetime = NOW, **options):
    with sessions() as session:
        return weekly_digest(session, now=now, tz=TZ, policy=POLICY, **options)


def test_the_week_is_the_last_local_monday_to_monday(sessions, week):
    found = digest(sessions)
    assert (found.week.start, found.week.end) == (local(11, 16, 0), local(11, 23, 0))
    assert found.week.start == datetime(2026, 11, 16, 3, tzinfo=UTC)
    assert (found.previous_week.start, found.previous_week.end) == (local(11, 9, 0),
                                                                    local(11, 16, 0))  # fmt: skip
    # At Monday 00:00 local sharp the week that just ended is reported; a minute before,
    # the week before it.
    assert digest(sessions, local(11, 23, 0)).week.start == local(11, 16, 0)
    assert digest(sessions, local(11, 22, 23, 59)).week.start == local(11, 9, 0)


def test_both_sides_of_the_scorecard_against_target_and_the_week_before(sessions, week):
    lines = {line.code: line for line in digest(sessions).scorecard}
    figures = {code: (line.value, line.previous, line.target, line.met)
               for code, line in lines.items()}  # fmt: skip
    assert figures == {
        # Handed over: a, d, e, f, g in W; h, i, j in P. A week of November's 120: 7/30 → 28.
        "handed_over": (5, 3, 28, False),
        # Captured a, b, d, e, f, g (b never profiled) = 5/6; in P c, h, i, j, c not: 3/4.
        "profiled_share": (5 / 6, 3 / 4, 0.6, True),
        # e in W, j in P: no email, no phone.
        "missing_fields": (1, 1, 0, False),
        # Routing of a, d, f, g: 10, 30, 30, 60 → 30; of h, i: 60, 30 → 45. Target 30.
        "routing": (30.0, 45.0, 30, True),
        # Response of a, d, f, g: 20, 30, 90, 120 → 60; of h, i: 60, 30 → 45. Target 60.
        "response": (60.0, 45.0, 60, True),
        # Within 60 minutes: a and f of 4; h and i of 2.
        "in_time": (0.5, 1.0, None, None),
        # Attempts of a, d, f, g: 2, 1, 3, 1 → 1.75; of h, i: 2, 1 → 1.5.
        "attempts": (1.75, 1.5, None, None),
    }
    assert [line.side for line in lines.values()] == ["marketing"] * 3 + ["sales"] * 4
    assert lines["handed_over"].change == 2
    assert lines["routing"].change == -15
    assert lines["in_time"].change == -0.5


def test_the_funnel_is_the_weeks_cohort_against_the_week_before(sessions, week):
    funnel = digest(sessions).funnel
    # W's cohort: a (won), b (lead), d (accepted), e (profiled), f (qualified), g (won).
    assert [s.leads for s in funnel.current.stages] == [6, 5, 4, 3, 3, 2]
    assert [s.of_previous for s in funnel.current.stages] == [None, 5 / 6, 4 / 5, 3 / 4,
                                                              1.0, 2 / 3]  # fmt: skip
    assert funnel.current.revenue == 8000  # a 5,000 + g 3,000
    # P's cohort: c (lead), h (won), i (qualified), j (profiled).
    assert [s.leads for s in funnel.previous.stages] == [4, 3, 2, 2, 2, 1]
    assert funnel.previous.revenue == 2000
    assert funnel.sla.needed == 28


def test_exit_reasons_of_the_week_by_source_and_by_campaign(sessions, week):
    reasons = digest(sessions).reasons
    # d and e not a fit, f lost; n left on Sunday 15th local, the week before.
    assert (reasons.rejected, reasons.lost) == (2, 1)
    assert reasons.by_source == (
        ReasonLine("google", Exit.REJECTED, "not_icp", 2),  # d and e
        ReasonLine("meta", Exit.LOST, "price", 1),  # f
    )
    assert reasons.by_campaign == (  # ties by exit, reason, then value
        ReasonLine("black-friday", Exit.LOST, "price", 1),
        ReasonLine("black-friday", Exit.REJECTED, "not_icp", 1),
        ReasonLine("brand-search", Exit.REJECTED, "not_icp", 1),
    )


def test_stalled_leads_count_business_days_across_the_weekend(sessions, week):
    stalled = digest(sessions).stalled
    # Open with a seller: i, k, l. At Monday 09:00, Mon-Fri 09:00-18:00 (540 min a day):
    # i idle since Thursday 12th 12:00: 360 + 540 + 5 × 540 = 3,600 min → 6 days;
    # k since Wednesday 18th 09:00: 3 × 540 = 1,620 → 3 days (the weekend counts nothing);
    # l since Wednesday 18th 12:00: 360 + 1,080 = 1,440 → 2.67: not stalled.
    assert stalled.after_days == 3
    assert stalled.total == 2
    assert [(s.name, s.owner_id, s.stage, s.business_days) for s in stalled.leads] == [
        ("Iris <!channel>", "U3", Stage.QUALIFIED, 6),
        ("K", "U1", Stage.CONTACTED, 3),
    ]
    assert stalled.leads[0].idle_since == local(11, 12, 12)
    assert stalled.leads[0].company == "Grupo Andino"
    # By Tuesday 09:00 l has had its third business day too.
    later = digest(sessions, local(11, 24, 9)).stalled
    assert (later.total, [s.name for s in later.leads]) == (3, ["Iris <!channel>", "K", "L"])


def test_business_days_walk_the_policys_calendar():
    calendar = POLICY.calendar(TZ)
    friday = local(11, 20, 17)
    assert business_days_between(calendar, friday, local(11, 23, 17)) == 1  # 60 + 480
    assert business_days_between(calendar, friday, local(11, 23, 16, 59)) == 0
    cutoff = business_minutes_before(calendar, NOW, 3 * 540)
    # Three working days before Monday 09:00 is Wednesday 09:00, exactly.
    assert cutoff == local(11, 18, 9)


def test_recognition_names_the_weeks_best_with_their_figures(sessions, week):
    found = digest(sessions).recognition
    # Won in W: U1 a 5,000; U2 g 3,000 + h 2,000 = 5,000 in 2 deals: the tie goes to more.
    assert found.best_closer == BestCloser("U2", 5000.0, 2)
    # First touches in W: U1 a 30, f 20 → median 25; U2 d 120, g 90 → 105.
    assert found.fastest_responder == FastestResponder("U1", 25.0, 2)
    # Qualified or won in W: U1 a, f = 2 (P: none); U2 g, h = 2 (P: h) ; U3 0 (P: i).
    assert found.most_improved == MostImproved("U1", 2, 0)


def test_recognition_is_left_out_when_nobody_qualifies(sessions, week):
    # The week after W: nobody won, touched or moved a lead; everyone did less than in W.
    found = digest(sessions, local(11, 30, 9)).recognition
    assert (found.best_closer, found.fastest_responder, found.most_improved) == (None,) * 3
    assert not found.anyone


def test_one_first_touch_is_not_enough_to_be_the_fastest(sessions):
    with session_scope(sessions) as session:
        session.add(Lead(name="Solo", created_at=local(11, 17, 9), stage="contacted",
                         owner_id="U9", accepted_at=local(11, 17, 9),
                         first_touch_at=local(11, 17, 10), response_minutes=1))  # fmt: skip
    assert digest(sessions).recognition.fastest_responder is None


def test_open_contests_oldest_first(sessions, week):
    contests = digest(sessions).contests
    assert contests.total == 2  # f's was reviewed
    assert [(c.lead_name, c.marketer_id, c.seller_id, c.exit, c.reason)
            for c in contests.oldest] == [("E", "M2", "U2", "rejected", "not_icp"),
                                          ("D", "M1", "U2", "rejected", "not_icp")]  # fmt: skip
    assert contests.oldest[0].since == local(11, 18, 10)


def test_the_next_review_comes_from_the_schedule(sessions, week):
    assert digest(sessions).next_review is None
    found = digest(sessions, sla_review_schedule="every 2 weeks thu 10:00 from 2026-11-12")
    assert found.next_review == local(11, 26, 10)  # the 12th, then the 26th
    with pytest.raises(ScheduleError):
        digest(sessions, sla_review_schedule="fortnightly")


def test_a_week_without_leads(sessions):
    found = digest(sessions)
    assert found.funnel.current.leads == 0
    assert [s.leads for s in found.funnel.current.stages] == [0] * 6
    values = {line.code: line.value for line in found.scorecard}
    assert values == {"handed_over": 0, "profiled_share": None, "missing_fields": 0,
                      "routing": None, "response": None, "in_time": None,
                      "attempts": None}  # fmt: skip
    assert (found.reasons.rejected, found.reasons.lost) == (0, 0)
    assert found.reasons.by_source == found.reasons.by_campaign == ()
    assert (found.stalled.total, found.stalled.leads) == (0, ())
    assert not found.recognition.anyone
    assert (found.contests.total, found.contests.oldest) == (0, ())
