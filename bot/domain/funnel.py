"""The funnel report: what happened to the leads created in a window, stage by stage.

The cohort is the leads created in the window (`/sla` counts hand-offs by when they
happened; `/funnel` follows a cohort). A stage counts every lead of the cohort that reached
it or went further: a lead won straight after acceptance counts as contacted and qualified
too, and a lead that left keeps counting for the stage it had reached. Conversions are
stage over the stage before, and stage over all leads. Exits are counted with their most
frequent reasons; revenue is what the cohort won. The medians of the time between stages
(captured → profiled → accepted → contacted → qualified → won, plus the response time to
the first touch) are exact medians of the business minutes stored for each lead when it
reached the later stage (`sla-clocks`).

Every figure is an SQL aggregation over the cohort, never leads loaded into Python; the
same figures are computed for the window before, of the same length, for comparison. A
breakdown gives, per value of one dimension (zone, age range, service, seller, source,
campaign, channel, or the local weekday or hour of creation), the leads, how many reached
qualified and won, and the revenue: the values with most leads first, the rest folded
into one "other" row.

The top of the funnel is the marketing platforms' own daily figures (impressions, clicks,
the leads they counted), summed over the window's local days: the report starts at
impressions, and a breakdown by channel, source or campaign gives each value's
impressions. The platforms' lead count is shown beside the cohort, never mixed into it,
and a seller's own report has none (they are nobody's leads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.funnel_query import Window
from bot.domain.roles import Role, RoleDirectory
from bot.domain.scorecard import Period
from bot.domain.sla import PlanError, Policy, plan
from bot.domain.vocabulary import STAGES, Exit, Stage
from storage import queries

TOP_VALUES = 12  # breakdown rows shown before the rest is folded into "other"
# The dimensions the platforms report their figures by, as leads carry them.
PLATFORM_DIMENSIONS = ("channel", "source", "campaign")
TOP_REASONS = 3
# The durations the report gives medians of, in funnel order: (name, stored column).
CLOCKS = (
    ("profile", "profile_minutes"),  # captured → profiled
    ("routing", "routing_minutes"),  # card posted → accepted
    ("response", "response_minutes"),  # accepted → first touch
    ("contact", "contact_minutes"),  # accepted → contacted
    ("qualify", "qualify_minutes"),  # contacted → qualified
    ("win", "win_minutes"),  # qualified → won
)
_LONGEST_PRORATED = timedelta(days=366)


@dataclass(frozen=True)
class StageFigure:
    stage: Stage
    leads: int
    of_previous: float | None  # conversion from the stage before (0–1); None for the first
    of_first: float | None  # conversion from all leads (0–1)


@dataclass(frozen=True)
class ExitFigure:
    exit: Exit
    leads: int
    top_reasons: tuple[tuple[str | None, int], ...]


@dataclass(frozen=True)
class ClockFigure:
    name: str  # one of `CLOCKS`' names
    median_minutes: float | None  # business minutes, exact
    leads: int  # how many leads the median is over


@dataclass(frozen=True)
class PlatformFigures:
    """The top of the funnel: what the marketing platforms reported for the window's days
    (`POST /marketing-metrics`, `smarketing import-metrics`). Their own lead count is shown
    beside the bot's, never added to the cohort."""

    impressions: int
    clicks: int
    leads: int  # the platforms' own count of leads
    days: int  # days with at least one row of figures

    def per_thousand(self, leads: int) -> float | None:
        """`leads` per 1,000 impressions."""
        return leads * 1000 / self.impressions if self.impressions else None

    @property
    def click_through(self) -> float | None:
        """Clicks over impressions (0–1)."""
        return self.clicks / self.impressions if self.impressions else None


@dataclass(frozen=True)
class Figures:
    """One window's funnel."""

    leads: int
    stages: tuple[StageFigure, ...]  # from `lead` to `won`
    exits: tuple[ExitFigure, ...]
    revenue: float
    clocks: tuple[ClockFigure, ...]
    platform: PlatformFigures | None = None  # None: no platform figures for these days

    def reached(self, stage: Stage) -> int:
        return self.stages[stage.rank].leads


@dataclass(frozen=True)
class BreakdownRow:
    value: str | int | None  # None: leads without one; weekday 0 = Monday, hour 0–23
    leads: int
    qualified: int
    won: int
    revenue: float
    folded: int = 0  # how many values this "other" row stands for (0: a value of its own)
    # By channel, source or campaign: the platforms' impressions for the value (None: none
    # reported, or a dimension the platforms do not report by).
    impressions: int | None = None


