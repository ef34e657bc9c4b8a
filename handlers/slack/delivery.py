"""The delivery worker: outbox entries become Slack messages, exactly once, at Slack's pace.

Every `serve` process runs one. It leases due entries from the outbox (row locks keep two
processes off the same entry), decides each one's channel from the routing rules, and
keeps a lane per channel: one post in flight per channel, about one a second, a 429 pausing
that lane alone for its `Retry-After`. A few posters work different channels at once, so a
slow or failing channel never holds the others up, and nothing here runs on a request's
thread.

Exactly once rests on two marks in the database. Just before a post is sent, the entry is
marked as posting; when Slack answers with the message, the entry is marked done and the
message's (channel, ts) is stored, in one transaction. Each post carries the entry's id in
its message metadata. An entry taken while still marked as posting — its last try timed
out, lost its connection, or its process was killed — is first looked for in the channel's
history; only when it is not there is it posted again. A lead is never dropped: every
failure only moves its next try later (`bot.domain.delivery`).

The weekly digest is posted the same way (it concerns no lead, and its message was rendered
when queued), and so are the SLA-review reminders and the lines under them. The digest's
funnel chart waits for it, then is uploaded into its thread, and after an uncertain upload
the thread is searched for a file of the chart's title first.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum, auto
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import notices
from bot.domain.delivery import Failure, retry_delay
from bot.domain.enforcement import LeadChanged, first_touch_clock, offer_new_lead
from bot.domain.routing import Route, channel_for
from bot.domain.sla import current_policy
from bot.runtime import Runtime
from handlers.slack.card import build_card
from handlers.slack.feedback import build_feedback
from handlers.slack.notices import build_direct, render_notice
from storage import queries
from storage.db import session_scope
from storage.models import (
    ALERT_MESSAGE,
    CARD_MESSAGE,
    DIGEST_MESSAGE,
    DIRECT_MESSAGE,
    FEEDBACK_MESSAGE,
    PREBUILT_MESSAGE,
    THREAD_MESSAGE,
    Lead,
    OutboxEntry,
    SentMessage,
)
from storage.types import utcnow

logger = logging.getLogger(__name__)

# Slack: about one message per second per channel.
POST_INTERVAL_SECONDS = 1.0
# Channels posted to at the same time (one post in flight per channel).
POSTERS = 4
CLAIM_EVERY_SECONDS = 0.5
MAX_CLAIM_PAUSE = 30.0
CLAIM_BATCH = 50
# More than a minute of posts waiting for one channel: take no more for it for now.
LANE_DEPTH = 60
# A process that dies holds its entries this long at most; the living renew every 10 s.
LEASE = timedelta(seconds=30)
RENEW_EVERY_SECONDS = 10.0
# A post starts only with this much lease left: more than a post can take (10 s timeout).
LEASE_MARGIN = timedelta(seconds=15)
# How far before the uncertain post the history is searched, and how many pages at most.
HISTORY_MARGIN = timedelta(minutes=1)
HISTORY_PAGES = 10
HISTORY_PAGE_SIZE = 200

MESSAGE_KINDS = {
    notices.LEAD_CARD: CARD_MESSAGE,
    notices.THREAD_LINE: THREAD_MESSAGE,
    notices.FEEDBACK: FEEDBACK_MESSAGE,
    notices.DIRECT: DIRECT_MESSAGE,
    notices.ALERT: ALERT_MESSAGE,
    notices.DIGEST: DIGEST_MESSAGE,
    notices.MESSAGE: PREBUILT_MESSAGE,
}
# The metadata event types that tag every card and thread line with its outbox entry.
CARD_EVENT = "smarketing_lead_card"
THREAD_EVENT = "smarketing_thread_line"
FEEDBACK_EVENT = "smarketing_feedback"
DIRECT_EVENT = "smarketing_direct"
ALERT_EVENT = "smarketing_alert"
DIGEST_EVENT = "smarketing_digest"
MESSAGE_EVENT = "smarketing_message"
OUR_EVENTS = frozenset(
    {CARD_EVENT, THREAD_EVENT, FEEDBACK_EVENT, DIRECT_EVENT, ALERT_EVENT, DIGEST_EVENT,
     MESSAGE_EVENT}
)  # fmt: skip


def worker_name() -> str:
    """Unique per process, readable in `smarketing outbox`: host, pid and a random tag."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class _Outcome(Enum):
    DELIVERED = auto()  # in Slack and recorded
    RATE_LIMITED = auto()  # not posted; the lane waits, the entry stays in it
    RELEASED = auto()  # given back to the outbox for a later try (or to its new holder)


