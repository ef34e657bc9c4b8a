"""SLA enforcement end to end: the real server and the fake Slack, with the sweep run at
chosen instants against the server's database; what people see, each once."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from desk import DIEGO, Desk, card_context
from liveserver import wait_until
from slackkit.workspace import ALICE, BOT_USER_ID, BRUNO, CARLA, MANAGERS, MARKETING, SALES
from sqlmodel import select

from bot.domain.enforcement import sweep
from bot.domain.roles import RoleDirectory
from bot.domain.sla import change_policy, read_changes
from handlers.slack import ids
from storage.db import session_scope
from storage.models import Lead, SentMessage
from storage.types import utcnow

ROLES = RoleDirectory((ALICE, DIEGO), (BRUNO,), (CARLA,), SALES, MARKETING, MANAGERS)
UTC_ZONE = ZoneInfo("UTC")  # the bot's default BOT_TIMEZONE
ALWAYS = {"work_days": "mon-sun", "work_hours": "00:00-24:00"}


def set_policy(desk: Desk, **values: str) -> None:
    with session_scope(desk.sessions) as session:
        change_policy(session, read_changes(ALWAYS | values), by=CARLA, at=utcnow())


def run_sweep(desk: Desk, ahead: int = 0) -> dict:
    """The sweep on the server's database as its scheduler would run it, now or `ahead`
    minutes from now."""
    at = utcnow() + timedelta(minutes=ahead)
    return dict(sweep(desk.sessions, roles=ROLES, tz=UTC_ZONE, now=at))


def rewind(desk: Desk, lead_id: int, minutes: int) -> None:
    """Let `minutes` pass for the lead: its stored instants, and its card's, move back."""
    back = timedelta(minutes=minutes)
    with session_scope(desk.sessions) as session:
        lead = session.get(Lead, lead_id)
        for name in ("created_at", "received_at", "profiled_at", "accepted_at"):
            if getattr(lead, name) is not None:
                setattr(lead, name, getattr(lead, name) - back)
        for card in session.exec(select(SentMessage).where(SentMessage.lead_id == lead_id)):
            card.created_at -= back


def from_bot(desk: Desk, channel: str) -> list:
    return [m for m in desk.fake.messages(channel) if m.user == BOT_USER_ID]


def test_a_claimed_lead_left_alone_gets_one_reminder_then_one_escalation(desk):
    set_policy(desk, first_touch_minutes="60")
    lead_id, card_ts = desk.claimed_by_alice()
    wait_until(lambda: "first touch due by" in card_context(desk, card_ts), timeout=10)

    rewind(desk, lead_id, 30)
    assert run_sweep(desk) == {}
    rewind(desk, lead_id, 16)
    assert run_sweep(desk) == {"first_touch_reminder": 1}
    direct = f"D{ALICE[1:]}"
    [reminder] = wait_until(lambda: desk.fake.messages(direct), timeout=15)
    assert "waiting for its first touch" in reminder.text
    assert "14 business minutes left" in reminder.text

    rewind(desk, lead_id, 15)
    assert run_sweep(desk) == {"first_touch_late": 1}
    [escalation] = wait_until(lambda: from_bot(desk, MANAGERS), timeout=15)
    assert f"<@{ALICE}> accepted it" in escalation.text
    assert "60 business minutes (1 minutes late)" in escalation.text
    link = next(b for b in escalation.blocks if b.get("block_id") == ids.DIRECT_ACTIONS)
    assert link["elements"][0]["url"].startswith("https://")
    wait_until(lambda: "late" in card_context(desk, card_ts), timeout=15)

    # Later sweeps, overlapping ones and a restart of the sweeper find nothing more to do.
    # Sweeps again now, and later (hours on, days on): nothing more to do.
    for ahead in (0, 1, 60, 600, 3 * 24 * 60):
        assert run_sweep(desk, ahead=ahead) == {}
    time.sleep(1.5)  # a second message would show by now
    assert len(desk.fake.messages(direct)) == 1
    assert len(from_bot(desk, MANAGERS)) == 1


