"""What a change tells people in chat, queued in the change's own transaction.

Nothing here calls Slack: each notice is an outbox entry, delivered by the worker after the
transaction commits (and after the listener has acknowledged the click), retried through
Slack's hiccups like a card. Texts travel as catalog keys with parameters and are rendered
in the team's language when delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage import queries
from storage.models import OutboxEntry

LEAD_CARD = "lead_card"  # post the lead's card
CARD_REFRESH = "card_refresh"  # redraw the lead's card in place
THREAD_LINE = "thread_line"  # one line in the card's thread: the audit trail
EPHEMERAL = "ephemeral"  # a private answer to one person in a channel
FEEDBACK = "feedback"  # why a lead left, posted for marketing
FEEDBACK_REFRESH = "feedback_refresh"  # redraw that message (it was contested)
DIRECT = "direct"  # a direct message to one person about a lead, with a link to its card
ALERT = "alert"  # a message in a channel about a lead (an escalation), with a link to its card
DIGEST = "digest"  # the managers' weekly digest, rendered when queued; no lead
DIGEST_CHART = "digest_chart"  # the digest's funnel chart, shared in its thread once it is posted
# A message rendered when queued, about no lead (an SLA-review reminder, a line in its thread),
# posted like the digest; `payload["label"]` names it where the outbox is listed.
MESSAGE = "message"


def entry(
    *, kind: str, lead_id: int | None, channel_id: str, payload: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """One notice as an outbox row."""
    return {
        "lead_id": lead_id,
        "kind": kind,
        "payload": payload,
        "channel_id": channel_id,
        "created_at": at,
        "available_at": at,
        "attempts": 0,
    }


def queue(session: Session, entries: list[dict[str, Any]]) -> None:
    """Queue notices made with `entry` (or `card_and_thread`)."""
    queries.insert_outbox_entries(session, rows=entries)


def _queue(session: Session, **notice: Any) -> None:
    queue(session, [entry(**notice)])


def refresh_card(session: Session, *, lead_id: int, channel_id: str, at: datetime) -> None:
    """Redraw the lead's card in `channel_id` from the lead as it will then be."""
    _queue(session, **_card_refresh(lead_id, channel_id, at))


def thread_line(
    session: Session,
    *,
    lead_id: int,
    channel_id: str,
    key: str,
    params: dict[str, Any],
    at: datetime,
    broadcast: bool = False,
) -> None:
    """Add a line to the card's thread (`key` in the catalog, filled with `params`);
    `broadcast`: also sent to the channel."""
    line = _thread_line(lead_id, channel_id, key, params, at)
    if broadcast:
        line["payload"]["broadcast"] = True
    _queue(session, **line)


def card_and_thread(
    *, lead_id: int, channel_id: str, key: str, params: dict[str, Any], at: datetime
) -> list[dict[str, Any]]:
    """The outbox rows of `refresh_card` and `thread_line` together, for a caller that
    writes them with its own statement."""
    return [
        entry(**_card_refresh(lead_id, channel_id, at)),
        entry(**_thread_line(lead_id, channel_id, key, params, at)),
    ]


def _card_refresh(lead_id: int, channel_id: str, at: datetime) -> dict[str, Any]:
    return {
        "kind": CARD_REFRESH,
        "lead_id": lead_id,
        "channel_id": channel_id,
        "payload": {},
        "at": at,
    }


def _thread_line(
    lead_id: int, channel_id: str, key: str, params: dict[str, Any], at: datetime
) -> dict[str, Any]:
    payload = {"key": key, "params": params}
    return {
        "kind": THREAD_LINE,
        "lead_id": lead_id,
        "channel_id": channel_id,
        "payload": payload,
        "at": at,
    }


def tell_text(session: Session, *, user_id: str, channel_id: str, text: str, at: datetime) -> None:
    """Answer one person privately in `channel_id` with `text`, mrkdwn already made safe
    (rendered by the caller in the team's language)."""
    _queue(
        session,
        kind=EPHEMERAL,
        lead_id=None,
        channel_id=channel_id,
        payload={"user": user_id, "text": text},
        at=at,
    )


def tell(
    session: Session,
    *,
    user_id: str,
    channel_id: str,
    key: str,
    params: dict[str, Any],
    at: datetime,
    lead_id: int | None = None,
) -> None:
    """Answer one person privately in `channel_id`."""
    _queue(
        session,
        kind=EPHEMERAL,
        lead_id=lead_id,
        channel_id=channel_id,
        payload={"user": user_id, "key": key, "params": params},
        at=at,
    )


