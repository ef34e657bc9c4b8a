"""The closed loop's message: why a lead left, told to marketing in its channel.

Pure builder: the lead, the seller's verdict (exit, reason, note, rating) and a link to the
card in; a Block Kit message out, escaped and within Slack's limits, with a Contest button
for a marketer who thinks the lead was a fit after all.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    button,
    escape,
    field,
    lead_title,
    mention,
    safe_url,
    section,
    shorten,
)


def build_feedback(
    lead: Any, verdict: dict[str, Any], _: Translator, *, card_link: str | None
) -> dict[str, Any]:
    """The message for marketing about `lead`, closed with `verdict` (the notice payload:
    exit, reason, note, rating, user, the verdict's event, and once contested, `contest`:
    who contested it and why; the Contest button then gives way to their words)."""
    who = lead_title(lead, _)
    state = _.exit(verdict["exit"])
    origin = " · ".join(escape(v) for v in (lead.source, lead.campaign) if v) or "—"
    rating = verdict.get("rating")
    fields = [
        field(_("feedback.reason"), _.reason(verdict["reason"])),
        field(_("card.field.origin"), origin),
        field(_("feedback.seller"), mention(verdict.get("user")) or "—"),
        field(_("feedback.rating"), _("feedback.stars", rating=rating) if rating else "—"),
    ]
    blocks: list[dict] = [
        section(ids.FEEDBACK_HEADLINE, _("feedback.headline", state=state, lead=who)),
        {"type": "section", "block_id": ids.FEEDBACK_FIELDS, "fields": fields},
    ]
    if verdict.get("note"):
        note = f"*{_('feedback.note')}*\n{escape(verdict['note'])}"
        blocks.append(section(ids.FEEDBACK_NOTE, note))
    contest = verdict.get("contest")
    elements = []
    if contest:
        said = _("feedback.contested", user=mention(contest.get("user")) or "—",
                 text=escape(contest.get("text") or ""))  # fmt: skip
        blocks.append(section(ids.FEEDBACK_CONTESTED, said))
    else:
        value = f"{lead.id}:{verdict.get('event') or ''}"
        elements.append(button(ids.ACTION_CONTEST, _("feedback.contest"), value=value))
    link = safe_url(card_link)
    if link:
        elements.append(button(ids.ACTION_OPEN_CARD, _("feedback.card"), url=link))
    if elements:
        blocks.append({"type": "actions", "block_id": ids.FEEDBACK_ACTIONS, "elements": elements})
    text = _("feedback.text", state=state, lead=who, reason=_.reason(verdict["reason"]))
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": blocks}
