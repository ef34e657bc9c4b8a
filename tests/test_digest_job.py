"""The `weekly-digest` job with a controlled clock: one digest per destination per week in
the outbox, whatever firings and restarts happen; caught up inside its 12-hour grace window,
skipped and logged past it; nothing queued when there is nowhere to send it."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from scheduling import Clock, make_runtime
from sqlmodel import col, select

from bot.config import load_settings
from bot.digest_delivery import JOB_ID, NOWHERE, send_weekly_digest
from bot.runs import RunTakenOver, Turn
from bot.scheduler import Scheduler, build_jobs
from storage import queries
from storage.db import session_scope
from storage.models import JobRun, OutboxEntry

NINE = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo
CHANNEL, CARLA, ALICE = "C0MANAGERS", "U0CARLA", "U0ALICE"


@pytest.fixture
def runtime(database_url, engine):
    runtime = make_runtime(
        database_url, MANAGERS_CHANNEL_ID=CHANNEL, MANAGER_USER_IDS=f"{CARLA},{ALICE}"
    )
    yield runtime
    runtime.engine.dispose()


def scheduler(runtime, clock, name="replica-a") -> Scheduler:
    jobs = [job for job in build_jobs(runtime.settings) if job.id == JOB_ID]
    return Scheduler(runtime, jobs, worker=name, clock=clock)


def queued(runtime, kind: str = "digest") -> list[OutboxEntry]:
    with runtime.sessions() as session:
        statement = select(OutboxEntry).where(OutboxEntry.kind == kind)
        return list(session.exec(statement.order_by(col(OutboxEntry.id))))


def runs(runtime) -> list[tuple[str, str, str | None]]:
    with runtime.sessions() as session:
        rows = session.exec(select(JobRun).where(JobRun.job_id == JOB_ID).order_by(JobRun.id))
        return [(r.period, r.status, r.detail) for r in rows]


def test_the_job_is_built_from_digest_schedule_with_a_twelve_hour_grace():
    settings = load_settings({"DIGEST_SCHEDULE": "fri 17:30"}, dotenv=False)
    [job] = [job for job in build_jobs(settings) if job.id == JOB_ID]
    assert (str(job.when), job.grace) == ("fri 17:30", timedelta(hours=12))


def test_one_digest_per_destination_per_week_across_firings_and_a_restart(runtime):
    clock = Clock(NINE)
    first = scheduler(runtime, clock)
    assert first.keep_lease()  # becoming the holder catches the 09:00 run up
    assert first.fire(JOB_ID) == "already_run"
    digests = queued(runtime)
    assert [e.channel_id for e in digests] == [CHANNEL, CARLA, ALICE]
    assert {e.payload["week"]["start"] for e in digests} == {"2026-11-23"}
    charts = queued(runtime, "digest_chart")
    assert [c.payload["digest_entry"] for c in charts] == [e.id for e in digests]
    assert base64.b64decode(charts[0].payload["png"]).startswith(b"\x89PNG")
    assert [(p, s) for p, s, _detail in runs(runtime)] == [("2026-11-30T09:00", "done")]

    first.stop()  # a restart: a new process on the same database
    clock.now += timedelta(hours=3)
    again = scheduler(runtime, clock, name="replica-b")
    assert again.keep_lease()
    assert again.catch_up() == {JOB_ID: "already_run"}
    assert len(queued(runtime)) == 3

    clock.now = NINE + timedelta(days=7)  # next week's run is a new period
    assert again.fire(JOB_ID) == "done"
    assert [e.payload["week"]["start"] for e in queued(runtime)][3:] == ["2026-11-30"] * 3


def test_a_run_missed_while_down_is_caught_up_inside_the_grace_window(runtime):
    clock = Clock(NINE + timedelta(hours=11, minutes=30))  # 20:30 local: still that Monday
    assert scheduler(runtime, clock).keep_lease()
    assert len(queued(runtime)) == 3
    clock.now += timedelta(minutes=10)  # the first went silent; another replica takes over
    late = scheduler(runtime, clock, name="replica-b")
    assert late.keep_lease()
    assert late.catch_up() == {JOB_ID: "already_run"}
    assert len(queued(runtime)) == 3


def test_a_run_missed_past_the_grace_window_is_skipped_and_logged(runtime, caplog):
    clock = Clock(NINE + timedelta(hours=13))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert scheduler(runtime, clock).keep_lease()
    assert queued(runtime) == []
    [(period, status, detail)] = runs(runtime)
    assert (period, status) == ("2026-11-30T09:00", "skipped") and "past its grace" in detail
    assert "weekly-digest for 2026-11-30T09:00 skipped" in caplog.text


def run_started_by(runtime, worker: str) -> Turn:
    """This week's run recorded as started by `worker`: its turn at it."""
    with session_scope(runtime.sessions) as session:
        run = queries.start_run(session, job_id=JOB_ID, period="2026-11-30T09:00", due_at=NINE,
                                worker=worker, at=NINE)  # fmt: skip
        return Turn(run.id, worker)


