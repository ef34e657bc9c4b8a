"""`scripts/bench_funnel.py` at a tiny scale: its data, its cross-checks and its report."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def bench():
    """The script as a module (it imports `bench_intake` from beside it, as a script would)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module("bench_funnel")
    finally:
        sys.path.remove(str(SCRIPTS))


def test_a_tiny_run_checks_out_reports_its_ratios_and_reuses_its_file(bench, tmp_path, capsys):
    arguments = ["--leads", "2000", "--runs", "2", "--cache-dir", str(tmp_path)]

    assert bench.main(arguments) == 0
    first = capsys.readouterr().out
    assert bench.main([*arguments, "--runs", "1"]) == 0
    second = capsys.readouterr().out

    assert "ERROR" not in first
    assert "2,000 leads, 10,000 events; generated in" in first
    for name in ("counts, all", "by zone, all", "by campaign, all", "by hour, all"):
        assert f"ratio      {name} / baseline" in first
        assert f"aim        {name} p50 / baseline p50: " in first
    assert "aim        counts, month p95 in ms: " in first
    assert "; reused (generated in" in second
    assert len(list(tmp_path.glob("*.db"))) == 1


def test_the_same_seed_makes_the_same_leads_and_the_events_asked_for(bench):
    created = bench.creation_times(bench.random.Random(3), 300, bench.ZoneInfo("UTC"))

    def chunk(seed: int, events: int):
        return bench.Generator(seed, "sqlite").chunk(1, created, events)

    once, again = chunk(3, 1500), chunk(3, 1500)
    assert [h.row for h in once] == [h.row for h in again]
    assert [h.events for h in once] == [h.events for h in again]
    assert [h.row for h in chunk(4, 1500)] != [h.row for h in once]
    for wanted in (1500, 150, 0):  # more events than the histories hold, and fewer
        assert sum(len(h.events) for h in chunk(3, wanted)) == wanted


def test_the_cross_check_names_a_count_that_differs_from_the_baseline(bench):
    baseline = dict.fromkeys(bench.COUNTED, 10) | {"revenue": 500.0}
    report = baseline | {"won": 9, "revenue": 499.0}

    assert bench.check_counts("counts, all", baseline, baseline) == []
    assert bench.check_counts("counts, all", report, baseline) == [
        "counts, all: won 9 against the baseline's 10",
        "counts, all: revenue 499.00 against the baseline's 500.00",
    ]
