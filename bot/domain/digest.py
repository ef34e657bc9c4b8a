"""The managers' weekly digest: how the agreement went last week, in one message.

The digest covers the last complete local week before `now`: Monday 00:00 to Monday 00:00
in the team's time zone (the week a Monday-morning run reports on), compared with the week
before. Its sections:

- the SLA scorecard of both sides over the week (`scorecard.period_scorecard`, counted by
  when things happened), each line against its target and the week before;
- the funnel of the week's cohort (`funnel.funnel_report`: the leads created in the week),
  with conversions and the change against the week before;
- the reasons leads left (not a fit, lost) during the week, the most frequent by source and
  by campaign: what marketing should change;
- stalled leads: open with a seller (accepted, contacted or qualified) and idle for
  `STALLED_AFTER_DAYS` business days or more at `now`, counted on the policy's calendar;
- recognition: the best closer, the fastest responder and the most improved seller, each
  left out when nobody qualifies;
- the contested verdicts no review has discussed yet, and the next SLA review.

Every figure is counted by the database, or read with a small bounded query; only the
listed stalled leads have their idle time worked out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.business_time import (
    Calendar,
    business_day_minutes,
    business_days_between,
    business_minutes_before,
)
from bot.domain.funnel import FunnelReport, funnel_report
from bot.domain.funnel_query import PeriodSpec, Window, previous, resolve
from bot.domain.schedule import parse_optional_cadence
from bot.domain.scorecard import Period, Scorecard, period_scorecard
from bot.domain.sla import Policy
from bot.domain.vocabulary import Exit, Stage
from storage import queries

# Three business days without any event: the default SLA asks for 6 attempts over 10
# business days, an attempt every second day or so; a lead quiet for three has missed that
# rhythm, and a Monday digest still catches a lead left on Wednesday before the weekend.
STALLED_AFTER_DAYS = 3
STALLED_SHOWN = 10
STALLED_STAGES = (Stage.ACCEPTED.value, Stage.CONTACTED.value, Stage.QUALIFIED.value)
REASONS_SHOWN = 5
REASON_EXITS = (Exit.REJECTED.value, Exit.LOST.value)
REASON_DIMENSIONS = ("source", "campaign")
CONTESTS_SHOWN = 3
# A median over one first touch says little about a seller: at least two.
FASTEST_RESPONDER_TOUCHES = 2


@dataclass(frozen=True)
class ScoreLine:
    """One scorecard figure over the week, against its target and the week before.

    `unit` says how to read the values: `count`, `share` (0–1), `minutes` (business
    minutes) or `decimal`. `higher_is_better` says which way the target is met."""

    side: str  # marketing or sales
    code: str
    unit: str
    value: float | None
    previous: float | None
    target: float | None = None
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        """The week-over-week change; None when either week has no figure."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def met(self) -> bool | None:
        """Whether the week met its target; None without a target or a figure."""
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


@dataclass(frozen=True)
class ReasonLine:
    """Leads that left the same way for the same reason, from one source or campaign."""

    value: str | None  # the source or campaign; None for leads without one
    exit: Exit
    reason: str | None
    leads: int


@dataclass(frozen=True)
class Reasons:
    """Why leads left during the week (not a fit and lost), as marketing should read it."""

    rejected: int
    lost: int
    by_source: tuple[ReasonLine, ...]
    by_campaign: tuple[ReasonLine, ...]


@dataclass(frozen=True)
class StalledLead:
    lead_id: int
    name: str
    company: str | None
    stage: Stage
    owner_id: str | None
    idle_since: datetime
    business_days: int  # whole business days idle at the digest's `now`


@dataclass(frozen=True)
class Stalled:
    """Open leads idle for `after_days` business days or more: the longest idle first."""

    after_days: int
    total: int
    leads: tuple[StalledLead, ...]


@dataclass(frozen=True)
class BestCloser:
    user_id: str
    revenue: float
    won: int


@dataclass(frozen=True)
class FastestResponder:
    user_id: str
    median_minutes: float  # business minutes, exact median
    touches: int


