"""A cohort's funnel at a glance: counts per stage, exits with reasons, breakdowns.

Every figure is an SQL aggregation; no lead is loaded into Python. The `/funnel` report
builds on the same counting rule: a stage counts the cohort's leads that ever reached it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.vocabulary import STAGES, Exit, Stage
from storage import queries


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    leads: int
    of_previous: float | None  # conversion from the stage before, 0–1
    of_all: float | None  # conversion from the first stage, 0–1


@dataclass(frozen=True)
class ExitCount:
    exit: Exit
    leads: int
    top_reasons: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class BreakdownRow:
    value: str | None
    leads: int
    profiled: int
    won: int
    revenue: float


@dataclass(frozen=True)
class CohortSummary:
    since: datetime | None
    until: datetime | None
    stages: tuple[StageCount, ...]
    exits: tuple[ExitCount, ...]
    revenue: float
    breakdowns: dict[str, tuple[BreakdownRow, ...]]


def summarize_cohort(
    session: Session,
    *,
    since: datetime | None,
    until: datetime | None,
    dimensions: tuple[str, ...] = ("zone", "service", "source", "seller"),
    top_reasons: int = 3,
) -> CohortSummary:
    """The funnel of the leads created in [since, until), with exits and breakdowns."""
    counts = queries.cohort_stage_counts(
        session, columns=[stage.reached_column for stage in STAGES], since=since, until=until
    )
    stages = tuple(
        StageCount(
            stage=stage,
            leads=count,
            of_previous=_share(count, counts[index - 1]) if index else None,
            of_all=_share(count, counts[0]) if index else None,
        )
        for index, (stage, count) in enumerate(zip(STAGES, counts, strict=True))
    )
    reasons = queries.cohort_exit_reasons(session, since=since, until=until)
    exits = tuple(
        ExitCount(
            exit=exit_,
            leads=sum(n for code, _, n in reasons if code == exit_),
            top_reasons=tuple((r, n) for code, r, n in reasons if code == exit_)[:top_reasons],
        )
        for exit_ in Exit
    )
    breakdowns = {
        dimension: tuple(
            BreakdownRow(*row)
            for row in queries.cohort_breakdown(
                session, dimension=dimension, since=since, until=until
            )
        )
        for dimension in dimensions
    }
    revenue = queries.cohort_revenue(session, since=since, until=until)
    return CohortSummary(since, until, stages, exits, revenue, breakdowns)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
