"""The scheduler's decisions with a controlled clock: a run per job and period, caught up
after downtime inside its grace window and skipped past it, and one lease holder among
replicas, taken over when the holder goes silent."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from liveserver import wait_until
from scheduling import Clock
from sqlmodel import select

from bot.config import load_settings
from bot.domain.schedule import parse_weekly
from bot.runs import Turn
from bot.runtime import build_runtime
from bot.scheduler import LEASE, Every, Job, Scheduler, build_jobs, forget_processed_events
from storage import queries
from storage.db import session_scope
from storage.models import JobRun

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday


class Work:
    """A job's task that remembers each occurrence it ran for."""

    def __init__(self, fail: bool = False):
        self.done: list[datetime] = []
        self.fail = fail

    def __call__(self, runtime, due: datetime, turn: Turn) -> str:
        self.done.append(due)
        if self.fail:
            raise RuntimeError("the digest could not be built")
        return "ok"


@pytest.fixture
def runtime(database_url, engine):
    runtime = build_runtime(
        load_settings({"DATABASE_URL": database_url, "BOT_TIMEZONE": "America/Sao_Paulo"})
    )
    yield runtime
    runtime.engine.dispose()


def scheduler(runtime, jobs, clock, name="replica-a") -> Scheduler:
    return Scheduler(runtime, jobs, worker=name, clock=clock)


