"""Block Kit builders: pure functions from domain values to Slack payloads."""

from __future__ import annotations

from bot.i18n import Translator
from handlers.slack import ids


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def build_home_view(_: Translator) -> dict:
    """The App Home tab, until the personal dashboard arrives."""
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _("home.title")}},
            {"type": "section", "block_id": ids.HOME_BLOCK_INTRO, "text": mrkdwn(_("home.intro"))},
            {"type": "context", "elements": [mrkdwn(_("home.commands"))]},
        ],
    }
