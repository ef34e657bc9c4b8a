"""Claiming a lead end to end: signed clicks into `smarketing serve`, the card and its thread
read back from the fake Slack, ownership from the database."""

from __future__ import annotations

import threading
import time

import pytest
from liveserver import run_bot, wait_until
from slackkit import faults, payloads
from slackkit.workspace import ALICE, BOT_USER_ID, CARLA, SALES
from sqlmodel import col, select

from handlers.slack import ids
from storage import queries
from storage.db import session_scope
from storage.models import Lead, LeadEvent
from storage.types import utcnow

TOKEN = "test-leads-token"
RIVALS = [f"U0RIVAL{n:02d}" for n in range(20)]


@pytest.fixture
def env(bot_env, fake_slack):
    """Alice and twenty rivals are sellers; Carla, in the channel too, is not."""
    for rival in RIVALS:
        fake_slack.add_user(rival, name=rival.lower(), real_name=rival, email=f"{rival}@x.example")
    fake_slack.set_members(SALES, [BOT_USER_ID, ALICE, CARLA, *RIVALS])
    return bot_env | {"SELLER_USER_IDS": ",".join([ALICE, *RIVALS])}


def hand_over(bot, fake_slack) -> tuple[int, str]:
    """One lead through the intake, until its card is in the sales channel: (lead id, ts)."""
    response = bot.post(
        "/leads",
        json={"name": "Lucía García", "email": "lucia@andino.example", "company": "Grupo Andino"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    lead_id = response.json()["id"]
    card = wait_until(
        lambda: [m for m in fake_slack.messages(SALES) if m.user == BOT_USER_ID], timeout=15
    )
    return lead_id, card[0].ts


def click(bot, signer, lead_id: int, card_ts: str, user: str, action_id: str = ids.ACTION_CLAIM):
    payload = payloads.block_actions(
        action_id,
        value=str(lead_id),
        block_id=ids.CARD_ACTIONS,
        user_id=user,
        channel_id=SALES,
        message={"ts": card_ts, "text": "card"},
    )
    signed = signer.interactive(payload)
    return bot.post("/slack/events", content=signed.body, headers=signed.headers)


def stored(sessions, lead_id: int) -> Lead:
    with sessions() as session:
        return session.get(Lead, lead_id)


def events(sessions, lead_id: int) -> list[LeadEvent]:
    with sessions() as session:
        statement = select(LeadEvent).where(LeadEvent.lead_id == lead_id)
        return list(session.exec(statement.order_by(col(LeadEvent.id))))


def card_actions(message) -> list[str]:
    [actions] = [b for b in message.blocks if b.get("block_id") == ids.CARD_ACTIONS]
    return [e["action_id"] for e in actions["elements"]]


def replies(fake_slack, card_ts: str):
    return [m for m in fake_slack.messages(SALES) if m.thread_ts == card_ts and m.ts != card_ts]


def answers_to(fake_slack, user: str) -> list[str]:
    return [e["text"] for e in fake_slack.ephemeral_messages() if e["user"] == user]


def test_a_seller_claims_the_card_changes_in_place_and_the_thread_says_so(
    env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        assert card_actions(fake_slack.message(SALES, card_ts))[0] == ids.ACTION_CLAIM
        response = click(bot, slack_signer, lead_id, card_ts, ALICE)
        wait_until(lambda: fake_slack.message(SALES, card_ts).versions, timeout=10)
        wait_until(lambda: replies(fake_slack, card_ts), timeout=10)

    assert response.status_code == 200
    card = fake_slack.message(SALES, card_ts)
    assert ids.ACTION_CLAIM not in card_actions(card)
    assert card_actions(card)[:2] == [ids.ACTION_LOG_ATTEMPT, ids.ACTION_MEETING_BOOKED]
    context = next(b for b in card.blocks if b.get("block_id") == ids.CARD_CONTEXT)
    assert f"owner <@{ALICE}>" in context["elements"][0]["text"]
    [line] = replies(fake_slack, card_ts)
    assert line.text == f":raised_hand: <@{ALICE}> claimed this lead."
    lead = stored(sessions, lead_id)
    assert (lead.stage, lead.owner_id) == ("accepted", ALICE)
    assert [(e.kind, e.actor) for e in events(sessions, lead_id)][-1] == ("claim", ALICE)


def test_someone_who_is_not_a_seller_is_told_why_and_nothing_changes(
    env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        response = click(bot, slack_signer, lead_id, card_ts, CARLA)
        wait_until(lambda: answers_to(fake_slack, CARLA), timeout=10)

    assert response.status_code == 200
    assert answers_to(fake_slack, CARLA) == [
        "Only sellers can claim leads: ask a manager if you should be one."
    ]
    lead = stored(sessions, lead_id)
    assert (lead.stage, lead.owner_id) == ("profiled", None)
    assert fake_slack.message(SALES, card_ts).versions == []
    assert replies(fake_slack, card_ts) == []


def test_twenty_sellers_claiming_at_once_leaves_one_owner_and_nineteen_told_who(
    env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        start = threading.Barrier(len(RIVALS))
        statuses: list[int] = []

        def rival(user: str) -> None:
            start.wait()
            statuses.append(click(bot, slack_signer, lead_id, card_ts, user).status_code)

        threads = [threading.Thread(target=rival, args=(user,)) for user in RIVALS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        owner = stored(sessions, lead_id).owner_id
        losers = [user for user in RIVALS if user != owner]
        wait_until(lambda: all(answers_to(fake_slack, user) for user in losers), timeout=20)
        wait_until(lambda: replies(fake_slack, card_ts), timeout=10)
        time.sleep(1)  # time for a second thread line, were there one

    assert statuses == [200] * 20
    assert owner in RIVALS
    assert all(answers_to(fake_slack, u) == [f"<@{owner}> already has this lead."] for u in losers)
    assert answers_to(fake_slack, owner) == []
    assert [line.text for line in replies(fake_slack, card_ts)] == [
        f":raised_hand: <@{owner}> claimed this lead."
    ]
    assert [e.actor for e in events(sessions, lead_id) if e.kind == "claim"] == [owner]


def test_a_double_click_is_harmless(env, fake_slack, slack_signer, sessions, engine, tmp_path):
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        first = click(bot, slack_signer, lead_id, card_ts, ALICE)
        second = click(bot, slack_signer, lead_id, card_ts, ALICE)
        wait_until(lambda: replies(fake_slack, card_ts), timeout=10)
        time.sleep(1)

    assert first.status_code == second.status_code == 200
    assert len(replies(fake_slack, card_ts)) == 1
    assert answers_to(fake_slack, ALICE) == []
    assert [e.kind for e in events(sessions, lead_id)].count("claim") == 1


def test_forged_card_values_are_acked_and_change_nothing(
    env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    # Beyond a 32-bit id, a superscript digit, a negative number, text, nothing.
    forged = ["99999999999", "\u00b2", "-1", "0", "lead", ""]
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        responses = [click(bot, slack_signer, value, card_ts, ALICE) for value in forged]
        real = click(bot, slack_signer, lead_id, card_ts, ALICE)  # the lane still works
        wait_until(lambda: replies(fake_slack, card_ts), timeout=10)
        log = bot.log()

    assert [r.status_code for r in responses] == [200] * len(forged)
    assert real.status_code == 200
    assert "Traceback" not in log
    assert answers_to(fake_slack, ALICE) == []
    assert [e.kind for e in events(sessions, lead_id)].count("claim") == 1


def test_a_slow_slack_does_not_hold_up_the_ack(
    env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    with run_bot(env, tmp_path) as bot:
        lead_id, card_ts = hand_over(bot, fake_slack)
        fake_slack.fail_next("*", faults.delay(4), times=None)
        began = time.monotonic()
        response = click(bot, slack_signer, lead_id, card_ts, ALICE)
        took = time.monotonic() - began
        updates_when_acked = len(fake_slack.calls_to("chat.update"))
        wait_until(lambda: fake_slack.message(SALES, card_ts).versions, timeout=20)
        fake_slack.clear_faults()

    assert response.status_code == 200
    assert updates_when_acked == 0  # Slack was still busy with the card when the ack came
    assert took < 3  # the ack did not wait for the 4-second Slack
    assert stored(sessions, lead_id).owner_id == ALICE


def test_sellers_of_a_routed_card_are_the_members_of_its_channel(
    bot_env, fake_slack, slack_signer, sessions, engine, tmp_path
):
    north, diego = "C0NORTH", "U0DIEGO"
    fake_slack.add_user(diego, name="diego", real_name="Diego North", email="d@x.example")
    fake_slack.add_channel(north, name="sales-north", members=(BOT_USER_ID, diego))
    with session_scope(sessions) as session:
        queries.add_routing_rule(
            session, field="zone", value="North", match_key="north", channel_id=north, at=utcnow()
        )
    with run_bot(bot_env, tmp_path) as bot:  # no SELLER_USER_IDS: channel members sell
        response = bot.post(
            "/leads",
            json={"name": "Norte SA", "email": "n@norte.example", "zone": "North"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        lead_id = response.json()["id"]
        wait_until(lambda: fake_slack.messages(north), timeout=15)  # the card is there

        def claim_in_north(user: str):
            payload = payloads.block_actions(
                ids.ACTION_CLAIM, value=str(lead_id), user_id=user, channel_id=north
            )
            signed = slack_signer.interactive(payload)
            return bot.post("/slack/events", content=signed.body, headers=signed.headers)

        wait_until(lambda: membership_cached(sessions, north, diego), timeout=15)
        claim_in_north(ALICE)  # a seller of the sales channel, not of this one
        claim_in_north(diego)
        wait_until(lambda: stored(sessions, lead_id).owner_id, timeout=10)

    assert stored(sessions, lead_id).owner_id == diego
    assert [e.actor for e in events(sessions, lead_id) if e.kind == "claim"] == [diego]


def membership_cached(sessions, channel_id: str, user_id: str) -> bool:
    with sessions() as session:
        return queries.is_channel_member(session, channel_id=channel_id, user_id=user_id)
