"""`/funnel` in Block Kit, and the same funnel as terminal text.

Pure builders: a `FunnelReport` and the team's language in, a Slack message (or text) out.
The tables are monospace text shared by Slack (inside a code block, escaped) and the
command line (`smarketing funnel`, `smarketing demo`), so both teams read the same figures
the same way wherever they look.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.funnel import BreakdownRow, ClockFigure, Figures, FunnelReport
from bot.domain.funnel_query import help_text_key
from bot.i18n import CATALOG, DEFAULT_LOCALE, Translator
from bot.terminal import percent, table
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    SECTION_TEXT_MAX,
    amount,
    context,
    duration,
    escape,
    header,
    section,
    shorten,
)

FUNNEL_TITLE = "funnel_title"
FUNNEL_NOTE = "funnel_note"
FUNNEL_STAGES = "funnel_stages"
FUNNEL_EXITS = "funnel_exits"
FUNNEL_FIGURES = "funnel_figures"
FUNNEL_BREAKDOWN = "funnel_breakdown"
FUNNEL_FOOTER = "funnel_footer"
FUNNEL_HELP = "funnel_help"

VALUE_MAX = 40  # characters of a breakdown value in a table cell
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # 0 = Monday, as the domain
MINUS = "−"  # a real minus sign: `−2` lines up with `+3`


# -- Slack --------------------------------------------------------------------------------


def build_funnel_report(
    report: FunnelReport,
    _: Translator,
    *,
    tz: ZoneInfo,
    names: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The report as an ephemeral message: the window, the stages with their change and
    conversions, the exits, revenue, clocks and the SLA line, and the breakdown when asked.
    `names` shows sellers by name (their Slack id otherwise); `notes` are extra lines of
    small print (e.g. that the files asked for are on their way)."""
    exits = [f"• {escape(line)}" for line in exit_lines(report.current, _)]
    figures = [f"*{label}:* {escape(value)}" for label, value in figure_lines(report, _)]
    blocks = [
        header(FUNNEL_TITLE, report_title(report, _)),
        context(FUNNEL_NOTE, escape(cohort_note(report, _))),
        section(
            FUNNEL_STAGES, _fenced(_, f"*{_('funnel.report.stages')}*", *funnel_cells(report, _))
        ),
        section(FUNNEL_EXITS, "\n".join([f"*{_('funnel.report.exits')}*", *exits])),
        section(FUNNEL_FIGURES, "\n".join(figures)),
    ]
    if report.by is not None:
        blocks.append(section(FUNNEL_BREAKDOWN, _breakdown_text(report, _, names or {})))
    small_print = [escape(note) for note in notes]
    small_print.append(_("funnel.report.times", timezone=str(tz)))
    blocks.append(context(FUNNEL_FOOTER, *small_print))
    return {"text": shorten(fallback_text(report, _), FALLBACK_TEXT_MAX), "blocks": blocks}


def build_funnel_help(_: Translator) -> dict[str, Any]:
    """`/funnel help`: the grammar with examples."""
    text = _(help_text_key)
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": [section(FUNNEL_HELP, text)]}


def fallback_text(report: FunnelReport, _: Translator) -> str:
    """One line for notifications and screen readers: leads, won and revenue."""
    figures = report.current
    return _(
        "funnel.report.text",
        title=report_title(report, _),
        leads=f"{figures.leads:,}",
        won=f"{figures.stages[-1].leads:,}",
        revenue=money(figures.revenue),
    )


def _breakdown_text(report: FunnelReport, _: Translator, names: Mapping[str, str]) -> str:
    title = f"*{breakdown_title(report, _)}*"
    if not report.breakdown:
        return f"{title}\n{_('funnel.report.no_rows')}"
    headers, rows = breakdown_cells(report, _, names=names)
    return _fenced(_, title, headers, rows)


def _fenced(_: Translator, title: str, headers: list[str], rows: list[list[str]]) -> str:
    """`title` over the table in a code block, with as many rows as fit in one section and
    a "+N more" line for the rest."""

    def text(count: int) -> str:
        cells = [_inert(cell) for cell in headers], [[_inert(c) for c in r] for r in rows[:count]]
        lines = [title, "```", escape(table(*cells)), "```"]
        if count < len(rows):
            lines.append(_("funnel.slack.more_rows", count=f"{len(rows) - count:,}"))
        return "\n".join(lines)

    if len(text(len(rows))) <= SECTION_TEXT_MAX:
        return text(len(rows))
    low, high = 0, len(rows)  # text(low) fits (or nothing does), text(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if len(text(middle)) <= SECTION_TEXT_MAX:
            low = middle
        else:
            high = middle
    return text(low)


def _inert(cell: str) -> str:
    """A cell that cannot close the code block it sits in."""
    return cell.replace("`", "'")