# Kinds that post a message (chat.postMessage: Slack's one-a-second per channel), and the
# rest (redraws and private answers), which get a quicker lane of their own per channel so
# a burst of cards never holds up the answer to a click.
POSTING_KINDS = (
    notices.LEAD_CARD,
    notices.THREAD_LINE,
    notices.FEEDBACK,
    notices.DIRECT,
    notices.ALERT,
    notices.DIGEST,
    notices.DIGEST_CHART,  # in its digest's lane: after it, at the same pace
    notices.MESSAGE,
)
# Messages rendered when queued (their payload holds the message): posted as they are.
PREBUILT_KINDS = (notices.DIGEST, notices.MESSAGE)
QUICK_INTERVAL_SECONDS = 0.2
# A private answer older than this is no use to anyone: given up rather than sent late.
EPHEMERAL_TTL = timedelta(minutes=2)


def _lane_key(entry: OutboxEntry) -> tuple[str, bool]:
    return entry.channel_id, entry.kind in POSTING_KINDS


@dataclass
class _Lane:
    """The entries this worker holds for one channel and kind of work, in order."""

    key: tuple[str, bool]
    # Each entry with the lead it concerns, as they were when taken.
    entries: deque[tuple[OutboxEntry, Lead | None]] = field(default_factory=deque)
    next_at: float = 0.0
    busy: bool = False


