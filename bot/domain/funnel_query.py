"""What `/funnel` was asked, and the window of time it covers.

    /funnel [period] [by DIMENSION] [chart] [export] | help

`parse_query` reads the words people type (English keywords or their Spanish aliases, in any
order, any case, with or without accents) into a `FunnelQuery`; anything it cannot read raises
a `QueryError` naming the word. It knows nothing of the clock: a period is kept as typed
(`PeriodSpec`), and `resolve` turns it into a `Window`, [start, end) in UTC, on the team's
local calendar at a given `now`. `previous` gives the window to compare against.

Decisions the grammar leaves open:

- `help` wins: with `help` (or `ayuda`) anywhere, the query is help and every other word,
  even a misspelt one, is ignored: someone asking for help should get it, not an error.
- Two-word forms are read as one: `last month`, `mes pasado`, `last 7 days`, `30 días`.
  `2026-10-01 .. 2026-10-15` may carry spaces; a single date is that one day.
- A dimension needs `by`/`por`: `zone` alone is an error that says to write `by zone`.
- The same period or dimension typed twice is taken once; two different ones are an error.
- Days are local calendar days: `7d` is today and the six days before, from local midnight.
  Months, quarters and weeks (Monday first) are calendar ones; a range includes its last day.
- `all` starts at `ALL_TIME_START` (1970-01-01 UTC), never `None`, so every window can go
  straight into a query.
- Every window ends at `now` at the latest; one wholly in the future is empty ([now, now)).
- `previous` is the whole unit before, not the same elapsed share: this month (to date) is
  compared with all of last month; `7d` with the 7 days before it; a range with as many days
  before it. `all` has no previous window: `None`.
- Years run from 1970 to 2999; outside that a date is an error, not an empty funnel.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.scorecard import Period
from bot.i18n import Translator

DIMENSIONS = (
    "zone",
    "age",
    "service",
    "seller",
    "source",
    "campaign",
    "channel",
    "weekday",
    "hour",
)
PERIOD_KINDS = (
    "days",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "month",
    "range",
    "all",
)
MAX_DAYS = 3660
MIN_YEAR, MAX_YEAR = 1970, 2999
ALL_TIME_START = datetime(1970, 1, 1, tzinfo=UTC)
help_text_key = "funnel.help"

# Typed words (accents removed, lower case, two-word forms joined by "-") → what they mean.
_PERIOD_WORDS = {
    "this-week": "this_week",
    "esta-semana": "this_week",
    "last-week": "last_week",
    "semana-pasada": "last_week",
    "ultima-semana": "last_week",
    "this-month": "this_month",
    "este-mes": "this_month",
    "last-month": "last_month",
    "mes-pasado": "last_month",
    "ultimo-mes": "last_month",
    "this-quarter": "this_quarter",
    "este-trimestre": "this_quarter",
    "last-quarter": "last_quarter",
    "trimestre-pasado": "last_quarter",
    "ultimo-trimestre": "last_quarter",
    "all": "all",
    "all-time": "all",
    "todo": "all",
    "todos": "all",
}
_DIMENSION_WORDS = {
    **{name: name for name in DIMENSIONS},
    **{name + "s": name for name in DIMENSIONS},
    "zona": "zone",
    "zonas": "zone",
    "edad": "age",
    "edades": "age",
    "servicio": "service",
    "servicios": "service",
    "vendedor": "seller",
    "vendedora": "seller",
    "vendedores": "seller",
    "fuente": "source",
    "fuentes": "source",
    "origen": "source",
    "campana": "campaign",
    "campanas": "campaign",
    "canal": "channel",
    "canales": "channel",
    "dia": "weekday",
    "dias": "weekday",
    "dia-de-la-semana": "weekday",
    "hora": "hour",
    "horas": "hour",
}
_BY_WORDS = frozenset({"by", "por"})
_CHART_WORDS = frozenset({"chart", "graph", "grafico", "grafica"})
_EXPORT_WORDS = frozenset({"export", "exportar", "csv"})
_HELP_WORDS = frozenset({"help", "ayuda", "?", "-h", "--help"})
_LONGEST_PHRASE = 4  # dia de la semana
_KEYWORDS = ", ".join(DIMENSIONS)

_DAYS = re.compile(r"^(?:(?:last|past|ultimos|ultimas)-)?([0-9]+)-?(?:d|days?|dias?)$")
_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_ONE_DATE = re.compile(rf"^{_DATE}$")
_RANGE = re.compile(rf"^{_DATE}\.\.{_DATE}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_RANGE_DOTS = re.compile(r"\s*(?:\.{2,}|…)\s*")


# -- What was asked ------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSpec:
    """A period as typed, before any clock is read.

    `kind` is one of `PERIOD_KINDS`. `days` is set for `days` (`7d`); `first` for `month`
    (its first day) and `range` (its first day), `last` for `range` (its last day, included).
    `text` is the word as typed, for messages; it plays no part in equality.
    """

    kind: str
    days: int | None = None
    first: date | None = None
    last: date | None = None
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class FunnelQuery:
    """A parsed `/funnel`: `period` None is the current SLA period; `by` one of `DIMENSIONS`."""

    period: PeriodSpec | None = None
    by: str | None = None
    chart: bool = False
    export: bool = False
    help: bool = False


class QueryError(ValueError):
    """A `/funnel` query that cannot be read: one sentence naming the word and why.

    `key` and `params` are the catalog entry (where a message lists the dimensions, the
    params carry the English keywords); `render` says it in a translator's language, the
    dimensions named in that language too; `str` is the English rendering.
    """

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(self.render(Translator("en")))

    def render(self, translate: Callable[..., str]) -> str:
        params = dict(self.params)
        if "dimensions" in params:
            params["dimensions"] = ", ".join(
                translate(f"funnel.keyword.{name}") for name in DIMENSIONS
            )
        return translate(self.key, **params)


def parse_query(text: str) -> FunnelQuery:
    """Read the words after `/funnel` into a query; raise `QueryError` on the first problem.

    An empty text is the default: the current SLA period, no breakdown, no chart or export.
    """
    words = _words(text)
    if any(plain in _HELP_WORDS for _, plain in words):
        return FunnelQuery(help=True)
    period: PeriodSpec | None = None
    by: str | None = None
    by_typed = ""
    chart = export = False
    index = 0
    while index < len(words):
        typed, plain = words[index]
        index += 1
        if plain in _CHART_WORDS:
            chart = True
        elif plain in _EXPORT_WORDS:
            export = True
        elif plain in _BY_WORDS:
            if index == len(words):
                raise QueryError("funnel.error.by_missing", word=typed, dimensions=_KEYWORDS)
            dimension_typed, dimension_plain = words[index]
            index += 1
            dimension = _DIMENSION_WORDS.get(dimension_plain)
            if dimension is None:
                raise QueryError(
                    "funnel.error.by_unknown", word=dimension_typed, dimensions=_KEYWORDS
                )
            if by is not None and by != dimension:
                raise QueryError(
                    "funnel.error.two_dimensions",
                    first=by_typed,
                    second=f"{typed} {dimension_typed}",
                )
            by, by_typed = dimension, f"{typed} {dimension_typed}"
        elif plain in _DIMENSION_WORDS:
            raise QueryError("funnel.error.bare_dimension", word=typed)
        else:
            spec = _period(typed, plain)
            if spec is None:
                raise QueryError("funnel.error.unknown_word", word=typed)
            if period is not None and period != spec:
                raise QueryError("funnel.error.two_periods", first=period.text, second=spec.text)
            period = period or spec
    return FunnelQuery(period=period, by=by, chart=chart, export=export)


def _plain(text: str) -> str:
    """Lower case, no accents: `Gráfico` and `grafico` are one word."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _words(text: str) -> list[tuple[str, str]]:
    """The typed words, each with its plain form; two-word periods joined into one."""
    typed = _RANGE_DOTS.sub("..", text.replace(",", " ")).split()
    plain = [_plain(word).replace("_", "-") for word in typed]
    words: list[tuple[str, str]] = []
    index = 0
    while index < len(typed):
        for size in range(min(_LONGEST_PHRASE, len(typed) - index), 1, -1):
            joined = "-".join(plain[index : index + size])
            if joined in _PERIOD_WORDS or joined in _DIMENSION_WORDS or _DAYS.match(joined):
                words.append((" ".join(typed[index : index + size]), joined))
                index += size
                break
        else:
            words.append((typed[index], plain[index]))
            index += 1
    return words


