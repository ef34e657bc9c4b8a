"""The last resort: log the traceback, tell the person one polite sentence."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(tell_the_user)


def tell_the_user(error, body, context) -> None:
    logger.error("listener failed", exc_info=error)
    runtime = context.get("runtime")
    if runtime is None:
        return
    text = runtime.translate("slack.error")
    try:
        if context.get("response_url"):
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.get("channel_id") and context.get("user_id"):
            context.client.chat_postEphemeral(
                channel=context["channel_id"], user=context["user_id"], text=text
            )
    except (SlackApiError, OSError):
        logger.exception("could not tell the user about the failure")