@dataclass(frozen=True)
class SlaLine:
    """Profiled leads handed over by the cohort against marketing's commitment, prorated
    to the window's length (None while the SLA has no target, or for windows over a year)."""

    profiled: int
    needed: int | None


@dataclass(frozen=True)
class FunnelReport:
    window: Window
    current: Figures
    previous_window: Window | None
    previous: Figures | None
    sla: SlaLine
    by: str | None
    breakdown: tuple[BreakdownRow, ...]
    owner: str | None  # the report covers only this seller's leads


class NotAllowed(Exception):
    """The person asking holds no role the report is for."""


def scope_for(
    session: Session, *, user_id: str, roles: RoleDirectory, policy: Policy
) -> str | None:
    """Whose leads `user_id` may see: None for all of them (marketers, managers, and
    sellers when `sellers_see_all`), their own id for a seller; `NotAllowed` for anyone
    else."""
    for role in (Role.MANAGER, Role.MARKETER):
        if roles.has_role(session, role=role, user_id=user_id):
            return None
    if roles.has_role(session, role=Role.SELLER, user_id=user_id):
        return None if policy.sellers_see_all else user_id
    raise NotAllowed(user_id)


def funnel_report(
    session: Session,
    *,
    window: Window,
    previous_window: Window | None,
    policy: Policy,
    tz: ZoneInfo,
    by: str | None = None,
    owner: str | None = None,
) -> FunnelReport:
    """The funnel of the cohort created in `window` (and, for comparison, in
    `previous_window`), broken down `by` a dimension when asked, over `owner`'s leads only
    when given."""
    current = figures(session, window=window, owner=owner)
    previous = figures(session, window=previous_window, owner=owner) if previous_window else None
    breakdown = ()
    if by is not None:
        breakdown = breakdown_rows(session, window=window, by=by, tz=tz, owner=owner)
    return FunnelReport(
        window=window,
        current=current,
        previous_window=previous_window,
        previous=previous,
        sla=SlaLine(current.reached(Stage.PROFILED), leads_needed(window, policy, tz)),
        by=by,
        breakdown=breakdown,
        owner=owner,
    )


def figures(session: Session, *, window: Window, owner: str | None = None) -> Figures:
    """One window's counts, exits, revenue and clock medians, and the platforms' figures
    for its days (the whole team's report only: they are not anyone's own leads)."""
    since, until = window.start, window.end
    tally = queries.funnel_tally(session, since=since, until=until, owner=owner)
    reached = [
        sum(leads for stage, _, _, leads, _ in tally if Stage(stage).rank >= step.rank)
        for step in STAGES
    ]
    stages = tuple(
        StageFigure(
            stage=stage,
            leads=count,
            of_previous=_share(count, reached[index - 1]) if index else None,
            of_first=_share(count, reached[0]) if index else None,
        )
        for index, (stage, count) in enumerate(zip(STAGES, reached, strict=True))
    )
    exits = tuple(_exit_figure(exit_, tally) for exit_ in Exit)
    revenue = sum(float(won) for stage, _, _, _, won in tally if stage == Stage.WON)
    clocks = tuple(
        ClockFigure(name, *queries.funnel_median(
            session, column=column, since=since, until=until, owner=owner
        ))
        for name, column in CLOCKS
    )  # fmt: skip
    platform = None if owner is not None else platform_figures(session, window=window)
    return Figures(reached[0], stages, exits, revenue, clocks, platform)


def platform_figures(session: Session, *, window: Window) -> PlatformFigures | None:
    """What the platforms reported for the window's local days (the first one to the one
    its last instant falls on); None when they reported nothing for them."""
    totals = queries.platform_totals(session, **_days(window))
    return None if totals is None else PlatformFigures(*(int(figure) for figure in totals))


def _days(window: Window) -> dict[str, date]:
    """The window's local days, as the platforms date their figures."""
    last = max(window.start, window.end - timedelta(microseconds=1))
    return {
        "first_day": window.start.astimezone(window.tz).date(),
        "last_day": last.astimezone(window.tz).date(),
    }


def _exit_figure(exit_: Exit, tally: list) -> ExitFigure:
    """The exit's leads and its most frequent reasons (ties by reason code)."""
    reasons: dict[str | None, int] = {}
    for _stage, code, reason, leads, _won in tally:
        if code == exit_:
            reasons[reason] = reasons.get(reason, 0) + leads
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0] or ""))
    return ExitFigure(exit_, sum(reasons.values()), tuple(ranked[:TOP_REASONS]))