def runs(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        rows = session.exec(select(JobRun).order_by(JobRun.id)).all()
        return [(r.job_id, r.period, r.status) for r in rows]


def weekly_digest(work: Work) -> Job:
    # Monday 09:00 in São Paulo is 12:00 UTC; caught up within 6 hours.
    return Job("digest", parse_weekly("mon 09:00"), grace=timedelta(hours=6), task=work)


def test_a_run_missed_while_down_is_caught_up_once_after_a_restart(runtime):
    work, clock = Work(), Clock(START + timedelta(hours=5))  # 13:00 UTC, 1 h after 09:00 local
    first = scheduler(runtime, [weekly_digest(work)], clock)
    assert first.keep_lease()  # becoming the holder catches up
    assert work.done == [datetime(2026, 11, 30, 12, 0, tzinfo=UTC)]
    assert runs(runtime) == [("digest", "2026-11-30T09:00", "done")]

    first.stop()  # a restart: a new process, the same database
    clock.now += timedelta(minutes=30)
    again = scheduler(runtime, [weekly_digest(work)], clock, name="replica-a2")
    assert again.keep_lease()
    assert again.catch_up() == {"digest": "already_run"}
    assert len(work.done) == 1


def test_a_run_missed_past_its_grace_is_skipped_and_recorded(runtime):
    work, clock = Work(), Clock(START + timedelta(hours=11))  # 7 h after 09:00 local
    assert scheduler(runtime, [weekly_digest(work)], clock).keep_lease()
    assert work.done == []
    assert runs(runtime) == [("digest", "2026-11-30T09:00", "skipped")]


def test_the_same_occurrence_fired_twice_runs_once(runtime):
    work, clock = Work(), Clock(START + timedelta(hours=4))  # exactly 09:00 local
    one = scheduler(runtime, [weekly_digest(work)], clock)
    assert one.keep_lease()
    assert one.fire("digest") == "already_run"  # the alarm after the catch-up
    assert one.fire("digest") == "already_run"
    assert len(work.done) == 1
    clock.now += timedelta(days=7)
    assert one.fire("digest") == "done"  # next week's is a new period
    assert [r[1] for r in runs(runtime)] == ["2026-11-30T09:00", "2026-12-07T09:00"]


def test_a_failed_run_is_recorded_with_why_and_not_repeated_for_its_period(runtime):
    work, clock = Work(fail=True), Clock(START + timedelta(hours=4))
    one = scheduler(runtime, [weekly_digest(work)], clock)
    one.keep_lease()
    assert runs(runtime) == [("digest", "2026-11-30T09:00", "failed")]
    assert one.fire("digest") == "already_run"
    with runtime.sessions() as session:
        assert "could not be built" in session.exec(select(JobRun)).one().detail


def left_running(runtime, job_id: str, period: str, due: datetime, worker: str) -> None:
    """A run recorded as started by `worker`, which then died before finishing it."""
    with session_scope(runtime.sessions) as session:
        queries.start_run(session, job_id=job_id, period=period, due_at=due, worker=worker,
                          at=due)  # fmt: skip


def workers(runtime) -> list[tuple[str, str | None]]:
    with runtime.sessions() as session:
        return [(r.status, r.worker) for r in session.exec(select(JobRun).order_by(JobRun.id))]


def test_a_run_left_running_by_a_dead_holder_is_taken_over_by_the_next(runtime):
    work, clock = Work(), Clock(START + timedelta(hours=5))  # 1 h after 09:00 local
    nine = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    left_running(runtime, "digest", "2026-11-30T09:00", nine, "replica-dead")
    next_holder = scheduler(runtime, [weekly_digest(work)], clock, "replica-b")
    assert next_holder.keep_lease()  # becoming the holder catches up, taking the run over
    assert work.done == [nine]
    assert workers(runtime) == [("done", "replica-b")]
    assert next_holder.catch_up() == {"digest": "already_run"}
    assert len(work.done) == 1


def test_only_catching_up_takes_a_run_over_and_never_one_past_its_grace(runtime):
    work, clock = Work(), Clock(START + timedelta(hours=5))
    nine = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    left_running(runtime, "digest", "2026-11-30T09:00", nine, "replica-busy")
    holder = scheduler(runtime, [weekly_digest(work)], clock)
    holder._leader = True  # the holder already: its alarm rings while the run is running
    assert holder.fire("digest") == "already_run"
    clock.now = START + timedelta(hours=11)  # 7 h late, past the 6 h grace
    late = scheduler(runtime, [weekly_digest(work)], clock, "replica-late")
    assert late.keep_lease()
    assert late.catch_up() == {"digest": "already_run"}
    assert work.done == [] and workers(runtime) == [("running", "replica-busy")]


def test_a_worker_whose_run_was_taken_over_cannot_end_it(runtime):
    clock = Clock(START + timedelta(hours=5))
    nine = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    left_running(runtime, "digest", "2026-11-30T09:00", nine, "replica-cut-off")
    with session_scope(runtime.sessions) as session:
        [run] = session.exec(select(JobRun)).all()
        taken = queries.take_over_run(session, job_id="digest", period="2026-11-30T09:00",
                                      worker="replica-b", at=clock.now)  # fmt: skip
        assert taken == (run.id, "replica-cut-off")
        assert queries.take_over_run(session, job_id="digest", period="2026-11-30T09:00",
                                     worker="replica-b", at=clock.now) is None  # fmt: skip
    with session_scope(runtime.sessions) as session:
        assert not queries.finish_run(session, run_id=run.id, worker="replica-cut-off",
                                      status="failed", at=clock.now)  # fmt: skip
        assert queries.finish_run(session, run_id=run.id, worker="replica-b", status="done",
                                  at=clock.now)  # fmt: skip
    with session_scope(runtime.sessions) as session:  # an ended run is nobody's to take
        assert queries.take_over_run(session, job_id="digest", period="2026-11-30T09:00",
                                     worker="replica-c", at=clock.now) is None  # fmt: skip
    assert workers(runtime) == [("done", "replica-b")]


def test_only_the_lease_holder_runs_jobs_and_another_takes_over_when_it_goes_silent(runtime):
    hourly_a, hourly_b = Work(), Work()
    clock = Clock(START)
    a = scheduler(runtime, [Job("tick", Every(timedelta(hours=1)), timedelta(hours=1),
                                hourly_a)], clock, "replica-a")  # fmt: skip
    b = scheduler(runtime, [Job("tick", Every(timedelta(hours=1)), timedelta(hours=1),
                                hourly_b)], clock, "replica-b")  # fmt: skip
    assert a.keep_lease() and not b.keep_lease()
    assert (a.fire("tick"), b.fire("tick")) == ("already_run", "not_leader")
    clock.now += timedelta(hours=1)
    assert a.keep_lease()  # A renews as it goes (every few seconds in `serve`)
    assert (b.fire("tick"), a.fire("tick")) == ("not_leader", "done")
    assert len(hourly_a.done) == 2 and hourly_b.done == []

    # A stops renewing (killed); once its lease has expired, B takes it and catches up.
    clock.now += timedelta(hours=1)
    assert a.keep_lease()  # its last renewal
    assert not b.keep_lease()  # A's lease is still current
    clock.now += LEASE + timedelta(seconds=1)
    assert b.keep_lease()
    assert hourly_b.done == [START + timedelta(hours=2)]
    assert not a.keep_lease()  # A comes back: B holds it now
    assert a.fire("tick") == "not_leader"


def test_a_clean_stop_hands_the_lease_over_at_once(runtime):
    clock = Clock(START)
    a, b = scheduler(runtime, [], clock, "replica-a"), scheduler(runtime, [], clock, "replica-b")
    assert a.keep_lease()
    a.stop()
    assert b.keep_lease()


def test_the_configured_schedules_are_checked_when_the_jobs_are_built():
    settings = load_settings({"DIGEST_SCHEDULE": "mon 09:00"})
    assert [job.id for job in build_jobs(settings)] == [
        "housekeeping", "sla-clocks", "sla-sweep", "weekly-digest"
    ]  # fmt: skip
    for bad in (
        {"DIGEST_SCHEDULE": "funday 09:00"},
        {"SLA_REVIEW_SCHEDULE": "every 2 weeks thu 10:00 from 2026-12-04"},  # a Friday
        {"SLA_REVIEW_REMINDER_BEFORE": "24x"},
    ):
        with pytest.raises(ValueError):
            build_jobs(load_settings(bad))


def test_started_the_alarms_run_each_new_period_and_rearm(runtime):
    work = Work()
    live = Scheduler(
        runtime, [Job("tick", Every(timedelta(seconds=1)), timedelta(seconds=1), work)],
        worker="replica-live",
    )  # fmt: skip
    live.start()  # takes the lease at once, then each alarm sets the next
    try:
        wait_until(lambda: len(work.done) >= 3, timeout=15)
    finally:
        live.stop()
    periods = [period for _job, period, status in runs(runtime) if status == "done"]
    assert len(periods) == len(set(periods)) >= 3
    assert all(b - a == timedelta(seconds=1) for a, b in itertools.pairwise(work.done))


def test_housekeeping_forgets_runs_older_than_a_month(runtime):
    work, clock = Work(), Clock(START)
    hourly = Job("tick", Every(timedelta(hours=1)), timedelta(hours=1), work)
    one = scheduler(runtime, [hourly], clock)
    one.keep_lease()  # the run of START's hour
    clock.now += timedelta(days=31)
    assert one.fire("tick") == "done"
    note = forget_processed_events(runtime, clock.now, Turn(0, "replica-a"))
    assert note == "0 event ids and 1 old runs forgotten"
    assert [period for _job, period, _status in runs(runtime)] == ["2026-12-31T05:00-03:00"]