def _period(typed: str, plain: str) -> PeriodSpec | None:
    """The period a word names, None when it names none; `QueryError` when it names a bad one."""
    if plain in _PERIOD_WORDS:
        return PeriodSpec(_PERIOD_WORDS[plain], text=typed)
    if match := _DAYS.match(plain):
        days = int(match[1])
        if not 1 <= days <= MAX_DAYS:
            raise QueryError("funnel.error.days", text=typed, max=MAX_DAYS)
        return PeriodSpec("days", days=days, text=typed)
    if match := _MONTH.match(plain):
        year, month = int(match[1]), int(match[2])
        _check_year(year, typed)
        if not 1 <= month <= 12:
            raise QueryError("funnel.error.month", text=typed)
        return PeriodSpec("month", first=date(year, month, 1), text=typed)
    if match := _ONE_DATE.match(plain):
        day = _date(match[0], *match.groups())
        return PeriodSpec("range", first=day, last=day, text=typed)
    if match := _RANGE.match(plain):
        start_text, end_text = plain.split("..")
        first = _date(start_text, *match.groups()[:3])
        last = _date(end_text, *match.groups()[3:])
        if last < first:
            raise QueryError(
                "funnel.error.range_order",
                text=typed,
                start=first.isoformat(),
                end=last.isoformat(),
            )
        return PeriodSpec("range", first=first, last=last, text=typed)
    return None


