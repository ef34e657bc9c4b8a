"""SLA-review meetings: when the next one is, the agenda the data writes for it, the items
people add to it, and marking a meeting reviewed.

The meetings follow `SLA_REVIEW_SCHEDULE` (`schedule.parse_optional_cadence`); with it unset
there are none. A meeting is named by its occurrence: the UTC instant the cadence puts it at.

The agenda covers the data since the last meeting, from `since` to `now`, where `since` is:

1. the occurrence of the latest meeting marked reviewed before this one: what it discussed
   is behind the team, whatever meetings were skipped since;
2. failing that, the cadence's occurrence before this meeting: nobody marked a meeting yet,
   so the last planned one stands in for it;
3. failing that (this is the first meeting, or no meetings are scheduled), the
   `DEFAULT_SPAN` (30 days) before `now`: about one SLA period of the default monthly kind.

Over that span it holds: both sides' scorecard (the digest's lines, against the span of the
same length before it), the SLA alerts raised by kind and the breaches still open, why leads
left by source, the contested verdicts no review has discussed yet with the marketer's and
the seller's words, a proposed lead target from the close rate observed over the span, and
the items people added.

Marking a meeting reviewed (managers only) records it once, and in the same transaction
closes the items added and the contests made up to the meeting's start: what it discussed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import enforcement
from bot.domain.digest import (
    OpenContest,
    Reasons,
    ScoreLine,
    exit_reasons,
    open_contests,
    scorecard_lines,
)
from bot.domain.funnel import leads_needed
from bot.domain.funnel_query import Window
from bot.domain.normalize import clean_text
from bot.domain.roles import Role, RoleDirectory
from bot.domain.schedule import parse_optional_cadence
from bot.domain.scorecard import Period, Scorecard, period_scorecard
from bot.domain.sla import Plan, PlanError, Policy, plan
from bot.i18n import t
from storage import queries
from storage.models import AGENDA_TEXT_MAX, AgendaItem, Lead

DEFAULT_SPAN = timedelta(days=30)
ITEMS_SHOWN = 100
CONTESTS_SHOWN = 20
# Everything the SLA sweep records, in the order a meeting reads it: reminders, then each
# breach escalated, then what the sweep did about leads nobody took or reached.
ALERT_KINDS = (
    enforcement.REMINDER,
    enforcement.FIRST_TOUCH_LATE,
    enforcement.UNCLAIMED_LATE,
    enforcement.ATTEMPTS_MISSING,
    enforcement.REOFFER,
    enforcement.GIVE_UP,
)


class SpanStart(StrEnum):
    """Where the agenda's data starts (see the module's docstring)."""

    REVIEWED = "reviewed"  # the latest meeting marked reviewed
    CADENCE = "cadence"  # the cadence's meeting before this one
    DEFAULT = "default"  # DEFAULT_SPAN before now


@dataclass(frozen=True)
class AgendaEntry:
    """An item someone added to the agenda."""

    id: int
    text: str
    added_by: str
    added_at: datetime
    lead_id: int | None = None
    lead_name: str | None = None
    company: str | None = None


@dataclass(frozen=True)
class ProposedTarget:
    """Marketing's number for the next period from the revenue-goal formula, with the
    leads per sale observed over the span instead of the policy's.

    `current` is None while the policy has no revenue goal or deal value; `proposed` is
    None then too, or without wins in the span (no observed close rate), or when the span
    won more sales than it handed leads over (not a rate a plan can use)."""

    handed_over: int
    won: int
    leads_per_sale: float  # the policy's
    current: Plan | None
    proposed: Plan | None

    @property
    def observed_leads_per_sale(self) -> float | None:
        """Profiled leads handed over per sale won over the span; None without wins."""
        return self.handed_over / self.won if self.won else None

    @property
    def observed_close_rate(self) -> float | None:
        """Sales won per lead handed over (0–1 for a usable rate); None without hand-offs."""
        return self.won / self.handed_over if self.handed_over else None


@dataclass(frozen=True)
class Agenda:
    meeting: datetime | None  # UTC; None without SLA_REVIEW_SCHEDULE
    since: datetime
    since_kind: SpanStart
    now: datetime
    scorecard: tuple[ScoreLine, ...]  # over [since, now), against the span before it
    open_breaches: int  # leads whose escalated breach still stands
    alerts: dict[str, int] = field(hash=False)  # raised in the span, by `ALERT_KINDS` kind
    reasons: Reasons
    contests: tuple[OpenContest, ...]
    contests_total: int
    target: ProposedTarget
    items: tuple[AgendaEntry, ...]
    items_total: int


class AgendaItemError(ValueError):
    """An agenda item that cannot be kept: one sentence naming the problem.

    `str(error)` is the English sentence; `error.render(locale)` gives the team's language.
    """

    def __init__(self, key: str, **params: object):
        self.key = key
        self.params = params
        super().__init__(self.render("en"))

    def render(self, locale: str) -> str:
        return t(locale, self.key, **self.params)


class ReviewAnswer(StrEnum):
    DONE = "done"
    NOT_A_MANAGER = "not_a_manager"
    NOT_STARTED = "not_started"  # the meeting is still ahead
    ALREADY_REVIEWED = "already_reviewed"


@dataclass(frozen=True)
class ReviewOutcome:
    """What marking a meeting reviewed did. For `ALREADY_REVIEWED`, `reviewed_by` and
    `reviewed_at` are the earlier mark's; items and contests closed are then 0."""

    answer: ReviewAnswer
    meeting: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    items_closed: int = 0
    contests_closed: int = 0


