"""The funnel chart: a PNG of the figure's size, whose every label comes from the report —
bar counts and conversions, the periods in the legend, breakdown values as the `/funnel`
table reads them, Spanish when the team speaks it — and whose labels never collide."""

from __future__ import annotations

import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from funnel_reports import EN, ES, TZ, figures, local, stored_report, this_month

from bot.domain.funnel import (
    BreakdownRow,
    FunnelReport,
    PlatformFigures,
    SlaLine,
)
from bot.domain.funnel_query import previous
from handlers.funnel_chart import chart_figure, chart_png
from storage.db import session_scope
from storage.models import Lead

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def made_report(counts=(42, 30, 20, 15, 8, 3), *, before=None, **changes) -> FunnelReport:
    """November so far, against October when `before` has October's counts."""
    window = this_month()
    report = FunnelReport(
        window=window,
        current=figures(list(counts)),
        previous_window=previous(window) if before else None,
        previous=figures(list(before)) if before else None,
        sla=SlaLine(counts[1], None),
        by=None,
        breakdown=(),
        owner=None,
    )
    return replace(report, **changes)


def texts(axes) -> list[str]:
    return [text.get_text() for text in axes.texts]


def ticks(axes) -> list[str]:
    return [label.get_text() for label in axes.get_yticklabels()]


def legend(figure) -> list[str]:
    return [text.get_text() for legend in figure.legends for text in legend.get_texts()]


