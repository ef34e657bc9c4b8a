"""SLA-review reminders on their way to the teams: queued for delivery, once per meeting.

Two scheduled jobs (`bot.scheduler`) post a meeting's reminder to the managers, marketing
and sales channels: `review-reminder`, `SLA_REVIEW_REMINDER_BEFORE` ahead of the meeting
("SLA review in 24 h"), and `review-start` at its start ("starts now"). Each queues, in one
transaction, one outbox entry per channel holding the reminder rendered in the team's
language; the delivery worker posts each exactly once (`handlers.slack.delivery`).

Both record their run under the meeting's own period key (`2026-12-03T10:00`), so a
restart or a second replica never sends a meeting's reminder twice; the transaction that
queues a reminder also marks its run done (`bot.runs.Turn.seal`). `smarketing review
--send` records its run under the `review-reminder` job and that same key: whichever comes
first posts the early reminder, the other posts nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain import notices
from bot.domain.review import next_meeting, review_agenda
from bot.domain.schedule import parse_cadence, parse_duration
from bot.domain.sla import current_policy
from bot.runs import Turn
from bot.runtime import Runtime
from storage import queries
from storage.db import session_scope
from storage.models import JobRun
from storage.types import utcnow

logger = logging.getLogger(__name__)

REMINDER_JOB = "review-reminder"
START_JOB = "review-start"
# About a meeting's length: an hour after its start, "starts now" is no longer true.
START_GRACE = timedelta(hours=1)
# The run's note when there is no channel to post to (nothing is queued).
NOWHERE = (
    "nowhere to send it: MANAGERS_CHANNEL_ID, MARKETING_CHANNEL_ID and SALES_CHANNEL_ID are empty"
)


def channels(settings: Settings) -> list[str]:
    """Where reminders go: the managers, marketing and sales channels that are set, once each."""
    found = (settings.managers_channel_id, settings.marketing_channel_id, settings.sales_channel_id)
    return list(dict.fromkeys(channel for channel in found if channel))


def reminder_before(settings: Settings) -> timedelta:
    """`SLA_REVIEW_REMINDER_BEFORE`: how long before a meeting its reminder goes out."""
    return parse_duration(settings.sla_review_reminder_before)


def send_reminder(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The `review-reminder` job: `due` is the meeting less the reminder's span."""
    meeting = due + reminder_before(runtime.settings)
    return _send(runtime, turn, meeting=meeting, now=max(due, utcnow()), starting=False)


def send_start(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The `review-start` job: `due` is the meeting's start."""
    return _send(runtime, turn, meeting=due, now=max(due, utcnow()), starting=True)


def _send(runtime: Runtime, turn: Turn, *, meeting: datetime, now: datetime, starting: bool) -> str:
    if not channels(runtime.settings):
        logger.warning("SLA review reminder: %s", NOWHERE)
        return NOWHERE
    queued = queue_reminder(runtime, meeting=meeting, now=now, starting=starting, turn=turn)
    return turn.note([channel for channel, _id in queued])


def queue_reminder(
    runtime: Runtime,
    *,
    meeting: datetime,
    now: datetime,
    starting: bool,
    turn: Turn | None = None,
) -> list[tuple[str, int]]:
    """The agenda of `meeting` as the data stands at `now`, rendered in the team's language
    as its reminder (`starting`: the meeting starts now), queued for every channel in one
    transaction, which also seals `turn`'s run when given (`RunTakenOver`: nothing is
    queued). Returns (channel, outbox entry id) per channel."""
    from handlers.slack.review import build_review_reminder, meeting_when

    settings, _ = runtime.settings, runtime.translate
    tz = settings.timezone
    with runtime.sessions() as session:
        agenda = review_agenda(
            session, now=now, tz=tz, policy=current_policy(session),
            schedule=settings.sla_review_schedule, meeting=meeting,
        )  # fmt: skip
        names = queries.person_names(session)
    message = build_review_reminder(agenda, _, tz=tz, names=names, starting=starting)
    label = _("review.outbox.reminder", when=meeting_when(meeting, _, tz=tz))
    with session_scope(runtime.sessions) as session:
        queued = notices.prebuilt(
            session, destinations=channels(settings), message=message, label=label, at=utcnow()
        )
        if turn is not None:
            turn.seal(session, [channel for channel, _id in queued])
    runtime.outbox_bell.ring()
    return queued


@dataclass(frozen=True)
class MeetingClaim:
    """`review --send`'s turn for the next meeting: the run it records, or the run that
    already sent that meeting's reminder (and then nothing is to be sent)."""

    meeting: datetime
    run_id: int | None
    earlier: JobRun | None


def claim_next_meeting(runtime: Runtime, *, now: datetime, worker: str) -> MeetingClaim:
    """Record a run of `review-reminder` for the next meeting at or after `now`, under the
    period the scheduled reminder uses. When that period already sent its reminder, record
    nothing; when its run sent nothing (skipped, failed, nowhere to send), a run of its own
    under the period with a suffix (`2026-12-03T10:00#2`). `SLA_REVIEW_SCHEDULE` must be set."""
    settings = runtime.settings
    tz = settings.timezone
    meeting = next_meeting(settings.sla_review_schedule, now=now, tz=tz)
    if meeting is None:
        raise ValueError("SLA_REVIEW_SCHEDULE is not set: there is no next meeting")
    period = parse_cadence(settings.sla_review_schedule).period_key(meeting, tz)
    due = meeting - reminder_before(settings)
    with session_scope(runtime.sessions) as session:
        run, earlier = queries.start_run_by_hand(
            session, job_id=REMINDER_JOB, period=period, due_at=due, worker=worker,
            at=utcnow(), nothing_sent=NOWHERE,
        )  # fmt: skip
        return MeetingClaim(meeting, None if run is None else run.id, earlier)
