"""Block Kit builders: pure functions from domain values to Slack payloads."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.i18n import Translator
from handlers.slack import ids

# Slack's limits that these builders stay within.
BUTTON_TEXT_MAX = 75


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def escape(text: str) -> str:
    """Lead data made inert in mrkdwn: no mentions, links or channel pings can be forged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """A link only when it is plainly http(s): anything else is left out, not rendered."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


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
