"""Fixtures shared by the end-to-end tests of working a lead."""

from __future__ import annotations

import pytest
from desk import DIEGO, ZED, Desk
from liveserver import run_bot
from slackkit.workspace import ALICE, BOT_USER_ID, BRUNO, CARLA, SALES


@pytest.fixture
def team_env(bot_env, fake_slack):
    """Alice and Diego sell; Carla manages; Bruno markets (and is in the sales channel)."""
    fake_slack.add_user(DIEGO, name="diego", real_name="Diego Seller", email="d@x.example")
    fake_slack.add_user(ZED, name="zed", real_name="Zed Guest", email="z@x.example")
    fake_slack.set_members(SALES, [BOT_USER_ID, ALICE, CARLA, BRUNO, DIEGO, ZED])
    return bot_env | {
        "SELLER_USER_IDS": f"{ALICE},{DIEGO}",
        "MANAGER_USER_IDS": CARLA,
        "MARKETER_USER_IDS": BRUNO,
    }


@pytest.fixture
def desk(team_env, fake_slack, slack_signer, sessions, engine, tmp_path):
    with run_bot(team_env, tmp_path) as bot:
        yield Desk(bot, fake_slack, slack_signer, sessions)
