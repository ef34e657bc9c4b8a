"""Who is who: sellers, marketers and managers.

A role is its configured user list, or, when that list is empty, the members of that team's
channel (for sellers, the channel the card was posted in). Membership is read from the cache
the bot keeps current, never from Slack while a user waits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from storage import queries


class Role(StrEnum):
    SELLER = "seller"
    MARKETER = "marketer"
    MANAGER = "manager"


@dataclass(frozen=True)
class RoleDirectory:
    """The configured role lists and the channel each role falls back to."""

    sellers: tuple[str, ...]
    marketers: tuple[str, ...]
    managers: tuple[str, ...]
    sales_channel: str
    marketing_channel: str
    managers_channel: str

    @property
    def team_channels(self) -> tuple[str, ...]:
        """The channels whose membership the cache must cover."""
        return tuple(
            c for c in (self.sales_channel, self.marketing_channel, self.managers_channel) if c
        )

    def has_role(
        self, session: Session, *, role: Role, user_id: str, channel_id: str | None = None
    ) -> bool:
        """True when `user_id` holds `role`; `channel_id` is where a seller acts (a card's
        channel, default the sales channel)."""
        listed, channel = {
            Role.SELLER: (self.sellers, channel_id or self.sales_channel),
            Role.MARKETER: (self.marketers, self.marketing_channel),
            Role.MANAGER: (self.managers, self.managers_channel),
        }[role]
        if listed:
            return user_id in listed
        return bool(channel) and queries.is_channel_member(
            session, channel_id=channel, user_id=user_id
        )

    def sellers_among(
        self, session: Session, pairs: Iterable[tuple[str, str | None]]
    ) -> set[tuple[str, str | None]]:
        """Of (user, channel where they act) pairs, those in which the user is a seller:
        `has_role` for many people at once, with one query at most."""
        if self.sellers:
            return {pair for pair in pairs if pair[0] in self.sellers}
        where = {pair: pair[1] or self.sales_channel for pair in pairs}
        members = queries.channel_members_among(
            session,
            channel_ids={channel for channel in where.values() if channel},
            user_ids={user for user, _ in where},
        )
        return {pair for pair, channel in where.items() if (channel, pair[0]) in members}


def member_joined(session: Session, *, channel_id: str, user_id: str, at: datetime) -> None:
    """Slack said `user_id` joined `channel_id`."""
    queries.add_channel_member(session, channel_id=channel_id, user_id=user_id, at=at)


def member_left(session: Session, *, channel_id: str, user_id: str) -> None:
    """Slack said `user_id` left `channel_id`."""
    queries.remove_channel_member(session, channel_id=channel_id, user_id=user_id)


def members_synced(session: Session, *, channel_id: str, user_ids: list[str], at: datetime) -> None:
    """A full list of `channel_id`'s members arrived from Slack: the cache becomes exactly it."""
    queries.replace_channel_members(session, channel_id=channel_id, user_ids=user_ids, at=at)
