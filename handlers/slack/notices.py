"""Notices as Slack text: a catalog key and its parameters, rendered in the team's language.

People travel as user ids and are shown as mentions; stages and exits travel as codes and
are shown as their labels. Nothing else from the payload is trusted as markup.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    button,
    escape,
    lead_title,
    mention,
    safe_url,
    section,
    shorten,
)

PEOPLE = ("user", "owner", "previous", "seller", "marketer", "assignee")


# Parameters that are codes, shown as their label: name -> catalog key prefix.
LABELLED = {
    "how": "modal.attempt.channel",
    "outcome": "modal.attempt.outcome",
    "reason": "reason",
    "what": "work.what",
}


def render_notice(
    payload: dict[str, Any],
    _: Translator,
    *,
    timezone: tzinfo = UTC,
    rendered: dict[str, str] | None = None,
) -> str:
    """The text of a notice (`{"key": …, "params": {…}}`); times in `timezone`.
    `rendered` adds parameters the caller already made safe mrkdwn (a lead's title).
    An empty optional part (a note) leaves no trailing space."""
    params = dict(payload.get("params") or {})
    for name, value in params.items():
        if value is None:
            params[name] = ""
        elif name in PEOPLE:
            params[name] = _mention(str(value))
        elif name == "state":
            params[name] = _state_label(str(value), _)
        elif name in LABELLED:
            params[name] = _label(f"{LABELLED[name]}.{value}", str(value), _)
        elif name == "when":
            params[name] = _when(str(value), timezone)
        else:
            params[name] = escape(str(value))
    return _(payload["key"], **params, **(rendered or {})).strip()


def _label(key: str, code: str, _: Translator) -> str:
    try:
        return _(key)
    except KeyError:
        return escape(code)


def _when(iso: str, timezone: tzinfo) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return escape(iso)
    return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M")


def _mention(user_id: str) -> str:
    return mention(user_id) or escape(user_id)


def _state_label(code: str, _: Translator) -> str:
    for prefix in ("exit", "stage"):
        try:
            return _(f"{prefix}.{code}")
        except KeyError:
            continue
    return escape(code)


def build_direct(
    lead: Any,
    payload: dict[str, Any],
    _: Translator,
    *,
    card_link: str | None,
    timezone: tzinfo = UTC,
) -> dict[str, Any]:
    """A message about `lead` (the notice's text, the lead's title as `{lead}`, times in
    `timezone`) with a button to its card: a direct message, or an escalation."""
    text = render_notice(payload, _, timezone=timezone, rendered={"lead": lead_title(lead, _)})
    blocks: list[dict[str, Any]] = [section(ids.DIRECT_TEXT, text)]
    link = safe_url(card_link)
    if link:
        elements = [button(ids.ACTION_OPEN_CARD, _("feedback.card"), url=link)]
        blocks.append({"type": "actions", "block_id": ids.DIRECT_ACTIONS, "elements": elements})
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": blocks}
