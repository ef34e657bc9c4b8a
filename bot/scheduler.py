"""Scheduled jobs: what runs when, exactly once per period, on one replica.

APScheduler (3, a `BackgroundScheduler` in `BOT_TIMEZONE`) is only the alarm clock: each
job is armed for its next occurrence, computed by `bot.domain.schedule` in the team's
timezone (so a DST change moves no meeting), and re-armed after it fires. Whether a run is
due is decided by the run table, one row per job and period with a unique key, never by the
scheduler's own next-run time, which re-adding the jobs at start-up resets.

Every `serve` process keeps a scheduler, but only the holder of the scheduler lease (a row
renewed every few seconds) runs jobs. When the holder dies, its lease expires and another
process takes it within `LEASE` plus one renewal; should two ever fire the same job, the
run table lets one run and makes the other a no-op.

A run missed while no process was up is caught up when a process becomes the holder, if it
is still inside the job's grace window; one past the window is recorded as skipped and
logged, never run late. So is a run its worker left running: it lost the lease, so it died
or was cut off, and the new holder takes the run over. A job whose work must not happen
twice seals its run in the transaction that does it (`bot.runs`), so a first worker that
was only cut off cannot commit it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlmodel import Session

from bot import digest_delivery, review_delivery
from bot.config import Settings
from bot.domain.enforcement import sweep
from bot.domain.schedule import Cadence, Weekly, parse_cadence, parse_duration, parse_weekly
from bot.domain.scorecard import store_durations
from bot.domain.sla import current_policy
from bot.runs import RunTakenOver, Turn
from bot.runtime import Runtime
from storage import queries
from storage.db import session_scope
from storage.types import utcnow

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE = timedelta(seconds=30)
RENEW_EVERY = timedelta(seconds=10)
# Processed Slack event ids are kept this long (Slack retries an event for minutes).
EVENT_MEMORY = timedelta(days=1)
# Runs are remembered this long: far beyond any job's grace window.
RUN_MEMORY = timedelta(days=30)


@dataclass(frozen=True)
class Every:
    """Every `interval`, in slots counted from the Unix epoch: `period_key` names the slot."""

    interval: timedelta

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime:
        slots = (moment - _EPOCH) // self.interval
        return _EPOCH + slots * self.interval

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        return self.latest_at_or_before(moment, tz) + self.interval

    def period_key(self, occurrence: datetime, tz: ZoneInfo) -> str:
        # With its UTC offset: the hour a DST change repeats is two slots, not one.
        whole_minutes = self.interval % timedelta(minutes=1) == timedelta(0)
        return occurrence.astimezone(tz).isoformat(
            timespec="minutes" if whole_minutes else "seconds"
        )

    def __str__(self) -> str:
        minutes = int(self.interval.total_seconds() // 60)
        return f"every {minutes // 60}h" if minutes % 60 == 0 else f"every {minutes}m"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Shifted:
    """A cadence's meetings, each moved `before` earlier: a meeting's reminder. Occurrences
    are the shifted instants; `period_key` names the meeting they announce, so a run's key
    reads like the meeting's and stays put whatever `before` is."""

    meetings: Cadence
    before: timedelta

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        meeting = self.meetings.latest_at_or_before(moment + self.before, tz)
        return None if meeting is None else meeting - self.before

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        return self.meetings.next_after(moment + self.before, tz) - self.before

    def period_key(self, occurrence: datetime, tz: ZoneInfo) -> str:
        return self.meetings.period_key(self.meeting_of(occurrence), tz)

    def meeting_of(self, occurrence: datetime) -> datetime:
        """The meeting an occurrence announces."""
        return occurrence + self.before

    def __str__(self) -> str:
        hours, minutes = divmod(int(self.before.total_seconds() // 60), 60)
        span = "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m")) if n)
        return f"{span} before {self.meetings}"


When = Weekly | Cadence | Every | Shifted


@dataclass(frozen=True)
class Job:
    """A scheduled job: its fixed id, when it runs, how late a missed run may still be
    caught up, and the module-level function doing the work (given the runtime, the
    occurrence it runs for and the worker's turn at the run, which a task whose work must
    not be repeated seals; it returns a short note for `smarketing schedule`, or None)."""

    id: str
    when: When
    grace: timedelta
    task: Callable[[Runtime, datetime, Turn], str | None]


# The tasks below without a seal are safe to repeat: a run taken over simply does it again.


