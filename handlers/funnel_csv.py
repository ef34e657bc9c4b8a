"""The funnel report as CSV, for spreadsheets.

UTF-8 with a byte-order mark (so spreadsheets read accents right), commas, CRLF line ends,
one header row in the team's language. Numbers are plain (no thousands separators, a `.`
for decimals) so they sort and sum; shares are decimals from 0 to 1, as the headers say;
an empty cell is a figure there is nothing to compute from (no period before, nothing to
divide by, no lead with that clock). Text that a spreadsheet would take for a formula
(starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`.

Without a breakdown, one long table, one figure per row, with the columns
`section, code, label, value, previous, change, of_previous, of_all`:

- `platform` (only when the platforms reported figures for the period's days):
  `impressions`, `clicks` (`of_previous`: of impressions), `platform_leads` (the
  platforms' own count), `leads_per_thousand` (the cohort's leads per 1,000 impressions),
  `days` (days with figures).
- `stage`, `lead` … `won`: the cohort's leads that reached the stage; `of_previous` the
  conversion from the stage before (for `lead`, from impressions when known), `of_all`
  from all leads.
- `exit`, `rejected` / `lost` / `nurture`: the leads that left that way; `of_all` their
  share of all leads.
- `reason`, `<exit>.<reason>` (`lost.price`, `lost.none` for no reason given): the exit's
  top reasons, with their share of all leads.
- `revenue`, `revenue`: the revenue won.
- `median`, `profile` / `routing` / `response` / `contact` / `qualify` / `win`: the median
  in business minutes; `median_leads`, the same codes: how many leads it is over.

`previous` is the same figure for the period before and `change` the difference (both
empty for `all`, and for reasons, whose top three differ between periods).

With a breakdown, one row per value: the value as people read it (weekday names, seller
names, `(none)`, `other (N values)`), the value as stored (seller id, weekday 0 = Monday,
hour 0–23; empty for none and for the folded row), how many values the row folds, leads,
qualified, won, revenue, the share qualified, and — when the platforms reported by that
dimension — impressions and leads per 1,000 impressions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from zoneinfo import ZoneInfo

from bot.domain.funnel import ClockFigure, Figures, FunnelReport
from bot.i18n import Translator
from handlers.slack.funnel import reason_label, value_label

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | None


def report_csv(
    report: FunnelReport,
    _: Translator,
    *,
    tz: ZoneInfo,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The report as CSV bytes (UTF-8 with BOM): the breakdown's rows when it has one, the
    whole funnel otherwise (see the module's description for the columns). `names` shows
    sellers by name. `tz` is the team's time zone (the report's weekdays and hours are
    already counted in it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # commas, minimal quoting, CRLF
    if report.by is not None:
        writer.writerows(_breakdown_rows(report, _, names or {}))
    else:
        writer.writerows(_funnel_rows(report, _))
    return (BOM + buffer.getvalue()).encode("utf-8")


def inert(text: str) -> str:
    """`text` as a spreadsheet shows it, never as a formula it would run."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def number(value: Number) -> str:
    """A figure as spreadsheets sort it: `1234`, `0.375`; empty for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


# -- Without a breakdown ------------------------------------------------------------------


def _funnel_rows(report: FunnelReport, _: Translator) -> Iterator[list[str]]:
    yield [
        _("csv.col_section"),
        _("csv.col_code"),
        _("csv.col_label"),
        _("csv.col_value"),
        _("csv.col_previous"),
        _("csv.col_change"),
        _("csv.col_of_previous"),
        _("csv.col_of_all"),
    ]
    current, previous = report.current, report.previous

    def row(
        section: str,
        code: str,
        label: str,
        value: Number,
        before: Number = None,
        of_previous: Number = None,
        of_all: Number = None,
    ) -> list[str]:
        change = None if value is None or before is None else value - before
        if isinstance(change, float):
            change = round(change, 2)
        cells = [value, before, change, of_previous, of_all]
        return [section, inert(code), inert(label), *(number(cell) for cell in cells)]

    platform = current.platform
    if platform is not None:
        was = previous.platform if previous is not None else None
        yield row("platform", "impressions", _("csv.impressions"), platform.impressions,
                  was.impressions if was else None)  # fmt: skip
        yield row("platform", "clicks", _("csv.clicks"), platform.clicks,
                  was.clicks if was else None, of_previous=platform.click_through)  # fmt: skip
        yield row("platform", "platform_leads", _("csv.platform_leads"), platform.leads,
                  was.leads if was else None)  # fmt: skip
        yield row(
            "platform", "leads_per_thousand", _("csv.per_thousand"),
            platform.per_thousand(current.leads),
            was.per_thousand(previous.leads) if was and previous else None,
        )  # fmt: skip
        yield row("platform", "days", _("csv.platform_days"), platform.days,
                  was.days if was else None)  # fmt: skip

    for index, stage in enumerate(current.stages):
        of_previous = stage.of_previous
        if index == 0 and platform is not None and platform.impressions:
            of_previous = stage.leads / platform.impressions  # leads from impressions
        before = previous.stages[index].leads if previous is not None else None
        yield row("stage", stage.stage.value, _.stage(stage.stage), stage.leads, before,
                  of_previous, stage.of_first)  # fmt: skip

    for index, figure in enumerate(current.exits):
        before = previous.exits[index].leads if previous is not None else None
        exit_label = _.exit(figure.exit)
        yield row("exit", figure.exit.value, exit_label, figure.leads, before,
                  of_all=_share(figure.leads, current.leads))  # fmt: skip
        for reason, count in figure.top_reasons:
            code = f"{figure.exit.value}.{reason or 'none'}"
            label = _("csv.reason", exit=exit_label, reason=reason_label(reason, _))
            yield row("reason", code, label, count, of_all=_share(count, current.leads))

    yield row("revenue", "revenue", _("funnel.report.revenue"), round(current.revenue, 2),
              round(previous.revenue, 2) if previous is not None else None)  # fmt: skip

    earlier = _clocks(previous)
    for clock in current.clocks:
        label = _(f"funnel.report.clock.{clock.name}")
        was = earlier.get(clock.name)
        yield row("median", clock.name, _("csv.median", clock=label), clock.median_minutes,
                  was.median_minutes if was else None)  # fmt: skip
    for clock in current.clocks:
        label = _(f"funnel.report.clock.{clock.name}")
        was = earlier.get(clock.name)
        yield row("median_leads", clock.name, _("csv.median_leads", clock=label), clock.leads,
                  was.leads if was else None)  # fmt: skip


def _clocks(figures: Figures | None) -> dict[str, ClockFigure]:
    return {clock.name: clock for clock in figures.clocks} if figures is not None else {}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# -- With a breakdown ---------------------------------------------------------------------


def _breakdown_rows(
    report: FunnelReport, _: Translator, names: Mapping[str, str]
) -> Iterator[list[str]]:
    dimension = _(f"funnel.keyword.{report.by}")
    reach = any(row.impressions is not None for row in report.breakdown)
    header = [
        dimension[:1].upper() + dimension[1:],
        _("csv.col_stored"),
        _("csv.col_folded"),
        _("funnel.report.col_leads"),
        _("funnel.report.col_qualified"),
        _("funnel.report.col_won"),
        _("funnel.report.col_revenue"),
        _("csv.col_qualified_share"),
    ]
    if reach:
        header += [_("csv.col_impressions"), _("csv.col_per_thousand")]
    yield header
    for row in report.breakdown:
        stored = "" if row.value is None else row.value
        cells = [
            inert(value_label(report.by, row, _, names=names)),
            inert(stored) if isinstance(stored, str) else number(stored),
            number(row.folded),
            number(row.leads),
            number(row.qualified),
            number(row.won),
            number(round(row.revenue, 2)),
            number(_share(row.qualified, row.leads)),
        ]
        if reach:
            per_thousand = row.leads * 1000 / row.impressions if row.impressions else None
            cells += [number(row.impressions), number(per_thousand)]
        yield cells
