"""Funnel reports for the renderers' tests: the team's zone and clock, a window's figures
built by hand from its stage counts, and the report of what a test stored."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain.funnel import (
    ClockFigure,
    ExitFigure,
    Figures,
    FunnelReport,
    PlatformFigures,
    StageFigure,
    funnel_report,
)
from bot.domain.funnel_query import Window, parse_query, previous, resolve
from bot.domain.sla import Policy
from bot.domain.vocabulary import STAGES, Exit
from bot.i18n import Translator

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
EN, ES = Translator("en"), Translator("es")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 on the team's clock, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def this_month() -> Window:
    """November 2026 so far, at `NOW`."""
    return resolve(parse_query("this-month").period, now=NOW, tz=TZ, sla_period="month")


def figures(
    counts: list[int],
    *,
    revenue: float = 0.0,
    exits: tuple[ExitFigure, ...] | None = None,
    clocks: tuple[ClockFigure, ...] | None = None,
    platform: PlatformFigures | None = None,
) -> Figures:
    """A window's figures from its stage counts, conversions worked out as the domain does;
    no exits and two unmeasured clocks unless given."""

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    stages = tuple(
        StageFigure(stage, count, share(count, counts[i - 1]) if i else None,
                    share(count, counts[0]) if i else None)
        for i, (stage, count) in enumerate(zip(STAGES, counts, strict=True))
    )  # fmt: skip
    exits = exits or tuple(ExitFigure(exit_, 0, ()) for exit_ in Exit)
    clocks = clocks or (ClockFigure("routing", None, 0), ClockFigure("response", None, 0))
    return Figures(counts[0], stages, exits, revenue, clocks, platform)


def stored_report(sessions, **options) -> FunnelReport:
    """This month's report of what is stored, against October, under the default policy."""
    window = this_month()
    with sessions() as session:
        return funnel_report(
            session, window=window, previous_window=previous(window),
            policy=Policy.defaults(), tz=TZ, **options,
        )  # fmt: skip
