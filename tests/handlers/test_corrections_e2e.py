"""Corrections end to end: marketing contests a verdict, a manager reassigns or reopens a
lead; the wrong people are refused and nothing changes."""

from __future__ import annotations

import time

import pytest
from desk import DIEGO, ZED, Desk, card_context, value
from liveserver import wait_until
from slackkit import faults, payloads
from slackkit.workspace import ALICE, BOT_USER_ID, BRUNO, CARLA, MARKETING, SALES
from sqlmodel import select

from handlers.slack import ids
from storage.models import Contest, OutboxEntry

pytestmark = pytest.mark.any_backend

EXITS = [
    (ids.ACTION_LOST, "price", "lost"),
    (ids.ACTION_NURTURE, "not_ready", "nurture"),
    (ids.ACTION_NOT_A_FIT, "wrong_region", "rejected"),
]


def close(desk: Desk, lead_id: int, button: str, reason: str, user: str = ALICE) -> None:
    count = len([v for v in desk.fake.views() if v.get("callback_id") == ids.VIEW_EXIT]) + 1
    desk.click(button, lead_id, user)
    modal = desk.opened_modal(ids.VIEW_EXIT, count=count)
    chosen = value(ids.BLOCK_EXIT_REASON, payloads.static_select(reason))
    assert desk.submit(modal, chosen, user=user).status_code == 200


def feedback_message(desk: Desk, lead_id: int):
    """The lead's latest message in the marketing channel, once it is there."""
    wait_until(lambda: [m for m in desk.fake.messages(MARKETING) if _about(m, lead_id)], timeout=15)
    return [m for m in desk.fake.messages(MARKETING) if _about(m, lead_id)][-1]


def _about(message, lead_id: int) -> bool:
    return (message.metadata or {}).get("event_payload", {}).get("lead_id") == lead_id


def contest_button(message) -> dict:
    actions = next(b for b in message.blocks if b.get("block_id") == ids.FEEDBACK_ACTIONS)
    return next(e for e in actions["elements"] if e["action_id"] == ids.ACTION_CONTEST)


def click_contest(desk: Desk, lead_id: int, user: str, message) -> None:
    button = contest_button(message)
    desk.click(ids.ACTION_CONTEST, lead_id, user, channel=MARKETING, button_value=button["value"])


def contests(desk: Desk) -> list[Contest]:
    with desk.sessions() as session:
        return list(session.exec(select(Contest)))


def why(text: str) -> dict:
    return value(ids.BLOCK_CONTEST_WHY, payloads.text_input(text))


@pytest.mark.parametrize(("button", "reason", "exit_"), EXITS, ids=[e[2] for e in EXITS])
def test_a_marketer_contests_each_kind_of_verdict(desk, button, reason, exit_):
    lead_id, card_ts = desk.claimed_by_alice()
    close(desk, lead_id, button, reason)
    message = feedback_message(desk, lead_id)

    click_contest(desk, lead_id, BRUNO, message)
    modal = desk.opened_modal(ids.VIEW_CONTEST)
    assert f"<@{ALICE}>" in modal["blocks"][1]["text"]["text"]  # whose verdict it was
    assert desk.submit(modal, why("Budget approved last week"), user=BRUNO).status_code == 200

    wait_until(lambda: len(desk.thread(card_ts)) == 3, timeout=15)
    line = desk.thread(card_ts)[2]
    assert line.startswith(f":triangular_flag_on_post: <@{BRUNO}> (marketing) contests <@{ALICE}>")
    assert "Budget approved last week" in line
    [objection] = contests(desk)
    assert (objection.lead_id, objection.exit, objection.reason_code) == (lead_id, exit_, reason)
    assert (objection.seller_id, objection.marketer_id) == (ALICE, BRUNO)
    assert objection.text == "Budget approved last week" and objection.reviewed_at is None
    assert desk.events(lead_id)[-1] == "contest"
    assert desk.lead(lead_id).exit == exit_  # contesting changes no verdict by itself

    def redrawn():
        blocks = desk.fake.message(MARKETING, message.ts).blocks
        return [b for b in blocks if b.get("block_id") == ids.FEEDBACK_CONTESTED]

    [said] = wait_until(redrawn, timeout=10)
    assert "Budget approved last week" in said["text"]["text"]
    assert ids.ACTION_CONTEST not in str(desk.fake.message(MARKETING, message.ts).blocks)
    assert len([m for m in desk.fake.messages(MARKETING) if _about(m, lead_id)]) == 1