def feedback(
    session: Session,
    *,
    lead_id: int,
    marketing_channel: str,
    card_channel: str,
    user_id: str,
    exit_: str,
    reason: str,
    note: str | None,
    rating: int | None,
    verdict_event: int,
    at: datetime,
) -> None:
    """Tell marketing, in its channel, why a lead left: the closed loop. `verdict_event`
    is the exit's event, the verdict a marketer may contest."""
    _queue(
        session,
        kind=FEEDBACK,
        lead_id=lead_id,
        channel_id=marketing_channel,
        payload={
            "card_channel": card_channel,
            "user": user_id,
            "exit": exit_,
            "reason": reason,
            "note": note,
            "rating": rating,
            "event": verdict_event,
        },
        at=at,
    )


def refresh_feedback(
    session: Session,
    *,
    lead_id: int,
    marketing_channel: str,
    verdict: dict[str, Any],
    contest: dict[str, Any],
    at: datetime,
) -> None:
    """Redraw the lead's latest feedback message in place: `verdict` as first told
    (the `feedback` payload), now with `contest` (who contested it, and why)."""
    _queue(
        session,
        kind=FEEDBACK_REFRESH,
        lead_id=lead_id,
        channel_id=marketing_channel,
        payload={**verdict, "contest": contest},
        at=at,
    )


def direct(
    session: Session,
    *,
    user_id: str,
    lead_id: int,
    card_channel: str,
    key: str,
    params: dict[str, Any],
    at: datetime,
) -> None:
    """A direct message to `user_id` (`key` filled with `params`) with a link to the card
    in `card_channel`. Delivered once, like a card: a DM is a message people keep."""
    _about_lead(session, DIRECT, user_id, lead_id, card_channel, key, params, at)


def alert(
    session: Session,
    *,
    channel_id: str,
    lead_id: int,
    card_channel: str,
    key: str,
    params: dict[str, Any],
    at: datetime,
) -> None:
    """A message in `channel_id` (`key` filled with `params`) about the lead, with a link to
    its card in `card_channel`: an escalation in the managers channel."""
    _about_lead(session, ALERT, channel_id, lead_id, card_channel, key, params, at)


def _about_lead(
    session: Session,
    kind: str,
    channel_id: str,
    lead_id: int,
    card_channel: str,
    key: str,
    params: dict[str, Any],
    at: datetime,
) -> None:
    payload = {"key": key, "params": params, "card_channel": card_channel}
    _queue(session, kind=kind, lead_id=lead_id, channel_id=channel_id, payload=payload, at=at)


def digest(
    session: Session,
    *,
    destinations: Sequence[str],
    message: dict[str, Any],
    week: dict[str, str],
    chart: dict[str, Any] | None,
    at: datetime,
) -> list[tuple[str, int, int | None]]:
    """Queue the weekly digest, one entry per destination (a channel id, or a user id for a
    direct message), each followed by its chart's entry, which names the digest's entry: the
    chart waits for its digest and goes into its thread. All in the caller's transaction.
    `chart` holds the PNG (base64), its alt text and a title; a filename unique to the week
    and destination is made here. Returns (destination, digest entry id, chart entry id)."""
    queued = []
    for destination in destinations:
        payload = {"message": message, "week": week, "person": is_person(destination)}
        sent = entry(kind=DIGEST, lead_id=None, channel_id=destination, payload=payload, at=at)
        digest_id = queries.add_outbox_entry(session, entry=OutboxEntry(**sent)).id
        chart_id = None
        if chart is not None:
            filename = f"funnel-{week['start']}-{destination}.png"
            shared = {**chart, "filename": filename, "week": week, "digest_entry": digest_id}
            row = entry(kind=DIGEST_CHART, lead_id=None, channel_id=destination, payload=shared,
                        at=at)  # fmt: skip
            chart_id = queries.add_outbox_entry(session, entry=OutboxEntry(**row)).id
        queued.append((destination, digest_id, chart_id))
    return queued


def prebuilt(
    session: Session,
    *,
    destinations: Sequence[str],
    message: dict[str, Any],
    label: str,
    at: datetime,
    thread_ts: str | None = None,
) -> list[tuple[str, int]]:
    """Queue `message` (Block Kit, rendered by the caller) for each destination (a channel
    id, or a user id for a direct message), in `thread_ts`'s thread when given, all in the
    caller's transaction. `label` names it in `smarketing outbox`. Returns (destination,
    entry id) per destination."""
    queued = []
    for destination in destinations:
        payload = {"message": message, "label": label, "person": is_person(destination)}
        if thread_ts is not None:
            payload["thread_ts"] = thread_ts
        row = entry(kind=MESSAGE, lead_id=None, channel_id=destination, payload=payload, at=at)
        queued.append((destination, queries.add_outbox_entry(session, entry=OutboxEntry(**row)).id))
    return queued


def is_person(destination: str) -> bool:
    """A user id (`U…`, `W…`): the message goes to the bot's direct conversation with them."""
    return destination.startswith(("U", "W"))
