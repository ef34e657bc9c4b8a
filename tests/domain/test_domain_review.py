"""SLA-review meetings on SQLite and PostgreSQL: the next meeting from the cadence (across a
DST change, none while unset), the agenda against a hand-computed fixture (the span since
the last meeting, both sides' attainment, alerts, reasons by source, contested verdicts
with both people's words, the proposed target, the items added), adding items, and marking
a meeting reviewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.domain.digest import ReasonLine
from bot.domain.review import (
    DEFAULT_SPAN,
    AgendaItemError,
    ReviewAnswer,
    SpanStart,
    add_agenda_item,
    mark_reviewed,
    meeting_before,
    next_meeting,
    review_agenda,
)
from bot.domain.roles import RoleDirectory
from bot.domain.schedule import ScheduleError
from bot.domain.sla import Plan, Policy
from bot.domain.vocabulary import Exit
from storage.db import session_scope
from storage.models import AgendaItem, Contest, Lead, LeadEvent, ReviewMeeting, SlaAlert

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
SCHEDULE = "every 2 weeks thu 10:00 from 2026-11-05"  # 5 and 19 November, 3 December
POLICY = Policy.defaults().with_changes(
    {"revenue_goal": 100_000, "average_deal_value": 6_667, "leads_per_sale": 8}
)  # 15 sales, 120 profiled leads a month
SELLER, SELLER_2, MARKETER, MANAGER, MANAGER_2 = "U0ANA", "U0LUIS", "U0MARTA", "U0BOSS", "U0JEFA"
ROLES = RoleDirectory(
    (SELLER, SELLER_2), (MARKETER,), (MANAGER, MANAGER_2), "C0SALES", "C0MKT", "C0MGR"
)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


NOW = local(12, 1, 12)  # Tuesday 1 December, 12:00
NEXT = local(12, 3, 10)
BEFORE = local(11, 19, 10)  # the cadence's meeting before the next
FIRST = local(11, 5, 10)


@pytest.fixture
def team(sessions) -> dict[str, int]:
    """Leads since the meeting of 19 November (S) and before it (P), with what each adds."""
    rows = {
        # S: handed over the 20th, won the 25th for 5,000.
        "a": Lead(name="A", phone="+5511999990000", created_at=local(11, 20, 9),
                  profiled_at=local(11, 20, 9), stage="won", owner_id=SELLER,
                  accepted_at=local(11, 20, 9, 30), won_at=local(11, 25, 15), won_value=5000,
                  source="google"),
        # S: handed over the 23rd, not a fit the 24th (the contested verdict). Slack markup
        # in its name is data.
        "b": Lead(name="Bea <!channel>", company="Grupo Andino", created_at=local(11, 23, 9),
                  profiled_at=local(11, 23, 9), stage="accepted", owner_id=SELLER_2,
                  accepted_at=local(11, 23, 10), exit="rejected", exit_reason="not_icp",
                  exited_at=local(11, 24, 10), source="google"),
        # S: handed over the 24th, lost on price the 26th.
        "c": Lead(name="C", created_at=local(11, 24, 9), profiled_at=local(11, 24, 9),
                  stage="qualified", owner_id=SELLER, accepted_at=local(11, 24, 9, 10),
                  exit="lost", exit_reason="price", exited_at=local(11, 26, 16),
                  source="meta"),
        # S: handed over the 26th, accepted, never touched: escalated, still open.
        "d": Lead(name="D", created_at=local(11, 26, 9), profiled_at=local(11, 26, 9),
                  stage="accepted", owner_id=SELLER, accepted_at=local(11, 26, 9, 30)),
        # S: handed over the 27th, not a fit the 28th.
        "e": Lead(name="E", created_at=local(11, 27, 9), profiled_at=local(11, 27, 9),
                  stage="profiled", exit="rejected", exit_reason="not_icp",
                  exited_at=local(11, 28, 10), source="google"),
        # P: handed over the 10th, won the 12th.
        "p": Lead(name="P", created_at=local(11, 10, 9), profiled_at=local(11, 10, 9),
                  stage="won", owner_id=SELLER, accepted_at=local(11, 10, 10),
                  won_at=local(11, 12, 10), won_value=4000, source="google"),
        # P: handed over the 11th, open.
        "q": Lead(name="Q", created_at=local(11, 11, 9), profiled_at=local(11, 11, 9),
                  stage="profiled"),
    }  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows.values())
        session.flush()
        ids = {name: lead.id for name, lead in rows.items()}
        verdict_b = LeadEvent(lead_id=ids["b"], at=local(11, 24, 10), actor=SELLER_2,
                              kind="reject", reason_code="not_icp", to_stage="rejected",
                              note="Five employees, <b>no</b> budget.")  # fmt: skip
        verdict_c = LeadEvent(lead_id=ids["c"], at=local(11, 26, 16), actor=SELLER,
                              kind="lose", reason_code="price", to_stage="lost")  # fmt: skip
        session.add_all([verdict_b, verdict_c])
        session.flush()
        session.add_all([
            Contest(lead_id=ids["b"], exit_event_id=verdict_b.id, exit="rejected",
                    reason_code="not_icp", seller_id=SELLER_2, marketer_id=MARKETER,
                    text="They asked for a quote <!channel>.", created_at=local(11, 25, 11)),
            # Discussed at an earlier review: not on the agenda.
            Contest(lead_id=ids["c"], exit_event_id=verdict_c.id, exit="lost",
                    reason_code="price", seller_id=SELLER, marketer_id=MARKETER,
                    text="Cheap.", created_at=local(11, 27, 10),
                    reviewed_at=local(11, 28, 10)),
            SlaAlert(lead_id=ids["d"], kind="first_touch_reminder", deadline=local(11, 26, 10),
                     user_id=SELLER, created_at=local(11, 26, 10, 15)),
            SlaAlert(lead_id=ids["d"], kind="first_touch_late", deadline=local(11, 26, 10, 30),
                     user_id=SELLER, created_at=local(11, 26, 10, 31)),
            # Before the span: not counted.
            SlaAlert(lead_id=ids["q"], kind="unclaimed_late", deadline=local(11, 11, 10),
                     created_at=local(11, 11, 10, 1)),
            AgendaItem(text="Google leads: budget check at intake?", lead_id=ids["b"],
                       added_by=MARKETER, added_at=local(11, 30, 15)),
            AgendaItem(text="Raise the revenue goal?", added_by=MANAGER,
                       added_at=local(11, 30, 16)),
        ])  # fmt: skip
        return ids


def agenda(sessions, now: datetime = NOW, schedule: str = SCHEDULE, **options):
    with sessions() as session:
        return review_agenda(session, now=now, tz=TZ, policy=POLICY, schedule=schedule,
                             **options)  # fmt: skip


def mark(sessions, meeting: datetime, user: str = MANAGER, at: datetime = NOW):
    with session_scope(sessions) as session:
        return mark_reviewed(session, meeting=meeting, user_id=user, roles=ROLES, at=at)


def open_items(sessions) -> list[str]:
    with sessions() as session:
        rows = session.exec(
            select(AgendaItem.text)
            .where(col(AgendaItem.reviewed_in).is_(None))
            .order_by(col(AgendaItem.id))
        )
        return list(rows)


def open_contests(sessions) -> list[str]:
    with sessions() as session:
        rows = session.exec(
            select(Contest.text).where(col(Contest.reviewed_at).is_(None)).order_by(Contest.id)
        )
        return list(rows)


# -- When -----------------------------------------------------------------------------------


def test_the_next_meeting_and_the_one_before_come_from_the_cadence():
    assert next_meeting(SCHEDULE, now=NOW, tz=TZ) == NEXT
    assert meeting_before(SCHEDULE, meeting=NEXT, tz=TZ) == BEFORE
    assert meeting_before(SCHEDULE, meeting=FIRST, tz=TZ) is None
    # A meeting starting this instant is still the next one; a minute later it is past.
    assert next_meeting(SCHEDULE, now=NEXT, tz=TZ) == NEXT
    assert next_meeting(SCHEDULE, now=NEXT + timedelta(minutes=1), tz=TZ) == local(12, 17, 10)
    # Before the first meeting, the first one.
    assert next_meeting(SCHEDULE, now=local(10, 1, 9), tz=TZ) == FIRST


def test_meetings_keep_their_wall_clock_time_across_a_dst_change():
    new_york = ZoneInfo("America/New_York")  # clocks go back on Sunday 1 November 2026
    schedule = "every week thu 10:00 from 2026-10-29"
    first = datetime(2026, 10, 29, 14, 0, tzinfo=UTC)  # 10:00 EDT
    second = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)  # 10:00 EST
    assert next_meeting(schedule, now=first + timedelta(hours=1), tz=new_york) == second
    assert second.astimezone(new_york).hour == 10
    assert meeting_before(schedule, meeting=second, tz=new_york) == first


def test_no_meetings_while_the_schedule_is_unset(sessions, team):
    assert next_meeting("", now=NOW, tz=TZ) is None
    assert next_meeting("   ", now=NOW, tz=TZ) is None
    assert meeting_before("", meeting=NEXT, tz=TZ) is None
    found = agenda(sessions, schedule="")
    assert found.meeting is None
    assert (found.since, found.since_kind) == (NOW - DEFAULT_SPAN, SpanStart.DEFAULT)
    # The last 30 days (from 1 November) hold every hand-off and both wins.
    assert (found.target.handed_over, found.target.won) == (7, 2)
    with pytest.raises(ScheduleError):
        next_meeting("fortnightly", now=NOW, tz=TZ)


# -- The agenda -----------------------------------------------------------------------------


def test_the_agenda_covers_the_data_since_the_meeting_before(sessions, team):
    found = agenda(sessions)
    assert found.meeting == NEXT
    assert (found.since, found.since_kind, found.now) == (BEFORE, SpanStart.CADENCE, NOW)
    lines = {line.code: line for line in found.scorecard}
    # Handed over in S: a, b, c, d, e; in the 12 days 2 hours before it: p, q. The target is
    # November's 120 prorated to 12 days 2 hours (290 of 720 hours): 48.3 → 49.
    assert (lines["handed_over"].value, lines["handed_over"].previous) == (5, 2)
    assert (lines["handed_over"].target, lines["handed_over"].met) == (49, False)
    assert [line.side for line in found.scorecard] == ["marketing"] * 3 + ["sales"] * 4
    # The sweep's reminder and escalation of d; q's escalation came before the span.
    assert found.alerts == {"first_touch_reminder": 1, "first_touch_late": 1}
    assert found.open_breaches == 2  # d is still untouched, q still unaccepted
    # Not a fit b and e from google; c lost on price, from meta.
    assert (found.reasons.rejected, found.reasons.lost) == (2, 1)
    assert found.reasons.by_source == (
        ReasonLine("google", Exit.REJECTED, "not_icp", 2),
        ReasonLine("meta", Exit.LOST, "price", 1),
    )


def test_the_agenda_lists_the_open_contest_with_both_peoples_words(sessions, team):
    found = agenda(sessions)
    assert found.contests_total == 1  # c's was discussed already
    (contest,) = found.contests
    assert (contest.lead_id, contest.lead_name, contest.company) == (
        team["b"],
        "Bea <!channel>",
        "Grupo Andino",
    )
    assert (contest.exit, contest.reason) == ("rejected", "not_icp")
    assert contest.seller_id == SELLER_2
    assert contest.seller_words == "Five employees, <b>no</b> budget."
    assert (contest.marketer_id, contest.marketer_words) == (
        MARKETER,
        "They asked for a quote <!channel>.",
    )
    assert contest.since == local(11, 25, 11)


def test_the_agenda_lists_the_items_added_with_who_and_when(sessions, team):
    found = agenda(sessions)
    assert found.items_total == 2
    assert [(i.text, i.added_by, i.added_at, i.lead_id, i.lead_name, i.company)
            for i in found.items] == [
        ("Google leads: budget check at intake?", MARKETER, local(11, 30, 15), team["b"],
         "Bea <!channel>", "Grupo Andino"),
        ("Raise the revenue goal?", MANAGER, local(11, 30, 16), None, None, None),
    ]  # fmt: skip


def test_the_proposed_target_uses_the_observed_close_rate(sessions, team):
    target = agenda(sessions).target
    # S handed over 5 leads and won 1 sale (a): 1 sale every 5 leads, not 8.
    assert (target.handed_over, target.won) == (5, 1)
    assert target.observed_leads_per_sale == 5
    assert target.observed_close_rate == 0.2
    assert target.current == Plan(sales_needed=15, leads_needed=120)
    assert target.proposed == Plan(sales_needed=15, leads_needed=75)


def test_without_wins_there_is_no_observed_close_rate(sessions, team):
    # Weekly: the meeting before is Thursday 26th 10:00; since then e was handed over (d an
    # hour before), and nothing was won.
    target = agenda(sessions, schedule="every week thu 10:00 from 2026-11-05").target
    assert (target.handed_over, target.won) == (1, 0)
    assert target.observed_leads_per_sale is None
    assert target.proposed is None
    assert target.current == Plan(sales_needed=15, leads_needed=120)
    later = agenda(sessions, now=local(12, 30, 12))  # 17 to 30 December: nothing happened
    assert (later.target.handed_over, later.target.won, later.target.proposed) == (0, 0, None)
    assert later.target.observed_close_rate is None


def test_without_a_revenue_goal_nothing_is_proposed(sessions, team):
    with sessions() as session:
        found = review_agenda(session, now=NOW, tz=TZ, policy=Policy.defaults(),
                              schedule=SCHEDULE)  # fmt: skip
    assert (found.target.current, found.target.proposed) == (None, None)
    assert found.target.observed_leads_per_sale == 5  # still observed


def test_the_span_starts_at_the_last_meeting_marked_reviewed(sessions, team):
    assert mark(sessions, FIRST, at=local(11, 5, 12)).answer is ReviewAnswer.DONE
    found = agenda(sessions)
    # The meeting of the 19th was never marked: the data runs from the 5th.
    assert (found.since, found.since_kind) == (FIRST, SpanStart.REVIEWED)
    # Handed over a, b, c, d, e, p, q; won a and p: 3.5 leads a sale, 15 × 3.5 = 52.5 → 53.
    assert (found.target.handed_over, found.target.won) == (7, 2)
    assert found.target.proposed == Plan(sales_needed=15, leads_needed=53)
    assert found.alerts == {"first_touch_reminder": 1, "first_touch_late": 1,
                            "unclaimed_late": 1}  # fmt: skip


# -- Adding items ---------------------------------------------------------------------------


def test_an_item_is_kept_trimmed_with_its_author_and_lead(sessions, team):
    with session_scope(sessions) as session:
        item = add_agenda_item(session, text="  Pricing\x07 page leads \n", lead_id=team["c"],
                               user_id=SELLER, at=NOW)  # fmt: skip
        item_id = item.id
    with sessions() as session:
        kept = session.get(AgendaItem, item_id)
        assert (kept.text, kept.lead_id, kept.added_by, kept.added_at, kept.reviewed_in) == (
            "Pricing page leads",
            team["c"],
            SELLER,
            NOW,
            None,
        )
    assert agenda(sessions).items_total == 3


def test_an_item_of_exactly_the_limit_is_kept(sessions):
    with session_scope(sessions) as session:
        add_agenda_item(session, text="x" * 2000, lead_id=None, user_id=SELLER, at=NOW)
    assert open_items(sessions) == ["x" * 2000]


@pytest.mark.parametrize(
    ("text", "lead_id", "key", "message"),
    [
        ("   \n\t ", None, "review.item.empty", "The agenda item is empty"),
        ("", None, "review.item.empty", "The agenda item is empty"),
        ("y" * 2001, None, "review.item.too_long", "2,001 characters long; at most 2,000"),
        ("About a lead", 999_999, "review.item.no_lead", "There is no lead 999999"),
    ],
)
def test_a_bad_item_is_refused_naming_the_problem(sessions, text, lead_id, key, message):
    with session_scope(sessions) as session, pytest.raises(AgendaItemError) as refused:
        add_agenda_item(session, text=text, lead_id=lead_id, user_id=SELLER, at=NOW)
    assert refused.value.key == key
    assert message in str(refused.value)
    assert refused.value.render("es") != str(refused.value)
    assert open_items(sessions) == []


# -- Marking a meeting reviewed ---------------------------------------------------------------


@pytest.fixture
def around_the_meeting(sessions, team) -> None:
    """An item and a contest from before the meeting of the 19th, and one of each after."""
    with session_scope(sessions) as session:
        verdict = LeadEvent(
            lead_id=team["q"], at=local(11, 17, 10), actor=SELLER, kind="reject",
            reason_code="spam_test", to_stage="rejected",
        )  # fmt: skip
        session.add(verdict)
        session.flush()
        session.add_all([
            Contest(lead_id=team["q"], exit_event_id=verdict.id, exit="rejected",
                    reason_code="spam_test", seller_id=SELLER, marketer_id=MARKETER,
                    text="Real person.", created_at=local(11, 18, 10)),
            AgendaItem(text="Before", added_by=MARKETER, added_at=local(11, 18, 9)),
            AgendaItem(text="At the start", added_by=MARKETER, added_at=BEFORE),
            AgendaItem(text="During", added_by=MARKETER, added_at=local(11, 19, 10, 30)),
        ])  # fmt: skip


def test_a_manager_marks_the_meeting_and_closes_what_it_discussed(sessions, around_the_meeting):
    at = local(11, 19, 11, 30)
    outcome = mark(sessions, BEFORE, at=at)
    assert outcome.answer is ReviewAnswer.DONE
    assert (outcome.meeting, outcome.reviewed_by, outcome.reviewed_at) == (BEFORE, MANAGER, at)
    # Items added up to its start; the contest made before it (b's came on the 25th).
    assert (outcome.items_closed, outcome.contests_closed) == (2, 1)
    assert open_items(sessions) == [
        "Google leads: budget check at intake?",
        "Raise the revenue goal?",
        "During",
    ]
    assert open_contests(sessions) == ["They asked for a quote <!channel>."]
    with sessions() as session:
        (meeting,) = session.exec(select(ReviewMeeting)).all()
        assert (meeting.scheduled_for, meeting.reviewed_by, meeting.reviewed_at) == (
            BEFORE,
            MANAGER,
            at,
        )
        closed = session.exec(select(AgendaItem.text).where(AgendaItem.reviewed_in == meeting.id))
        assert sorted(closed) == ["At the start", "Before"]
        reviewed = session.exec(select(Contest).where(Contest.text == "Real person.")).one()
        assert reviewed.reviewed_at == at
    found = agenda(sessions)
    assert (found.since, found.since_kind) == (BEFORE, SpanStart.REVIEWED)
    assert [item.text for item in found.items] == [
        "During",
        "Google leads: budget check at intake?",
        "Raise the revenue goal?",
    ]


@pytest.mark.parametrize("user", [SELLER, MARKETER, "U0STRANGER"])
def test_only_managers_mark_a_meeting_reviewed(sessions, around_the_meeting, user):
    outcome = mark(sessions, BEFORE, user=user)
    assert outcome.answer is ReviewAnswer.NOT_A_MANAGER
    assert (outcome.items_closed, outcome.contests_closed) == (0, 0)
    with sessions() as session:
        assert session.exec(select(ReviewMeeting)).all() == []
    assert len(open_items(sessions)) == 5
    assert len(open_contests(sessions)) == 2


def test_marking_twice_says_who_marked_it_and_changes_nothing(sessions, around_the_meeting):
    first = mark(sessions, BEFORE, at=local(11, 19, 12))
    with session_scope(sessions) as session:
        add_agenda_item(session, text="Late", lead_id=None, user_id=MARKETER,
                        at=local(11, 18, 23))  # fmt: skip  # added later, dated before
    again = mark(sessions, BEFORE, user=MANAGER_2, at=local(11, 20, 9))
    assert first.answer is ReviewAnswer.DONE
    assert again.answer is ReviewAnswer.ALREADY_REVIEWED
    assert (again.reviewed_by, again.reviewed_at) == (MANAGER, local(11, 19, 12))
    assert (again.items_closed, again.contests_closed) == (0, 0)
    assert "Late" in open_items(sessions)
    with sessions() as session:
        (meeting,) = session.exec(select(ReviewMeeting)).all()
        assert meeting.reviewed_by == MANAGER


def test_a_meeting_still_ahead_cannot_be_marked(sessions, around_the_meeting):
    outcome = mark(sessions, NEXT, at=NOW)
    assert outcome.answer is ReviewAnswer.NOT_STARTED
    with sessions() as session:
        assert session.exec(select(ReviewMeeting)).all() == []
    assert len(open_items(sessions)) == 5
