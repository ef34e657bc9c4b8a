"""The lead card: what a seller sees in the sales channel, built from the stored lead.

Pure functions: a `Lead`, the time, the team's language in; a Block Kit message out. Every
piece of lead data is escaped (a lead cannot ping `@channel` or fake a mention) and cut to
Slack's limits, so the card is valid whatever the lead holds. The buttons follow the state
(`bot.domain.lifecycle` decides which moves a state allows): an unclaimed card offers Claim
and Not a fit; a claimed one the seller's actions and a menu of corrections; a closed one
only the menu.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.domain.enforcement import Clock
from bot.domain.lifecycle import Action, allowed, state_of
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import (
    BUTTON_TEXT_MAX,
    FALLBACK_TEXT_MAX,
    SECTION_TEXT_MAX,
    amount,
    button,
    context,
    escape,
    field,
    header,
    lead_title,
    mention,
    safe_url,
    section,
    shorten,
)
from storage.models import Lead

FIELDS_MAX = 10
CUSTOM_FIELD_LINE_MAX = 300

# The seller's actions on a claimed card, in order (DESIGN.md); each is a lifecycle move or,
# for an attempt, a record that may become one.
_SELLER_BUTTONS = (
    (ids.ACTION_LOG_ATTEMPT, "card.button.log_attempt", None),
    (ids.ACTION_MEETING_BOOKED, "card.button.meeting_booked", Action.QUALIFY),
    (ids.ACTION_WON, "card.button.won", Action.WIN),
    (ids.ACTION_LOST, "card.button.lost", Action.LOSE),
    (ids.ACTION_NURTURE, "card.button.nurture", Action.NURTURE),
    (ids.ACTION_NOT_A_FIT, "card.button.not_a_fit", Action.REJECT),
)
_MENU = (
    (ids.MENU_UNDO, "card.menu.undo"),
    (ids.MENU_REASSIGN, "card.menu.reassign"),
    (ids.MENU_REOPEN, "card.menu.reopen"),
)


def build_card(
    lead: Lead,
    _: Translator,
    *,
    now: datetime,
    clock: Clock | None = None,
    tz: tzinfo = UTC,
) -> dict[str, Any]:
    """The card for `lead` as it stands at `now`: `text` (notifications) and `blocks`.
    `clock` is its first-touch clock when one runs (`enforcement.first_touch_clock`), shown
    in the context line with its due time in `tz`."""
    blocks: list[dict] = [header(ids.CARD_HEADER, lead.name)]
    fields = _fields(lead, _)
    if fields:
        blocks.append({"type": "section", "block_id": ids.CARD_FIELDS, "fields": fields})
    for block_id, key, text in (
        (ids.CARD_SUMMARY, "card.summary", lead.summary),
        (ids.CARD_HISTORY, "card.history", lead.history),
        (ids.CARD_APPROACH, "card.approach", lead.approach),
    ):
        if text:
            blocks.append(section(block_id, f"*{_(key)}*\n{escape(text)}"))
    extras = _custom_fields(lead.custom_fields or {}, _)
    if extras:
        blocks.append(section(ids.CARD_CUSTOM_FIELDS, extras))
    actions = _actions(lead, _)
    if actions:
        blocks.append({"type": "actions", "block_id": ids.CARD_ACTIONS, "elements": actions})
    blocks.append(context(ids.CARD_CONTEXT, _context_line(lead, _, now, clock, tz)))
    return {"text": _fallback(lead, _), "blocks": blocks}


def _fields(lead: Lead, _: Translator) -> list[dict]:
    origin = " · ".join(escape(v) for v in (lead.source, lead.campaign) if v)
    values = [
        ("card.field.company", escape(lead.company) if lead.company else None),
        ("card.field.job_title", escape(lead.job_title) if lead.job_title else None),
        ("card.field.email", escape(lead.email) if lead.email else None),
        ("card.field.phone", escape(lead.phone) if lead.phone else None),
        ("card.field.score", amount(lead.score)),
        ("card.field.origin", origin or None),
        ("card.field.zone", escape(lead.zone) if lead.zone else None),
        ("card.field.service", escape(lead.service) if lead.service else None),
        ("card.field.age_range", escape(lead.age_range) if lead.age_range else None),
        ("card.field.estimated_value", amount(lead.estimated_value)),
    ]
    shown = [(key, value) for key, value in values if value][:FIELDS_MAX]
    return [field(_(key), value) for key, value in shown]


def _custom_fields(custom: dict, _: Translator) -> str | None:
    """`key: value` lines under a title, as many as fit; the rest counted."""
    if not custom:
        return None
    title = f"*{_('card.custom_fields')}*"
    lines: list[str] = []
    used = len(title)
    items = list(custom.items())
    for index, (key, value) in enumerate(items):
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        line = shorten(f"• {escape(str(key))}: {escape(shown)}", CUSTOM_FIELD_LINE_MAX)
        more = _("card.custom_fields_more", count=len(items) - index)
        if used + len(line) + 1 + len(more) + 1 > SECTION_TEXT_MAX:
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join([title, *lines])


def _actions(lead: Lead, _: Translator) -> list[dict]:
    state = state_of(lead)
    value = str(lead.id)
    elements: list[dict] = []
    if allowed(Action.CLAIM, state) and lead.owner_id is None:
        # Round-robin gave it to a seller: they accept it; nobody claims it meanwhile.
        take = (ids.ACTION_ACCEPT, "card.button.accept") if lead.assignee_id else (
            ids.ACTION_CLAIM, "card.button.claim"
        )  # fmt: skip
        elements.append(button(take[0], _(take[1]), value=value, style="primary"))
        elements.append(button(ids.ACTION_NOT_A_FIT, _("card.button.not_a_fit"), value=value))
    elif state.is_open:
        for action_id, key, move in _SELLER_BUTTONS:
            if move is None or allowed(move, state):
                elements.append(button(action_id, _(key), value=value))
    if lead.owner_id is not None or state.exit is not None:
        elements.append(
            {
                "type": "overflow",
                "action_id": ids.ACTION_CARD_MENU,
                "options": [
                    {
                        "text": {"type": "plain_text", "text": shorten(_(key), BUTTON_TEXT_MAX)},
                        "value": f"{option}:{lead.id}",
                    }
                    for option, key in _MENU
                ],
            }
        )
    profile = safe_url(lead.profile_url)
    if profile:
        elements.append(
            button(ids.ACTION_OPEN_PROFILE, _("delivery.profile"), value=value, url=profile)
        )
    return elements


def _context_line(lead: Lead, _: Translator, now: datetime, clock: Clock | None, tz: tzinfo) -> str:
    state = state_of(lead)
    label = _.exit(state.exit) if state.exit else _.stage(state.stage)
    if state.exit and lead.exit_reason:
        label = f"{label} ({_.reason(lead.exit_reason)})"
    parts = [_("card.context.state", state=label)]
    owner = mention(lead.owner_id)
    if owner:
        parts.append(_("card.context.owner", owner=owner))
    elif state.is_open and lead.assignee_id and mention(lead.assignee_id):
        parts.append(_("card.context.offered", user=mention(lead.assignee_id)))
    elif state.is_open:
        parts.append(_("card.context.unclaimed"))
    if clock is not None and clock.late_minutes > 0:
        late = _("duration.minutes", minutes=clock.late_minutes)
        parts.append(_("card.context.first_touch_late", late=late))
    elif clock is not None:
        due = clock.due.astimezone(tz).strftime("%H:%M")
        parts.append(_("card.context.first_touch_due", due=due))
    elif lead.profiled_at is not None:
        parts.append(_("card.context.since", elapsed=elapsed(lead.profiled_at, now, _)))
    return " · ".join(parts)


def elapsed(since: datetime, now: datetime, _: Translator) -> str:
    """A short human duration: `just now`, `12 min`, `3 h 5 min`, `2 d 4 h`."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return _("duration.just_now")
    if minutes < 60:
        return _("duration.minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("duration.hours_minutes", hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return _("duration.days_hours", days=days, hours=hours)


def _fallback(lead: Lead, _: Translator) -> str:
    return shorten(_("delivery.new_lead_text", lead=lead_title(lead, _)), FALLBACK_TEXT_MAX)