@pytest.mark.parametrize("user", [ALICE, CARLA, ZED], ids=["seller", "manager", "stranger"])
def test_only_marketers_may_contest(desk, user):
    desk.fake.set_members(MARKETING, [BOT_USER_ID, BRUNO, CARLA, ALICE, ZED])  # all can see it
    lead_id, _ = desk.claimed_by_alice()
    close(desk, lead_id, ids.ACTION_LOST, "price")
    message = feedback_message(desk, lead_id)
    opened = len(desk.fake.views())
    click_contest(desk, lead_id, user, message)
    wait_until(lambda: desk.answers_to(user), timeout=10)
    assert desk.answers_to(user) == ["Only marketers can contest a seller's verdict."]
    assert len(desk.fake.views()) == opened
    assert contests(desk) == []


def test_a_verdict_is_contested_once_and_only_while_it_stands(desk, fake_slack):
    lead_id, _ = desk.claimed_by_alice()
    close(desk, lead_id, ids.ACTION_NOT_A_FIT, "not_icp")
    message = feedback_message(desk, lead_id)

    click_contest(desk, lead_id, BRUNO, message)
    modal = desk.opened_modal(ids.VIEW_CONTEST)
    empty = desk.submit(modal, why("   "), user=BRUNO).json()
    assert empty == {
        "response_action": "errors",
        "errors": {ids.BLOCK_CONTEST_WHY: "Say why this lead was a fit."},
    }
    assert contests(desk) == []
    assert desk.submit(modal, why("Perfect ICP"), user=BRUNO).status_code == 200
    wait_until(lambda: contests(desk), timeout=10)

    again = desk.submit(modal, why("Me too"), user=BRUNO)  # the same modal sent twice
    assert again.status_code == 200
    wait_until(lambda: desk.answers_to(BRUNO), timeout=10)
    assert desk.answers_to(BRUNO) == [
        f"<@{BRUNO}> already contested this verdict; it is on the next SLA review's agenda."
    ]
    assert len(contests(desk)) == 1

    # Reopened, the verdict no longer stands: the old message's button says so.
    desk.click(ids.ACTION_CARD_MENU, lead_id, CARLA, value=f"{ids.MENU_REOPEN}:{lead_id}")
    reopen = desk.opened_modal(ids.VIEW_REOPEN)
    reason = value(ids.BLOCK_REOPEN_WHY, payloads.text_input("Marketing is right"))
    assert desk.submit(reopen, reason, user=CARLA).status_code == 200
    wait_until(lambda: desk.lead(lead_id).exit is None, timeout=10)
    click_contest(desk, lead_id, BRUNO, message)
    wait_until(lambda: len(desk.answers_to(BRUNO)) == 2, timeout=10)
    assert (
        desk.answers_to(BRUNO)[1]
        == "That verdict no longer stands: the lead is now Accepted (SAL)."
    )


def reassign(desk: Desk, lead_id: int, user: str, to: str, note: str | None = None):
    desk.click(ids.ACTION_CARD_MENU, lead_id, user, value=f"{ids.MENU_REASSIGN}:{lead_id}")
    modal = desk.opened_modal(ids.VIEW_REASSIGN)
    chosen = value(ids.BLOCK_REASSIGN_TO, payloads.user_select(to))
    if note:
        chosen |= value(ids.BLOCK_NOTE, payloads.text_input(note))
    return desk.submit(modal, chosen, user=user)


