"""Events: the App Home tab and channel membership."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.domain import roles
from handlers.slack.blocks import build_home_view
from storage.db import session_scope
from storage.types import utcnow

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.event("member_joined_channel")(remember_member)
    app.event("member_left_channel")(forget_member)


def publish_home(event, client, context) -> None:
    if event.get("tab", "home") != "home":
        return
    view = build_home_view(context["runtime"].translate)
    # After the ack: the event is answered at once, whatever Slack's pace.
    context["runtime"].after_ack.submit(_publish, client, user_id=event["user"], view=view)


def _publish(client, *, user_id: str, view: dict) -> None:
    try:
        client.views_publish(user_id=user_id, view=view)
    except Exception:
        logger.exception("App Home for %s not published", user_id)


def remember_member(event, context) -> None:
    with session_scope(context["runtime"].sessions) as session:
        roles.member_joined(
            session, channel_id=event["channel"], user_id=event["user"], at=utcnow()
        )


def forget_member(event, context) -> None:
    with session_scope(context["runtime"].sessions) as session:
        roles.member_left(session, channel_id=event["channel"], user_id=event["user"])
