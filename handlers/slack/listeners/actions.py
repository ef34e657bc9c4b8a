"""Buttons on the lead card. Each decides in the database, acks, and leaves every Slack call
to the delivery worker (notices queued in the same transaction), so an ack never waits on
Slack."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.domain import notices
from bot.domain.claim import claim_lead
from bot.runtime import Runtime
from handlers.slack import ids
from storage.db import session_scope
from storage.types import utcnow

logger = logging.getLogger(__name__)

# The card's other controls, until their flows exist: acknowledged and answered privately.
NOT_YET = (
    ids.ACTION_NOT_A_FIT,
    ids.ACTION_LOG_ATTEMPT,
    ids.ACTION_MEETING_BOOKED,
    ids.ACTION_WON,
    ids.ACTION_LOST,
    ids.ACTION_NURTURE,
    ids.ACTION_CARD_MENU,
    ids.ACTION_ACCEPT,
)


def register(app: App) -> None:
    app.action(ids.ACTION_CLAIM)(claim)
    for action_id in NOT_YET:
        app.action(action_id)(not_available)
    # Slack opens the profile link itself; the app only has to acknowledge the click.
    app.action(ids.ACTION_OPEN_PROFILE)(acknowledge)


def claim(ack, body, context) -> None:
    runtime: Runtime = context["runtime"]
    lead_id = _lead_id(body)
    if lead_id is None:
        ack()
        return
    with session_scope(runtime.sessions) as session:
        answer = claim_lead(
            session,
            lead_id=lead_id,
            user_id=body["user"]["id"],
            channel_id=body["channel"]["id"],
            roles=runtime.roles,
            at=utcnow(),
        )
    ack()
    runtime.outbox_bell.ring()
    logger.info("claim of lead %s by %s: %s", lead_id, body["user"]["id"], answer)


def not_available(ack, body, context) -> None:
    runtime: Runtime = context["runtime"]
    with session_scope(runtime.sessions) as session:
        notices.tell(
            session,
            user_id=body["user"]["id"],
            channel_id=body["channel"]["id"],
            key="card.not_available",
            params={},
            at=utcnow(),
            lead_id=_lead_id(body),
        )
    ack()
    runtime.outbox_bell.ring()


def acknowledge(ack) -> None:
    ack()


def _lead_id(body: dict) -> int | None:
    """The lead a card control was clicked for (its value, or a menu option's `x:<id>`)."""
    action = body["actions"][0]
    raw = action.get("value") or (action.get("selected_option") or {}).get("value", "")
    digits = raw.rsplit(":", 1)[-1]
    return int(digits) if digits.isdigit() else None