def test_a_manager_reassigns_and_the_new_owner_is_told_by_direct_message(desk):
    lead_id, card_ts = desk.claimed_by_alice()
    assert reassign(desk, lead_id, CARLA, DIEGO, note="Alice is away").status_code == 200
    wait_until(lambda: desk.lead(lead_id).owner_id == DIEGO, timeout=10)
    assert desk.events(lead_id) == ["claim", "reassign"]

    wait_until(lambda: len(desk.thread(card_ts)) == 2, timeout=15)
    assert desk.thread(card_ts)[1] == (
        f":arrows_counterclockwise: <@{CARLA}> reassigned this lead from <@{ALICE}> to"
        f" <@{DIEGO}>. Alice is away"
    )
    wait_until(lambda: f"<@{DIEGO}>" in card_context(desk, card_ts), timeout=10)

    direct = f"D{DIEGO[1:]}"
    [dm] = wait_until(lambda: desk.fake.messages(direct), timeout=15)
    assert dm.text.startswith(f":inbox_tray: <@{CARLA}> gave you a lead: *Lucía García")
    assert f"<@{ALICE}> had it before" in dm.text
    link = next(b for b in dm.blocks if b.get("block_id") == ids.DIRECT_ACTIONS)["elements"][0]
    assert link["url"].endswith(f"/archives/{SALES}/p{card_ts.replace('.', '')}")
    time.sleep(1)  # a second direct message would show here
    assert len(desk.fake.messages(direct)) == 1

    # The new owner works the lead; the old one may not any more.
    desk.click(ids.ACTION_LOST, lead_id, ALICE)
    wait_until(lambda: desk.answers_to(ALICE), timeout=10)
    assert desk.answers_to(ALICE)[-1].startswith(f"This lead belongs to <@{DIEGO}>")
    desk.click(ids.ACTION_LOST, lead_id, DIEGO)
    desk.opened_modal(ids.VIEW_EXIT)


def test_reassign_names_the_problem_in_the_modal_and_changes_nothing(desk):
    lead_id, _ = desk.claimed_by_alice()
    to_stranger = reassign(desk, lead_id, CARLA, ZED).json()
    assert to_stranger == {
        "response_action": "errors",
        "errors": {ids.BLOCK_REASSIGN_TO: "That person is not a seller here: choose a seller."},
    }
    modal = desk.opened_modal(ids.VIEW_REASSIGN)
    same = desk.submit(modal, value(ids.BLOCK_REASSIGN_TO, payloads.user_select(ALICE)), user=CARLA)
    assert list(same.json()["errors"]) == [ids.BLOCK_REASSIGN_TO]
    nobody = desk.submit(modal, {}, user=CARLA).json()
    assert nobody["errors"] == {ids.BLOCK_REASSIGN_TO: "Choose the seller who takes the lead."}
    assert desk.lead(lead_id).owner_id == ALICE
    assert desk.events(lead_id) == ["claim"]


@pytest.mark.parametrize("choice", [ids.MENU_REASSIGN, ids.MENU_REOPEN])
@pytest.mark.parametrize("user", [ALICE, DIEGO, BRUNO], ids=["owner", "seller", "marketer"])
def test_reassign_and_reopen_are_refused_to_everyone_but_managers(desk, choice, user):
    lead_id, _ = desk.claimed_by_alice()
    close(desk, lead_id, ids.ACTION_LOST, "price")
    wait_until(lambda: desk.lead(lead_id).exit == "lost", timeout=10)
    opened = len(desk.fake.views())
    desk.click(ids.ACTION_CARD_MENU, lead_id, user, value=f"{choice}:{lead_id}")
    wait_until(lambda: desk.answers_to(user), timeout=10)
    assert desk.answers_to(user) == ["Only managers can reassign or reopen a lead."]
    assert len(desk.fake.views()) == opened
    assert (desk.lead(lead_id).exit, desk.lead(lead_id).owner_id) == ("lost", ALICE)


def test_a_forged_reassign_from_a_seller_changes_nothing(desk):
    lead_id, _ = desk.claimed_by_alice()
    forged = {
        "callback_id": ids.VIEW_REASSIGN,
        "private_metadata": f'{{"lead": {lead_id}, "channel": "{SALES}"}}',
    }
    chosen = value(ids.BLOCK_REASSIGN_TO, payloads.user_select(DIEGO))
    assert desk.submit(forged, chosen, user=ALICE).status_code == 200
    wait_until(lambda: desk.answers_to(ALICE), timeout=10)
    assert desk.answers_to(ALICE) == ["Only managers can reassign or reopen a lead."]
    assert desk.lead(lead_id).owner_id == ALICE