def _date(typed: str, year: str, month: str, day: str) -> date:
    _check_year(int(year), typed)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise QueryError("funnel.error.date", text=typed) from None


def _check_year(year: int, typed: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise QueryError("funnel.error.year", text=typed, min=MIN_YEAR, max=MAX_YEAR)


# -- The window it covers ------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC: the leads created in it are the funnel's cohort.

    `label_key` and `label_params` name it for display; `label` renders them (a `month`
    parameter is a month number, named through `scorecard.month.N`). The other fields say
    which calendar span it came from, for `previous`: `kind` (`days`, `week`, `month`,
    `quarter`, `range`, `all`), its first local day and its length in local days before it
    was clipped to `as_of`, and the time zone of those days.
    """

    start: datetime
    end: datetime
    label_key: str
    label_params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    kind: str = "range"
    first_day: date | None = None
    days: int = 0
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    as_of: datetime | None = None

    def label(self, translate: Callable[..., str]) -> str:
        """The window's name in a translator's language: `last 7 days (…)`, `October 2026`."""
        params = dict(self.label_params)
        if "month" in params:
            params["month"] = translate(f"scorecard.month.{params['month']}")
        return translate(self.label_key, **params)


def resolve(spec: PeriodSpec | None, *, now: datetime, tz: ZoneInfo, sla_period: str) -> Window:
    """The window `spec` covers at `now` on the team's local calendar (`tz`).

    None is the current SLA period (`sla_period`: week, month or quarter) so far. Every
    window ends at `now` at the latest.
    """
    today = now.astimezone(tz).date()
    if spec is None:
        kind = sla_period
        first = Period.containing(sla_period, now, tz).first_day
        return _calendar_window(kind, first, tz, now, current=True)
    if spec.kind == "all":
        return Window(ALL_TIME_START, now, "funnel.period.all", {}, kind="all", tz=tz, as_of=now)
    if spec.kind == "days":
        days = spec.days or 1
        first = today - timedelta(days=days - 1)
        if days == 1:
            key, params = "funnel.period.today", {"date": today.isoformat()}
        else:
            key = "funnel.period.last_days"
            params = {"days": days, "start": first.isoformat(), "end": today.isoformat()}
        return _window(first, days, key, params, kind="days", tz=tz, now=now)
    if spec.kind in ("range", "month"):
        assert spec.first is not None
        if spec.kind == "month":
            return _calendar_window("month", spec.first, tz, now, current=False)
        assert spec.last is not None
        return _range_window(spec.first, (spec.last - spec.first).days + 1, tz, now)
    unit = spec.kind.partition("_")[2]  # this_week → week
    first = Period.containing(unit, now, tz).first_day
    if spec.kind.startswith("last_"):
        first = _step(unit, first, -1)
    return _calendar_window(unit, first, tz, now, current=spec.kind.startswith("this_"))


def previous(window: Window) -> Window | None:
    """The window to compare `window` with: the whole span of the same kind just before it.

    The previous calendar week, month or quarter; for days and ranges, as many days just
    before. None for `all`, which has nothing before it.
    """
    if window.kind == "all":
        return None
    tz = window.tz
    now = window.as_of or window.end
    if window.first_day is None:  # not made by `resolve`: its local days, just before it
        first = window.start.astimezone(tz).date()
        last = max(first, (window.end - _TICK).astimezone(tz).date())
        days = (last - first).days + 1
        return _range_window(first - timedelta(days=days), days, tz, now)
    if window.kind in ("week", "month", "quarter"):
        first = _step(window.kind, window.first_day, -1)
        return _calendar_window(window.kind, first, tz, now, current=False)
    days = window.days
    return _range_window(window.first_day - timedelta(days=days), days, tz, now)


_TICK = timedelta(microseconds=1)


def _calendar_window(
    kind: str, first: date, tz: ZoneInfo, now: datetime, *, current: bool
) -> Window:
    following = _step(kind, first, 1)
    if kind == "week":
        key = "funnel.period.this_week" if current else "funnel.period.week"
        params: dict[str, Any] = {"date": first.isoformat()}
    elif kind == "month":
        key = "funnel.period.this_month" if current else "funnel.period.month"
        params = {"month": first.month, "year": first.year}
    elif kind == "quarter":
        key = "funnel.period.this_quarter" if current else "funnel.period.quarter"
        params = {"quarter": (first.month - 1) // 3 + 1, "year": first.year}
    else:
        raise ValueError(f"unknown period {kind!r}; one of week, month, quarter")
    return _window(first, (following - first).days, key, params, kind=kind, tz=tz, now=now)


def _range_window(first: date, days: int, tz: ZoneInfo, now: datetime) -> Window:
    last = first + timedelta(days=days - 1)
    if days == 1:
        key, params = "funnel.period.day", {"date": first.isoformat()}
    else:
        key, params = "funnel.period.range", {"start": first.isoformat(), "end": last.isoformat()}
    return _window(first, days, key, params, kind="range", tz=tz, now=now)


def _window(
    first: date,
    days: int,
    key: str,
    params: dict[str, Any],
    *,
    kind: str,
    tz: ZoneInfo,
    now: datetime,
) -> Window:
    """Local midnight of `first` to local midnight `days` later, neither after `now`."""
    start = _local_midnight(first, tz)
    end = _local_midnight(first + timedelta(days=days), tz)
    return Window(
        min(start, now),
        min(end, now),
        key,
        params,
        kind=kind,
        first_day=first,
        days=days,
        tz=tz,
        as_of=now,
    )


def _step(kind: str, first: date, count: int) -> date:
    """The first day of the week, month or quarter `count` units from the one at `first`."""
    if kind == "week":
        return first + timedelta(weeks=count)
    months = {"month": 1, "quarter": 3}[kind] * count
    index = first.month - 1 + months
    return first.replace(year=first.year + index // 12, month=index % 12 + 1, day=1)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local day; where the clocks skip midnight, the end of the gap."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)
