"""Block Kit builders: pure functions from domain values to Slack payloads."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.i18n import Translator
from handlers.slack import ids
from storage.models import Lead

# Slack's limits that these builders stay within.
SECTION_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
FALLBACK_TEXT_MAX = 4000


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def escape(text: str) -> str:
    """Lead data made inert in mrkdwn: no mentions, links or channel pings can be forged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_url(url: str | None) -> str | None:
    """A link only when it is plainly http(s): anything else is left out, not rendered."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def build_lead_message(lead: Lead, _: Translator) -> dict:
    """The message that hands a lead to sales: who, at which company, and their profile.

    Returns `text` (the notification and screen-reader fallback) and `blocks`.
    """
    who = escape(lead.name)
    company = escape(lead.company) if lead.company else None
    headline = _("delivery.headline", name=who, company=company) if company else who
    blocks: list[dict] = [
        {
            "type": "section",
            "block_id": ids.LEAD_MESSAGE_HEADLINE,
            "text": mrkdwn(shorten(_("delivery.new_lead", lead=headline), SECTION_TEXT_MAX)),
        }
    ]
    profile = _safe_url(lead.profile_url)
    if profile:
        blocks.append(
            {
                "type": "actions",
                "block_id": ids.LEAD_MESSAGE_ACTIONS,
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.ACTION_OPEN_PROFILE,
                        "text": {
                            "type": "plain_text",
                            "text": shorten(_("delivery.profile"), BUTTON_TEXT_MAX),
                        },
                        "url": profile,
                    }
                ],
            }
        )
    # The notification text is mrkdwn too: escaped, and without the bold of the section.
    text = shorten(_("delivery.new_lead_text", lead=headline), FALLBACK_TEXT_MAX)
    return {"text": text, "blocks": blocks}


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
