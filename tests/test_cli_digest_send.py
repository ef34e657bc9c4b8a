"""`smarketing digest --send` as a user runs it (a separate process) against the fake Slack
over loopback HTTP: it posts the last complete week's digest and its chart, a second call
for the same week posts nothing and says why, `--force` posts again, and it refuses when
there is nowhere to send it. Its run is the scheduled run's: the scheduler then has nothing
to do for that week."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from liveserver import run_cli
from slackkit.workspace import BOT_TOKEN, MANAGERS
from sqlmodel import select

from bot.config import load_settings
from bot.digest_delivery import JOB_ID, occurrence_for
from bot.domain.digest import last_week
from bot.domain.schedule import parse_weekly
from bot.runtime import build_runtime
from bot.scheduler import Scheduler, build_jobs
from handlers.slack.delivery import DIGEST_EVENT
from storage.models import JobRun
from storage.types import utcnow

UTC = ZoneInfo("UTC")


@pytest.fixture
def env(fake_slack, database_url, engine) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "MANAGERS_CHANNEL_ID": MANAGERS,
    }


def smarketing(tmp_path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_cli(tmp_path, env, *args)


def week_label() -> str:
    week = last_week(now=utcnow(), tz=UTC, sla_period="month")
    return f"{week.start.date()} to {(week.end - timedelta(days=1)).date()}"


def digests(fake_slack) -> list:
    return [
        m
        for m in fake_slack.messages(MANAGERS)
        if (m.metadata or {}).get("event_type") == DIGEST_EVENT
    ]


def charts_under(fake_slack, digest) -> list:
    return [m for m in fake_slack.messages(MANAGERS) if m.files and m.thread_ts == digest.ts]


def test_send_posts_once_says_so_the_second_time_and_force_posts_again(
    tmp_path, env, fake_slack, database_url
):
    sent = smarketing(tmp_path, env, "digest", "--send")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == (
        f"Posted the digest for {week_label()} to channel {MANAGERS}, with its funnel chart "
        "in the message's thread."
    )
    [digest] = digests(fake_slack)
    assert digest.blocks[0]["text"]["text"] == f"Weekly digest · {week_label()}"
    [chart] = charts_under(fake_slack, digest)
    assert chart.files[0]["title"].startswith(f"Funnel · {week_label()}")

    again = smarketing(tmp_path, env, "digest", "--send")
    assert again.returncode == 1
    assert again.stdout == ""
    message = again.stderr.strip()
    assert message.startswith(f"The digest for {week_label()} was already sent at ")
    assert message.endswith("(UTC); use --force to send it again.")
    assert len(digests(fake_slack)) == 1 and len(fake_slack.files()) == 1

    forced = smarketing(tmp_path, env, "digest", "--send", "--force")
    assert forced.returncode == 0, forced.stderr
    _first, second = digests(fake_slack)
    assert len(charts_under(fake_slack, second)) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 2

    outbox = smarketing(tmp_path, env, "outbox")
    assert f"Weekly digest {week_label().replace(' to ', '…')}" in outbox.stdout

    # The scheduled run for that week finds it sent.
    runtime = build_runtime(load_settings({"DATABASE_URL": database_url}, dotenv=False))
    week = last_week(now=utcnow(), tz=UTC, sla_period="month")
    due = occurrence_for(week, parse_weekly("mon 09:00"), UTC)
    jobs = [job for job in build_jobs(runtime.settings) if job.id == JOB_ID]
    scheduler = Scheduler(runtime, jobs, worker="replica", clock=lambda: due)
    try:
        assert scheduler.keep_lease()
        assert scheduler.catch_up() == {JOB_ID: "already_run"}
        with runtime.sessions() as session:
            periods = [r.period for r in session.exec(select(JobRun).order_by(JobRun.id))]
        period = due.strftime("%Y-%m-%dT%H:%M")
        assert periods == [period, f"{period}#2"]
    finally:
        scheduler.stop()
        runtime.engine.dispose()


def test_send_without_a_destination_is_refused(tmp_path, env, fake_slack):
    result = smarketing(tmp_path, env | {"MANAGERS_CHANNEL_ID": ""}, "digest", "--send")
    assert result.returncode == 2
    assert "MANAGERS_CHANNEL_ID" in result.stderr and "MANAGER_USER_IDS" in result.stderr
    assert fake_slack.calls_to("chat.postMessage") == []


def test_send_without_a_bot_token_is_refused(tmp_path, env, fake_slack):
    result = smarketing(tmp_path, env | {"SLACK_BOT_TOKEN": ""}, "digest", "--send")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert fake_slack.calls == []
