"""`smarketing review --send` as a user runs it (a separate process) against the fake Slack
over loopback HTTP: it posts the next meeting's reminder to the managers, marketing and
sales channels; a second call posts nothing and says why; it refuses without a schedule or
a channel. Its run is the scheduled reminder's: the scheduler then has nothing to send."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from liveserver import run_cli
from slackkit.workspace import BOT_TOKEN, MANAGERS, MARKETING, SALES
from sqlmodel import select

from bot.config import load_settings
from bot.domain.review import next_meeting
from bot.review_delivery import REMINDER_JOB
from bot.runtime import build_runtime
from bot.scheduler import Scheduler, build_jobs
from handlers.slack import ids
from handlers.slack.delivery import MESSAGE_EVENT
from storage.models import JobRun


@pytest.fixture
def env(fake_slack, database_url, engine) -> dict[str, str]:
    # Every week, two hours from now, from a week before: the next meeting is that one.
    ahead = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    first = ahead - timedelta(weeks=1)
    schedule = f"every week {first:%a} {first:%H:%M} from {first.date().isoformat()}".lower()
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "MANAGERS_CHANNEL_ID": MANAGERS,
        "MARKETING_CHANNEL_ID": MARKETING,
        "SALES_CHANNEL_ID": SALES,
        "SLA_REVIEW_SCHEDULE": schedule,
    }


def smarketing(tmp_path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_cli(tmp_path, env, *args)


def reminders(fake_slack, channel: str) -> list:
    return [
        m
        for m in fake_slack.messages(channel)
        if (m.metadata or {}).get("event_type") == MESSAGE_EVENT
    ]


def test_send_posts_to_the_three_channels_once(tmp_path, env, fake_slack, database_url):
    meeting = next_meeting(env["SLA_REVIEW_SCHEDULE"], now=datetime.now(UTC), tz=UTC)
    when = f"{meeting:%A} {meeting:%Y-%m-%d %H:%M}"
    sent = smarketing(tmp_path, env, "review", "--send")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.splitlines() == [
        f"Posted the reminder for the SLA review of {when} to channel {channel}."
        for channel in (MANAGERS, MARKETING, SALES)
    ]
    for channel in (MANAGERS, MARKETING, SALES):
        [reminder] = reminders(fake_slack, channel)
        assert reminder.blocks[0]["text"]["text"].startswith("SLA review in ")
        assert reminder.blocks[0]["text"]["text"].endswith(f" · {when}")
        [actions] = [b for b in reminder.blocks if b.get("block_id") == ids.REVIEW_ACTIONS]
        assert {e["value"] for e in actions["elements"]} == {meeting.isoformat()}

    again = smarketing(tmp_path, env, "review", "--send")
    assert (again.returncode, again.stdout) == (1, "")
    message = again.stderr.strip()
    assert message.startswith(f"The reminder for the SLA review of {when} was already sent at ")
    assert message.endswith("(UTC); it goes out once per meeting.")
    assert len(fake_slack.calls_to("chat.postMessage")) == 3

    outbox = smarketing(tmp_path, env, "outbox")
    assert f"SLA review reminder {when}" in outbox.stdout

    # The scheduled reminder for that meeting finds it sent.
    settings = load_settings({"DATABASE_URL": database_url, **env}, dotenv=False)
    runtime = build_runtime(settings)
    jobs = [job for job in build_jobs(settings) if job.id == REMINDER_JOB]
    scheduler = Scheduler(runtime, jobs, worker="replica", clock=lambda: meeting)
    try:
        assert scheduler.keep_lease()
        assert scheduler.catch_up() == {REMINDER_JOB: "already_run"}
        with runtime.sessions() as session:
            [run] = session.exec(select(JobRun))
        assert (run.job_id, run.period) == (REMINDER_JOB, f"{meeting:%Y-%m-%dT%H:%M}")
    finally:
        scheduler.stop()
        runtime.engine.dispose()


def test_send_without_a_schedule_is_refused(tmp_path, env, fake_slack):
    result = smarketing(tmp_path, env | {"SLA_REVIEW_SCHEDULE": ""}, "review", "--send")
    assert result.returncode == 2
    assert "SLA_REVIEW_SCHEDULE" in result.stderr
    assert fake_slack.calls_to("chat.postMessage") == []


def test_send_without_a_channel_is_refused(tmp_path, env, fake_slack):
    none = {"MANAGERS_CHANNEL_ID": "", "MARKETING_CHANNEL_ID": "", "SALES_CHANNEL_ID": ""}
    result = smarketing(tmp_path, env | none, "review", "--send")
    assert result.returncode == 2
    for name in ("MANAGERS_CHANNEL_ID", "MARKETING_CHANNEL_ID", "SALES_CHANNEL_ID"):
        assert name in result.stderr
    assert fake_slack.calls_to("chat.postMessage") == []
