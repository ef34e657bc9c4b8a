"""`smarketing funnel`, run in-process on a real database: the tables `/funnel` shows, the
documented JSON, and a bad `--period` or `--by` refused with `/funnel`'s correction."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta

import pytest

from storage.db import session_scope
from storage.models import Lead
from storage.types import utcnow

pytestmark = pytest.mark.any_backend


@pytest.fixture
def leads(sessions) -> None:
    """This week: a lead Ana won for 5,000 (North), one Bruno lost on price (North), one
    profiled (South); eight days ago, one captured lead."""
    now = utcnow()
    with session_scope(sessions) as session:
        session.add_all(
            [
                Lead(name="Won", created_at=now - timedelta(hours=1), stage="won",
                     won_value=5000, owner_id="U0ANA", zone="North", response_minutes=30),
                Lead(name="Lost", created_at=now - timedelta(hours=2), stage="qualified",
                     exit="lost", exit_reason="price", owner_id="U0BRUNO", zone="North",
                     response_minutes=90),
                Lead(name="New", created_at=now - timedelta(hours=3), stage="profiled",
                     zone="South"),
                Lead(name="Old", created_at=now - timedelta(days=8), stage="lead"),
            ]
        )  # fmt: skip


def rows(text: str) -> dict[str, list[str]]:
    """Table rows by their first column (cells are two or more spaces apart)."""
    split = (re.split(r"\s{2,}", line.strip()) for line in text.splitlines())
    return {cells[0]: cells[1:] for cells in split if len(cells) > 1}


def test_the_funnel_prints_the_same_tables_as_slack(smarketing, leads):
    result = smarketing("funnel", "--period", "7d", "--by", "zone")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0].startswith("Funnel · last 7 days (")
    table = rows(result.out)
    assert table["Stage"] == ["Leads", "Change", "Of previous", "Of all"]
    assert table["Lead"] == ["3", "+2"]
    assert table["Profiled (MQL)"] == ["3", "+3", "100.0%", "100.0%"]
    assert table["Qualified (SQL)"] == ["2", "+2", "100.0%", "66.7%"]
    assert table["Won"] == ["1", "+1", "50.0%", "33.3%"]
    assert table["North"] == ["2", "2", "1", "5,000", "100.0%"]
    assert table["South"] == ["1", "0", "0", "0", "0.0%"]
    assert "  Lost: 1 — Price 1" in lines
    assert "Response time (accepted → first touch): 1 h, the exact median over 2 leads" in lines
    assert lines[-1] == "Days and hours in UTC; clocks in business time."


def test_the_funnel_speaks_the_teams_language(smarketing, leads, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    result = smarketing("funnel", "--period", "ultimos 7 dias", "--by", "dia")
    assert result.code == 0, result.err
    table = rows(result.out)
    assert table["Perfilado (MQL)"] == ["3", "+3", "100.0%", "100.0%"]
    days = {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"}
    assert sum(int(cells[0]) for day, cells in table.items() if day in days) == 3
    assert "Por día" in result.out


def test_json_has_the_documented_shape_in_the_teams_timezone(smarketing, leads, monkeypatch):
    monkeypatch.setenv("BOT_TIMEZONE", "America/Sao_Paulo")
    result = smarketing("funnel", "--period", "7d", "--by", "seller", "--json")
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    assert set(report) == {
        "window", "previous_window", "current", "previous", "sla", "by", "breakdown",
    }  # fmt: skip
    window = report["window"]
    assert window["timezone"] == "America/Sao_Paulo"
    assert window["label"].startswith("last 7 days (")
    start = datetime.fromisoformat(window["start"])
    assert start.utcoffset() == timedelta(hours=-3) and (start.hour, start.minute) == (0, 0)
    assert datetime.fromisoformat(report["previous_window"]["end"]) == start

    current = report["current"]
    assert current["leads"] == 3
    assert list(current["stages"]) == [
        "lead", "profiled", "accepted", "contacted", "qualified", "won",
    ]  # fmt: skip
    assert current["stages"]["lead"] == {"leads": 3, "of_previous": None, "of_first": None}
    assert current["stages"]["won"] == {"leads": 1, "of_previous": 0.5, "of_first": 1 / 3}
    assert current["exits"]["lost"] == {
        "leads": 1,
        "top_reasons": [{"reason": "price", "leads": 1}],
    }
    assert current["exits"]["rejected"] == {"leads": 0, "top_reasons": []}
    assert current["revenue"] == 5000
    assert current["platform"] is None  # no platform figures stored
    assert current["medians"] == {
        "profile": {"minutes": None, "leads": 0},
        "routing": {"minutes": None, "leads": 0},
        "response": {"minutes": 60.0, "leads": 2},
        "contact": {"minutes": None, "leads": 0},
        "qualify": {"minutes": None, "leads": 0},
        "win": {"minutes": None, "leads": 0},
    }
    assert report["previous"]["leads"] == 1
    assert report["sla"] == {"profiled": 3, "needed": None}  # no revenue goal set
    assert report["by"] == "seller"
    # Ties in order of value, leads without one last.
    assert report["breakdown"] == [
        {
            "value": "U0ANA",
            "folded": 0,
            "leads": 1,
            "qualified": 1,
            "won": 1,
            "revenue": 5000.0,
            "qualified_share": 1.0,
            "impressions": None,
        },
        {
            "value": "U0BRUNO",
            "folded": 0,
            "leads": 1,
            "qualified": 1,
            "won": 0,
            "revenue": 0.0,
            "qualified_share": 1.0,
            "impressions": None,
        },
        {
            "value": None,
            "folded": 0,
            "leads": 1,
            "qualified": 0,
            "won": 0,
            "revenue": 0.0,
            "qualified_share": 0.0,
            "impressions": None,
        },
    ]


def test_all_time_has_nothing_to_compare_with(smarketing, leads):
    report = json.loads(smarketing("funnel", "--period", "all", "--json").out)
    assert report["current"]["leads"] == 4
    assert (report["previous_window"], report["previous"], report["breakdown"]) == (None, None, [])
    text = smarketing("funnel", "--period", "all").out
    assert rows(text)["Stage"] == ["Leads", "Of previous", "Of all"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--period", "lastmonth"], "I did not understand `lastmonth`."),
        (["--period", "2026-13"], "`2026-13` is not a month: write it as YYYY-MM, e.g. 2026-10."),
        (["--period", "7d by zone"], "--period takes one period, like 30d, last-month or"),
        (["--by", "colour"], "The funnel cannot be broken down by `colour`; choose one of: zone"),
        (["--by", "zone chart"], "--by takes one breakdown, one of: zone, age, service"),
    ],
    ids=["unknown-word", "bad-month", "period-with-a-breakdown", "unknown-by", "by-with-more"],
)
def test_a_bad_period_or_breakdown_exits_2_with_the_correction(smarketing, args, said):
    result = smarketing("funnel", *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(said)
    assert len(result.err.strip().splitlines()) == 1


def test_chart_and_csv_are_written_beside_the_report(smarketing, leads, tmp_path):
    result = smarketing(
        "funnel", "--period", "7d", "--by", "zone", "--chart", "f.png", "--csv", "f.csv"
    )
    assert result.code == 0
    assert rows(result.out)["North"] == ["2", "2", "1", "5,000", "100.0%"]  # still printed
    assert result.err.splitlines() == [
        f"Chart written to {tmp_path / 'f.png'}",
        f"CSV written to {tmp_path / 'f.csv'}",
    ]
    png = (tmp_path / "f.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    exported = (tmp_path / "f.csv").read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert lines[0][:4] == ["Zone", "Value as stored", "Values folded into the row", "Leads"]
    assert [line[:4] for line in lines[1:]] == [["North", "North", "0", "2"],
                                                ["South", "South", "0", "1"]]  # fmt: skip


def test_the_csv_goes_with_json_too_and_in_the_teams_language(
    smarketing, leads, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOT_LOCALE", "es")
    (tmp_path / "out").mkdir()
    result = smarketing("funnel", "--period", "7d", "--json", "--csv", "out/embudo.csv")
    assert result.code == 0
    assert json.loads(result.out)["current"]["leads"] == 3
    assert result.err.splitlines() == [f"CSV guardado en {tmp_path / 'out' / 'embudo.csv'}"]
    text = (tmp_path / "out" / "embudo.csv").read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[0][:3] == ["Sección", "Código", "Nombre"]
    stages = {line[1]: line[3:6] for line in lines if line[0] == "stage"}
    assert stages["lead"] == ["3", "1", "2"]  # 3 this week, 1 the week before
    assert stages["won"] == ["1", "0", "1"]


def test_a_file_that_cannot_be_written_is_said_and_exits_1(smarketing, tmp_path):
    result = smarketing("funnel", "--chart", str(tmp_path / "missing" / "f.png"))
    assert result.code == 1
    assert "No leads were created in this period." in result.out
    assert result.err.strip() == (
        f"Could not write {tmp_path / 'missing' / 'f.png'}: No such file or directory"
    )
