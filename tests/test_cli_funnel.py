"""`smarketing funnel`, run in-process on a real database: the tables `/funnel` shows, the
documented JSON, and a bad `--period` or `--by` refused with `/funnel`'s correction."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from storage.db import session_scope
from storage.models import Lead
from storage.types import utcnow


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
        },
        {
            "value": "U0BRUNO",
            "folded": 0,
            "leads": 1,
            "qualified": 1,
            "won": 0,
            "revenue": 0.0,
            "qualified_share": 1.0,
        },
        {
            "value": None,
            "folded": 0,
            "leads": 1,
            "qualified": 0,
            "won": 0,
            "revenue": 0.0,
            "qualified_share": 0.0,
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


def test_chart_and_csv_say_they_come_later_and_still_print_the_report(smarketing, tmp_path):
    result = smarketing("funnel", "--chart", str(tmp_path / "f.png"))
    assert result.code == 0
    assert result.err.strip() == "--chart and --csv are not available yet; the report follows."
    assert "Stage" in result.out and "No leads were created in this period." in result.out
    assert not (tmp_path / "f.png").exists()
