"""The closed loop's message: why a lead left, told to marketing in its channel.

Pure builder: the lead, the seller's verdict (exit, reason, note, rating) and a link to the
card in; a Block Kit message out, escaped and within Slack's limits, with a Contest button
for a marketer who thinks the lead was a fit after all.
"""

from __future__ import annotations

import re
from typing import Any

from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import BUTTON_TEXT_MAX, escape, mrkdwn, safe_url, shorten

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FALLBACK_TEXT_MAX = 3000
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def build_feedback(
    lead: Any, verdict: dict[str, Any], _: Translator, *, card_link: str | None
) -> dict[str, Any]:
    """The message for marketing about `lead`, closed with `verdict` (the notice payload:
    exit, reason, note, rating, user)."""
    who = escape(lead.name)
    if lead.company:
        who = _("delivery.headline", name=who, company=escape(lead.company))
    state = _.exit(verdict["exit"])
    headline = _("feedback.headline", state=state, lead=who)
    origin = " · ".join(escape(v) for v in (lead.source, lead.campaign) if v) or "—"
    seller = verdict.get("user") or ""
    rating = verdict.get("rating")
    fields = [
        (_("feedback.reason"), _.reason(verdict["reason"])),
        (_("card.field.origin"), origin),
        (_("feedback.seller"), f"<@{seller}>" if _SLACK_USER.match(seller) else "—"),
        (_("feedback.rating"), _("feedback.stars", rating=rating) if rating else "—"),
    ]
    blocks: list[dict] = [
        {
            "type": "section",
            "block_id": ids.FEEDBACK_HEADLINE,
            "text": mrkdwn(shorten(headline, SECTION_TEXT_MAX)),
        },
        {
            "type": "section",
            "block_id": ids.FEEDBACK_FIELDS,
            "fields": [
                mrkdwn(shorten(f"*{label}*\n{value}", FIELD_TEXT_MAX)) for label, value in fields
            ],
        },
    ]
    if verdict.get("note"):
        note = f"*{_('feedback.note')}*\n{escape(verdict['note'])}"
        blocks.append(
            {
                "type": "section",
                "block_id": ids.FEEDBACK_NOTE,
                "text": mrkdwn(shorten(note, SECTION_TEXT_MAX)),
            }
        )
    elements: list[dict] = [
        {
            "type": "button",
            "action_id": ids.ACTION_CONTEST,
            "text": {"type": "plain_text", "text": shorten(_("feedback.contest"), BUTTON_TEXT_MAX)},
            "value": str(lead.id),
        }
    ]
    link = safe_url(card_link)
    if link:
        elements.append(
            {
                "type": "button",
                "action_id": ids.ACTION_OPEN_CARD,
                "text": {
                    "type": "plain_text",
                    "text": shorten(_("feedback.card"), BUTTON_TEXT_MAX),
                },
                "url": link,
            }
        )
    blocks.append({"type": "actions", "block_id": ids.FEEDBACK_ACTIONS, "elements": elements})
    text = _("feedback.text", state=state, lead=who, reason=_.reason(verdict["reason"]))
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": blocks}


def _button(action_id: str, text: str) -> dict:
    label = {"type": "plain_text", "text": shorten(text, BUTTON_TEXT_MAX)}
    return {"type": "button", "action_id": action_id, "text": label}
