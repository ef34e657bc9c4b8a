"""Keeps the membership cache current from Slack (`conversations.members`)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import roles
from bot.runtime import Runtime
from storage import queries
from storage.db import session_scope
from storage.types import utcnow

logger = logging.getLogger(__name__)


def fetch_channel_members(client: WebClient, *, channel_id: str) -> list[str]:
    """Every member of `channel_id`, following Slack's pagination."""
    members: list[str] = []
    cursor = None
    while True:
        response = client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
        members.extend(response["members"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


def channels_to_sync(runtime: Runtime) -> list[str]:
    """The team channels and every channel a routing rule sends cards to: sellers of a
    routed card are the members of its channel."""
    with runtime.sessions() as session:
        routed = [rule.channel_id for rule in queries.routing_rules(session)]
    return list(dict.fromkeys([*runtime.roles.team_channels, *routed]))


def sync_memberships(client: WebClient, runtime: Runtime, bot_user_id: str | None = None) -> bool:
    """Refresh the cache for every channel the bot posts to; True when all were synced.
    The bot itself (`bot_user_id`, when known) is left out: it is nobody's seller."""
    synced_all = True
    for channel_id in channels_to_sync(runtime):
        try:
            members = [
                member
                for member in fetch_channel_members(client, channel_id=channel_id)
                if member != bot_user_id
            ]
        except (SlackApiError, OSError) as error:
            logger.warning("membership of %s not synced: %s", channel_id, error)
            synced_all = False
            continue
        with session_scope(runtime.sessions) as session:
            roles.members_synced(session, channel_id=channel_id, user_ids=members, at=utcnow())
        logger.info("membership of %s synced: %d members", channel_id, len(members))
    return synced_all