def test_a_manager_reopens_a_closed_lead_at_its_last_stage(desk):
    lead_id, card_ts = desk.claimed_by_alice()
    close(desk, lead_id, ids.ACTION_NURTURE, "not_ready")
    wait_until(lambda: desk.lead(lead_id).exit == "nurture", timeout=10)

    desk.click(ids.ACTION_CARD_MENU, lead_id, CARLA, value=f"{ids.MENU_REOPEN}:{lead_id}")
    modal = desk.opened_modal(ids.VIEW_REOPEN)
    assert desk.submit(modal, {}, user=CARLA).json()["errors"] == {
        ids.BLOCK_REOPEN_WHY: "Say why the lead is reopened."
    }
    reason = value(ids.BLOCK_REOPEN_WHY, payloads.text_input("They called back"))
    assert desk.submit(modal, reason, user=CARLA).status_code == 200
    wait_until(lambda: desk.lead(lead_id).exit is None, timeout=10)

    reopened = desk.lead(lead_id)
    assert (reopened.stage, reopened.owner_id, reopened.exit_reason) == ("accepted", ALICE, None)
    assert desk.events(lead_id) == ["claim", "nurture", "reopen"]
    wait_until(lambda: len(desk.thread(card_ts)) == 3, timeout=15)
    assert desk.thread(card_ts)[2] == (
        f":recycle: <@{CARLA}> reopened this lead at Accepted (SAL): They called back"
    )
    wait_until(
        lambda: ids.ACTION_LOG_ATTEMPT in str(desk.fake.message(SALES, card_ts).blocks),
        timeout=10,
    )

    # An open lead cannot be reopened.
    desk.click(ids.ACTION_CARD_MENU, lead_id, CARLA, value=f"{ids.MENU_REOPEN}:{lead_id}")
    wait_until(lambda: desk.answers_to(CARLA), timeout=10)
    assert desk.answers_to(CARLA) == ["That cannot be done now: the lead is Accepted (SAL)."]


def test_a_direct_message_whose_answer_was_lost_is_not_sent_twice(desk):
    lead_id, _ = desk.claimed_by_alice()
    direct = f"D{DIEGO[1:]}"
    desk.fake.fail_next(
        "chat.postMessage", faults.drop_after_acting(), when=lambda p: p.get("channel") == direct
    )  # Slack posts the direct message, and its answer never arrives
    assert reassign(desk, lead_id, CARLA, DIEGO).status_code == 200
    wait_until(lambda: desk.fake.calls_to("conversations.history"), timeout=20)
    wait_until(lambda: _delivered(desk, "direct"), timeout=20)
    assert len(desk.fake.messages(direct)) == 1
    assert desk.fake.calls_to("conversations.history")[0].params["channel"] == direct


def _delivered(desk: Desk, kind: str) -> bool:
    with desk.sessions() as session:
        entries = session.exec(select(OutboxEntry).where(OutboxEntry.kind == kind)).all()
    return bool(entries) and all(e.done_at is not None for e in entries)


def open_home(desk: Desk, user: str) -> dict:
    before = desk.fake.calls_to("views.publish")
    signed = desk.signer.event(payloads.event_callback(payloads.app_home_opened(user)))
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    wait_until(lambda: len(desk.fake.calls_to("views.publish")) > len(before), timeout=10)
    return desk.fake.home_view(user)


def home_text(desk: Desk, user: str) -> str:
    return str((desk.fake.home_view(user) or {}).get("blocks"))


def test_the_home_of_someone_who_opened_it_follows_their_own_actions(desk):
    assert "Lucía" not in str(open_home(desk, ALICE)["blocks"])
    lead_id, _ = desk.claimed_by_alice()
    wait_until(lambda: "Lucía García" in home_text(desk, ALICE), timeout=10)

    assert reassign(desk, lead_id, CARLA, DIEGO).status_code == 200
    wait_until(lambda: desk.lead(lead_id).owner_id == DIEGO, timeout=10)
    time.sleep(0.5)
    # Diego never opened his home: nothing is published for him until he does.
    assert desk.fake.home_view(DIEGO) is None
    assert "Lucía García" in str(open_home(desk, DIEGO)["blocks"])