def title(figure) -> str:
    return " ".join(figure.get_suptitle().split())


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, the first after the signature."""
    assert png[:8] == PNG_MAGIC
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", png[16:24])


# -- From a real database -----------------------------------------------------------------


@pytest.fixture
def november(sessions) -> None:
    """Six leads this November (one each at lead, profiled, accepted; one lost when
    qualified; two won) and two in October (one profiled, one won)."""
    rows = [
        Lead(name="A", created_at=local(11, 2, 10), stage="won", won_value=5000),
        Lead(name="B", created_at=local(11, 3, 9), stage="qualified", exit="lost",
             exit_reason="price"),
        Lead(name="C", created_at=local(11, 10, 9), stage="accepted"),
        Lead(name="D", created_at=local(11, 12, 12), stage="profiled"),
        Lead(name="E", created_at=local(11, 15, 8), stage="lead"),
        Lead(name="F", created_at=local(11, 5, 14), stage="won", won_value=1000),
        Lead(name="G", created_at=local(10, 20, 9), stage="profiled"),
        Lead(name="H", created_at=local(10, 21, 9), stage="won", won_value=700),
    ]  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows)


def test_each_bar_is_labelled_with_its_leads_and_its_conversion(sessions, november):
    report = stored_report(sessions)
    figure = chart_figure(report, EN, tz=TZ, names={})
    (axes,) = figure.axes
    assert ticks(axes) == [
        "Lead", "Profiled (MQL)", "Accepted (SAL)", "Contacted", "Qualified (SQL)", "Won",
    ]  # fmt: skip
    # 6 → 5 → 4 → 3 → 3 → 2, as the reached-stage rule counts them.
    assert texts(axes) == [
        "6", "5 · 83.3%", "4 · 80.0%", "3 · 75.0%", "3 · 100.0%", "2 · 66.7%",
    ]  # fmt: skip
    assert [s.leads for s in report.current.stages] == [6, 5, 4, 3, 3, 2]
    assert title(figure) == f"Funnel · {report.window.label(EN)}"
    assert axes.get_xlabel() == "Leads created in the period"


def test_the_previous_period_is_outlined_and_the_legend_names_both(sessions, november):
    report = stored_report(sessions)
    figure = chart_figure(report, EN, tz=TZ, names={})
    (axes,) = figure.axes
    assert legend(figure) == ["November 2026 to date", "October 2026"]
    solid, outline = axes.containers
    assert [bar.get_width() for bar in solid] == [6, 5, 4, 3, 3, 2]
    assert [bar.get_width() for bar in outline] == [2, 2, 1, 1, 1, 1]  # October's cohort
    assert not any(bar.get_fill() for bar in outline)
    # Without a period before (all time), one series and no legend.
    alone = chart_figure(replace(report, previous=None, previous_window=None), EN, tz=TZ,
                         names={})  # fmt: skip
    assert len(alone.axes[0].containers) == 1 and alone.legends == []


def test_the_chart_speaks_spanish(sessions, november):
    report = stored_report(sessions, by="zone")
    figure = chart_figure(stored_report(sessions), ES, tz=TZ, names={})
    (axes,) = figure.axes
    assert ticks(axes)[1:3] == ["Perfilado (MQL)", "Aceptado (SAL)"]
    assert axes.get_xlabel() == "Leads creados en el periodo"
    assert legend(figure) == ["noviembre de 2026 hasta hoy", "octubre de 2026"]
    assert title(figure).startswith("Embudo · noviembre de 2026")
    broken_down = chart_figure(report, ES, tz=TZ, names={})
    assert title(broken_down).endswith("Por zona")
    assert ticks(broken_down.axes[0]) == ["(ninguno)"]
    assert legend(broken_down) == ["Leads", "Calificados", "Ganados"]


def test_the_png_is_the_figures_size_at_its_resolution(sessions, november):
    report = stored_report(sessions)
    png = chart_png(report, EN, tz=TZ, names={})
    figure = chart_figure(report, EN, tz=TZ, names={})
    width, height = png_size(png)
    assert (width, height) == (
        round(figure.get_figwidth() * figure.dpi),
        round(figure.get_figheight() * figure.dpi),
    )
    assert width == 1080 and 1000 <= height <= 1500  # a phone's width, portrait


# -- Impressions --------------------------------------------------------------------------


def test_impressions_sit_on_their_own_scale_only_when_the_platforms_reported():
    plain = chart_figure(made_report(), EN, tz=TZ, names={})
    assert len(plain.axes) == 1
    assert "Impressions" not in ticks(plain.axes[0])

    platform = PlatformFigures(impressions=120_000, clicks=3_000, leads=45, days=20)
    report = made_report(before=(39, 32, 20, 10, 8, 2))
    report = replace(report, current=replace(report.current, platform=platform))
    figure = chart_figure(report, EN, tz=TZ, names={})
    top, stages = figure.axes
    assert ticks(top) == ["Impressions", "Clicks"]
    # 42 leads from 120,000 impressions: 0.35 per 1,000; 3,000 clicks are 2.5%.
    assert texts(top) == ["120,000 · 0.35 leads per 1,000", "3,000 · 2.5%"]
    assert [bar.get_width() for bar in top.containers[0]] == [120_000, 3_000]
    assert top.get_xlabel() == "As the marketing platforms reported"
    # The stages keep their own scale: the leads' bar spans most of its axis.
    assert stages.get_xlim()[1] < 42 * 2
    assert texts(stages)[0] == "42"

    spanish = chart_figure(report, ES, tz=TZ, names={})
    assert ticks(spanish.axes[0]) == ["Impresiones", "Clics"]
    assert texts(spanish.axes[0])[0] == "120,000 · 0.35 leads por cada mil"


# -- Breakdowns ---------------------------------------------------------------------------


def row(value, leads, qualified=0, won=0, *, folded=0) -> BreakdownRow:
    return BreakdownRow(value, leads, qualified, won, 0.0, folded=folded)


def test_a_breakdown_is_three_bars_per_value_labelled_as_the_table_labels_them():
    long_value = "Campaña " + "x" * 192  # 200 characters
    breakdown = (
        *(row(f"campaign-{n:02d}", 40 - n, 10 - n // 2, 3 - n // 5) for n in range(10)),
        row(long_value, 9, 1, 1),
        row(None, 6, 0, 0),
        row(None, 5, 2, 1, folded=3),  # 3 more values
    )
    report = made_report(by="campaign", breakdown=breakdown)
    figure = chart_figure(report, EN, tz=TZ, names={})
    (axes,) = figure.axes
    labels = ticks(axes)
    assert labels[:10] == [f"campaign-{n:02d}" for n in range(10)]
    assert labels[10] == "Campaña " + "x" * 15 + "…"  # cut at 24 characters
    assert labels[11:] == ["(none)", "other (3 values)"]
    leads, qualified, won = axes.containers
    assert [bar.get_width() for bar in leads] == [r.leads for r in breakdown]
    assert [bar.get_width() for bar in qualified] == [r.qualified for r in breakdown]
    assert [bar.get_width() for bar in won] == [r.won for r in breakdown]
    counts = [f"{r.leads}" for r in breakdown]
    counts += [f"{r.qualified}" for r in breakdown] + [f"{r.won}" for r in breakdown]
    assert texts(axes) == counts
    assert legend(figure) == ["Leads", "Qualified", "Won"]
    assert title(figure) == f"Funnel · {report.window.label(EN)} By campaign"
    assert axes.get_ylabel() == "Campaign"
    assert_nothing_collides(figure)


def test_sellers_show_by_name_and_hours_and_weekdays_in_the_teams_time():
    sellers = made_report(by="seller", breakdown=(row("U0ANA", 3, 1, 1), row("U0NEW", 1)))
    figure = chart_figure(sellers, EN, tz=TZ, names={"U0ANA": "Ana Torres"})
    assert ticks(figure.axes[0]) == ["Ana Torres", "U0NEW"]

    hours = made_report(by="hour", breakdown=tuple(row(h, h + 1) for h in range(24)))
    figure = chart_figure(hours, EN, tz=TZ, names={})
    assert ticks(figure.axes[0])[9] == "09:00–09:59"
    assert figure.axes[0].get_ylabel() == "Hour (America/Sao_Paulo)"
    assert_nothing_collides(figure)

    days = made_report(by="weekday", breakdown=(row(0, 2), row(6, 1)))
    figure = chart_figure(days, ES, tz=TZ, names={})
    assert ticks(figure.axes[0]) == ["lunes", "domingo"]


def test_text_from_lead_data_is_drawn_as_typed():
    breakdown = (row("$5 off $x^2$", 4), row("50% off \\frac{", 2), row("=HYPERLINK()", 1))
    report = made_report(by="campaign", breakdown=breakdown)
    png = chart_png(report, EN, tz=TZ, names={})  # no math parsing, so nothing to fail
    assert png.startswith(PNG_MAGIC)
    figure = chart_figure(report, EN, tz=TZ, names={})
    assert ticks(figure.axes[0]) == ["$5 off $x^2$", "50% off \\frac{", "=HYPERLINK()"]


def test_a_period_without_leads_says_so():
    empty = made_report(counts=(0, 0, 0, 0, 0, 0))
    for _, said in ((EN, "No leads were created in this period."),
                    (ES, "No se creó ningún lead en este periodo.")):  # fmt: skip
        figure = chart_figure(empty, _, tz=TZ, names={})
        (axes,) = figure.axes
        assert " ".join(texts(axes)[0].split()) == said
        assert not axes.axison and axes.containers == []
    broken_down = chart_figure(replace(empty, by="zone"), EN, tz=TZ, names={})
    assert title(broken_down).endswith("By zone")
    assert png_size(chart_png(empty, EN, tz=TZ, names={})) == (1080, 600)  # no portrait


def assert_nothing_collides(figure) -> None:
    """No two labels overlap, and every one is inside the picture."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    canvas = figure.bbox
    for axes in figure.axes:
        for group in (axes.texts, axes.get_yticklabels()):
            boxes = [text.get_window_extent(renderer) for text in group if text.get_text()]
            for box in boxes:
                assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 + 0.5
                assert canvas.y0 <= box.y0 and box.y1 <= canvas.y1 + 0.5
            boxes.sort(key=lambda box: (box.x0, -box.y1))
            for index, box in enumerate(boxes):
                for other in boxes[index + 1 :]:
                    overlap_x = min(box.x1, other.x1) - max(box.x0, other.x0)
                    overlap_y = min(box.y1, other.y1) - max(box.y0, other.y0)
                    assert overlap_x <= 0.5 or overlap_y <= 0.5, (box, other)


def test_charts_drawn_on_several_threads_at_once_come_out_the_same():
    report = made_report(before=(39, 32, 20, 10, 8, 2))
    alone = chart_png(report, EN, tz=TZ, names={})
    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda _n: chart_png(report, EN, tz=TZ, names={}), range(4)))
    assert drawn == [alone] * 4


def test_importing_the_chart_module_leaves_matplotlib_unloaded():
    code = "import sys, handlers.funnel_chart; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
