"""The weekly digest from two real `serve` processes on one PostgreSQL: DIGEST_SCHEDULE set to
a minute ago, the replica that takes the scheduler lease catches the run up, and the
managers channel and the manager's DM each get one digest with one chart in its thread."""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
from liveserver import run_bot, wait_until
from slackkit.workspace import CARLA, MANAGERS
from sqlmodel import select

from handlers.slack.delivery import DIGEST_EVENT
from storage.models import JobRun, OutboxEntry

DM_CARLA = "D0CARLA"


def digests(fake_slack, channel: str) -> list:
    return [
        m
        for m in fake_slack.messages(channel)
        if (m.metadata or {}).get("event_type") == DIGEST_EVENT
    ]


def delivered(sessions) -> bool:
    with sessions() as session:
        entries = list(session.exec(select(OutboxEntry)))
    return len(entries) == 4 and all(entry.done_at is not None for entry in entries)


def test_two_replicas_send_one_digest_per_destination(
    bot_env, database_url, sessions, tmp_path, fake_slack
):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share one PostgreSQL")
    a_minute_ago = datetime.now(UTC) - timedelta(minutes=1)
    env = bot_env | {
        "DIGEST_SCHEDULE": a_minute_ago.strftime("%a %H:%M").lower(),
        "MANAGER_USER_IDS": CARLA,
    }
    with ExitStack() as stack:
        stack.enter_context(run_bot(env, tmp_path))
        stack.enter_context(run_bot(env, tmp_path))
        wait_until(lambda: delivered(sessions), timeout=30)
        time.sleep(1.5)  # long enough for a second post or upload to show up, were there one

    for channel in (MANAGERS, DM_CARLA):
        [digest] = digests(fake_slack, channel)
        [chart] = [m for m in fake_slack.messages(channel) if m.files]
        assert chart.thread_ts == digest.ts
    with sessions() as session:
        runs = list(session.exec(select(JobRun).where(JobRun.job_id == "weekly-digest")))
    queued_for = f"queued for {MANAGERS}, {CARLA}"
    assert [(run.status, run.detail) for run in runs] == [("done", queued_for)]
