"""The SLA scorecard: how each side is keeping its word in the current period.

Marketing: profiled leads handed over against the number the revenue goal needs, with a
projection to the period's end; the share of captured leads that arrived profiled; the
hand-offs that lacked a required field. Sales: the median routing delay (card posted →
accepted) and response time (accepted → first touch), both in business minutes; the share
of first touches inside the limit; attempts per lead.

`/sla` counts by hand-off time: the leads handed over, accepted or first touched within the
period, whenever they were created. Every figure is counted by the database; only the
period's durations come back, to take their medians.

Durations are stored on each lead in business minutes once the stage is reached
(`store_durations`, run by the scheduler every minute), so the scorecard never recomputes a
calendar over past leads, and a later change of working hours does not rewrite history.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import enforcement
from bot.domain.sla import PlanError, Policy, plan
from storage import queries

PERIODS = ("week", "month", "quarter")
# Stage-to-stage durations: (column, the stamps it runs from — the first one set, the stage
# skipped when a lead skipped it — and the stamp it runs to).
STAGE_DURATIONS = (
    ("profile_minutes", ("created_at",), "profiled_at"),
    ("contact_minutes", ("accepted_at", "profiled_at", "created_at"), "contacted_at"),
    ("qualify_minutes", ("contacted_at", "accepted_at", "profiled_at", "created_at"),
     "qualified_at"),
    ("win_minutes", ("qualified_at", "contacted_at", "accepted_at", "profiled_at", "created_at"),
     "won_at"),
)  # fmt: skip
DURATIONS_BATCH = 500


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, for the local week, month or quarter containing a moment."""

    kind: str
    start: datetime
    end: datetime
    first_day: date  # local

    @classmethod
    def containing(cls, kind: str, moment: datetime, tz: ZoneInfo) -> Period:
        day = moment.astimezone(tz).date()
        if kind == "week":
            first = day - timedelta(days=day.weekday())
            following = first + timedelta(days=7)
        elif kind == "month":
            first = day.replace(day=1)
            following = _add_months(first, 1)
        elif kind == "quarter":
            first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
            following = _add_months(first, 3)
        else:
            raise ValueError(f"unknown period {kind!r}; one of {', '.join(PERIODS)}")
        return cls(kind, _local_midnight(first, tz), _local_midnight(following, tz), first)

    def elapsed_share(self, now: datetime) -> float:
        """How much of the period has gone by at `now`, from 0 to 1."""
        total = (self.end - self.start).total_seconds()
        return min(max((now - self.start).total_seconds() / total, 0.0), 1.0)


@dataclass(frozen=True)
class Scorecard:
    period: Period
    now: datetime
    # Marketing's side.
    handed_over: int
    leads_needed: int | None  # None while the revenue goal or the deal value is not set
    projected: int  # hand-offs at this pace by the period's end
    captured: int
    captured_profiled: int
    profiled_share_min: float
    missing_fields: int
    # Sales' side.
    accepted: int
    routing_median: float | None  # business minutes
    touched: int
    response_median: float | None  # business minutes
    touched_in_time: int
    first_touch_minutes: int
    attempts_per_lead: float | None
    # Breaches: leads whose escalation still stands, and escalations raised in the period
    # by kind (`enforcement.ESCALATIONS`).
    open_breaches: int = 0
    breaches: dict[str, int] = field(default_factory=dict, hash=False)

    @property
    def profiled_share(self) -> float | None:
        return self.captured_profiled / self.captured if self.captured else None

    @property
    def in_time_share(self) -> float | None:
        return self.touched_in_time / self.touched if self.touched else None


def scorecard(session: Session, *, policy: Policy, now: datetime, tz: ZoneInfo) -> Scorecard:
    """The current period's scorecard under `policy`."""
    period = Period.containing(policy.period, now, tz)
    return period_scorecard(session, policy=policy, period=period, now=now)


def period_scorecard(
    session: Session, *, policy: Policy, period: Period, now: datetime
) -> Scorecard:
    """The scorecard of `period` as it stands at `now` (its whole span once `now` is past
    its end: a week that is over, for the weekly digest). `leads_needed` is the policy's
    whole-period commitment, whatever the period's length."""
    since, until = period.start, min(period.end, now)
    counts = queries.scorecard_counts(
        session,
        since=since,
        until=until,
        required=policy.required_groups,
        first_touch_minutes=policy.first_touch_minutes,
    )
    routing = queries.durations_between(
        session, column="routing_minutes", stamped="accepted_at", since=since, until=until
    )
    response = queries.durations_between(
        session, column="response_minutes", stamped="first_touch_at", since=since, until=until
    )
    try:
        needed = plan(policy.revenue_goal, policy.average_deal_value, policy.leads_per_sale)
        leads_needed = needed.leads_needed
    except PlanError:
        leads_needed = None
    share = period.elapsed_share(now)
    handed_over = counts["handed_over"]
    return Scorecard(
        period=period,
        now=now,
        handed_over=handed_over,
        leads_needed=leads_needed,
        projected=round(handed_over / share) if share > 0 else handed_over,
        captured=counts["captured"],
        captured_profiled=counts["captured_profiled"],
        profiled_share_min=policy.profiled_share_min,
        missing_fields=counts["missing_fields"],
        accepted=counts["accepted"],
        routing_median=statistics.median(routing) if routing else None,
        touched=counts["touched"],
        response_median=statistics.median(response) if response else None,
        touched_in_time=counts["touched_in_time"],
        first_touch_minutes=policy.first_touch_minutes,
        attempts_per_lead=counts["attempts_per_lead"],
        open_breaches=queries.count_open_breaches(
            session,
            first_touch_late=enforcement.FIRST_TOUCH_LATE,
            unclaimed_late=enforcement.UNCLAIMED_LATE,
            attempts_missing=enforcement.ATTEMPTS_MISSING,
        ),
        breaches=queries.count_alerts_between(
            session, kinds=enforcement.ESCALATIONS, since=since, until=until
        ),
    )


def store_durations(session: Session, *, policy: Policy, tz: ZoneInfo) -> int:
    """Give the leads that reached acceptance or their first touch, and lack the figure,
    their routing delay and response time in business minutes under `policy`'s calendar;
    and each stage reached its time from the stage before (`STAGE_DURATIONS`). Returns how
    many figures were stored."""
    calendar = policy.calendar(tz)
    stored = 0
    for lead_id, posted, accepted in queries.leads_without_routing_minutes(
        session, limit=DURATIONS_BATCH
    ):
        minutes = calendar.business_minutes_between(posted, accepted)
        queries.set_lead_minutes(session, lead_id=lead_id, routing_minutes=minutes)
        stored += 1
    for lead_id, accepted, touched in queries.leads_without_response_minutes(
        session, limit=DURATIONS_BATCH
    ):
        minutes = calendar.business_minutes_between(accepted, touched)
        queries.set_lead_minutes(session, lead_id=lead_id, response_minutes=minutes)
        stored += 1
    for column, since, until in STAGE_DURATIONS:
        for lead_id, start, end in queries.leads_without_stage_minutes(
            session, column=column, since=since, until=until, limit=DURATIONS_BATCH
        ):
            minutes = calendar.business_minutes_between(start, end) if start else 0.0
            queries.set_lead_minutes(session, lead_id=lead_id, **{column: minutes})
            stored += 1
    return stored


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz).astimezone(UTC)