def test_a_card_nobody_claims_is_offered_again_in_its_thread_and_the_channel(desk):
    set_policy(desk, unclaimed_after_minutes="30")
    lead_id, card_ts = desk.hand_over()
    rewind(desk, lead_id, 60)  # two waits passed: offered again, and the managers told
    assert run_sweep(desk) == {"reoffer": 1, "unclaimed_late": 1}
    [reply] = wait_until(lambda: desk.thread(card_ts), timeout=15)
    assert "any seller may claim it" in reply
    broadcast = [m for m in desk.fake.messages(SALES) if m.thread_ts == card_ts and m.ts != card_ts]
    assert broadcast[0].reply_broadcast is True
    for ahead in (0, 15, 30, 600):
        assert run_sweep(desk, ahead=ahead) == {}
    [escalation] = wait_until(lambda: from_bot(desk, MANAGERS), timeout=15)
    assert "nobody has accepted it in 60 business minutes" in escalation.text
    time.sleep(1)
    assert len(desk.thread(card_ts)) == 1


@pytest.fixture
def round_robin(desk):
    set_policy(desk, assignment="round_robin", unclaimed_after_minutes="30")
    return desk


def card_buttons(desk: Desk, card_ts: str) -> list[str]:
    card = next(m for m in desk.fake.messages(SALES) if m.ts == card_ts)
    actions = next(b for b in card.blocks if b.get("block_id") == ids.CARD_ACTIONS)
    return [e["action_id"] for e in actions["elements"]]


def test_round_robin_offers_the_card_to_one_seller_who_alone_may_accept_it(round_robin):
    desk = round_robin
    lead_id, card_ts = desk.hand_over()
    assignee = desk.lead(lead_id).assignee_id
    assert assignee in (ALICE, DIEGO)
    other = DIEGO if assignee == ALICE else ALICE
    assert ids.ACTION_ACCEPT in card_buttons(desk, card_ts)
    assert ids.ACTION_CLAIM not in card_buttons(desk, card_ts)
    assert f"offered to <@{assignee}>" in card_context(desk, card_ts)

    desk.click(ids.ACTION_ACCEPT, lead_id, other)
    [refusal] = wait_until(lambda: desk.answers_to(other), timeout=10)
    assert f"offered to <@{assignee}>" in refusal
    desk.click(ids.ACTION_CLAIM, lead_id, other)  # an old card's Claim is no way round it
    wait_until(lambda: len(desk.answers_to(other)) == 2, timeout=10)
    assert desk.lead(lead_id).owner_id is None

    desk.click(ids.ACTION_ACCEPT, lead_id, assignee)
    wait_until(lambda: desk.lead(lead_id).owner_id == assignee, timeout=10)
    wait_until(lambda: ids.ACTION_ACCEPT not in card_buttons(desk, card_ts), timeout=10)
    [line] = wait_until(lambda: desk.thread(card_ts), timeout=10)
    assert f"<@{assignee}> accepted this lead" in line


def test_round_robin_moves_an_unaccepted_card_to_the_next_seller(round_robin):
    desk = round_robin
    lead_id, card_ts = desk.hand_over()
    first = desk.lead(lead_id).assignee_id
    rewind(desk, lead_id, 30)
    assert run_sweep(desk) == {"reoffer": 1}
    second = desk.lead(lead_id).assignee_id
    assert {first, second} == {ALICE, DIEGO}
    [reply] = wait_until(lambda: desk.thread(card_ts), timeout=15)
    assert f"now offered to <@{second}>" in reply
    wait_until(lambda: f"offered to <@{second}>" in card_context(desk, card_ts), timeout=10)
    desk.click(ids.ACTION_ACCEPT, lead_id, second)
    wait_until(lambda: desk.lead(lead_id).owner_id == second, timeout=10)
