"""Notices as Slack text: a catalog key and its parameters, rendered in the team's language.

People travel as user ids and are shown as mentions; stages and exits travel as codes and
are shown as their labels. Nothing else from the payload is trusted as markup.
"""

from __future__ import annotations

import re
from typing import Any

from bot.i18n import Translator
from handlers.slack.blocks import escape

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
PEOPLE = ("user", "owner")


def render_notice(payload: dict[str, Any], _: Translator) -> str:
    """The text of a notice (`{"key": …, "params": {…}}`)."""
    params = dict(payload.get("params") or {})
    for name, value in params.items():
        if name in PEOPLE:
            params[name] = _mention(str(value))
        elif name == "state":
            params[name] = _state_label(str(value), _)
        else:
            params[name] = escape(str(value))
    return _(payload["key"], **params)


def _mention(user_id: str) -> str:
    return f"<@{user_id}>" if _SLACK_USER.match(user_id) else escape(user_id)


def _state_label(code: str, _: Translator) -> str:
    for prefix in ("exit", "stage"):
        try:
            return _(f"{prefix}.{code}")
        except KeyError:
            continue
    return escape(code)
