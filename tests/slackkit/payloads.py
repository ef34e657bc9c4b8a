"""Payloads shaped like the ones Slack sends, with the test workspace's ids by default.

Each builder returns the decoded payload (a dict); `signing.SlackSigner` turns it into the
body and headers Slack would POST, and `FakeSlack.socket.send_envelope` delivers it over
Socket Mode. Pass only what the test is about:

    payloads.block_actions("claim_lead", value="lead-42", user_id=ALICE)
    payloads.view_submission("log_touch", values={"note": {"note": text_input("Called")}})
    payloads.event_callback(member_joined_channel(BRUNO, SALES))
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Mapping
from typing import Any

from .workspace import (
    ALICE,
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    CHANNELS,
    PEOPLE,
    SALES,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
)

_sequence = itertools.count(1)


def block_actions(
    action_id: str,
    *,
    value: str | None = None,
    block_id: str = "actions",
    text: str = "Click",
    user_id: str = ALICE,
    channel_id: str = SALES,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    state_values: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A button click on a message, or on a view when `view` is given."""
    action = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_ts": _ts(),
    }
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": dict(state_values or {})},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = dict(view)
        return payload
    message = dict(message or bot_message(channel_id))
    payload["container"] = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel_id,
        "is_ephemeral": False,
    }
    payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
    payload["message"] = message
    payload["response_url"] = response_url or _response_url()
    return payload


def view_submission(
    callback_id: str,
    *,
    values: Mapping[str, Any] | None = None,
    private_metadata: str = "",
    user_id: str = ALICE,
    view_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Smarketing",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A modal's submit; `values` is `view.state.values` ({block_id: {action_id: value}})."""
    view_id = view_id or new_view_id()
    view = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": list(blocks or []),
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": dict(values or {})},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def text_input(value: str | None) -> dict[str, Any]:
    """A `plain_text_input`'s entry in `view.state.values`."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A `static_select`'s entry in `view.state.values` (None: nothing chosen)."""
    if value is None:
        return {"type": "static_select", "selected_option": None}
    label = {"type": "plain_text", "text": text or value, "emoji": True}
    return {"type": "static_select", "selected_option": {"text": label, "value": value}}


def user_select(user_id: str | None) -> dict[str, Any]:
    """A `users_select`'s entry in `view.state.values`."""
    return {"type": "users_select", "selected_user": user_id}


def slash_command(
    command: str,
    text: str = "",
    *,
    user_id: str = ALICE,
    channel_id: str = SALES,
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> dict[str, str]:
    """A slash command's form fields, all strings, as Slack posts them."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": _channel_name(channel_id),
        "user_id": user_id,
        "user_name": _user(user_id)["username"],
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url or _response_url("commands"),
        "trigger_id": trigger_id or new_trigger_id(),
    }


def event_callback(
    event: Mapping[str, Any], *, event_id: str | None = None, event_time: int | None = None
) -> dict[str, Any]:
    """The Events API envelope around an inner event; reuse `event_id` to model a retry."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def url_verification(
    challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
) -> dict[str, str]:
    """The handshake Slack sends when the Request URL is saved."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


def app_home_opened(user_id: str = ALICE, *, tab: str = "home") -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id[1:]}",  # the DM id the fake gives this user
        "tab": tab,
        "event_ts": _ts(),
    }


def member_joined_channel(
    user_id: str, channel_id: str = SALES, *, inviter: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "member_joined_channel",
        "user": user_id,
        "channel": channel_id,
        "channel_type": "C",
        "team": TEAM_ID,
        "event_ts": _ts(),
    }
    if inviter:
        event["inviter"] = inviter
    return event


def member_left_channel(user_id: str, channel_id: str = SALES) -> dict[str, Any]:
    return {
        "type": "member_left_channel",
        "user": user_id,
        "channel": channel_id,
        "channel_type": "C",
        "team": TEAM_ID,
        "event_ts": _ts(),
    }


def bot_message(
    channel_id: str = SALES, *, text: str = "A lead card", ts: str | None = None
) -> dict[str, Any]:
    """A message the bot posted, as it appears inside interactive payloads."""
    return {
        "type": "message",
        "subtype": "bot_message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "text": text,
        "ts": ts or _ts(),
        "blocks": [],
    }


def new_trigger_id() -> str:
    return f"{next(_sequence)}{int(time.time())}.{TEAM_ID[1:]}.{secrets.token_hex(16)}"


def new_event_id() -> str:
    return f"Ev{secrets.token_hex(5).upper()}"


def new_view_id() -> str:
    return f"V{secrets.token_hex(5).upper()}"


def _response_url(kind: str = "actions") -> str:
    return f"https://hooks.slack.com/{kind}/{TEAM_ID}/{next(_sequence)}/{secrets.token_hex(12)}"


def _user(user_id: str) -> dict[str, str]:
    name = next((p.name for p in PEOPLE if p.id == user_id), user_id.lower())
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _channel_name(channel_id: str) -> str:
    return CHANNELS.get(channel_id, (channel_id.lower(), ()))[0]


def _ts() -> str:
    return f"{time.time():.6f}"
