"""The last resort: log the traceback, tell the person one polite sentence."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(tell_the_user)


def tell_the_user(error, body, context, response) -> None:
    logger.error("listener failed", exc_info=error)
    if response is not None:
        # Slack gets a plain acknowledgement: the person hears from us, not a Slack error.
        response.status, response.body = 200, ""
    runtime = context.get("runtime")
    if runtime is None:
        return
    runtime.after_ack.submit(_apologise, context, runtime.translate("slack.error"))


def _apologise(context, text: str) -> None:
    try:
        if context.get("response_url"):
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.get("channel_id") and context.get("user_id"):
            context.client.chat_postEphemeral(
                channel=context["channel_id"], user=context["user_id"], text=text
            )
    except (SlackApiError, OSError):
        logger.exception("could not tell the user about the failure")