# -- The terminal -------------------------------------------------------------------------


def report_as_text(
    report: FunnelReport, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> str:
    """The report for `smarketing funnel`: the same tables as in Slack, as plain text."""
    title = report_title(report, _)
    lines = [title, "=" * len(title), cohort_note(report, _), ""]
    lines += [table(*funnel_cells(report, _)), ""]
    lines += [_("funnel.report.exits"), *(f"  {line}" for line in exit_lines(report.current, _))]
    lines += ["", *(f"{label}: {value}" for label, value in figure_lines(report, _))]
    if report.by is not None:
        lines += ["", breakdown_title(report, _)]
        if report.breakdown:
            lines.append(table(*breakdown_cells(report, _, names=names or {})))
        else:
            lines.append(_("funnel.report.no_rows"))
    lines += ["", _("funnel.report.times", timezone=str(tz))]
    return "\n".join(lines)


# -- The parts both share -----------------------------------------------------------------


def report_title(report: FunnelReport, _: Translator) -> str:
    """`Funnel · November 2026 to date`, and whose leads when they are one seller's."""
    key = "funnel.report.title_own" if report.owner else "funnel.report.title"
    return _(key, period=report.window.label(_))


def cohort_note(report: FunnelReport, _: Translator) -> str:
    """What is counted (the cohort created in the window), against what, and whether any."""
    parts = [_("funnel.report.cohort")]
    if report.previous_window is not None:
        parts.append(_("funnel.report.compared", period=report.previous_window.label(_)))
    if not report.current.leads:
        parts.append(_("funnel.report.empty"))
    return " ".join(parts)


def funnel_cells(report: FunnelReport, _: Translator) -> tuple[list[str], list[list[str]]]:
    """The stages table: stage, leads, change against the previous window (a column only
    when there is one), conversion from the stage before and from all leads."""
    compare = report.previous is not None
    headers = [_("funnel.report.col_stage"), _("funnel.report.col_leads")]
    if compare:
        headers.append(_("funnel.report.col_change"))
    headers += [_("funnel.report.col_of_previous"), _("funnel.report.col_of_all")]
    rows = []
    platform = report.current.platform
    if platform is not None:  # the top of the funnel, as the platforms reported it
        row = [_("funnel.report.impressions"), f"{platform.impressions:,}"]
        if report.previous is not None:
            before = report.previous.platform
            row.append(change(platform.impressions, before.impressions) if before else "")
        rows.append([*row, "", ""])
    for index, stage in enumerate(report.current.stages):
        row = [_.stage(stage.stage), f"{stage.leads:,}"]
        if report.previous is not None:
            row.append(change(stage.leads, report.previous.stages[index].leads))
        first = index == 0  # all leads: nothing to convert from
        if first and platform is not None:  # leads from impressions
            reached = stage.leads / platform.impressions if platform.impressions else None
            row.append(percent(reached))
        else:
            row += ["" if first else percent(stage.of_previous)]
        row += ["" if first else percent(stage.of_first)]
        rows.append(row)
    return headers, rows


def exit_lines(figures: Figures, _: Translator) -> list[str]:
    """`Not a fit: 3 — Not our ideal customer 2, No budget 1`, one line per exit."""
    lines = []
    for figure in figures.exits:
        line = _("funnel.report.exit", exit=_.exit(figure.exit), count=f"{figure.leads:,}")
        reasons = ", ".join(
            _("funnel.report.reason", reason=reason_label(code, _), count=f"{count:,}")
            for code, count in figure.top_reasons
        )
        lines.append(
            _("funnel.report.exit_reasons", exit=line, reasons=reasons) if reasons else line
        )
    return lines


def figure_lines(report: FunnelReport, _: Translator) -> list[tuple[str, str]]:
    """(label, value): revenue won, the two clock medians, and the SLA line (for the
    whole team's report, while the SLA has a target for the window)."""
    revenue = money(report.current.revenue)
    if report.previous is not None:
        revenue = _(
            "funnel.report.revenue_change",
            amount=revenue,
            change=change(report.current.revenue, report.previous.revenue),
        )
    lines = [(_("funnel.report.revenue"), revenue), *platform_lines(report, _)]
    lines += [
        (_(f"funnel.report.clock.{c.name}"), median_text(c, _)) for c in report.current.clocks
    ]
    if report.sla.needed is not None and report.owner is None:
        lines.append(
            (
                _("funnel.report.sla"),
                _("funnel.report.sla_of", profiled=f"{report.sla.profiled:,}",
                  needed=f"{report.sla.needed:,}"),
            )
        )  # fmt: skip
    return lines


def platform_lines(report: FunnelReport, _: Translator) -> list[tuple[str, str]]:
    """(label, value): clicks, leads per 1,000 impressions, and the platforms' own lead
    count beside the bot's, when the platforms reported figures for the window."""
    platform = report.current.platform
    if platform is None:
        return []
    ratio = platform.per_thousand(report.current.leads)
    return [
        (
            _("funnel.report.clicks"),
            _("funnel.report.clicks_of", clicks=f"{platform.clicks:,}",
              share=percent(platform.click_through)),
        ),
        (_("funnel.report.per_thousand"), "–" if ratio is None else f"{ratio:,.2f}"),
        (
            _("funnel.report.platform_leads"),
            _("funnel.report.platform_leads_of", platform=f"{platform.leads:,}",
              bot=f"{report.current.leads:,}", days=f"{platform.days:,}"),
        ),
    ]  # fmt: skip


def breakdown_title(report: FunnelReport, _: Translator) -> str:
    return _("funnel.report.by", dimension=_(f"funnel.keyword.{report.by}"))


def breakdown_cells(
    report: FunnelReport, _: Translator, *, names: Mapping[str, str]
) -> tuple[list[str], list[list[str]]]:
    """The breakdown table: value, leads, qualified, won, revenue, share qualified."""
    dimension = _(f"funnel.keyword.{report.by}")
    headers = [
        dimension[:1].upper() + dimension[1:],
        _("funnel.report.col_leads"),
        _("funnel.report.col_qualified"),
        _("funnel.report.col_won"),
        _("funnel.report.col_revenue"),
        _("funnel.report.col_qualified_share"),
    ]
    reach = any(row.impressions is not None for row in report.breakdown)
    if reach:
        headers.append(_("funnel.report.col_impressions"))
    rows = []
    for row in report.breakdown:
        cells = [
            value_label(report.by, row, _, names=names),
            f"{row.leads:,}",
            f"{row.qualified:,}",
            f"{row.won:,}",
            money(row.revenue),
            percent(row.qualified / row.leads if row.leads else None),
        ]
        if reach:
            cells.append("" if row.impressions is None else f"{row.impressions:,}")
        rows.append(cells)
    return headers, rows


def file_stem(report: FunnelReport) -> str:
    """`funnel-2026-11-01-2026-11-30-by-zone`: a file name for the report's chart and
    export, from its local days and its breakdown."""
    window = report.window
    if window.kind == "all":
        days = "all"
    else:
        first = window.start.astimezone(window.tz).date()
        last = max(window.start, window.end - timedelta(microseconds=1))
        days = f"{first.isoformat()}-{last.astimezone(window.tz).date().isoformat()}"
    by = f"-by-{report.by}" if report.by else ""
    return f"funnel-{days}{by}"


def value_label(
    by: str | None, row: BreakdownRow, _: Translator, *, names: Mapping[str, str]
) -> str:
    """A breakdown value as people read it: the weekday's name, an hour as `09:00–09:59`, a
    seller's name, `(none)` for leads without a value, `other (N values)` for the tail; text
    on one line, cut to `VALUE_MAX`."""
    if row.folded:
        return _("funnel.report.other", count=f"{row.folded:,}")
    if row.value is None:
        return _("funnel.report.none")
    if by == "weekday" and isinstance(row.value, int) and 0 <= row.value < len(WEEKDAYS):
        return _(f"schedule.day.{WEEKDAYS[row.value]}")
    if by == "hour" and isinstance(row.value, int):
        return f"{row.value:02d}:00–{row.value:02d}:59"
    text = str(row.value)
    if by == "seller":
        text = names.get(text) or text
    return shorten(" ".join(text.split()), VALUE_MAX)


def change(now: float, before: float) -> str:
    """`+3`, `−2` or `0`: how a figure moved since the window before."""
    difference = round(now - before, 2)
    if not difference:
        return "0"
    sign = "+" if difference > 0 else MINUS
    return f"{sign}{money(abs(difference))}"


def money(value: float) -> str:
    """A count or an amount as people read it, to the cent: sums of floats drift below it."""
    return amount(round(value, 2)) or "0"


def median_text(clock: ClockFigure, _: Translator) -> str:
    """`1 h 30 min (exact median over 12 leads)`, or that no lead has the clock yet."""
    if clock.median_minutes is None:
        return _("funnel.report.no_median")
    took = duration(clock.median_minutes, _)
    if clock.leads == 1:
        return _("funnel.report.median_one", duration=took)
    return _("funnel.report.median", duration=took, count=f"{clock.leads:,}")


def reason_label(code: str | None, _: Translator) -> str:
    """A reason code's label; a code the catalog does not know (an old import) as typed."""
    if code is None:
        return _("funnel.report.no_reason")
    if f"reason.{code}" in CATALOG[DEFAULT_LOCALE]:
        return _.reason(code)
    return shorten(" ".join(code.split()), VALUE_MAX)
