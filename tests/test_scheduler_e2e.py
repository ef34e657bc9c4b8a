"""The scheduler in real `serve` processes: two replicas on one PostgreSQL run a job once,
and when the one running the jobs is killed, the other takes over within a minute; a bad
schedule stops `serve` with a clear message."""

from __future__ import annotations

import signal
from contextlib import ExitStack

import pytest
from liveserver import run_bot, wait_until
from sqlmodel import select

from storage.models import JobRun, SchedulerLease
from storage.types import utcnow


def lease_holder(sessions) -> str | None:
    with sessions() as session:
        lease = session.get(SchedulerLease, "scheduler")
        return lease.holder if lease is not None and lease.expires_at > utcnow() else None


def housekeeping_runs(sessions) -> list[JobRun]:
    with sessions() as session:
        return list(session.exec(select(JobRun).where(JobRun.job_id == "housekeeping")))


def test_two_replicas_on_postgresql_run_a_job_once_and_the_survivor_takes_over(
    bot_env, database_url, sessions, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share one PostgreSQL")
    with ExitStack() as stack:
        first = stack.enter_context(run_bot(bot_env, tmp_path))
        second = stack.enter_context(run_bot(bot_env, tmp_path))
        holder = wait_until(lambda: lease_holder(sessions), timeout=30)
        [run] = wait_until(lambda: housekeeping_runs(sessions), timeout=30)
        pids = {str(bot.process.pid): bot for bot in (first, second)}
        [leader_pid] = [pid for pid in pids if f":{pid}:" in holder]
        assert run.worker == holder
        survivor = next(bot for pid, bot in pids.items() if pid != leader_pid)

        pids[leader_pid].process.send_signal(signal.SIGKILL)  # no clean hand-over
        new_holder = wait_until(
            lambda: (h := lease_holder(sessions)) and f":{survivor.process.pid}:" in h and h,
            timeout=60,
        )
        wait_until(lambda: "runs the scheduled jobs" in survivor.log(), timeout=10)

    assert new_holder != holder
    [still_one] = housekeeping_runs(sessions)  # the survivor caught up: nothing left to run
    assert (still_one.id, still_one.status) == (run.id, "done")


def test_a_bad_schedule_stops_serve_with_a_message_naming_it(bot_env, tmp_path):
    with run_bot(bot_env | {"DIGEST_SCHEDULE": "monday 25:00"}, tmp_path,
                 expect_healthy=False) as bot:  # fmt: skip
        wait_until(lambda: bot.process.poll() is not None, timeout=30)
        assert bot.process.returncode == 2
        assert "25:00" in bot.log()
