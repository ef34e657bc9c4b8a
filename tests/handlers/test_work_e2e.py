"""Working a lead end to end: buttons open modals, submissions change the lead, the card
and its thread follow; bad input and the wrong people change nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from desk import DIEGO, ZED, card_context, value
from liveserver import wait_until
from slackkit import payloads
from slackkit.workspace import ALICE, BRUNO, CARLA, MARKETING, SALES
from sqlalchemy import update
from sqlmodel import col, select

from handlers.slack import ids
from storage.db import session_scope
from storage.models import Lead, LeadEvent


def test_claim_attempts_meeting_won_with_the_event_log_and_the_thread(desk):
    lead_id, card_ts = desk.claimed_by_alice()

    desk.click(ids.ACTION_LOG_ATTEMPT, lead_id, ALICE)
    attempt = desk.opened_modal(ids.VIEW_ATTEMPT)
    connected = {
        **value(ids.BLOCK_ATTEMPT_HOW, payloads.static_select("call")),
        **value(
            ids.BLOCK_ATTEMPT_OUTCOME,
            {"type": "radio_buttons", "selected_option": {"value": "connected"}},
        ),
    }
    assert desk.submit(attempt, connected).status_code == 200
    wait_until(lambda: desk.lead(lead_id).stage == "contacted", timeout=10)

    desk.click(ids.ACTION_MEETING_BOOKED, lead_id, ALICE)
    meeting = desk.opened_modal(ids.VIEW_MEETING)
    when = int((datetime.now(UTC) + timedelta(days=2)).timestamp())
    chosen = value(ids.BLOCK_MEETING_WHEN, {"type": "datetimepicker", "selected_date_time": when})
    assert desk.submit(meeting, chosen).status_code == 200
    wait_until(lambda: desk.lead(lead_id).stage == "qualified", timeout=10)

    desk.click(ids.ACTION_WON, lead_id, ALICE)
    won = desk.opened_modal(ids.VIEW_WON)
    deal = value(ids.BLOCK_WON_VALUE, payloads.text_input("7,000"))
    assert desk.submit(won, deal).status_code == 200
    wait_until(lambda: desk.lead(lead_id).stage == "won", timeout=10)
    wait_until(lambda: len(desk.thread(card_ts)) == 4, timeout=15)

    assert desk.lead(lead_id).won_value == 7000
    assert desk.events(lead_id) == ["claim", "attempt", "contact", "qualify", "win"]
    lines = desk.thread(card_ts)
    assert lines[0] == f":raised_hand: <@{ALICE}> claimed this lead."
    assert (
        lines[1]
        == f":telephone_receiver: <@{ALICE}> logged an attempt: Call, Connected: we talked."
    )
    assert lines[2].startswith(f":calendar: <@{ALICE}> booked a meeting for ")
    assert lines[3] == f":trophy: <@{ALICE}> won the deal: 7,000."
    wait_until(lambda: "*Won*" in card_context(desk, card_ts), timeout=10)
    assert ids.ACTION_LOG_ATTEMPT not in str(desk.fake.message(SALES, card_ts).blocks)


def test_a_value_that_is_not_a_number_keeps_the_modal_open_and_changes_nothing(desk):
    lead_id, _ = desk.claimed_by_alice()
    desk.click(ids.ACTION_WON, lead_id, ALICE)
    won = desk.opened_modal(ids.VIEW_WON)
    response = desk.submit(won, value(ids.BLOCK_WON_VALUE, payloads.text_input("abc")))
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [ids.BLOCK_WON_VALUE]
    assert desk.lead(lead_id).stage == "accepted"
    assert desk.events(lead_id) == ["claim"]


def test_a_meeting_in_the_past_is_refused_naming_the_field(desk):
    lead_id, _ = desk.claimed_by_alice()
    desk.click(ids.ACTION_MEETING_BOOKED, lead_id, ALICE)
    meeting = desk.opened_modal(ids.VIEW_MEETING)
    yesterday = int((datetime.now(UTC) - timedelta(days=1)).timestamp())
    response = desk.submit(
        meeting,
        value(ids.BLOCK_MEETING_WHEN, {"type": "datetimepicker", "selected_date_time": yesterday}),
    )
    assert response.json()["errors"] == {
        ids.BLOCK_MEETING_WHEN: "The meeting must be in the future."
    }
    assert desk.lead(lead_id).stage == "accepted"


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(ALICE, True), (CARLA, True), (DIEGO, False), (BRUNO, False), (ZED, False)],
    ids=["owner", "manager", "other-seller", "marketer", "stranger"],
)
def test_only_the_owner_or_a_manager_may_open_a_claimed_leads_modals(desk, user, allowed):
    lead_id, _ = desk.claimed_by_alice()
    desk.click(ids.ACTION_LOST, lead_id, user)
    if allowed:
        modal = desk.opened_modal(ids.VIEW_EXIT)
        reasons = value(ids.BLOCK_EXIT_REASON, payloads.static_select("price"))
        assert desk.submit(modal, reasons, user=user).status_code == 200
        wait_until(lambda: desk.lead(lead_id).exit == "lost", timeout=10)
    else:
        wait_until(lambda: desk.answers_to(user), timeout=10)
        assert desk.answers_to(user) == [
            f"This lead belongs to <@{ALICE}>: only they or a manager can do that."
        ]
        assert desk.fake.views() == []
        assert desk.lead(lead_id).exit is None
        assert desk.events(lead_id) == ["claim"]


def test_a_stranger_submitting_a_forged_modal_changes_nothing(desk):
    lead_id, _ = desk.claimed_by_alice()
    forged = {
        "callback_id": ids.VIEW_EXIT,
        "private_metadata": json.dumps({"lead": lead_id, "channel": SALES, "exit": "lost"}),
    }
    reasons = value(ids.BLOCK_EXIT_REASON, payloads.static_select("price"))
    assert desk.submit(forged, reasons, user=DIEGO).status_code == 200
    wait_until(lambda: desk.answers_to(DIEGO), timeout=10)
    assert desk.lead(lead_id).exit is None


def test_not_a_fit_on_an_unclaimed_card_and_undo_within_ten_minutes(desk):
    lead_id, card_ts = desk.hand_over()
    desk.click(ids.ACTION_NOT_A_FIT, lead_id, DIEGO)
    modal = desk.opened_modal(ids.VIEW_EXIT)
    reasons = value(ids.BLOCK_EXIT_REASON, payloads.static_select("wrong_region"))
    assert desk.submit(modal, reasons, user=DIEGO).status_code == 200
    wait_until(lambda: desk.lead(lead_id).exit == "rejected", timeout=10)

    desk.click(ids.ACTION_CARD_MENU, lead_id, ALICE, value=f"{ids.MENU_UNDO}:{lead_id}")
    wait_until(lambda: desk.answers_to(ALICE), timeout=10)
    assert desk.answers_to(ALICE) == ["You have nothing to undo on this lead."]
    desk.click(ids.ACTION_CARD_MENU, lead_id, DIEGO, value=f"{ids.MENU_UNDO}:{lead_id}")
    wait_until(lambda: desk.lead(lead_id).exit is None, timeout=10)
    wait_until(lambda: len(desk.thread(card_ts)) == 2, timeout=10)
    assert desk.events(lead_id) == ["reject", "undo"]
    assert desk.thread(card_ts)[1] == (
        f":leftwards_arrow_with_hook: <@{DIEGO}> undid their last action (not a fit)."
    )
    time.sleep(0.5)
    assert desk.lead(lead_id).stage == "profiled"


def test_undo_after_ten_minutes_is_refused_and_changes_nothing(desk):
    lead_id, _ = desk.claimed_by_alice()
    desk.click(ids.ACTION_NURTURE, lead_id, ALICE)
    modal = desk.opened_modal(ids.VIEW_EXIT)
    reasons = value(ids.BLOCK_EXIT_REASON, payloads.static_select("not_ready"))
    assert desk.submit(modal, reasons).status_code == 200
    wait_until(lambda: desk.lead(lead_id).exit == "nurture", timeout=10)
    with session_scope(desk.sessions) as session:  # the nurture was eleven minutes ago
        event = session.exec(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == "nurture")
        ).one()
        session.exec(
            update(LeadEvent)
            .where(col(LeadEvent.id) == event.id)
            .values(at=event.at - timedelta(minutes=11))
        )
    desk.click(ids.ACTION_CARD_MENU, lead_id, ALICE, value=f"{ids.MENU_UNDO}:{lead_id}")
    wait_until(lambda: desk.answers_to(ALICE), timeout=10)
    assert desk.answers_to(ALICE) == [
        "Too late to undo: an action can be undone within 10 minutes."
    ]
    assert desk.lead(lead_id).exit == "nurture"
    assert desk.events(lead_id) == ["claim", "nurture"]


# Each button of a claimed card, the modal it opens, and a submission that must be refused.
BUTTONS = [
    (
        ids.ACTION_LOG_ATTEMPT,
        ids.VIEW_ATTEMPT,
        value(ids.BLOCK_ATTEMPT_HOW, payloads.static_select("call")),
        ids.BLOCK_ATTEMPT_OUTCOME,
    ),
    (ids.ACTION_MEETING_BOOKED, ids.VIEW_MEETING, {}, ids.BLOCK_MEETING_WHEN),
    (
        ids.ACTION_WON,
        ids.VIEW_WON,
        value(ids.BLOCK_WON_VALUE, payloads.text_input("-5")),
        ids.BLOCK_WON_VALUE,
    ),
    (ids.ACTION_LOST, ids.VIEW_EXIT, {}, ids.BLOCK_EXIT_REASON),
    (
        ids.ACTION_NURTURE,
        ids.VIEW_EXIT,
        value(ids.BLOCK_EXIT_REASON, payloads.static_select("price")),  # a "lost" reason
        ids.BLOCK_EXIT_REASON,
    ),
    (ids.ACTION_NOT_A_FIT, ids.VIEW_EXIT, {}, ids.BLOCK_EXIT_REASON),
]


@pytest.mark.parametrize(
    ("button", "callback", "bad", "block"), BUTTONS, ids=[b[0] for b in BUTTONS]
)
def test_each_button_opens_its_modal_and_bad_input_names_the_field(
    desk, button, callback, bad, block
):
    lead_id, card_ts = desk.claimed_by_alice()
    desk.click(button, lead_id, ALICE)
    modal = desk.opened_modal(callback)
    answer = desk.submit(modal, bad).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block]
    assert desk.events(lead_id) == ["claim"]
    assert len(desk.thread(card_ts)) <= 1  # the claim's line at most; nothing from the modal


@pytest.mark.parametrize(
    ("stage", "offered"),
    [
        (
            "accepted",
            [ids.ACTION_LOG_ATTEMPT, ids.ACTION_MEETING_BOOKED, ids.ACTION_WON, ids.ACTION_LOST],
        ),
        ("contacted", [ids.ACTION_MEETING_BOOKED, ids.ACTION_WON, ids.ACTION_NURTURE]),
        ("qualified", [ids.ACTION_LOG_ATTEMPT, ids.ACTION_WON, ids.ACTION_NOT_A_FIT]),
    ],
)
def test_the_buttons_offered_at_each_stage_work_there(desk, stage, offered):
    lead_id, _ = desk.claimed_by_alice()
    with session_scope(desk.sessions) as session:
        session.get(Lead, lead_id).stage = stage
    for count, button in enumerate(offered, start=1):
        desk.click(button, lead_id, ALICE)
        wait_until(lambda n=count: len(desk.fake.views()) >= n, timeout=10)
    assert [v["callback_id"] for v in desk.fake.views()] == [
        dict((b[0], b[1]) for b in BUTTONS)[button] for button in offered
    ]


@pytest.mark.parametrize(
    ("button", "reason", "exit_label"),
    [
        (ids.ACTION_LOST, "price", "Lost"),
        (ids.ACTION_NURTURE, "not_ready", "Back to nurture"),
        (ids.ACTION_NOT_A_FIT, "wrong_region", "Not a fit"),
    ],
)
def test_closing_a_lead_tells_marketing_why_once_with_a_link_to_the_card(
    desk, button, reason, exit_label
):
    lead_id, _ = desk.claimed_by_alice()
    desk.click(button, lead_id, ALICE)
    modal = desk.opened_modal(ids.VIEW_EXIT)
    chosen = {
        **value(ids.BLOCK_EXIT_REASON, payloads.static_select(reason)),
        **value(ids.BLOCK_NOTE, payloads.text_input("Asked us to call in spring")),
        **value(ids.BLOCK_RATING, payloads.static_select("3")),
    }
    assert desk.submit(modal, chosen).status_code == 200
    wait_until(lambda: desk.fake.messages(MARKETING), timeout=15)
    time.sleep(1)  # a second message would show here

    [message] = desk.fake.messages(MARKETING)
    assert message.metadata["event_payload"]["lead_id"] == lead_id
    assert message.text.startswith(f"{exit_label}: Lucía García · Grupo Andino")
    blocks = {b.get("block_id"): b for b in message.blocks}
    fields = [f["text"] for f in blocks[ids.FEEDBACK_FIELDS]["fields"]]
    assert f"*Seller*\n<@{ALICE}>" in fields and "*Lead quality*\n3 of 5" in fields
    assert "spring" in blocks[ids.FEEDBACK_NOTE]["text"]["text"]
    contest, card = blocks[ids.FEEDBACK_ACTIONS]["elements"]
    assert contest["action_id"] == ids.ACTION_CONTEST
    assert card["url"].startswith("https://")
