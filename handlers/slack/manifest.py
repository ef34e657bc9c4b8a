"""The Slack app manifest: create the app from it in one step.

Scopes are the ones the bot's code calls for; each is listed with its reason.
"""

from __future__ import annotations

import yaml

from bot.i18n import Translator
from handlers.slack import ids

BOT_SCOPES = {
    "chat:write": "post lead cards, thread replies, ephemeral answers; update cards in place",
    "commands": "/funnel and /sla",
    "channels:read": "membership of public team channels (roles) and its join/leave events",
    "groups:read": "membership of private team channels (roles) and its join/leave events",
    "channels:history": "find a card already posted after a lost answer; read card threads",
    "groups:history": "the same in private channels",
    "im:write": "open DMs for reminders, charts and exports",
    "im:history": "find a direct message already sent after a lost answer",
    "users:read": "people's names and time zones",
    "files:write": "send charts and exports to a DM",
}
BOT_EVENTS = ("app_home_opened", "member_joined_channel", "member_left_channel")
EVENTS_PATH = "/slack/events"


def build_manifest(_: Translator, *, url: str | None) -> dict:
    """The manifest as a dict; `url` is the public base URL, or None for Socket Mode."""
    request_url = f"{url.rstrip('/')}{EVENTS_PATH}" if url else None
    with_url = {"url": request_url} if request_url else {}
    commands = [
        {
            "command": ids.COMMAND_FUNNEL,
            **with_url,
            "description": _("manifest.funnel"),
            "usage_hint": _("manifest.funnel_hint"),
            "should_escape": False,
        },
        {
            "command": ids.COMMAND_SLA,
            **with_url,
            "description": _("manifest.sla"),
            "usage_hint": _("manifest.sla_hint"),
            "should_escape": False,
        },
    ]
    events = {"bot_events": list(BOT_EVENTS)}
    interactivity = {"is_enabled": True}
    if request_url:
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Smarketing Bot",
            "description": _("manifest.description"),
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "smarketing", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(_: Translator, *, url: str | None) -> str:
    """The manifest as YAML, ready to paste into "Create New App → From a manifest"."""
    return yaml.safe_dump(build_manifest(_, url=url), sort_keys=False, allow_unicode=True)
