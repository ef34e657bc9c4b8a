"""Roles come from the configured lists, else from the membership cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import roles
from bot.domain.roles import Role, RoleDirectory
from storage.db import session_scope

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def directory(**lists) -> RoleDirectory:
    return RoleDirectory(
        sellers=lists.get("sellers", ()),
        marketers=lists.get("marketers", ()),
        managers=lists.get("managers", ()),
        sales_channel="C0SALES",
        marketing_channel="C0MKT",
        managers_channel="C0MGRS",
    )


@pytest.fixture
def seeded(sessions):
    with session_scope(sessions) as session:
        roles.members_synced(session, channel_id="C0SALES", user_ids=["U0ANA", "U0BRUNO"], at=AT)
        roles.members_synced(session, channel_id="C0MGRS", user_ids=["U0MARIA"], at=AT)
        roles.members_synced(session, channel_id="C0ROUTED", user_ids=["U0CARLA"], at=AT)
    return sessions


def test_with_no_lists_the_team_channels_decide(seeded):
    d = directory()
    with seeded() as session:
        assert d.has_role(session, role=Role.SELLER, user_id="U0ANA")
        assert not d.has_role(session, role=Role.SELLER, user_id="U0MARIA")
        assert d.has_role(session, role=Role.MANAGER, user_id="U0MARIA")
        assert not d.has_role(session, role=Role.MARKETER, user_id="U0ANA")


def test_a_seller_is_judged_in_the_channel_the_card_is_in(seeded):
    d = directory()
    with seeded() as session:
        assert d.has_role(session, role=Role.SELLER, user_id="U0CARLA", channel_id="C0ROUTED")
        assert not d.has_role(session, role=Role.SELLER, user_id="U0ANA", channel_id="C0ROUTED")


def test_a_configured_list_overrides_channel_membership(seeded):
    d = directory(sellers=("U0CARLA",), managers=("U0ANA",))
    with seeded() as session:
        assert d.has_role(session, role=Role.SELLER, user_id="U0CARLA")
        assert not d.has_role(session, role=Role.SELLER, user_id="U0ANA")
        assert d.has_role(session, role=Role.MANAGER, user_id="U0ANA")
        assert not d.has_role(session, role=Role.MANAGER, user_id="U0MARIA")


def test_joining_and_leaving_update_the_cache(seeded):
    d = directory()
    with session_scope(seeded) as session:
        roles.member_joined(session, channel_id="C0SALES", user_id="U0DIEGO", at=AT)
        roles.member_joined(session, channel_id="C0SALES", user_id="U0DIEGO", at=AT)
        roles.member_left(session, channel_id="C0SALES", user_id="U0ANA")
    with seeded() as session:
        assert d.has_role(session, role=Role.SELLER, user_id="U0DIEGO")
        assert not d.has_role(session, role=Role.SELLER, user_id="U0ANA")


def test_a_full_sync_replaces_the_channels_members(seeded):
    with session_scope(seeded) as session:
        roles.members_synced(session, channel_id="C0SALES", user_ids=["U0EVA", "U0EVA"], at=AT)
    d = directory()
    with seeded() as session:
        assert d.has_role(session, role=Role.SELLER, user_id="U0EVA")
        assert not d.has_role(session, role=Role.SELLER, user_id="U0BRUNO")
        assert d.has_role(session, role=Role.MANAGER, user_id="U0MARIA")