def next_meeting(schedule: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The next meeting of `schedule` (`SLA_REVIEW_SCHEDULE`) at or after `now`, in UTC:
    a meeting starting this very instant is still the next one (its at-start reminder runs
    then). None when the schedule is unset; `ScheduleError` when it cannot be read."""
    cadence = parse_optional_cadence(schedule)
    if cadence is None:
        return None
    return cadence.next_after(now - timedelta(microseconds=1), tz)


def meeting_at(schedule: str, *, occurrence: datetime, tz: ZoneInfo) -> datetime | None:
    """`occurrence` when `schedule` holds a meeting at that instant (a button names its
    meeting so), else None: not a meeting, or no schedule."""
    cadence = parse_optional_cadence(schedule)
    if cadence is None:
        return None
    try:
        cadence.period_key(occurrence, tz)
    except ValueError:
        return None
    return occurrence


def may_add_item(session: Session, *, user_id: str, roles: RoleDirectory) -> bool:
    """Whether `user_id` may add to the agenda: anyone with a role (seller, marketer or
    manager)."""
    return any(roles.has_role(session, role=role, user_id=user_id) for role in Role)


def meeting_before(schedule: str, *, meeting: datetime, tz: ZoneInfo) -> datetime | None:
    """The cadence's meeting before `meeting`, in UTC; None before the first one or when
    the schedule is unset."""
    cadence = parse_optional_cadence(schedule)
    if cadence is None:
        return None
    return cadence.latest_at_or_before(meeting - timedelta(microseconds=1), tz)


def agenda_since(
    session: Session, *, meeting: datetime | None, now: datetime, tz: ZoneInfo, schedule: str
) -> tuple[datetime, SpanStart]:
    """Where the agenda of `meeting` starts, and why (see the module's docstring)."""
    before = now if meeting is None else min(meeting, now)
    reviewed = queries.latest_reviewed_meeting(session, before=before)
    if reviewed is not None:
        return reviewed.scheduled_for, SpanStart.REVIEWED
    if meeting is not None:
        planned = meeting_before(schedule, meeting=meeting, tz=tz)
        if planned is not None and planned < now:
            return planned, SpanStart.CADENCE
    return now - DEFAULT_SPAN, SpanStart.DEFAULT


def review_agenda(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    policy: Policy,
    schedule: str,
    meeting: datetime | None = None,
) -> Agenda:
    """The agenda of `meeting` (default: the next meeting of `schedule` at or after `now`)
    as the data stands at `now`."""
    if meeting is None:
        meeting = next_meeting(schedule, now=now, tz=tz)
    since, since_kind = agenda_since(session, meeting=meeting, now=now, tz=tz, schedule=schedule)
    span = now - since
    card = _span_scorecard(session, policy, since, now, tz)
    before = _span_scorecard(session, policy, since - span, since, tz)
    target = leads_needed(Window(since, now, "review.span"), policy, tz)
    contests = open_contests(session, limit=CONTESTS_SHOWN)
    items = tuple(
        AgendaEntry(
            id=item.id,
            text=item.text,
            added_by=item.added_by,
            added_at=item.added_at,
            lead_id=item.lead_id,
            lead_name=name,
            company=company,
        )
        for item, name, company in queries.open_agenda_items(session, limit=ITEMS_SHOWN)
    )
    return Agenda(
        meeting=meeting,
        since=since,
        since_kind=since_kind,
        now=now,
        scorecard=scorecard_lines(card, before, policy=policy, target=target),
        open_breaches=card.open_breaches,
        alerts=queries.count_alerts_between(session, kinds=ALERT_KINDS, since=since, until=now),
        reasons=exit_reasons(session, week=Window(since, now, "review.span")),
        contests=contests.oldest,
        contests_total=contests.total,
        target=proposed_target(session, policy=policy, since=since, until=now),
        items=items,
        items_total=queries.count_open_agenda_items(session),
    )


def _span_scorecard(
    session: Session, policy: Policy, since: datetime, until: datetime, tz: ZoneInfo
) -> Scorecard:
    period = Period("review", since, until, since.astimezone(tz).date())
    return period_scorecard(session, policy=policy, period=period, now=until)


def proposed_target(
    session: Session, *, policy: Policy, since: datetime, until: datetime
) -> ProposedTarget:
    """The policy's plan, and the plan with the leads per sale observed in [since, until):
    profiled leads handed over (by hand-off time) per sale won (by win time)."""
    handed_over, won = queries.count_stamped_between(
        session, columns=("profiled_at", "won_at"), since=since, until=until
    )
    current = policy.plan()
    proposed = None
    if current is not None and won:
        try:
            proposed = plan(
                policy.revenue_goal, policy.average_deal_value, Fraction(handed_over, won)
            )
        except PlanError:
            proposed = None  # fewer hand-offs than wins: no usable rate
    return ProposedTarget(
        handed_over=handed_over,
        won=won,
        leads_per_sale=policy.leads_per_sale,
        current=current,
        proposed=proposed,
    )


def add_agenda_item(
    session: Session, *, text: str, lead_id: int | None, user_id: str, at: datetime
) -> AgendaItem:
    """Keep `text` for the next meeting's agenda, in `user_id`'s name, maybe about a lead.

    The text is trimmed and rid of control characters (line breaks kept); `AgendaItemError`
    when nothing is left, when it is longer than `AGENDA_TEXT_MAX` characters, or when
    `lead_id` names no lead. Nothing is stored then."""
    cleaned = clean_text(text, limit=max(len(text or ""), 1), multiline=True) if text else None
    if not cleaned:
        raise AgendaItemError("review.item.empty")
    if len(cleaned) > AGENDA_TEXT_MAX:
        raise AgendaItemError(
            "review.item.too_long", length=f"{len(cleaned):,}", maximum=f"{AGENDA_TEXT_MAX:,}"
        )
    if lead_id is not None and session.get(Lead, lead_id) is None:
        raise AgendaItemError("review.item.no_lead", lead=lead_id)
    item = AgendaItem(text=cleaned, lead_id=lead_id, added_by=user_id, added_at=at)
    return queries.add_agenda_item(session, item=item)


def mark_reviewed(
    session: Session, *, meeting: datetime, user_id: str, roles: RoleDirectory, at: datetime
) -> ReviewOutcome:
    """A manager says the meeting of occurrence `meeting` took place: it is recorded as
    reviewed in their name, and the open agenda items added and the contests made up to
    its start are closed, all in the caller's transaction.

    Refused, changing nothing, for anyone but a manager and for a meeting still ahead; a
    meeting marked before answers who marked it and when."""
    if not roles.has_role(session, role=Role.MANAGER, user_id=user_id):
        return ReviewOutcome(ReviewAnswer.NOT_A_MANAGER, meeting)
    if meeting > at:
        return ReviewOutcome(ReviewAnswer.NOT_STARTED, meeting)
    queries.add_review_meeting(session, scheduled_for=meeting)
    if not queries.mark_meeting_reviewed(session, scheduled_for=meeting, by=user_id, at=at):
        earlier = queries.review_meeting(session, scheduled_for=meeting)
        session.refresh(earlier)
        return ReviewOutcome(
            ReviewAnswer.ALREADY_REVIEWED, meeting, earlier.reviewed_by, earlier.reviewed_at
        )
    recorded = queries.review_meeting(session, scheduled_for=meeting)
    items = queries.close_agenda_items(session, meeting_id=recorded.id, added_until=meeting)
    contests = queries.close_contests(session, created_until=meeting, at=at)
    return ReviewOutcome(ReviewAnswer.DONE, meeting, user_id, at, items, contests)