def test_a_digest_left_running_by_a_dead_scheduler_is_queued_once_by_the_next(runtime):
    run_started_by(runtime, "replica-died")  # it died before queueing anything
    clock = Clock(NINE + timedelta(minutes=1))
    assert scheduler(runtime, clock, name="replica-b").keep_lease()
    assert [e.channel_id for e in queued(runtime)] == [CHANNEL, CARLA, ALICE]
    assert runs(runtime) == [
        ("2026-11-30T09:00", "done", f"queued for {CHANNEL}, {CARLA}, {ALICE}")
    ]
    with runtime.sessions() as session:
        assert session.exec(select(JobRun)).one().worker == "replica-b"


def test_a_scheduler_cut_off_mid_run_cannot_queue_what_its_successor_queued(runtime):
    cut_off = run_started_by(runtime, "replica-cut-off")
    clock = Clock(NINE + timedelta(minutes=1))
    assert scheduler(runtime, clock, name="replica-b").keep_lease()  # took the run over
    with pytest.raises(RunTakenOver):  # the first one comes back and finishes its work
        send_weekly_digest(runtime, NINE, cut_off)
    assert len(queued(runtime)) == 3 and len(queued(runtime, "digest_chart")) == 3


def test_a_run_sealed_before_its_worker_went_silent_is_not_taken_over(runtime):
    slow = run_started_by(runtime, "replica-slow")
    assert send_weekly_digest(runtime, NINE, slow) == f"queued for {CHANNEL}, {CARLA}, {ALICE}"
    clock = Clock(NINE + timedelta(minutes=1))
    successor = scheduler(runtime, clock, name="replica-b")
    assert successor.keep_lease()
    assert successor.catch_up() == {JOB_ID: "already_run"}
    assert len(queued(runtime)) == 3
    assert [status for _period, status, _detail in runs(runtime)] == ["done"]


def test_nowhere_to_send_it_queues_nothing_and_says_so(database_url, engine):
    runtime = make_runtime(database_url)
    try:
        assert scheduler(runtime, Clock(NINE)).keep_lease()
        assert queued(runtime) == [] and queued(runtime, "digest_chart") == []
        assert runs(runtime) == [("2026-11-30T09:00", "done", NOWHERE)]
    finally:
        runtime.engine.dispose()


def test_the_message_is_rendered_in_the_team_language_when_queued(database_url, engine):
    runtime = make_runtime(database_url, MANAGERS_CHANNEL_ID=CHANNEL, BOT_LOCALE="es")
    try:
        assert scheduler(runtime, Clock(NINE)).keep_lease()
        [digest] = queued(runtime)
        header = digest.payload["message"]["blocks"][0]["text"]["text"]
        assert header == "Resumen semanal · 2026-11-23 a 2026-11-29"
        [chart] = queued(runtime, "digest_chart")
        assert chart.payload["title"].startswith("Embudo · ")
    finally:
        runtime.engine.dispose()