def forget_processed_events(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """Housekeeping: forget the Slack event ids handled more than a day before `due`, and
    the records of runs older than `RUN_MEMORY` (a job every minute writes 1,440 a day)."""
    with session_scope(runtime.sessions) as session:
        forgotten = queries.forget_events_before(session, before=due - EVENT_MEMORY)
        runs = queries.forget_runs_before(session, before=due - RUN_MEMORY)
    return f"{forgotten} event ids and {runs} old runs forgotten"


def store_lead_durations(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The SLA's clocks: each lead that reached acceptance or its first touch gets its
    routing delay and response time in business minutes, under the policy in force."""
    with session_scope(runtime.sessions) as session:
        stored = store_durations(
            session, policy=current_policy(session), tz=runtime.settings.timezone
        )
    return f"{stored} durations stored"


def enforce_sla(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The SLA sweep: reminders, escalations, re-offers and give-ups whose deadline passed
    by `due`, each once (`bot.domain.enforcement`)."""
    done = sweep(runtime.sessions, roles=runtime.roles, tz=runtime.settings.timezone, now=due)
    if done:
        runtime.outbox_bell.ring()
    return ", ".join(f"{count} {kind}" for kind, count in sorted(done.items())) or "nothing due"


def send_weekly_digest(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The weekly digest: queued for the managers channel and each manager's DM
    (`bot.digest_delivery`), delivered by the outbox; sealed with its run."""
    return digest_delivery.send_weekly_digest(runtime, due, turn)


def send_review_reminder(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The SLA-review reminder, `SLA_REVIEW_REMINDER_BEFORE` ahead of the meeting, queued
    for the managers, marketing and sales channels (`bot.review_delivery`); sealed."""
    return review_delivery.send_reminder(runtime, due, turn)


def send_review_start(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The SLA-review meeting starts now: its reminder again, for the same channels."""
    return review_delivery.send_start(runtime, due, turn)


def build_jobs(settings: Settings) -> list[Job]:
    """The jobs this configuration runs. Also checks every schedule setting, so a bad value
    stops `serve` at start-up (`ScheduleError`) rather than when its first run comes."""
    meetings = parse_cadence(settings.sla_review_schedule) if settings.sla_review_schedule else None
    before = parse_duration(settings.sla_review_reminder_before)
    review_jobs = []
    if meetings is not None:
        review_jobs = [
            # Grace: the reminder's own span. Caught up any time before the meeting it still
            # tells people it is coming and lets them add items; from its start on, the
            # start message takes over.
            Job(review_delivery.REMINDER_JOB, Shifted(meetings, before), grace=before,
                task=send_review_reminder),
            # Grace 1 h, about a meeting's length: later than that, "starts now" is untrue.
            Job(review_delivery.START_JOB, meetings, grace=review_delivery.START_GRACE,
                task=send_review_start),
        ]  # fmt: skip
    return [
        # Grace: a missed hour is simply done at the next start, within the hour.
        Job("housekeeping", Every(timedelta(hours=1)), grace=timedelta(hours=1),
            task=forget_processed_events),
        # Each run also picks up whatever an earlier one missed: no need to catch up late.
        Job("sla-clocks", Every(timedelta(minutes=1)), grace=timedelta(minutes=1),
            task=store_lead_durations),
        # Each sweep acts on every deadline passed by then: a missed one needs no catch-up.
        Job("sla-sweep", Every(timedelta(seconds=settings.sla_sweep_seconds)),
            grace=timedelta(seconds=settings.sla_sweep_seconds), task=enforce_sla),
        # Grace 12 h: caught up the same morning, a digest is still read before the week
        # gets going; a day late, the week it describes is old news.
        Job(digest_delivery.JOB_ID, parse_weekly(settings.digest_schedule),
            grace=digest_delivery.GRACE, task=send_weekly_digest),
        *review_jobs,
    ]  # fmt: skip


class Scheduler:
    """Runs `jobs` on time, once per period, while this process holds the lease."""

    def __init__(
        self,
        runtime: Runtime,
        jobs: list[Job],
        *,
        worker: str,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.runtime = runtime
        self.jobs = {job.id: job for job in jobs}
        self.worker = worker
        self._clock = clock
        self._tz = runtime.settings.timezone
        self._leader = False
        self._alarm: BackgroundScheduler | None = None

    @property
    def is_leader(self) -> bool:
        return self._leader

    # -- running in `serve` --------------------------------------------------------------

    def start(self) -> None:
        """Arm every job, and take part in the lease (renewed in the background)."""
        self._alarm = BackgroundScheduler(timezone=self._tz)
        self._alarm.start()
        _RUNNING[self.worker] = self
        self._alarm.add_job(
            renew_lease, "interval", seconds=RENEW_EVERY.total_seconds(), args=[self.worker],
            id="scheduler-lease", replace_existing=True, next_run_time=datetime.now(UTC),
        )  # fmt: skip
        for job in self.jobs.values():
            self._arm(job)

    def stop(self) -> None:
        """Stop the alarms and give the lease up, so another process takes over at once."""
        if self._alarm is not None:
            self._alarm.shutdown(wait=False)
        _RUNNING.pop(self.worker, None)
        if self._leader:
            with session_scope(self.runtime.sessions) as session:
                queries.let_go_of_lease(session, name=LEASE_NAME, holder=self.worker)
            self._leader = False

    def _arm(self, job: Job) -> None:
        """Set the job's alarm for its next occurrence after now."""
        if self._alarm is None:
            return
        next_run = job.when.next_after(self._clock(), self._tz)
        self._alarm.add_job(
            fire, DateTrigger(run_date=next_run), args=[self.worker, job.id], id=job.id,
            replace_existing=True, misfire_grace_time=int(job.grace.total_seconds()) or None,
        )  # fmt: skip

    # -- the decisions (tests call these with a controlled clock) ------------------------

    def keep_lease(self) -> bool:
        """Take or renew the lease; on becoming the holder, catch up what was missed."""
        now = self._clock()
        with session_scope(self.runtime.sessions) as session:
            held = queries.hold_lease(
                session, name=LEASE_NAME, holder=self.worker, now=now, until=now + LEASE
            )
        became = held and not self._leader
        self._leader = held
        if became:
            logger.info("scheduler: %s runs the scheduled jobs", self.worker)
            self.catch_up()
        return held

    def catch_up(self) -> dict[str, str]:
        """For each job, its latest occurrence: run it if it has no run yet, or a run
        another worker left running, and is inside the grace window; record it skipped if
        past it. Returns what happened per job."""
        return {job.id: self._due(job, take_over=True) for job in self.jobs.values()
                if self._leader}  # fmt: skip

    def fire(self, job_id: str) -> str:
        """The alarm of `job_id` rang: run its current occurrence if it is due."""
        job = self.jobs[job_id]
        try:
            return self._due(job) if self._leader else "not_leader"
        finally:
            self._arm(job)

    def _due(self, job: Job, *, take_over: bool = False) -> str:
        now = self._clock()
        occurrence = job.when.latest_at_or_before(now, self._tz)
        if occurrence is None:
            return "none_yet"
        period = job.when.period_key(occurrence, self._tz)
        late = now - occurrence
        if late > job.grace:
            return self._skip(job, period, occurrence, late)
        return self._run(job, period, occurrence, take_over=take_over)

    def _start(
        self, session: Session, job: Job, period: str, occurrence: datetime, take_over: bool
    ) -> int | None:
        """Claim the period's run for this worker: its id; or None if it already has one,
        unless `take_over` and another worker left it running."""
        run = queries.start_run(
            session, job_id=job.id, period=period, due_at=occurrence, worker=self.worker,
            at=self._clock(),
        )  # fmt: skip
        if run is not None:
            return run.id
        taken = take_over and queries.take_over_run(
            session, job_id=job.id, period=period, worker=self.worker, at=self._clock()
        )
        if not taken:
            return None
        run_id, previous = taken
        logger.warning("scheduler: %s for %s was left running by %s; %s takes it over",
                       job.id, period, previous, self.worker)  # fmt: skip
        return run_id

    def _run(self, job: Job, period: str, occurrence: datetime, *, take_over: bool) -> str:
        with session_scope(self.runtime.sessions) as session:
            run_id = self._start(session, job, period, occurrence, take_over)
        if run_id is None:
            return "already_run"
        status, detail = "done", None
        try:
            turn = Turn(run_id, self.worker, clock=self._clock)
            detail = job.task(self.runtime, occurrence, turn)
        except RunTakenOver:
            logger.warning("scheduler: %s for %s was taken over by another worker; "
                           "%s left it to them", job.id, period, self.worker)  # fmt: skip
            return "taken_over"
        except Exception as error:
            logger.exception("scheduler: %s for %s failed", job.id, period)
            status, detail = "failed", f"{type(error).__name__}: {error}"[:500]
        # Nothing changes when the task sealed the run, or another worker took it over.
        with session_scope(self.runtime.sessions) as session:
            queries.finish_run(session, run_id=run_id, worker=self.worker, status=status,
                               at=self._clock(), detail=detail)  # fmt: skip
        logger.info("scheduler: %s for %s %s", job.id, period, status)
        return status

    def _skip(self, job: Job, period: str, occurrence: datetime, late: timedelta) -> str:
        with session_scope(self.runtime.sessions) as session:
            run_id = self._start(session, job, period, occurrence, take_over=False)
            if run_id is None:
                return "already_run"
            detail = f"missed by {late}, past its grace of {job.grace}"
            queries.finish_run(session, run_id=run_id, worker=self.worker, status="skipped",
                               at=self._clock(), detail=detail)  # fmt: skip
        logger.warning("scheduler: %s for %s skipped: %s", job.id, period, detail)
        return "skipped"


# The schedulers running in this process, by worker name: the alarms call the module-level
# functions below with plain arguments, as APScheduler's job stores expect.
_RUNNING: dict[str, Scheduler] = {}


def fire(worker: str, job_id: str) -> None:
    scheduler = _RUNNING.get(worker)
    if scheduler is not None:
        scheduler.fire(job_id)


def renew_lease(worker: str) -> None:
    scheduler = _RUNNING.get(worker)
    if scheduler is None:
        return
    try:
        scheduler.keep_lease()
    except Exception:
        logger.exception("scheduler: the lease could not be renewed")
