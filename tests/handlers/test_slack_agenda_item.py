"""Add agenda item as pure builders: the modal, the reading of what is submitted, the
domain's refusals under their field, and the App Home's button while meetings are
scheduled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slackkit import payloads

from bot.domain.home import Home, SellerLeads
from bot.domain.review import AgendaItemError
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.home import build_home_view
from handlers.slack.modals import (
    ModalErrors,
    agenda_item_errors,
    agenda_item_modal,
    read_agenda_item,
)

_ = Translator("en")


def typed(text: str, lead: str | None = None) -> dict:
    values = {ids.BLOCK_AGENDA_TEXT: {ids.MODAL_VALUE: payloads.text_input(text)}}
    if lead is not None:
        values[ids.BLOCK_AGENDA_LEAD] = {ids.MODAL_VALUE: payloads.text_input(lead)}
    return values


def test_the_modal_asks_for_the_item_and_an_optional_lead_id():
    modal = agenda_item_modal(_, metadata='{"channel": "C0SALES"}')
    assert (modal["callback_id"], modal["private_metadata"]) == (
        ids.VIEW_AGENDA_ITEM,
        '{"channel": "C0SALES"}',
    )
    assert modal["title"]["text"] == "Add agenda item"
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    text, lead = inputs[ids.BLOCK_AGENDA_TEXT], inputs[ids.BLOCK_AGENDA_LEAD]
    assert text["element"]["multiline"] and text["element"]["max_length"] == 2000
    assert not text["optional"] and lead["optional"]
    assert lead["label"]["text"] == "Lead id"
    assert Translator("es")("review.modal.title") == "Punto de la agenda"


@pytest.mark.parametrize(("lead", "expected"), [(None, None), ("", None), (" 12 ", 12), ("#7", 7)])
def test_a_lead_id_is_read_as_a_number(lead, expected):
    assert read_agenda_item(typed("Price objections", lead), _) == ("Price objections", expected)


@pytest.mark.parametrize("lead", ["Lucía", "12a", "-3", "1234567890", "١٢"])
def test_anything_else_is_refused_under_the_lead_field(lead):
    with pytest.raises(ModalErrors) as refused:
        read_agenda_item(typed("Price objections", lead), _)
    assert refused.value.errors == {ids.BLOCK_AGENDA_LEAD: "A lead id is a number, like 12."}


def test_an_empty_item_is_refused_under_its_field():
    with pytest.raises(ModalErrors) as refused:
        read_agenda_item(typed("   ", "x"), _)
    assert set(refused.value.errors) == {ids.BLOCK_AGENDA_TEXT, ids.BLOCK_AGENDA_LEAD}


def test_the_domain_refusals_go_under_their_field():
    missing = agenda_item_errors(AgendaItemError("review.item.no_lead", lead=9), "es")
    assert missing.response() == {
        "response_action": "errors",
        "errors": {
            ids.BLOCK_AGENDA_LEAD: "No existe el lead 9 para vincularlo al punto de la agenda."
        },
    }
    long = agenda_item_errors(
        AgendaItemError("review.item.too_long", length="2,001", maximum="2,000"), "en"
    )
    assert list(long.errors) == [ids.BLOCK_AGENDA_TEXT]


def add_buttons(view: dict) -> list[dict]:
    return [
        block["accessory"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == ids.ACTION_REVIEW_ADD_ITEM
    ]


def test_the_app_home_offers_the_button_while_meetings_are_scheduled():
    seller = Home(seller=SellerLeads(leads=(), total=0))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    [button] = add_buttons(build_home_view(seller, _, now=now, review_items=True))
    assert button["text"]["text"] == "Add agenda item"
    assert add_buttons(build_home_view(seller, _, now=now)) == []
    assert add_buttons(build_home_view(Home(), _, now=now, review_items=True)) == []  # no role