def breakdown_rows(
    session: Session, *, window: Window, by: str, tz: ZoneInfo, owner: str | None = None
) -> tuple[BreakdownRow, ...]:
    """Per value of `by`: the values with most leads first (weekdays and hours in their
    own order, every one shown), the tail folded into one row."""
    rows = [
        BreakdownRow(value, int(leads), int(qualified), int(won), float(revenue))
        for value, leads, qualified, won, revenue in queries.funnel_breakdown(
            session,
            dimension=by,
            since=window.start,
            until=window.end,
            owner=owner,
            offsets=_offsets(session, by, window, tz),
        )
    ]
    if by in ("weekday", "hour"):
        return tuple(sorted(rows, key=lambda row: row.value))
    if by in PLATFORM_DIMENSIONS and owner is None:
        rows = _with_impressions(session, rows, window=window, by=by)
    # Most leads first; among equals, most impressions, then by value, leads without one
    # last (on every backend).
    rows.sort(
        key=lambda row: (-row.leads, -(row.impressions or 0), row.value is None, str(row.value))
    )
    if len(rows) <= TOP_VALUES:
        return tuple(rows)
    shown, tail = rows[: TOP_VALUES - 1], rows[TOP_VALUES - 1 :]
    reported = [row.impressions for row in tail if row.impressions is not None]
    other = BreakdownRow(
        value=None,
        leads=sum(row.leads for row in tail),
        qualified=sum(row.qualified for row in tail),
        won=sum(row.won for row in tail),
        revenue=sum(row.revenue for row in tail),
        folded=len(tail),
        impressions=sum(reported) if reported else None,
    )
    return (*shown, other)


def _with_impressions(
    session: Session, rows: list[BreakdownRow], *, window: Window, by: str
) -> list[BreakdownRow]:
    """The rows with the platforms' impressions for their value, plus a row for each value
    the platforms reported that brought no lead (the campaign that reached people but
    converted nobody is what marketing needs to see)."""
    impressions = queries.platform_by(session, dimension=by, **_days(window))
    if not impressions:
        return rows
    seen = {row.value for row in rows}
    rows = [replace(row, impressions=impressions.get(row.value)) for row in rows]
    rows += [
        BreakdownRow(value, 0, 0, 0, 0.0, impressions=count)
        for value, count in impressions.items()
        if value not in seen
    ]
    return rows


def _offsets(session: Session, by: str, window: Window, tz: ZoneInfo) -> list[tuple[datetime, int]]:
    """The UTC offsets a local weekday or hour needs (none for other dimensions), from the
    window's start or the first lead, whichever is later."""
    if by not in ("weekday", "hour"):
        return []
    first = queries.first_created_at(session)
    start = max(window.start, first) if first is not None else window.start
    return utc_offsets(tz, min(start, window.end), window.end)


def utc_offsets(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The UTC offsets (minutes) of `tz` over [start, end): (from when, offset), the first
    from `start`. Each change is found to the minute."""
    offsets = [(start, _offset(tz, start))]
    step = timedelta(days=1)
    moment = start
    while moment < end:
        following = min(moment + step, end)
        if _offset(tz, following) != offsets[-1][1]:
            low, high = moment, following  # the change is in (low, high]
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(tz, middle) == offsets[-1][1]:
                    low = middle
                else:
                    high = middle
            changed = high.replace(second=0, microsecond=0)
            offsets.append((changed, _offset(tz, changed)))
        moment = following
    return offsets


def _offset(tz: ZoneInfo, moment: datetime) -> int:
    return int(moment.astimezone(tz).utcoffset().total_seconds() // 60)


def leads_needed(window: Window, policy: Policy, tz: ZoneInfo) -> int | None:
    """The profiled leads the SLA asks for over `window`: the period's number prorated to
    its length (None while the SLA has no target, or for a window over a year)."""
    try:
        needed = plan(policy.revenue_goal, policy.average_deal_value, policy.leads_per_sale)
    except PlanError:
        return None
    span = window.end - window.start
    if span > _LONGEST_PRORATED or span <= timedelta(0):
        return None
    period = Period.containing(policy.period, window.start, tz)
    share = span / (period.end - period.start)
    return math.ceil(needed.leads_needed * share - 1e-9)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
