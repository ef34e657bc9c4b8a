"""The `smarketing` command, run as a user runs it: a separate process in an empty folder."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys


def run(args, cwd, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_review_send_without_a_schedule_says_so_in_one_line_and_fails(tmp_path):
    result = run(["review", "--send"], tmp_path, SLA_REVIEW_SCHEDULE="")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "No SLA review reminder to send: set SLA_REVIEW_SCHEDULE "
        "(e.g. every 2 weeks thu 10:00 from 2026-12-03)."
    )


def test_serve_without_required_settings_exits_with_one_sentence(tmp_path):
    result = run(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-test")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Configuration error: SALES_CHANNEL_ID is required")
    assert "Traceback" not in result.stderr


def test_a_malformed_value_is_reported_in_the_teams_language(tmp_path):
    result = run(["serve"], tmp_path, BOT_LOCALE="es", PORT="abc")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error de configuración: PORT debe ser un número entero; se recibió 'abc'."
    )


def test_settings_are_read_from_a_dotenv_file_in_the_working_folder(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///from-dotenv.db\n")
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").exists()


def test_db_upgrade_creates_the_default_database_in_an_empty_folder(tmp_path):
    result = run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sqlite:///smarketing.db" in result.stdout
    with sqlite3.connect(tmp_path / "smarketing.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"lead", "lead_event", "person", "channel_member", "sent_message"} <= tables


def test_demo_runs_with_no_slack_settings_at_all(tmp_path):
    result = run(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Funnel · the last 90 days" in result.stdout
    # Every sample lead is counted, under the impressions the sample platforms reported.
    assert re.search(r"^Lead +320 +0\.\d%$", result.stdout, re.M)
    assert re.search(r"^Impressions +\d{3},\d{3}$", result.stdout, re.M)
    assert (tmp_path / "smarketing-demo.db").exists()
    assert not (tmp_path / "smarketing.db").exists()


def test_help_speaks_the_teams_language(tmp_path):
    result = run(["--help"], tmp_path, BOT_LOCALE="es")
    assert result.returncode == 0
    assert "ejecuta el bot" in result.stdout and "run the bot" not in result.stdout
