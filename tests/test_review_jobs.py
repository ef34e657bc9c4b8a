"""The SLA-review jobs with a controlled clock: one early reminder and one "starts now"
message per meeting in the managers, marketing and sales channels, whatever firings,
restarts and replicas happen; caught up inside the grace windows, skipped past them; none
while SLA_REVIEW_SCHEDULE is unset; a run's period names the meeting, across a DST change."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scheduling import Clock, make_runtime
from sqlmodel import col, select

from bot import review_delivery
from bot.config import load_settings
from bot.domain.schedule import parse_cadence
from bot.review_delivery import NOWHERE, REMINDER_JOB, START_JOB
from bot.runs import RunTakenOver, Turn
from bot.scheduler import Scheduler, Shifted, build_jobs
from storage import queries
from storage.db import session_scope
from storage.models import JobRun, OutboxEntry

SCHEDULE = "every 2 weeks thu 10:00 from 2026-12-03"
MEETING = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # Thursday 10:00 in São Paulo
NEXT_MEETING = MEETING + timedelta(weeks=2)
CHANNELS = {
    "MANAGERS_CHANNEL_ID": "C0MANAGERS",
    "MARKETING_CHANNEL_ID": "C0MARKETING",
    "SALES_CHANNEL_ID": "C0SALES",
}


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # The jobs build the agenda as the data stands when they run: at the test's time too.
    clock = Clock(MEETING - timedelta(hours=24))
    monkeypatch.setattr(review_delivery, "utcnow", clock)
    return clock


@pytest.fixture
def runtime(database_url, engine):
    runtime = make_runtime(database_url, SLA_REVIEW_SCHEDULE=SCHEDULE, **CHANNELS)
    yield runtime
    runtime.engine.dispose()


def review_jobs(runtime):
    return [job for job in build_jobs(runtime.settings) if job.id in (REMINDER_JOB, START_JOB)]


def scheduler(runtime, clock, name="replica-a") -> Scheduler:
    return Scheduler(runtime, review_jobs(runtime), worker=name, clock=clock)


def messages(runtime) -> list[OutboxEntry]:
    with runtime.sessions() as session:
        statement = select(OutboxEntry).where(OutboxEntry.kind == "message")
        return list(session.exec(statement.order_by(col(OutboxEntry.id))))


def titles(runtime) -> list[tuple[str, str]]:
    return [
        (entry.channel_id, entry.payload["message"]["blocks"][0]["text"]["text"])
        for entry in messages(runtime)
    ]


def runs(runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as session:
        rows = session.exec(select(JobRun).order_by(col(JobRun.id)))
        return [(r.job_id, r.period, r.status) for r in rows]


def test_no_review_jobs_without_a_schedule():
    settings = load_settings({"SLA_REVIEW_REMINDER_BEFORE": "2h"}, dotenv=False)
    assert [job.id for job in build_jobs(settings)] == [
        "housekeeping", "sla-clocks", "sla-sweep", "weekly-digest"
    ]  # fmt: skip


def test_the_jobs_follow_the_cadence_and_the_reminder_span():
    settings = load_settings(
        {"SLA_REVIEW_SCHEDULE": SCHEDULE, "SLA_REVIEW_REMINDER_BEFORE": "1d2h"}, dotenv=False
    )
    jobs = {job.id: job for job in build_jobs(settings)}
    reminder, start = jobs[REMINDER_JOB], jobs[START_JOB]
    assert (str(reminder.when), reminder.grace) == (f"26h before {SCHEDULE}", timedelta(hours=26))
    assert (str(start.when), start.grace) == (SCHEDULE, timedelta(hours=1))


def test_one_reminder_and_one_start_message_per_meeting_across_firings(runtime, clock):
    first = scheduler(runtime, clock)
    assert first.keep_lease()  # the reminder is due now: becoming the holder runs it
    assert first.fire(REMINDER_JOB) == "already_run"
    assert first.fire(START_JOB) == "none_yet"  # no meeting has started yet
    ahead = "SLA review in 24 h · Thursday 2026-12-03 10:00"
    assert titles(runtime) == [(channel, ahead) for channel in CHANNELS.values()]
    buttons = messages(runtime)[0].payload["message"]["blocks"][-2]["elements"]
    assert {button["value"] for button in buttons} == {MEETING.isoformat()}

    clock.now = MEETING
    assert first.fire(START_JOB) == "done"
    assert first.fire(START_JOB) == "already_run"
    assert first.fire(REMINDER_JOB) == "already_run"  # still that meeting's reminder
    starting = "SLA review starts now · Thursday 2026-12-03 10:00"
    assert titles(runtime)[3:] == [(channel, starting) for channel in CHANNELS.values()]

    clock.now = NEXT_MEETING - timedelta(hours=24)
    assert first.fire(REMINDER_JOB) == "done"
    assert first.fire(START_JOB) == "already_run"
    assert len(messages(runtime)) == 9
    assert runs(runtime) == [
        (REMINDER_JOB, "2026-12-03T10:00", "done"),
        (START_JOB, "2026-12-03T10:00", "done"),
        (REMINDER_JOB, "2026-12-17T10:00", "done"),
    ]
    assert {entry.payload["label"] for entry in messages(runtime)[6:]} == {
        "SLA review reminder Thursday 2026-12-17 10:00"
    }


def test_a_restart_inside_the_grace_windows_catches_each_up_once(runtime, clock):
    clock.now = MEETING - timedelta(hours=2)  # the reminder was due 22 h ago: inside 24 h
    first = scheduler(runtime, clock)
    assert first.keep_lease()
    assert [title for _channel, title in titles(runtime)] == [
        "SLA review in 2 h · Thursday 2026-12-03 10:00"
    ] * 3
    first.stop()  # a restart: a new process on the same database

    clock.now = MEETING + timedelta(minutes=50)  # the start was 50 min ago: inside 1 h
    again = scheduler(runtime, clock, name="replica-b")
    assert again.keep_lease()
    assert again.catch_up() == {REMINDER_JOB: "already_run", START_JOB: "already_run"}
    assert len(messages(runtime)) == 6
    assert [status for *_key, status in runs(runtime)] == ["done", "done"]


def test_a_reminder_left_running_is_posted_once_by_whoever_took_it_over(runtime, clock):
    due = MEETING - timedelta(hours=24)
    with session_scope(runtime.sessions) as session:  # replica-a died or was cut off mid-run
        run = queries.start_run(session, job_id=REMINDER_JOB, period="2026-12-03T10:00",
                                due_at=due, worker="replica-a", at=due)  # fmt: skip
        cut_off = Turn(run.id, "replica-a")
    clock.now = due + timedelta(minutes=1)
    assert scheduler(runtime, clock, name="replica-b").keep_lease()
    with pytest.raises(RunTakenOver):
        review_delivery.send_reminder(runtime, due, cut_off)
    assert [title for _channel, title in titles(runtime)] == [
        "SLA review in 23 h 59 min · Thursday 2026-12-03 10:00"
    ] * 3
    assert runs(runtime) == [(REMINDER_JOB, "2026-12-03T10:00", "done")]


def test_a_restart_past_the_grace_windows_skips_and_logs(runtime, clock, caplog):
    clock.now = MEETING + timedelta(hours=2)  # reminder 26 h late, start 2 h late
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert scheduler(runtime, clock).keep_lease()
    assert messages(runtime) == []
    assert runs(runtime) == [
        (REMINDER_JOB, "2026-12-03T10:00", "skipped"),
        (START_JOB, "2026-12-03T10:00", "skipped"),
    ]
    assert "review-start for 2026-12-03T10:00 skipped" in caplog.text


def test_nowhere_to_post_queues_nothing_and_says_so(database_url, engine, clock):
    runtime = make_runtime(database_url, SLA_REVIEW_SCHEDULE=SCHEDULE)
    try:
        assert scheduler(runtime, clock).keep_lease()
        assert messages(runtime) == []
        with runtime.sessions() as session:
            [run] = session.exec(select(JobRun))
        assert (run.job_id, run.status, run.detail) == (REMINDER_JOB, "done", NOWHERE)
    finally:
        runtime.engine.dispose()


def test_the_reminder_is_written_in_the_team_language(database_url, engine, clock):
    runtime = make_runtime(database_url, SLA_REVIEW_SCHEDULE=SCHEDULE, BOT_LOCALE="es", **CHANNELS)
    try:
        assert scheduler(runtime, clock).keep_lease()
        assert titles(runtime)[0][1] == "Revisión del SLA en 24 h · jueves 2026-12-03 10:00"
    finally:
        runtime.engine.dispose()


def test_the_period_names_the_meeting_across_a_dst_change(database_url, engine, monkeypatch):
    # Madrid leaves summer time on Sunday 2026-10-25: 24 h before that 10:00 meeting, the
    # clocks read 11:00 on the Saturday. The reminder's run still names the meeting.
    madrid = ZoneInfo("Europe/Madrid")
    schedule = "every week sun 10:00 from 2026-10-18"
    meeting = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # 10:00 CET
    shifted = Shifted(parse_cadence(schedule), timedelta(hours=24))
    reminder = shifted.next_after(meeting - timedelta(days=2), madrid)
    assert reminder == datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    assert reminder.astimezone(madrid).strftime("%H:%M") == "11:00"
    assert shifted.period_key(reminder, madrid) == "2026-10-25T10:00"
    assert shifted.latest_at_or_before(reminder + timedelta(hours=1), madrid) == reminder

    clock = Clock(reminder)
    monkeypatch.setattr(review_delivery, "utcnow", clock)
    runtime = make_runtime(
        database_url, SLA_REVIEW_SCHEDULE=schedule, BOT_TIMEZONE="Europe/Madrid", **CHANNELS
    )
    try:
        live = scheduler(runtime, clock)
        assert live.keep_lease()
        clock.now = meeting
        assert live.fire(START_JOB) == "done"
        assert runs(runtime) == [
            (REMINDER_JOB, "2026-10-25T10:00", "done"),
            (START_JOB, "2026-10-18T10:00", "skipped"),  # the week before's, long past
            (START_JOB, "2026-10-25T10:00", "done"),
        ]
        assert titles(runtime)[0][1] == "SLA review in 24 h · Sunday 2026-10-25 10:00"
    finally:
        runtime.engine.dispose()


def test_two_replicas_firing_at_once_queue_one_reminder(runtime, clock, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share one PostgreSQL")
    replicas = [scheduler(runtime, clock, name=f"replica-{n}") for n in range(4)]
    for replica in replicas:
        replica._leader = True  # as if each believed it held the lease: the run table decides
    barrier = threading.Barrier(len(replicas))
    outcomes: list[str] = []

    def fire(replica: Scheduler) -> None:
        barrier.wait()
        outcomes.append(replica.fire(REMINDER_JOB))

    threads = [threading.Thread(target=fire, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["already_run"] * 3 + ["done"]
    assert len(messages(runtime)) == 3
