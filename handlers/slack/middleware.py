"""Global Bolt middleware: dependencies into the context, and Slack's retries handled once."""

from __future__ import annotations

import logging

from slack_bolt import BoltResponse

from bot.runtime import Runtime
from handlers.slack.identity import BotIdentity
from storage import queries
from storage.db import session_scope
from storage.types import utcnow

logger = logging.getLogger(__name__)


def attach_runtime(runtime: Runtime):
    """Put the runtime in every request's context, where listeners find their dependencies."""

    def middleware(context, next):
        context["runtime"] = runtime
        return next()

    return middleware


def attach_identity(identity: BotIdentity):
    """Put the bot's identity in every request's context (`context["identity"]`): listeners
    build links to the bot's messages from it."""

    def middleware(context, next):
        context["identity"] = identity
        return next()

    return middleware


def skip_repeated_events(runtime: Runtime):
    """Slack re-sends an event it believes was lost; the second copy is acknowledged, not
    handled again. The record is the database, so it holds across restarts and replicas."""

    def middleware(body, next):
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with session_scope(runtime.sessions) as session:
                first = queries.claim_event(session, event_id=event_id, received_at=utcnow())
            if not first:
                logger.info("event %s already handled; ignoring Slack's retry", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return middleware
