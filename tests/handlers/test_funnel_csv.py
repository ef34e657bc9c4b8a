"""The funnel as CSV: UTF-8 with a BOM, headers in the team's language, exactly the report's
figures as plain numbers, accents intact, one row per breakdown value, and no cell a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from funnel_reports import EN, ES, TZ, local, stored_report, this_month
from funnel_reports import figures as built

from bot.domain.funnel import (
    BreakdownRow,
    ClockFigure,
    ExitFigure,
    Figures,
    FunnelReport,
    PlatformFigures,
    SlaLine,
)
from bot.domain.vocabulary import STAGES, Exit
from handlers.funnel_csv import report_csv
from storage.db import session_scope
from storage.models import Lead

BOM = b"\xef\xbb\xbf"


def read(data: bytes) -> list[list[str]]:
    """The rows as a spreadsheet gets them: BOM dropped, CRLF lines, commas."""
    assert data.startswith(BOM)
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def by_code(rows: list[list[str]]) -> dict[tuple[str, str], list[str]]:
    """Funnel rows by (section, code): label, value, previous, change, of_previous, of_all."""
    return {(row[0], row[1]): row[2:] for row in rows[1:]}


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


# -- From a real database -----------------------------------------------------------------


@pytest.fixture
def november(sessions) -> None:
    """November: Ana won 5,000.50 (North) and 1,000 (Sur), a lead lost on price, one
    profiled and rejected with no reason given, one only captured. October: one won 700."""
    rows = [
        Lead(name="A", created_at=local(11, 2, 10), stage="won", won_value=5000.5,
             zone="North", owner_id="U0ANA", response_minutes=10),
        Lead(name="B", created_at=local(11, 3, 9), stage="qualified", exit="lost",
             exit_reason="price", zone="North", owner_id="U0BRUNO", response_minutes=50),
        Lead(name="C", created_at=local(11, 10, 9), stage="profiled", exit="rejected",
             zone="=cmd|'/C calc'!A0"),
        Lead(name="D", created_at=local(11, 12, 12), stage="lead", zone="Región Andina"),
        Lead(name="E", created_at=local(11, 5, 14), stage="won", won_value=1000, zone="Sur",
             owner_id="U0ANA", response_minutes=40),
        Lead(name="F", created_at=local(10, 21, 9), stage="won", won_value=700,
             response_minutes=20),
    ]  # fmt: skip
    with session_scope(sessions) as session:
        session.add_all(rows)


def test_the_funnel_round_trips_to_exactly_the_reports_figures(sessions, november):
    report = stored_report(sessions)
    rows = read(report_csv(report, EN, tz=TZ, names={}))
    assert rows[0] == [
        "Section", "Code", "Label", "Value", "Previous period", "Change",
        "Of previous (0-1)", "Of all leads (0-1)",
    ]  # fmt: skip
    assert all(len(row) == 8 for row in rows)
    cells = by_code(rows)
    assert [(section, code) for section, code in cells if section == "stage"] == [
        ("stage", stage.value) for stage in STAGES
    ]
    for index, stage in enumerate(report.current.stages):
        label, value, before, change, of_previous, of_all = cells["stage", stage.stage.value]
        assert label == EN.stage(stage.stage)
        assert int(value) == stage.leads
        assert int(before) == report.previous.stages[index].leads
        assert int(change) == stage.leads - report.previous.stages[index].leads
        assert number(of_previous) == stage.of_previous
        assert number(of_all) == stage.of_first
    assert cells["stage", "lead"][1:] == ["5", "1", "4", "", ""]
    assert cells["stage", "won"][1:] == ["2", "1", "1", "0.6666666666666666", "0.4"]
    assert cells["exit", "lost"] == ["Lost", "1", "0", "1", "", "0.2"]
    assert cells["reason", "lost.price"] == ["Lost: Price", "1", "", "", "", "0.2"]
    assert cells["reason", "rejected.none"][:2] == ["Not a fit: no reason given", "1"]
    assert ("exit", "nurture") in cells and not any(
        code.startswith("nurture.") for _, code in cells
    )
    assert cells["revenue", "revenue"] == ["Revenue won", "6000.5", "700", "5300.5", "", ""]
    assert cells["median", "response"][1:4] == ["40", "20", "20"]  # of 10, 40, 50
    assert cells["median", "response"][0] == (
        "Response time (accepted → first touch), median in business minutes"
    )
    assert cells["median_leads", "response"][1:3] == ["3", "1"]
    assert cells["median", "routing"][1:4] == ["", "", ""]  # no lead has that clock
    assert not any(section == "platform" for section, _ in cells)


def test_a_breakdown_is_one_row_per_value(sessions, november):
    report = stored_report(sessions, by="zone")
    rows = read(report_csv(report, EN, tz=TZ, names={}))
    assert rows[0] == [
        "Zone", "Value as stored", "Values folded into the row", "Leads", "Qualified", "Won",
        "Revenue", "Qualified share (0-1)",
    ]  # fmt: skip
    assert len(rows) == 1 + len(report.breakdown)
    assert rows[1] == ["North", "North", "0", "2", "2", "1", "5000.5", "1"]
    assert rows[1:] == [
        ["North", "North", "0", "2", "2", "1", "5000.5", "1"],
        # Lead data a spreadsheet would run as a formula is shown as text.
        ["'=cmd|'/C calc'!A0", "'=cmd|'/C calc'!A0", "0", "1", "0", "0", "0", "0"],
        ["Región Andina", "Región Andina", "0", "1", "0", "0", "0", "0"],
        ["Sur", "Sur", "0", "1", "1", "1", "1000", "1"],
    ]
    for row, line in zip(report.breakdown, rows[1:], strict=True):
        assert int(line[3]) == row.leads and float(line[6]) == row.revenue


def test_sellers_by_name_beside_their_id_in_spanish(sessions, november):
    report = stored_report(sessions, by="seller")
    rows = read(report_csv(report, ES, tz=TZ, names={"U0ANA": "Ana Muñoz"}))
    assert rows[0][:4] == ["Vendedor", "Valor guardado", "Valores agrupados en la fila", "Leads"]
    assert rows[0][-1] == "Proporción calificada (0-1)"
    assert [row[:2] for row in rows[1:]] == [
        ["Ana Muñoz", "U0ANA"], ["(ninguno)", ""], ["U0BRUNO", "U0BRUNO"],
    ]  # fmt: skip


def test_accents_survive_in_the_teams_language(sessions, november):
    data = report_csv(stored_report(sessions), ES, tz=TZ, names={})
    assert "Sección".encode() in data  # UTF-8, not a legacy code page
    rows = read(data)
    assert rows[0][:3] == ["Sección", "Código", "Nombre"]
    cells = by_code(rows)
    assert cells["exit", "nurture"][0] == "De vuelta a nutrición"
    assert cells["stage", "profiled"][0] == "Perfilado (MQL)"
    assert cells["median", "response"][0].endswith("mediana en minutos hábiles")


# -- Built by hand ------------------------------------------------------------------------


EXITS = (
    ExitFigure(Exit.REJECTED, 2, (("-2+3", 1), ("not_icp", 1))),
    ExitFigure(Exit.LOST, 0, ()),
    ExitFigure(Exit.NURTURE, 0, ()),
)


def figures(counts, *, platform=None, revenue=0.0) -> Figures:
    """Figures with two rejections (one of a reason a spreadsheet would run) and a clock."""
    clocks = (ClockFigure("routing", 12.5, 4),)
    return built(counts, revenue=revenue, exits=EXITS, clocks=clocks, platform=platform)


def made_report(**changes) -> FunnelReport:
    window = this_month()
    report = FunnelReport(
        window=window,
        current=figures([42, 30, 20, 15, 8, 3], revenue=0.1 + 0.2),
        previous_window=None,
        previous=None,
        sla=SlaLine(30, None),
        by=None,
        breakdown=(),
        owner=None,
    )
    return replace(report, **changes)


def test_platform_figures_lead_the_funnel_when_there_are_some():
    platform = PlatformFigures(impressions=120_000, clicks=3_000, leads=45, days=20)
    report = made_report()
    report = replace(report, current=replace(report.current, platform=platform))
    cells = by_code(read(report_csv(report, EN, tz=TZ, names={})))
    platform_rows = [code for section, code in cells if section == "platform"]
    assert platform_rows == ["impressions", "clicks", "platform_leads", "leads_per_thousand",
                             "days"]  # fmt: skip
    assert cells["platform", "impressions"] == ["Impressions", "120000", "", "", "", ""]
    assert cells["platform", "clicks"] == ["Clicks", "3000", "", "", "0.025", ""]
    assert cells["platform", "platform_leads"][1] == "45"
    assert float(cells["platform", "leads_per_thousand"][1]) == 42 * 1000 / 120_000
    assert cells["platform", "days"][1] == "20"
    assert float(cells["stage", "lead"][4]) == 42 / 120_000  # leads from impressions
    # Without a previous period, nothing to compare: empty cells, never zeros.
    assert cells["stage", "won"][2:4] == ["", ""]
    # Sums of floats are money to the cent.
    assert cells["revenue", "revenue"][1] == "0.3"


def test_cells_a_spreadsheet_would_run_get_an_apostrophe():
    breakdown = (
        BreakdownRow("=SUM(A1:A9)", 5, 1, 0, 0.0, impressions=1000),
        BreakdownRow("+1 campaign", 4, 0, 0, 0.0),
        BreakdownRow("-black-friday", 3, 0, 0, 0.0, impressions=0),
        BreakdownRow("@mention", 2, 0, 0, 0.0, impressions=500),
        BreakdownRow("plain, with a comma", 1, 0, 0, 0.0),
    )
    rows = read(report_csv(made_report(by="campaign", breakdown=breakdown), EN, tz=TZ,
                           names={}))  # fmt: skip
    assert rows[0][-2:] == ["Impressions", "Leads per 1,000 impressions"]
    assert [row[:2] for row in rows[1:]] == [
        ["'=SUM(A1:A9)", "'=SUM(A1:A9)"],
        ["'+1 campaign", "'+1 campaign"],
        ["'-black-friday", "'-black-friday"],
        ["'@mention", "'@mention"],
        ["plain, with a comma", "plain, with a comma"],
    ]
    assert [row[-2:] for row in rows[1:]] == [
        ["1000", "5"], ["", ""], ["0", ""], ["500", "4"], ["", ""],
    ]  # fmt: skip
    # Whatever an old import typed as a reason code, no text cell of the funnel starts like
    # a formula; only numbers (a fall, `-8`) do.
    report = made_report(previous_window=made_report().window,
                         previous=figures([50, 40, 20, 15, 8, 3]))  # fmt: skip
    cells = [cell for row in read(report_csv(report, EN, tz=TZ, names={})) for cell in row]
    assert "rejected.-2+3" in cells and "Not a fit: -2+3" in cells
    for cell in cells:
        if cell.startswith(("=", "+", "-", "@")):
            float(cell)


def test_negative_changes_stay_numbers():
    report = made_report(previous_window=made_report().window,
                         previous=figures([50, 40, 20, 15, 8, 3]))  # fmt: skip
    cells = by_code(read(report_csv(report, EN, tz=TZ, names={})))
    assert cells["stage", "lead"][1:4] == ["42", "50", "-8"]
    assert cells["stage", "profiled"][1:4] == ["30", "40", "-10"]


def test_weekdays_and_hours_keep_their_number_beside_their_name():
    days = made_report(by="weekday", breakdown=(BreakdownRow(0, 2, 1, 0, 0.0),
                                                BreakdownRow(6, 1, 0, 0, 0.0)))  # fmt: skip
    rows = read(report_csv(days, ES, tz=TZ, names={}))
    assert rows[0][0] == "Día"
    assert [row[:2] for row in rows[1:]] == [["lunes", "0"], ["domingo", "6"]]
    hours = made_report(by="hour", breakdown=(BreakdownRow(9, 2, 1, 0, 0.0),))
    assert read(report_csv(hours, EN, tz=TZ, names={}))[1][:2] == ["09:00–09:59", "9"]
    folded = made_report(by="zone", breakdown=(BreakdownRow(None, 7, 1, 0, 0.0, folded=3),))
    assert read(report_csv(folded, EN, tz=TZ, names={}))[1][:3] == ["other (3 values)", "", "3"]
