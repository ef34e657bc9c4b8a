"""`smarketing import FILE`: exports in their own formats, the posting window, the report."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shared_files import sample_path
from sqlmodel import col, select

from bot.config import load_settings
from bot.domain.intake import LeadInput, store_received_leads
from bot.importer import post_cutoff
from bot.runtime import build_runtime
from storage.db import make_engine, session_factory
from storage.models import Lead, OutboxEntry

HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Lifecycle Stage,Create Date"
)


def run_import(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "import", *args],
        cwd=cwd,
        env=environ | {"DATABASE_URL": database_url, "DEFAULT_PHONE_REGION": "MX"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def stored(database_url: str) -> tuple[list[Lead], list[OutboxEntry]]:
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            leads = list(session.exec(select(Lead).order_by(col(Lead.id))))
            outbox = list(session.exec(select(OutboxEntry)))
    finally:
        engine.dispose()
    return leads, outbox


def hubspot_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def recent(hours: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def test_the_hubspot_sample_export_is_imported_as_history(database_url, tmp_path):
    result = run_import(database_url, tmp_path, str(sample_path("hubspot-export.csv")))
    assert result.returncode == 0, result.stderr
    assert "hubspot export" in result.stdout
    assert "New leads: 2 (posted to sales: 0)" in result.stdout
    leads, outbox = stored(database_url)
    assert [(lead.platform, lead.external_id) for lead in leads] == [
        ("hubspot", "1234503"),
        ("hubspot", "1234504"),
    ]
    assert [lead.stage for lead in leads] == ["profiled", "lead"]
    assert outbox == []  # created weeks ago: stored, not posted


def test_the_rdstation_utf16_export_is_read_and_identified_by_email(database_url, tmp_path):
    export = sample_path("rdstation-export.tsv")
    result = run_import(database_url, tmp_path, str(export), "--backfill")
    assert result.returncode == 0, result.stderr
    leads, _ = stored(database_url)
    assert leads and {lead.platform for lead in leads} == {"rdstation"}
    gabriela = next(lead for lead in leads if lead.email == "gabriela.costa@example.com.br")
    assert (gabriela.name, gabriela.company, gabriela.stage) == (
        "Gabriela Costa",
        "Costa Alimentos",
        "profiled",
    )


def test_only_leads_created_inside_the_window_are_posted(database_url, tmp_path):
    export = hubspot_csv(
        tmp_path / "contacts.csv",
        [
            f"1,Ana,Uno,ana@x.example,,Acme,Marketing Qualified Lead,{recent(2)}",
            f"2,Beto,Dos,beto@x.example,,Acme,Marketing Qualified Lead,{recent(24 * 3)}",
            f"3,Caro,Tres,caro@x.example,,Acme,Lead,{recent(1)}",
            "4,Dani,Cuatro,dani@x.example,,Acme,Marketing Qualified Lead,",
        ],
    )
    result = run_import(database_url, tmp_path, str(export))
    assert result.returncode == 0, result.stderr
    assert "New leads: 4 (posted to sales: 2)" in result.stdout
    leads, outbox = stored(database_url)
    posted = {lead.id for lead in leads if lead.external_id in {"1", "4"}}  # 4: no date = now
    assert {entry.lead_id for entry in outbox} == posted


def test_post_since_widens_the_window_and_backfill_posts_nothing(database_url, tmp_path):
    export = hubspot_csv(
        tmp_path / "contacts.csv",
        [f"1,Beto,Dos,beto@x.example,,Acme,Marketing Qualified Lead,{recent(24 * 3)}"],
    )
    widened = run_import(database_url, tmp_path, str(export), "--post-since", "7d")
    assert "posted to sales: 1" in widened.stdout
    export_two = hubspot_csv(
        tmp_path / "more.csv",
        [f"2,Ana,Uno,ana@x.example,,Acme,Marketing Qualified Lead,{recent(1)}"],
    )
    backfill = run_import(database_url, tmp_path, str(export_two), "--backfill")
    assert "posted to sales: 0" in backfill.stdout
    _, outbox = stored(database_url)
    assert len(outbox) == 1


def test_rejected_rows_are_reported_with_their_line_and_the_rest_imported(database_url, tmp_path):
    export = hubspot_csv(
        tmp_path / "contacts.csv",
        [
            "1,Ana,Uno,ana@x.example,,Acme,Lead,",
            "2,Beto,Dos,beto@,,Acme,Lead,",
            "3,,,,,Acme,Lead,",
            "4,Dani,Cuatro,dani@x.example,,Acme,Lead,",
        ],
    )
    result = run_import(database_url, tmp_path, str(export))
    assert result.returncode == 1
    assert "Rejected rows: 2" in result.stdout
    assert "line 3: email: " in result.stdout
    assert "line 4: " in result.stdout
    leads, _ = stored(database_url)
    assert [lead.external_id for lead in leads] == ["1", "4"]


def test_a_dry_run_counts_everything_and_stores_nothing(database_url, tmp_path):
    export = hubspot_csv(
        tmp_path / "contacts.csv",
        ["1,Ana,Uno,ana@x.example,,Acme,Lead,", "1,Ana,Uno,ana@x.example,,Acme,Lead,"],
    )
    result = run_import(database_url, tmp_path, str(export), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "New leads: 1" in result.stdout and "Already known: 1" in result.stdout
    assert "Dry run: nothing was stored." in result.stdout
    assert stored(database_url) == ([], [])


def test_a_lead_from_a_webhook_is_a_duplicate_in_the_same_platforms_export(database_url, tmp_path):
    runtime = build_runtime(load_settings({"DATABASE_URL": database_url}))
    try:
        from storage.db import upgrade

        upgrade(runtime.engine)
        store_received_leads(
            runtime.sessions,
            leads=[LeadInput(platform="hubspot", external_id="1234502", name="Diego Ríos")],
            now=datetime.now(UTC),
        )
    finally:
        runtime.engine.dispose()
    export = hubspot_csv(
        tmp_path / "contacts.csv",
        ["1234502,Diego,Ríos,diego.rios@example.mx,,Ríos Industrial,Lead,"],
    )
    result = run_import(database_url, tmp_path, str(export))
    assert "Already known: 1" in result.stdout and "New leads: 0" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "No such file: missing.csv"),
        (["contacts.csv", "--post-since", "soon"], "--post-since takes a duration"),
    ],
)
def test_usage_errors_are_one_line(database_url, tmp_path, args, message):
    hubspot_csv(tmp_path / "contacts.csv", [])
    result = run_import(database_url, tmp_path, *args)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_post_since_reads_durations_dates_and_timestamps():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    mexico = load_settings({"BOT_TIMEZONE": "America/Mexico_City"}).timezone
    assert post_cutoff(None, now=now, timezone=mexico) == now - timedelta(hours=24)
    assert post_cutoff("36h", now=now, timezone=mexico) == now - timedelta(hours=36)
    assert post_cutoff("7d", now=now, timezone=mexico) == now - timedelta(days=7)
    assert post_cutoff("2026-11-01", now=now, timezone=mexico) == datetime(
        2026, 11, 1, 6, 0, tzinfo=UTC
    )
    assert post_cutoff("2026-11-01T08:00:00+00:00", now=now, timezone=mexico) == datetime(
        2026, 11, 1, 8, 0, tzinfo=UTC
    )
