"""The message that hands a lead to sales: what it shows, and what a lead cannot do to it."""

from __future__ import annotations

import pytest
from slackkit.blockkit import check_message

from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import build_lead_message
from storage.models import Lead

EN, ES = Translator("en"), Translator("es")


def lead(**fields) -> Lead:
    return Lead(**({"name": "Lucía García", "company": "Grupo Andino"} | fields))


def section_text(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def test_it_names_the_lead_and_company_and_links_the_profile():
    message = build_lead_message(lead(profile_url="https://crm.example/c/1"), EN)
    assert "Lucía García · Grupo Andino" in section_text(message)
    assert message["text"] == "New lead for sales: Lucía García · Grupo Andino"
    [button] = message["blocks"][1]["elements"]
    assert button["url"] == "https://crm.example/c/1"
    assert button["action_id"] == ids.ACTION_OPEN_PROFILE
    assert check_message(message) == []


def test_it_reads_in_spanish():
    message = build_lead_message(lead(profile_url="https://crm.example/c/1"), ES)
    assert message["text"].startswith("Nuevo lead para ventas")
    assert message["blocks"][1]["elements"][0]["text"]["text"] == "Ver perfil"


def test_without_company_or_profile_it_is_just_the_name():
    message = build_lead_message(lead(company=None), EN)
    assert message["text"] == "New lead for sales: Lucía García"
    assert len(message["blocks"]) == 1


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example/x", "crm.example/c/1", "https://"]
)
def test_a_profile_that_is_not_a_web_link_gets_no_button(url):
    assert len(build_lead_message(lead(profile_url=url), EN)["blocks"]) == 1


@pytest.mark.parametrize(
    "name", ["<!channel> urgent", "<@U0ALICE>", "<https://evil.example|click>", "A & B"]
)
def test_lead_data_cannot_ping_mention_or_link(name):
    message = build_lead_message(lead(name=name, company="<!here>"), EN)
    for text in (section_text(message), message["text"]):
        assert "<" not in text and ">" not in text
    assert "&lt;!here&gt;" in message["text"]


def test_a_huge_lead_stays_within_slacks_limits():
    message = build_lead_message(lead(name="N" * 5000, company="C" * 5000), EN)
    assert check_message(message) == []
    assert section_text(message).endswith("…")
