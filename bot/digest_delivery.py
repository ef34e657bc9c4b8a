"""The weekly digest on its way to the managers: queued for delivery, once per week.

The `weekly-digest` job (`bot.scheduler`) and `smarketing digest --send` both queue it here,
in one transaction: one outbox entry per destination (the managers channel, and a direct
message to each of MANAGER_USER_IDS) holding the message rendered in the team's language,
each followed by an entry for its funnel chart, which the delivery worker shares in the
digest's thread once the digest is posted (`handlers.slack.delivery`, exactly once).

Both record their run in the run table under the same job and period, the occurrence of
DIGEST_SCHEDULE that sends the week's digest, so a week goes out once whichever comes first;
`--force` records a run of its own under that period with a suffix (`2026-11-30T09:00#2`).
The transaction that queues the digest also marks its run done (`bot.runs.Turn.seal`): a
run taken over from a worker that was only cut off is queued by one of the two.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain import notices
from bot.domain.digest import Digest, last_week, weekly_digest
from bot.domain.funnel_query import Window
from bot.domain.schedule import Weekly, parse_weekly
from bot.domain.sla import current_policy
from bot.i18n import Translator
from bot.runs import Turn
from bot.runtime import Runtime
from storage import queries
from storage.db import session_scope
from storage.models import JobRun
from storage.types import utcnow

logger = logging.getLogger(__name__)

JOB_ID = "weekly-digest"
# A digest caught up the same morning is still read before the week gets going; a day late,
# the week it describes is old news.
GRACE = timedelta(hours=12)
# The run's note when there is nowhere to send the digest (nothing is queued).
NOWHERE = "nowhere to send it: MANAGERS_CHANNEL_ID and MANAGER_USER_IDS are empty"


@dataclass(frozen=True)
class QueuedDigest:
    """A week's digest in the outbox: per destination, its entry and its chart's."""

    week: Window
    entries: list[tuple[str, int, int | None]]


def destinations(settings: Settings) -> list[str]:
    """Where the digest goes: MANAGERS_CHANNEL_ID, then each of MANAGER_USER_IDS (a DM)."""
    return [d for d in (settings.managers_channel_id, *settings.manager_user_ids) if d]


def send_weekly_digest(runtime: Runtime, due: datetime, turn: Turn) -> str:
    """The `weekly-digest` job: queue the digest of the week before `due` for every
    destination, sealed with the run (`turn`), or note that there is none."""
    if not destinations(runtime.settings):
        logger.warning("weekly digest: %s", NOWHERE)
        return NOWHERE
    queued = queue_digest(runtime, now=due, turn=turn)
    return turn.note([destination for destination, *_ in queued.entries])


def queue_digest(runtime: Runtime, *, now: datetime, turn: Turn | None = None) -> QueuedDigest:
    """Build the digest of the last complete week before `now`, render it (and its chart)
    in the team's language, and queue it for every destination in one transaction, which
    also seals `turn`'s run when given (`RunTakenOver`: nothing is queued)."""
    settings, _ = runtime.settings, runtime.translate
    tz = settings.timezone
    with runtime.sessions() as session:
        digest = weekly_digest(
            session, now=now, tz=tz, policy=current_policy(session),
            sla_review_schedule=settings.sla_review_schedule,
        )  # fmt: skip
        names = queries.person_names(session)
    message, chart = _rendered(digest, _, tz=tz, names=names)
    with session_scope(runtime.sessions) as session:
        entries = notices.digest(
            session, destinations=destinations(settings), message=message,
            week=week_dates(digest.week), chart=chart, at=utcnow(),
        )  # fmt: skip
        if turn is not None:
            turn.seal(session, [destination for destination, *_ in entries])
    runtime.outbox_bell.ring()
    return QueuedDigest(digest.week, entries)


def _rendered(
    digest: Digest, _: Translator, *, tz: ZoneInfo, names: dict[str, str]
) -> tuple[dict, dict]:
    from handlers.funnel_chart import chart_png
    from handlers.slack.digest import build_digest, week_label
    from handlers.slack.files import ALT_TEXT_MAX
    from handlers.slack.funnel import report_as_text

    message = build_digest(digest, _, tz=tz, names=names)
    png = chart_png(digest.funnel, _, tz=tz, names=names)
    chart = {
        "png": base64.b64encode(png).decode("ascii"),
        "title": _("digest.send.chart_title", week=week_label(digest.week, _)),
        "alt_text": report_as_text(digest.funnel, _, tz=tz, names=names)[:ALT_TEXT_MAX],
    }
    return message, chart


def week_dates(week: Window) -> dict[str, str]:
    """A week's local Monday and Sunday, as ISO dates."""
    last = week.end - timedelta(microseconds=1)
    return {
        "start": week.start.astimezone(week.tz).date().isoformat(),
        "end": last.astimezone(week.tz).date().isoformat(),
    }


def occurrence_for(week: Window, schedule: Weekly, tz: ZoneInfo) -> datetime:
    """The run of DIGEST_SCHEDULE that sends `week`'s digest: the first at or after the
    week's end (with `mon 09:00`, the Monday after it at 09:00)."""
    return schedule.next_after(week.end - timedelta(microseconds=1), tz)


@dataclass(frozen=True)
class WeekClaim:
    """`digest --send`'s turn for a week: the run it records, or the run that already sent
    that week's digest (and then nothing is to be sent)."""

    week: Window
    run_id: int | None
    earlier: JobRun | None


def claim_week(runtime: Runtime, *, now: datetime, force: bool, worker: str) -> WeekClaim:
    """Record a run of the digest job for the last complete week before `now`, under the
    period the scheduled run uses; when that period already sent it, record nothing
    unless `force` (a run of its own, under the period with a suffix)."""
    settings = runtime.settings
    tz = settings.timezone
    with runtime.sessions() as session:
        policy = current_policy(session)
    week = last_week(now=now, tz=tz, sla_period=policy.period)
    schedule = parse_weekly(settings.digest_schedule)
    due = occurrence_for(week, schedule, tz)
    period = schedule.period_key(due, tz)
    with session_scope(runtime.sessions) as session:
        run, earlier = queries.start_run_by_hand(
            session, job_id=JOB_ID, period=period, due_at=due, worker=worker, at=utcnow(),
            nothing_sent=NOWHERE, force=force,
        )  # fmt: skip
        return WeekClaim(week, None if run is None else run.id, earlier)
