"""`/sla` through the real server: the scorecard for everyone, `/sla plan`, and `/sla edit`
for managers only, its modal validated field by field."""

from __future__ import annotations

import pytest
from desk import DIEGO, Desk
from slackkit import payloads
from slackkit.workspace import ALICE, BRUNO, CARLA

from bot.domain.sla import current_policy, policy_history
from handlers.slack import ids
from handlers.slack.sla import POLICY_BLOCK_PREFIX

pytestmark = pytest.mark.any_backend


def sla(desk: Desk, text: str = "", user: str = ALICE):
    signed = desk.signer.command(payloads.slash_command("/sla", text, user_id=user))
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    return response


def typed(key: str, value: str) -> dict:
    return {POLICY_BLOCK_PREFIX + key: {ids.MODAL_VALUE: {"type": "plain_text_input",
                                                         "value": value}}}  # fmt: skip


@pytest.mark.parametrize("user", [ALICE, BRUNO, CARLA], ids=["seller", "marketer", "manager"])
def test_everyone_sees_the_scorecard_privately(desk, user):
    desk.claimed_by_alice()
    answer = sla(desk, user=user).json()
    assert answer["response_type"] == "ephemeral"
    blocks = {b.get("block_id"): b for b in answer["blocks"]}
    marketing = [f["text"] for f in blocks["sla_marketing"]["fields"]]
    sales = [f["text"] for f in blocks["sla_sales"]["fields"]]
    assert marketing[0] == "*Profiled leads handed over*\n1 (no revenue goal set yet)"
    assert marketing[1].startswith("*Captured leads that arrived profiled*\n100% of 1")
    assert sales[-2:] == [
        "*Attempts per accepted lead*\n0.0",
        "*Breaches (escalated)*\n0 open now · this period: 0",
    ]
    assert "The SLA, " in answer["text"]


def test_sla_plan_answers_the_worked_example_and_corrects_a_bad_argument(desk):
    answer = sla(desk, "plan 100,000 6,667 8").json()
    assert answer["text"].splitlines() == [
        "Sales needed: 15 (100,000 ÷ 6,667, rounded up)",
        "Profiled leads to hand over: 120 (15 × 8, rounded up)",
    ]
    wrong = sla(desk, "plan 100k abc 8").json()["text"]
    assert wrong == "DEAL must be a number like 6,667; got 'abc'."
    assert "not something I know" in sla(desk, "scorecard please").json()["text"]


@pytest.mark.parametrize("user", [ALICE, BRUNO, DIEGO], ids=["seller", "marketer", "other"])
def test_only_managers_may_edit_the_policy(desk, user):
    answer = sla(desk, "edit", user=user).json()
    assert answer["text"] == "Only managers can change the SLA policy; `/sla` shows it."
    assert desk.fake.views() == []


def test_a_manager_edits_the_policy_in_a_modal_checked_field_by_field(desk):
    sla(desk, "edit", user=CARLA)
    modal = desk.opened_modal(ids.VIEW_SLA_EDIT)
    first_touch = next(
        b
        for b in modal["blocks"]
        if b.get("block_id") == POLICY_BLOCK_PREFIX + "first_touch_minutes"
    )
    assert first_touch["element"]["initial_value"] == "60"

    bad = {**typed("first_touch_minutes", "soon"), **typed("work_days", "mon-funday")}
    answer = desk.submit(modal, bad, user=CARLA).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        POLICY_BLOCK_PREFIX + "first_touch_minutes", POLICY_BLOCK_PREFIX + "work_days",
    }  # fmt: skip
    with desk.sessions() as session:
        assert policy_history(session) == []

    good = {**typed("revenue_goal", "100k"), **typed("average_deal_value", "6,667")}
    assert desk.submit(modal, good, user=CARLA).status_code == 200
    with desk.sessions() as session:
        policy = current_policy(session)
        [change] = policy_history(session)
    assert (policy.revenue_goal, policy.average_deal_value) == (100_000, 6_667)
    assert change.changed_by == CARLA
    text = sla(desk, user=BRUNO).json()["blocks"][1]["fields"][0]["text"]
    assert text == "*Profiled leads handed over*\n0 of 120 · on pace for 0"


def test_a_forged_policy_submission_from_a_seller_changes_nothing(desk):
    forged = {"callback_id": ids.VIEW_SLA_EDIT, "private_metadata": ""}
    assert desk.submit(forged, typed("attempts_min", "1"), user=ALICE).status_code == 200
    with desk.sessions() as session:
        assert current_policy(session).attempts_min == 6
