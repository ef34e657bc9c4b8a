"""The funnel report as a picture (PNG), sized to be read on a phone.

Without a breakdown, the stages are horizontal bars from top to bottom, each labelled with
its leads and its conversion from the stage before (`412 · 38.0%`); the period before is
drawn as a dashed outline over them, and the legend names both periods. When the marketing
platforms reported figures for the period, their impressions and clicks sit in a panel of
their own above the stages, on their own scale (they are hundreds of times the leads and
would flatten the rest), the impressions labelled with the leads per 1,000 of them. With a
breakdown, each value gets three bars side by side: its leads, how many reached qualified,
and how many were won, each with its count. Values read as in the `/funnel` table.

Drawn with matplotlib's object interface on the Agg canvas, never `pyplot`: no global
state, so charts can be drawn on any thread. matplotlib is imported inside the functions,
so importing this module costs nothing until a chart is asked for. Text from lead data is
drawn as typed (no `$…$` math).
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.funnel import BreakdownRow, FunnelReport, StageFigure
from bot.i18n import Translator
from bot.terminal import percent
from handlers.slack.blocks import shorten
from handlers.slack.funnel import breakdown_title, report_title, value_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

DPI = 150
WIDTH = 7.2  # inches: 1080 px at `DPI`
HEIGHT = 9.0  # inches: 1350 px; a breakdown with many values grows taller
EMPTY_HEIGHT = 4.0  # inches: a sentence needs no portrait
BREAKDOWN_FIXED = 2.5  # inches a breakdown chart needs besides its bars (title, legend, axis)
BREAKDOWN_GROUP = 0.52  # inches per breakdown value: three bars whose labels never touch
BREAKDOWN_STEP = 0.3  # from one bar of a value to the next, in values
TITLE_SIZE = 16  # points
LABEL_SIZE = 13
TICK_SIZE = 12
BAR_LABEL_SIZE = 13  # a stage's bar; a breakdown's three bars a value take 11
BREAKDOWN_LABEL_SIZE = 11
TITLE_WIDTH = 44  # characters per title line
CHART_VALUE_MAX = 24  # characters of a breakdown value on the chart
LABEL_GAP = 4  # points between a bar's end and its label

INK = "#1f2937"
CURRENT = "#2563eb"
PREVIOUS = "#374151"
PLATFORM = "#7c3aed"
BREAKDOWN_COLOURS = ("#93c5fd", "#2563eb", "#1e3a8a")  # leads, qualified, won
GRID = "#e5e7eb"

# An axes, the labels at the ends of its bars, and its longest bar.
_Room = tuple["Axes", Sequence["Text"], float]
# Text measuring and drawing share font caches across figures: one chart at a time.
_DRAWING = threading.Lock()


def chart_png(
    report: FunnelReport, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> bytes:
    """The report drawn by `chart_figure`, as PNG bytes of exactly its size × `DPI`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = chart_figure(report, _, tz=tz, names=names)
    buffer = io.BytesIO()
    with _DRAWING:
        FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def chart_figure(
    report: FunnelReport, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> Figure:
    """The report as a matplotlib figure on the Agg canvas: the funnel, or the breakdown
    when the report has one; a sentence saying so when there is nothing to draw. Titles,
    axes and legend in the translator's language; sellers by their name in `names`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = len(report.breakdown) if report.by is not None else 0
    empty = not report.current.leads or (report.by is not None and not rows)
    height = EMPTY_HEIGHT if empty else max(HEIGHT, BREAKDOWN_FIXED + BREAKDOWN_GROUP * rows)
    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(figure)
    title = report_title(report, _)
    if report.by is not None:
        title = f"{title}\n{breakdown_title(report, _)}"
    figure.suptitle(_wrap(title), fontsize=TITLE_SIZE, color=INK, parse_math=False)
    with _DRAWING:
        if empty:
            _draw_nothing(figure, report, _)
        elif report.by is None:
            _draw_funnel(figure, report, _)
        else:
            _draw_breakdown(figure, report, _, tz=tz, names=names or {})
        for text in figure.findobj(_is_text):
            text.set_parse_math(False)
    return figure


def stage_bar_label(stage: StageFigure, *, first: bool) -> str:
    """`412 · 38.0%`: a stage's leads and its conversion from the stage before (the first
    stage, and a stage after an empty one, only its leads)."""
    if first or stage.of_previous is None:
        return f"{stage.leads:,}"
    return f"{stage.leads:,} · {percent(stage.of_previous)}"


def chart_value_label(
    by: str | None, row: BreakdownRow, _: Translator, *, names: Mapping[str, str]
) -> str:
    """A breakdown value as the `/funnel` table shows it, cut shorter to fit the chart."""
    return shorten(value_label(by, row, _, names=names), CHART_VALUE_MAX)


# -- The parts ----------------------------------------------------------------------------


def _draw_nothing(figure: Figure, report: FunnelReport, _: Translator) -> None:
    axes = figure.add_subplot()
    axes.set_axis_off()
    message = _("funnel.report.empty") if not report.current.leads else _("funnel.report.no_rows")
    axes.text(
        0.5, 0.5, _wrap(message), ha="center", va="center", fontsize=LABEL_SIZE + 2,
        color=INK, transform=axes.transAxes,
    )  # fmt: skip


def _draw_funnel(figure: Figure, report: FunnelReport, _: Translator) -> None:
    current, previous = report.current, report.previous
    stages = current.stages
    rooms = []
    if current.platform is not None:
        top, axes = figure.subplots(2, 1, gridspec_kw={"height_ratios": [2, len(stages)]})
        rooms.append(_draw_platform(top, report, _))
    else:
        axes = figure.add_subplot()
    positions = list(range(len(stages)))
    counts = [stage.leads for stage in stages]
    axes.barh(positions, counts, height=0.6, color=CURRENT, label=report.window.label(_))
    ends = counts
    if previous is not None:
        before = [stage.leads for stage in previous.stages]
        axes.barh(
            positions, before, height=0.8, fill=False, edgecolor=PREVIOUS, linewidth=2,
            linestyle="--", label=report.previous_window.label(_),
        )  # fmt: skip
        ends = [max(now, then) for now, then in zip(counts, before, strict=True)]
    labels = [
        _bar_label(axes, end, position, stage_bar_label(stage, first=index == 0))
        for index, (stage, end, position) in enumerate(zip(stages, ends, positions, strict=True))
    ]
    _style(axes, [_.stage(stage.stage) for stage in stages], _("chart.leads_axis"))
    if previous is not None:
        figure.legend(
            loc="outside lower center", ncols=1, fontsize=LABEL_SIZE, frameon=False,
            labelcolor=INK,
        )  # fmt: skip
    rooms.append((axes, labels, max(ends)))
    _make_room(figure, rooms)


def _draw_platform(axes: Axes, report: FunnelReport, _: Translator) -> _Room:
    """Impressions and clicks, on their own scale."""
    platform = report.current.platform
    assert platform is not None
    values = [platform.impressions, platform.clicks]
    axes.barh([0, 1], values, height=0.6, color=PLATFORM)
    ends = values
    before = report.previous.platform if report.previous is not None else None
    if before is not None:
        earlier = [before.impressions, before.clicks]
        axes.barh(
            [0, 1], earlier, height=0.8, fill=False, edgecolor=PREVIOUS, linewidth=2,
            linestyle="--",
        )  # fmt: skip
        ends = [max(now, then) for now, then in zip(values, earlier, strict=True)]
    rate = platform.per_thousand(report.current.leads)
    impressions = f"{platform.impressions:,}"
    if rate is not None:
        impressions = _("chart.per_thousand", impressions=impressions, rate=f"{rate:,.2f}")
    clicks = f"{platform.clicks:,}"
    if platform.click_through is not None:
        clicks = f"{clicks} · {percent(platform.click_through)}"
    labels = [
        _bar_label(axes, ends[0], 0, impressions),
        _bar_label(axes, ends[1], 1, clicks),
    ]
    _style(axes, [_("chart.impressions"), _("chart.clicks")], _("chart.platform_axis"))
    return axes, labels, max(ends)


def _draw_breakdown(
    figure: Figure, report: FunnelReport, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str]
) -> None:
    axes = figure.add_subplot()
    rows = report.breakdown
    series = (
        (_("funnel.report.col_leads"), [row.leads for row in rows]),
        (_("funnel.report.col_qualified"), [row.qualified for row in rows]),
        (_("funnel.report.col_won"), [row.won for row in rows]),
    )
    step = BREAKDOWN_STEP
    labels = []
    for offset, colour, (name, counts) in zip(
        (-step, 0.0, step), BREAKDOWN_COLOURS, series, strict=True
    ):
        positions = [index + offset for index in range(len(rows))]
        axes.barh(positions, counts, height=step * 0.9, color=colour, label=name)
        labels += [
            _bar_label(axes, count, position, f"{count:,}", size=BREAKDOWN_LABEL_SIZE)
            for count, position in zip(counts, positions, strict=True)
        ]
    dimension = _(f"funnel.keyword.{report.by}")
    dimension = dimension[:1].upper() + dimension[1:]
    if report.by in ("weekday", "hour"):  # local days and hours: say whose
        dimension = _("chart.local_axis", dimension=dimension, timezone=str(tz))
    ticks = [chart_value_label(report.by, row, _, names=names) for row in rows]
    _style(axes, ticks, _("chart.leads_axis"), ylabel=dimension)
    figure.legend(
        loc="outside lower center", ncols=3, fontsize=LABEL_SIZE, frameon=False, labelcolor=INK
    )
    _make_room(figure, [(axes, labels, max(row.leads for row in rows))])


def _bar_label(
    axes: Axes, end: float, position: float, text: str, *, size: float = BAR_LABEL_SIZE
) -> Text:
    return axes.annotate(
        text, (end, position), xytext=(LABEL_GAP, 0), textcoords="offset points",
        ha="left", va="center", fontsize=size, color=INK, parse_math=False,
    )  # fmt: skip


def _style(axes: Axes, ticks: Sequence[str], xlabel: str, *, ylabel: str | None = None) -> None:
    """Categories top to bottom, counts along a light grid, no box."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axes.set_yticks(range(len(ticks)), labels=ticks, fontsize=TICK_SIZE, parse_math=False)
    axes.set_ylim(len(ticks) - 0.5, -0.5)  # the first category on top
    axes.tick_params(axis="y", length=0, colors=INK)
    axes.tick_params(axis="x", labelsize=TICK_SIZE - 1, colors=INK)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: f"{value:,.0f}"))
    axes.set_xlabel(xlabel, fontsize=LABEL_SIZE, color=INK, parse_math=False)
    if ylabel is not None:
        axes.set_ylabel(ylabel, fontsize=LABEL_SIZE, color=INK, parse_math=False)
    axes.grid(axis="x", color=GRID, linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)


def _make_room(figure: Figure, rooms: Sequence[_Room]) -> None:
    """Widen each counts' axis until every bar's label fits to the right of its bar.

    A label at data `end` spans `gap + width` pixels after it; with the axis from 0 to
    `limit` over `span` pixels it fits when `end + (gap + width) × limit / span ≤ limit`.
    Measured once the layout has run, twice, since new limits move the ticks and so the
    layout."""
    for axes, _labels, largest in rooms:
        axes.set_xlim(0, max(largest, 1))
    gap = LABEL_GAP * figure.dpi / 72
    for _pass in range(2):
        figure.draw_without_rendering()
        renderer = figure.canvas.get_renderer()
        for axes, labels, largest in rooms:
            span = axes.get_window_extent(renderer).width
            needed = max(largest, 1)
            for label in labels:
                room = 1 - (gap + label.get_window_extent(renderer).width) / span
                needed = max(needed, label.xy[0] / max(room, 0.2))
            axes.set_xlim(0, needed * 1.02)


def _is_text(artist: object) -> bool:
    from matplotlib.text import Text

    return isinstance(artist, Text)


def _wrap(text: str, width: int = TITLE_WIDTH) -> str:
    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_long_words=False)) or line
        for line in text.splitlines()
    )