@dataclass(frozen=True)
class MostImproved:
    user_id: str
    moved: int  # leads that reached qualified or won in the week
    moved_before: int  # the same in the week before


@dataclass(frozen=True)
class Recognition:
    """Each is None when nobody qualifies."""

    best_closer: BestCloser | None
    fastest_responder: FastestResponder | None
    most_improved: MostImproved | None

    @property
    def anyone(self) -> bool:
        return any((self.best_closer, self.fastest_responder, self.most_improved))


@dataclass(frozen=True)
class OpenContest:
    """A verdict a marketer contested, open until a review discusses it."""

    lead_id: int
    lead_name: str
    company: str | None
    exit: str
    reason: str | None
    seller_id: str
    marketer_id: str
    since: datetime
    seller_words: str | None = None  # the verdict's note, if the seller left one
    marketer_words: str = ""  # why the marketer thinks the verdict was wrong


@dataclass(frozen=True)
class Contests:
    """Contested verdicts no review has discussed yet: how many, and the oldest."""

    total: int
    oldest: tuple[OpenContest, ...]


@dataclass(frozen=True)
class Digest:
    week: Window
    previous_week: Window
    now: datetime
    scorecard: tuple[ScoreLine, ...]
    funnel: FunnelReport
    reasons: Reasons
    stalled: Stalled
    recognition: Recognition
    contests: Contests
    next_review: datetime | None  # UTC; None without SLA_REVIEW_SCHEDULE


def weekly_digest(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    policy: Policy,
    sla_review_schedule: str = "",
) -> Digest:
    """The digest of the last complete local week before `now`, against the week before.

    `sla_review_schedule` is `SLA_REVIEW_SCHEDULE` as set (empty: no meetings); a value
    that cannot be read raises `ScheduleError`."""
    week = last_week(now=now, tz=tz, sla_period=policy.period)
    before = previous(week)
    assert before is not None  # a calendar week always has one
    funnel = funnel_report(session, window=week, previous_window=before, policy=policy, tz=tz)
    cadence = parse_optional_cadence(sla_review_schedule)
    return Digest(
        week=week,
        previous_week=before,
        now=now,
        scorecard=scorecard_lines(
            _week_scorecard(session, policy, week, tz),
            _week_scorecard(session, policy, before, tz),
            policy=policy,
            target=funnel.sla.needed,
        ),
        funnel=funnel,
        reasons=exit_reasons(session, week=week),
        stalled=stalled_leads(session, now=now, calendar=policy.calendar(tz)),
        recognition=recognition(session, week=week, previous_week=before),
        contests=open_contests(session),
        next_review=None if cadence is None else cadence.next_after(now, tz),
    )


def last_week(*, now: datetime, tz: ZoneInfo, sla_period: str) -> Window:
    """Monday 00:00 to Monday 00:00 local: the last calendar week that ended at or before
    `now`."""
    return resolve(PeriodSpec("last_week"), now=now, tz=tz, sla_period=sla_period)


def _week_scorecard(session: Session, policy: Policy, week: Window, tz: ZoneInfo) -> Scorecard:
    period = Period.containing("week", week.start, tz)
    return period_scorecard(session, policy=policy, period=period, now=period.end)


def scorecard_lines(
    card: Scorecard, before: Scorecard, *, policy: Policy, target: int | None
) -> tuple[ScoreLine, ...]:
    """Both sides' figures for the week against the week before. Targets: the profiled
    leads the SLA asks for over a week (`target`, None while it has no revenue goal), the
    profiled share's minimum, no hand-off missing a field, acceptance within the re-offer
    time, the first touch within its limit."""
    return (
        ScoreLine("marketing", "handed_over", "count", card.handed_over, before.handed_over,
                  target),
        ScoreLine("marketing", "profiled_share", "share", card.profiled_share,
                  before.profiled_share, policy.profiled_share_min),
        ScoreLine("marketing", "missing_fields", "count", card.missing_fields,
                  before.missing_fields, 0, higher_is_better=False),
        ScoreLine("sales", "routing", "minutes", card.routing_median, before.routing_median,
                  policy.unclaimed_after_minutes, higher_is_better=False),
        ScoreLine("sales", "response", "minutes", card.response_median, before.response_median,
                  policy.first_touch_minutes, higher_is_better=False),
        ScoreLine("sales", "in_time", "share", card.in_time_share, before.in_time_share),
        ScoreLine("sales", "attempts", "decimal", card.attempts_per_lead,
                  before.attempts_per_lead),
    )  # fmt: skip


