"""Block Kit builders: pure functions from domain values to Slack payloads."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import Translator

# Slack's limits that these builders stay within.
BUTTON_TEXT_MAX = 75
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FALLBACK_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")


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


def mention(user_id: str | None) -> str | None:
    """`<@U…>` for a Slack user id; None for anything else, which is never rendered as one."""
    return f"<@{user_id}>" if user_id and _SLACK_USER.match(user_id) else None


def header(block_id: str, text: str) -> dict:
    """A header block: plain text, cut to Slack's limit."""
    return {
        "type": "header",
        "block_id": block_id,
        "text": {"type": "plain_text", "text": shorten(text, HEADER_TEXT_MAX)},
    }


def context(block_id: str, *texts: str) -> dict:
    """A context block of mrkdwn elements: the small print under a message."""
    return {"type": "context", "block_id": block_id, "elements": [mrkdwn(t) for t in texts]}


def section(block_id: str, text: str) -> dict:
    """A mrkdwn section, cut to Slack's limit."""
    return {
        "type": "section",
        "block_id": block_id,
        "text": mrkdwn(shorten(text, SECTION_TEXT_MAX)),
    }


def field(label: str, value: str) -> dict:
    """One of a section's fields: a bold label over its value, cut to Slack's limit."""
    return mrkdwn(shorten(f"*{label}*\n{value}", FIELD_TEXT_MAX))


def button(
    action_id: str,
    text: str,
    *,
    value: str | None = None,
    url: str | None = None,
    style: str | None = None,
) -> dict:
    """A button, its label cut to Slack's limit."""
    made: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": shorten(text, BUTTON_TEXT_MAX)},
    }
    extras = {"value": value, "url": url, "style": style}
    return made | {key: extra for key, extra in extras.items() if extra is not None}


def lead_title(lead: Any, _: Translator) -> str:
    """`name · company` (or the name alone), escaped for mrkdwn."""
    name = escape(lead.name)
    if not lead.company:
        return name
    return _("delivery.headline", name=name, company=escape(lead.company))


def duration(minutes: float, _: Translator) -> str:
    """Minutes as people read them: `45 min`, `3 h`, `1,204 h 20 min`."""
    hours, rest = divmod(round(minutes), 60)
    if not hours:
        return _("duration.minutes", minutes=rest)
    if not rest:
        return _("duration.hours", hours=f"{hours:,}")
    return _("duration.hours_minutes", hours=f"{hours:,}", minutes=rest)


def amount(value: float | None) -> str | None:
    """A number as people read it on a card or a report: thousands grouped, cents only when
    there are some (`6,667`, `6,667.50`); None for no value."""
    if value is None:
        return None
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
