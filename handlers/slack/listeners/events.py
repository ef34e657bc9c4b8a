"""Events: the App Home tab and channel membership."""

from __future__ import annotations

from slack_bolt import App

from bot.domain import roles
from handlers.slack import home
from storage.db import session_scope
from storage.types import utcnow


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.event("member_joined_channel")(remember_member)
    app.event("member_left_channel")(forget_member)


def publish_home(event, client, context) -> None:
    if event.get("tab", "home") != "home":
        return
    # After the ack: the event is answered at once, whatever the database's or Slack's pace.
    home.publish_home_after_ack(context, client, user_id=event["user"])


def remember_member(event, context) -> None:
    if event["user"] == context.get("bot_user_id"):
        return  # the bot joining a channel: it is nobody's seller
    with session_scope(context["runtime"].sessions) as session:
        roles.member_joined(
            session, channel_id=event["channel"], user_id=event["user"], at=utcnow()
        )


def forget_member(event, context) -> None:
    with session_scope(context["runtime"].sessions) as session:
        roles.member_left(session, channel_id=event["channel"], user_id=event["user"])