def exit_reasons(session: Session, *, week: Window) -> Reasons:
    """The week's exits (not a fit, lost) and their most frequent reasons by source and by
    campaign."""
    exits = queries.exits_between(session, since=week.start, until=week.end)

    def top(dimension: str) -> tuple[ReasonLine, ...]:
        rows = queries.top_exit_reasons_by(
            session, dimension=dimension, exits=REASON_EXITS, since=week.start,
            until=week.end, limit=REASONS_SHOWN,
        )  # fmt: skip
        return tuple(ReasonLine(value, Exit(exit_), reason, n) for value, exit_, reason, n in rows)

    return Reasons(
        rejected=exits.get(Exit.REJECTED.value, 0),
        lost=exits.get(Exit.LOST.value, 0),
        by_source=top("source"),
        by_campaign=top("campaign"),
    )


def stalled_leads(
    session: Session, *, now: datetime, calendar: Calendar, after_days: int = STALLED_AFTER_DAYS
) -> Stalled:
    """Leads open with a seller whose last event is `after_days` business days or more
    before `now` on `calendar`: how many, and the `STALLED_SHOWN` idle longest."""
    day = business_day_minutes(calendar)
    idle_before = business_minutes_before(calendar, now, after_days * day)
    rows = queries.stalled_leads(
        session, stages=STALLED_STAGES, idle_before=idle_before, limit=STALLED_SHOWN
    )
    leads = tuple(
        StalledLead(
            lead_id=row.id,
            name=row.name,
            company=row.company,
            stage=Stage(row.stage),
            owner_id=row.owner_id,
            idle_since=row.idle_since,
            business_days=business_days_between(calendar, row.idle_since, now),
        )
        for row in rows
    )
    total = queries.count_stalled_leads(session, stages=STALLED_STAGES, idle_before=idle_before)
    return Stalled(after_days=after_days, total=total, leads=leads)


def recognition(session: Session, *, week: Window, previous_week: Window) -> Recognition:
    """The week's best closer (most revenue won, then most leads), fastest responder
    (lowest median response time over at least `FASTEST_RESPONDER_TOUCHES` first touches)
    and most improved seller (largest growth, over the week before, of leads reaching
    qualified or won)."""
    closer = queries.top_closer_between(session, since=week.start, until=week.end)
    responder = queries.fastest_responder_between(
        session, since=week.start, until=week.end, at_least=FASTEST_RESPONDER_TOUCHES
    )
    improved = queries.most_improved_between(
        session, since=previous_week.start, middle=week.start, until=week.end
    )
    return Recognition(
        best_closer=None if closer is None else BestCloser(*closer),
        fastest_responder=None if responder is None else FastestResponder(*responder),
        most_improved=None if improved is None else MostImproved(*improved),
    )


def open_contests(session: Session, *, limit: int = CONTESTS_SHOWN) -> Contests:
    """How many contested verdicts wait for a review, and the `limit` oldest, with both
    people's words."""
    oldest = tuple(
        OpenContest(
            lead_id=contest.lead_id,
            lead_name=name,
            company=company,
            exit=contest.exit,
            reason=contest.reason_code,
            seller_id=contest.seller_id,
            marketer_id=contest.marketer_id,
            since=contest.created_at,
            seller_words=verdict_note,
            marketer_words=contest.text,
        )
        for contest, name, company, verdict_note in queries.contests_for_review(
            session, limit=limit
        )
    )
    return Contests(total=queries.count_open_contests(session), oldest=oldest)