class DeliveryWorker:
    """Leases, routes, paces and posts outbox entries until stopped."""

    def __init__(
        self,
        runtime: Runtime,
        client: WebClient,
        *,
        name: str | None = None,
        post_interval: float = POST_INTERVAL_SECONDS,
        posters: int = POSTERS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name or worker_name()
        self._runtime = runtime
        self._client = client
        self._interval = post_interval
        self._posters = posters
        self._clock = clock
        self._lanes: dict[tuple[str, bool], _Lane] = {}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight = 0
        self._look_now = False
        self._tz = runtime.settings.timezone
        # User id -> the bot's direct conversation with them (`conversations.open`).
        self._direct_channels: dict[str, str] = {}
        # The entries `deliver_now` is delivering, and how each one's latest try failed:
        # it stops on a refusal.
        self._watched: set[int] = set()
        self._failures: dict[int, Failure] = {}
        runtime.outbox_bell.subscribe(self.wake)

    # -- running -------------------------------------------------------------------------

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self._posters, thread_name_prefix="delivery-post")
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the posts in flight, then give every held entry back to the outbox."""
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        held = self._held()
        try:
            with session_scope(self._runtime.sessions) as session:
                queries.give_back_outbox_entries(session, ids=held, worker=self.name)
        except Exception:
            logger.exception("could not give %d entries back; their leases will run out", len(held))
        self._lanes.clear()

    def wake(self) -> None:
        """Look at the outbox now (new entries, or stopping)."""
        with self._changed:
            self._look_now = True
            self._changed.notify_all()

    def deliver_now(self, ids: Sequence[int], *, patience: float) -> list[OutboxEntry]:
        """Deliver the entries `ids` in this thread, in order, each exactly once as the
        running worker would; for a command that must not return before Slack has them.

        Waits out rate limits and retries transient failures at their usual pace; stops at
        an entry Slack refused (the ones after it may depend on it) or after `patience`
        seconds. What is not delivered stays in the outbox for `serve`. Returns the entries
        as they then are."""
        deadline = self._clock() + patience
        self._watched, self._failures = set(ids), {}
        for entry_id in ids:
            while not self._settled(entry_id) and self._clock() < deadline:
                self._try_now(entry_id, deadline)
            if self._failures.get(entry_id) is Failure.REFUSED or self._clock() >= deadline:
                break
        with self._runtime.sessions() as session:
            found = [queries.outbox_entry(session, entry_id=entry_id) for entry_id in ids]
            session.expunge_all()
        return [entry for entry in found if entry is not None]

    def _settled(self, entry_id: int) -> bool:
        """Delivered, or refused by Slack on its latest try."""
        if self._failures.get(entry_id) is Failure.REFUSED:
            return True
        with self._runtime.sessions() as session:
            entry = queries.outbox_entry(session, entry_id=entry_id)
            return entry is None or entry.done_at is not None

    def _try_now(self, entry_id: int, deadline: float) -> None:
        """One try of one entry, or a wait until it may be tried (another process holds it,
        its next try is later, Slack asked to slow down)."""
        now = utcnow()
        with session_scope(self._runtime.sessions) as session:
            taken = queries.claim_outbox_entries(
                session, worker=self.name, now=now, lease=LEASE, limit=1, only_ids=[entry_id]
            )
            pairs = queries.outbox_entries_with_leads(session, ids=taken) if taken else []
            waiting = None if taken else queries.outbox_entry(session, entry_id=entry_id)
            session.expunge_all()
        if not pairs:
            ready = waiting.available_at if waiting is not None else now
            pause = min(max((ready - now).total_seconds(), 0.0), 1.0) or CLAIM_EVERY_SECONDS
            time.sleep(max(0.0, min(pause, deadline - self._clock())))
            return
        entry, lead = pairs[0]
        outcome, pause = self._handle(entry, lead)
        if outcome is _Outcome.RATE_LIMITED:
            with session_scope(self._runtime.sessions) as session:
                queries.give_back_outbox_entries(session, ids=[entry.id], worker=self.name)
            time.sleep(max(0.0, min(pause, deadline - self._clock())))

    def _run(self) -> None:
        next_claim = next_renew = self._clock()
        failures = 0
        while not self._stopping.is_set():
            now = self._clock()
            with self._changed:
                if self._look_now and failures == 0:
                    next_claim, self._look_now = now, False
            if now >= next_claim:
                failures = 0 if self._guarded(self._claim, failures) else failures + 1
                # The database is down, say: look again less and less often, up to 30 s.
                next_claim = now + min(CLAIM_EVERY_SECONDS * 2**failures, MAX_CLAIM_PAUSE)
            if now >= next_renew:
                self._guarded(self._renew, 0)
                next_renew = now + RENEW_EVERY_SECONDS
            with self._changed:
                soonest = min(next_claim, next_renew, self._dispatch(self._clock()))
                self._changed.wait(max(0.0, soonest - self._clock()))

    def _guarded(self, step: Callable[[], None], failures: int) -> bool:
        """Run `step`; False if it failed (logged with its traceback the first time only)."""
        try:
            step()
        except Exception as error:
            if failures == 0:
                logger.exception("delivery: %s failed", step.__name__.strip("_"))
            else:
                logger.warning("delivery: %s failed again: %s", step.__name__.strip("_"), error)
            return False
        return True

    # -- taking work ---------------------------------------------------------------------

    def _claim(self) -> None:
        with self._changed:
            full = [
                channel
                for (channel, posting), lane in self._lanes.items()
                if posting and len(lane.entries) >= LANE_DEPTH
            ]
        now = utcnow()
        with session_scope(self._runtime.sessions) as session:
            ids = queries.claim_outbox_entries(
                session,
                worker=self.name,
                now=now,
                lease=LEASE,
                limit=CLAIM_BATCH,
                skip_channels=full,
                skip_kinds=POSTING_KINDS,
            )
            if not ids:
                return
            taken = queries.outbox_entries_with_leads(session, ids=ids)
            routes = [
                Route(rule.id, rule.field, rule.value, rule.channel_id)
                for rule in queries.routing_rules(session)
            ]
            session.expunge_all()  # plain values from here on; routes are written below
            new_routes = {
                entry.id: channel_for(
                    zone=lead.zone if lead else None,
                    service=lead.service if lead else None,
                    routes=routes,
                    default=self._runtime.settings.sales_channel_id,
                )
                for entry, lead in taken
                if entry.channel_id is None
            }
            queries.route_outbox_entries(session, channels=new_routes)
        for entry, _lead in taken:
            entry.channel_id = entry.channel_id or new_routes[entry.id]
        self._offer(
            [(entry, lead) for entry, lead in taken if entry.id in new_routes and lead is not None]
        )
        with self._changed:
            overflow = []
            for entry, lead in taken:
                key = _lane_key(entry)
                lane = self._lanes.setdefault(key, _Lane(key))
                if len(lane.entries) >= LANE_DEPTH:
                    overflow.append(entry.id)
                    continue
                lane.entries.append((entry, lead))
            self._changed.notify_all()
        if overflow:
            with session_scope(self._runtime.sessions) as session:
                queries.give_back_outbox_entries(session, ids=overflow, worker=self.name)

    def _offer(self, routed: list[tuple[OutboxEntry, Lead]]) -> None:
        """Round-robin: each new card goes to the next seller of its channel before it is
        posted (in claim mode, nothing to do). A lead that changed meanwhile is left as is."""
        cards = [(entry, lead) for entry, lead in routed if entry.kind == notices.LEAD_CARD]
        if not cards:
            return
        with self._runtime.sessions() as session:
            policy = current_policy(session)
        if policy.assignment != "round_robin":
            return
        for entry, lead in cards:
            try:
                with session_scope(self._runtime.sessions) as session:
                    seller = offer_new_lead(
                        session, lead=lead, channel_id=entry.channel_id, policy=policy,
                        roles=self._runtime.roles, at=utcnow(),
                    )  # fmt: skip
            except LeadChanged:
                logger.info("delivery: lead %s changed before it was offered", lead.id)
            except Exception:  # the card still goes out, open to any seller
                logger.exception("delivery: lead %s could not be offered", lead.id)
            else:
                lead.assignee_id = seller or lead.assignee_id

    def _held(self) -> list[int]:
        """The ids of every entry this worker holds (call with `_changed` held, or stopped)."""
        return [entry.id for lane in self._lanes.values() for entry, _lead in lane.entries]

    def _renew(self) -> None:
        with self._changed:
            held = self._held()
        if not held:
            return
        with session_scope(self._runtime.sessions) as session:
            kept = queries.renew_outbox_leases(
                session, ids=held, worker=self.name, until=utcnow() + LEASE
            )
        lost = set(held) - kept
        if lost:
            logger.warning("delivery: %d leases were lost; leaving those entries", len(lost))
            with self._changed:
                for lane in self._lanes.values():
                    posting = lane.entries[0] if lane.busy else None  # its poster pops it
                    lane.entries = deque(
                        taken
                        for taken in lane.entries
                        if taken is posting or taken[0].id not in lost
                    )

    # -- posting -------------------------------------------------------------------------

    def _dispatch(self, now: float) -> float:
        """Start a post on each lane that may post now; the time the next one may. Called
        with `_changed` held."""
        soonest = float("inf")
        for lane in list(self._lanes.values()):
            if lane.busy:
                continue
            if not lane.entries:
                if lane.next_at <= now:
                    del self._lanes[lane.key]  # idle and not pacing anything
                continue
            if lane.next_at > now:
                soonest = min(soonest, lane.next_at)
                continue
            if self._in_flight >= self._posters or self._stopping.is_set():
                continue
            lane.busy = True
            self._in_flight += 1
            self._pool.submit(self._post_next, lane)
        return soonest

    def _post_next(self, lane: _Lane) -> None:
        entry, lead = lane.entries[0]
        pause = self._interval
        try:
            outcome, pause = self._handle(entry, lead)
        except Exception:
            logger.exception("delivery: entry %s failed unexpectedly", entry.id)
            outcome = _Outcome.RELEASED
        with self._changed:
            lane.busy = False
            self._in_flight -= 1
            if outcome is not _Outcome.RATE_LIMITED:
                lane.entries.popleft()
            lane.next_at = max(lane.next_at, self._clock() + pause)
            self._changed.notify_all()

    def _handle(self, entry: OutboxEntry, lead: Lead | None) -> tuple[_Outcome, float]:
        """Carry out one entry; the outcome, and how long its lane should wait after it."""
        if entry.kind == notices.CARD_REFRESH:
            return self._redraw(entry, lead)
        if entry.kind == notices.FEEDBACK_REFRESH:
            return self._redraw_feedback(entry, lead)
        if entry.kind == notices.EPHEMERAL:
            return self._answer(entry)
        if entry.kind == notices.DIGEST_CHART:
            return self._share_chart(entry)
        return self._deliver(entry, lead)

    def _deliver(self, entry: OutboxEntry, lead: Lead | None) -> tuple[_Outcome, float]:
        """Post one message (a card, a thread line, a feedback or direct message) exactly
        once."""
        thread_ts, channel = None, entry.channel_id
        if entry.kind == notices.DIRECT or (
            entry.kind in PREBUILT_KINDS and entry.payload.get("person")
        ):
            channel = self._direct_channel(entry.channel_id)
            if channel is None:
                return self._not_yet(entry, "direct_channel_unavailable")
        if entry.kind == notices.THREAD_LINE:
            thread_ts = self._card_ts(entry)
            if thread_ts is None:  # its card is not in Slack yet: after it
                return self._not_yet(entry, "card_not_posted_yet")
        if entry.kind == notices.MESSAGE:
            thread_ts = entry.payload.get("thread_ts")
        card_link = None
        if entry.kind in (notices.FEEDBACK, notices.DIRECT, notices.ALERT):
            card_link, known = self._card_link(entry)
            if not known:
                return self._not_yet(entry, "permalink_unavailable")
        if entry.posting_since is not None:
            found, known = self._find_earlier_post(entry, thread_ts, channel)
            if not known:
                self._postpone(entry, Failure.TRANSIENT, "history_unavailable", maybe_posted=True)
                return _Outcome.RELEASED, 0.0
            if found is not None:
                self._record(entry, found, thread_ts, channel)
                logger.info("delivery: entry %s was already posted as %s", entry.id, found)
                return _Outcome.DELIVERED, 0.0
        now = utcnow()
        with session_scope(self._runtime.sessions) as session:
            mine = queries.begin_posting(
                session,
                entry_id=entry.id,
                worker=self.name,
                at=now,
                held_until=now + LEASE_MARGIN,
            )
        if not mine:
            return _Outcome.RELEASED, 0.0  # another worker holds it now
        if entry.kind in PREBUILT_KINDS:
            message = entry.payload["message"]  # rendered when queued
            event_type = DIGEST_EVENT if entry.kind == notices.DIGEST else MESSAGE_EVENT
        elif thread_ts is not None:
            message = {"text": self._render(entry)}
            if entry.payload.get("broadcast"):
                message["reply_broadcast"] = True  # also sent to the channel
            event_type = THREAD_EVENT
        elif entry.kind == notices.FEEDBACK and lead is not None:
            message = build_feedback(
                lead, entry.payload, self._runtime.translate, card_link=card_link
            )
            event_type = FEEDBACK_EVENT
        elif entry.kind in (notices.DIRECT, notices.ALERT) and lead is not None:
            message = build_direct(
                lead, entry.payload, self._runtime.translate, card_link=card_link,
                timezone=self._tz,
            )  # fmt: skip
            event_type = DIRECT_EVENT if entry.kind == notices.DIRECT else ALERT_EVENT
        elif lead is not None:
            message = self._card_of(lead)
            event_type = CARD_EVENT
        else:
            self._postpone(entry, Failure.REFUSED, "lead_missing", maybe_posted=False)
            return _Outcome.RELEASED, 0.0
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                **message,
                metadata={"event_type": event_type, "event_payload": _tag(entry)},
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as error:
            return self._refused(entry, error)
        except Exception as error:  # a timeout or a dropped connection: it may have posted
            self._postpone(entry, Failure.TRANSIENT, _describe(error), maybe_posted=True)
            return _Outcome.RELEASED, self._interval
        self._record(entry, response["ts"], thread_ts, channel)
        return _Outcome.DELIVERED, self._interval

    def _not_yet(self, entry: OutboxEntry, why: str) -> tuple[_Outcome, float]:
        """Something the post needs is missing: try later, keeping any earlier try's mark."""
        uncertain = entry.posting_since is not None
        self._postpone(entry, Failure.TRANSIENT, why, maybe_posted=uncertain)
        return _Outcome.RELEASED, 0.0

    def _share_chart(self, entry: OutboxEntry) -> tuple[_Outcome, float]:
        """Upload the digest's funnel chart into the digest's thread, exactly once: after an
        uncertain try, the thread is searched for a file of the chart's title first."""
        digest, known = self._posted_digest(entry)
        if not known:
            self._finish(entry, "digest_missing")  # nothing to share it under
            return _Outcome.DELIVERED, 0.0
        if digest is None:  # its digest is not in Slack yet: after it
            return self._not_yet(entry, "digest_not_posted_yet")
        channel, thread_ts = digest
        title = entry.payload["title"]
        if entry.posting_since is not None:
            found, known = self._find_shared_file(entry, channel, thread_ts, title)
            if not known:
                self._postpone(entry, Failure.TRANSIENT, "history_unavailable", maybe_posted=True)
                return _Outcome.RELEASED, 0.0
            if found:
                self._finish(entry, None)
                logger.info("delivery: chart %s was already shared in %s", entry.id, channel)
                return _Outcome.DELIVERED, 0.0
        now = utcnow()
        with session_scope(self._runtime.sessions) as session:
            mine = queries.begin_posting(
                session, entry_id=entry.id, worker=self.name, at=now,
                held_until=now + LEASE_MARGIN,
            )  # fmt: skip
        if not mine:
            return _Outcome.RELEASED, 0.0
        upload = {
            "filename": entry.payload["filename"],
            "content": base64.b64decode(entry.payload["png"]),
            "title": title,
            "alt_txt": entry.payload.get("alt_text") or title,
        }
        try:
            self._client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, file_uploads=[upload]
            )
        except SlackApiError as error:
            return self._refused(entry, error)
        except Exception as error:  # a timeout or a dropped connection: it may be shared
            self._postpone(entry, Failure.TRANSIENT, _describe(error), maybe_posted=True)
            return _Outcome.RELEASED, self._interval
        self._finish(entry, None)
        return _Outcome.DELIVERED, self._interval

    def _posted_digest(self, entry: OutboxEntry) -> tuple[tuple[str, str] | None, bool]:
        """((channel, ts) of the digest a chart belongs to, or None while it is not posted;
        whether that digest exists at all)."""
        with self._runtime.sessions() as session:
            digest = queries.outbox_entry(session, entry_id=entry.payload.get("digest_entry"))
        if digest is None or digest.kind != notices.DIGEST:
            return None, False
        ts = digest.payload.get("ts")
        if digest.done_at is None or not ts or digest.channel_id is None:
            return None, True
        return (digest.channel_id, ts), True

    def _find_shared_file(
        self, entry: OutboxEntry, channel: str, thread_ts: str, title: str
    ) -> tuple[bool, bool]:
        """(whether a file titled `title` is in the thread; whether the search was complete)."""
        oldest = (entry.posting_since - HISTORY_MARGIN).timestamp()
        cursor = None
        try:
            for _page in range(HISTORY_PAGES):
                response = self._client.conversations_replies(
                    channel=channel, ts=thread_ts, oldest=f"{oldest:.6f}",
                    limit=HISTORY_PAGE_SIZE, cursor=cursor,
                )  # fmt: skip
                for message in response.get("messages", []):
                    if any(f.get("title") == title for f in message.get("files") or []):
                        return True, True
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return False, True
        except Exception as error:
            logger.warning("delivery: thread %s in %s unavailable: %s", thread_ts, channel, error)
        return False, False

    def _direct_channel(self, user_id: str) -> str | None:
        """The id of the bot's direct conversation with `user_id` (opened if need be), which
        the history search needs; None when Slack does not answer now."""
        known = self._direct_channels.get(user_id)
        if known is not None:
            return known
        try:
            response = self._client.conversations_open(users=user_id)
        except Exception as error:
            logger.warning("delivery: no direct conversation with %s: %s", user_id, error)
            return None
        self._direct_channels[user_id] = response["channel"]["id"]
        return self._direct_channels[user_id]

    def _card_link(self, entry: OutboxEntry) -> tuple[str | None, bool]:
        """(the permalink of the lead's card, or None if it has none; whether Slack answered)."""
        channel = entry.payload.get("card_channel") or ""
        card = self._card(entry.lead_id, channel)
        if card is None:
            return None, True
        try:
            response = self._client.chat_getPermalink(channel=channel, message_ts=card.ts)
        except Exception as error:
            logger.warning("delivery: no link to the card of lead %s: %s", entry.lead_id, error)
            return None, False
        return response.get("permalink"), True

    def _refused(self, entry: OutboxEntry, error: SlackApiError) -> tuple[_Outcome, float]:
        status = error.response.status_code
        code = error.response.get("error") or f"http_{status}"
        if status == 429:
            wait = _retry_after(error)
            with session_scope(self._runtime.sessions) as session:
                queries.not_posted(session, entry_id=entry.id, worker=self.name)
            logger.info("delivery: %s is rate limited for %ss", entry.channel_id, wait)
            return _Outcome.RATE_LIMITED, wait
        if status >= 500:  # Slack's trouble; it may or may not have posted
            self._postpone(entry, Failure.TRANSIENT, code, maybe_posted=True)
            return _Outcome.RELEASED, self._interval
        logger.warning(
            "delivery: Slack refused entry %s for %s: %s", entry.id, entry.channel_id, code
        )
        self._postpone(entry, Failure.REFUSED, code, maybe_posted=False)
        return _Outcome.RELEASED, self._interval

    def _find_earlier_post(
        self, entry: OutboxEntry, thread_ts: str | None, channel: str
    ) -> tuple[str | None, bool]:
        """(ts of the message an earlier try posted, or None; whether the search was complete).
        A card is looked for in the channel's history, a thread line in its thread."""
        oldest = (entry.posting_since - HISTORY_MARGIN).timestamp()
        search = (
            self._client.conversations_history
            if thread_ts is None
            else partial(self._client.conversations_replies, ts=thread_ts)
        )
        cursor = None
        try:
            for _page in range(HISTORY_PAGES):
                response = search(
                    channel=channel,
                    oldest=f"{oldest:.6f}",
                    include_all_metadata=True,
                    limit=HISTORY_PAGE_SIZE,
                    cursor=cursor,
                )
                for message in response.get("messages", []):
                    if _tags(message, entry.id):
                        return message["ts"], True
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None, True
        except Exception as error:
            logger.warning("delivery: history of %s unavailable: %s", channel, error)
        return None, False

    def _render(self, entry: OutboxEntry) -> str:
        return render_notice(entry.payload, self._runtime.translate, timezone=self._tz)

    def _card_ts(self, entry: OutboxEntry) -> str | None:
        card = self._card(entry.lead_id, entry.channel_id)
        return card.ts if card is not None else None

    def _card(self, lead_id: int, channel_id: str) -> SentMessage | None:
        """The lead's latest card in `channel_id`, if it was posted there."""
        with self._runtime.sessions() as session:
            return queries.newest_message(
                session, lead_id=lead_id, kind=CARD_MESSAGE, channel_id=channel_id
            )

    def _card_of(self, lead: Lead) -> dict:
        """The lead's card as it stands now, with its SLA clock under the policy in force."""
        now = utcnow()
        with self._runtime.sessions() as session:
            policy = current_policy(session)
        clock = first_touch_clock(lead, policy, self._tz, now)
        return build_card(lead, self._runtime.translate, now=now, clock=clock, tz=self._tz)

    def _redraw(self, entry: OutboxEntry, lead: Lead | None) -> tuple[_Outcome, float]:
        """Update the lead's card in place to show the lead as it is now."""
        card_ts = self._card_ts(entry) if lead is not None else None
        if card_ts is None:  # no card to redraw (yet): it will be drawn current when posted
            self._finish(entry, None)
            return _Outcome.DELIVERED, 0.0
        card = self._card_of(lead)
        return self._quick(
            entry, partial(self._client.chat_update, channel=entry.channel_id, ts=card_ts, **card)
        )

    def _redraw_feedback(self, entry: OutboxEntry, lead: Lead | None) -> tuple[_Outcome, float]:
        """Update the lead's latest message to marketing in place (it was contested)."""
        with self._runtime.sessions() as session:
            message = queries.newest_message(
                session, lead_id=entry.lead_id, kind=FEEDBACK_MESSAGE, channel_id=entry.channel_id
            )
        if message is None or lead is None:  # nothing to redraw
            self._finish(entry, None)
            return _Outcome.DELIVERED, 0.0
        card_link, known = self._card_link(entry)
        if not known:
            return self._not_yet(entry, "permalink_unavailable")
        redrawn = build_feedback(lead, entry.payload, self._runtime.translate, card_link=card_link)
        return self._quick(
            entry,
            partial(self._client.chat_update, channel=entry.channel_id, ts=message.ts, **redrawn),
        )

    def _answer(self, entry: OutboxEntry) -> tuple[_Outcome, float]:
        """A private answer to one person, while it still means something."""
        if utcnow() - entry.created_at > EPHEMERAL_TTL:
            self._finish(entry, "expired")
            return _Outcome.DELIVERED, 0.0
        answer = partial(
            self._client.chat_postEphemeral,
            channel=entry.channel_id,
            user=entry.payload["user"],
            text=entry.payload["text"] if "text" in entry.payload else self._render(entry),
        )
        return self._quick(entry, answer)

    def _quick(self, entry: OutboxEntry, call: Callable[[], object]) -> tuple[_Outcome, float]:
        """Make one redraw or private answer call; done, or retried later if Slack failed."""
        try:
            call()
        except SlackApiError as error:
            return self._quick_refused(entry, error)
        except Exception as error:
            self._postpone(entry, Failure.TRANSIENT, _describe(error), maybe_posted=False)
            return _Outcome.RELEASED, QUICK_INTERVAL_SECONDS
        self._finish(entry, None)
        return _Outcome.DELIVERED, QUICK_INTERVAL_SECONDS

    def _quick_refused(self, entry: OutboxEntry, error: SlackApiError) -> tuple[_Outcome, float]:
        """A redraw or private answer Slack did not take: wait out a 429, retry a 5xx, and
        give up on anything else (the card is gone, the person left): nothing is lost."""
        status = error.response.status_code
        if status == 429:
            return _Outcome.RATE_LIMITED, _retry_after(error)
        code = error.response.get("error") or f"http_{status}"
        if status >= 500:
            self._postpone(entry, Failure.TRANSIENT, code, maybe_posted=False)
            return _Outcome.RELEASED, QUICK_INTERVAL_SECONDS
        logger.warning("delivery: Slack refused %s %s: %s", entry.kind, entry.id, code)
        self._finish(entry, code)
        return _Outcome.DELIVERED, QUICK_INTERVAL_SECONDS

    def _finish(self, entry: OutboxEntry, error: str | None) -> None:
        with session_scope(self._runtime.sessions) as session:
            queries.complete_outbox_entry(session, entry_id=entry.id, at=utcnow(), error=error)

    # -- recording -----------------------------------------------------------------------

    def _record(self, entry: OutboxEntry, ts: str, thread_ts: str | None, channel: str) -> None:
        """Posted in `channel`: done, with its message. If the database fails here the entry
        keeps its posting mark, and whoever takes it next finds the message in the history."""
        try:
            with session_scope(self._runtime.sessions) as session:
                queries.finish_delivery(
                    session,
                    entry=entry,
                    channel_id=channel,
                    ts=ts,
                    at=utcnow(),
                    message_kind=MESSAGE_KINDS.get(entry.kind, CARD_MESSAGE),
                    thread_ts=thread_ts,
                    # A digest keeps its ts: its chart goes into its thread.
                    payload={**entry.payload, "ts": ts} if entry.kind == notices.DIGEST else None,
                )
        except Exception:
            logger.exception("delivery: entry %s posted as %s but not recorded yet", entry.id, ts)

    def _postpone(
        self, entry: OutboxEntry, failure: Failure, error: str, *, maybe_posted: bool
    ) -> None:
        until = utcnow() + retry_delay(failure, attempts=entry.attempts)
        if entry.id in self._watched:
            self._failures[entry.id] = failure
        with session_scope(self._runtime.sessions) as session:
            queries.postpone_delivery(
                session,
                entry_id=entry.id,
                worker=self.name,
                until=until,
                error=error,
                maybe_posted=maybe_posted,
            )


def _tag(entry: OutboxEntry) -> dict:
    """What a posted message carries in its metadata: its entry (and lead, if any)."""
    if entry.lead_id is None:
        return {"outbox_id": entry.id}
    return {"outbox_id": entry.id, "lead_id": entry.lead_id}


def _tags(message: dict, entry_id: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    tagged = metadata.get("event_type") in OUR_EVENTS
    return tagged and payload.get("outbox_id") == entry_id


def _retry_after(error: SlackApiError) -> float:
    headers = {k.lower(): v for k, v in (error.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(1.0, float(value))
    except (TypeError, ValueError):
        return 1.0


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}"[:500] if text else type(error).__name__
