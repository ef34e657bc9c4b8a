"""The lead card as a pure builder: what it shows in each state, and what a lead cannot do
to it, checked against every Slack limit by the test kit's Block Kit checker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cards import FULL_CARD_FIELDS, FULL_LEAD
from slackkit.blockkit import check_message

from bot.domain.enforcement import Clock
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.card import build_card, elapsed
from storage.models import Lead

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
EN, ES = Translator("en"), Translator("es")


def full_lead(**fields) -> Lead:
    values = {
        "id": 42,
        **FULL_LEAD,
        "stage": "profiled",
        "profiled_at": NOW - timedelta(hours=2, minutes=5),
    }
    return Lead(**(values | fields))


def block(card: dict, block_id: str) -> dict:
    [found] = [b for b in card["blocks"] if b.get("block_id") == block_id]
    return found


def action_ids(card: dict) -> list[str]:
    found = [b for b in card["blocks"] if b.get("block_id") == ids.CARD_ACTIONS]
    return [e["action_id"] for e in found[0]["elements"]] if found else []


def all_text(card: dict) -> str:
    return str(card)


def test_a_full_lead_shows_everything_a_seller_needs():
    card = build_card(full_lead(), EN, now=NOW)
    assert check_message(card) == []
    assert block(card, ids.CARD_HEADER)["text"]["text"] == "Lucía García"
    fields = [f["text"] for f in block(card, ids.CARD_FIELDS)["fields"]]
    assert fields == FULL_CARD_FIELDS
    assert "Runs a 40-person" in block(card, ids.CARD_SUMMARY)["text"]["text"]
    assert "two ebooks" in block(card, ids.CARD_HISTORY)["text"]["text"]
    assert "case study" in block(card, ids.CARD_APPROACH)["text"]["text"]
    assert "• employees: 11-50" in block(card, ids.CARD_CUSTOM_FIELDS)["text"]["text"]
    context = block(card, ids.CARD_CONTEXT)["elements"][0]["text"]
    assert context == "*Profiled (MQL)* · nobody has claimed it yet · handed over 2 h 5 min ago"
    assert card["text"] == "New lead for sales: Lucía García · Grupo Andino"


def test_an_unclaimed_card_offers_claim_not_a_fit_and_the_profile():
    card = build_card(full_lead(), EN, now=NOW)
    assert action_ids(card) == [ids.ACTION_CLAIM, ids.ACTION_NOT_A_FIT, ids.ACTION_OPEN_PROFILE]
    elements = block(card, ids.CARD_ACTIONS)["elements"]
    assert {e["value"] for e in elements} == {"42"}
    assert elements[-1]["url"] == "https://crm.example/contacts/10482"


def test_a_claimed_card_shows_the_owner_and_the_sellers_actions():
    card = build_card(full_lead(stage="accepted", owner_id="U0ALICE", accepted_at=NOW), EN, now=NOW)
    assert check_message(card) == []
    assert action_ids(card) == [
        ids.ACTION_LOG_ATTEMPT,
        ids.ACTION_MEETING_BOOKED,
        ids.ACTION_WON,
        ids.ACTION_LOST,
        ids.ACTION_NURTURE,
        ids.ACTION_NOT_A_FIT,
        ids.ACTION_CARD_MENU,
        ids.ACTION_OPEN_PROFILE,
    ]
    menu = block(card, ids.CARD_ACTIONS)["elements"][-2]
    assert [o["value"] for o in menu["options"]] == ["undo:42", "reassign:42", "reopen:42"]
    context = block(card, ids.CARD_CONTEXT)["elements"][0]["text"]
    assert context.startswith("*Accepted (SAL)* · owner <@U0ALICE>")


def test_a_qualified_lead_no_longer_offers_meeting_booked():
    card = build_card(full_lead(stage="qualified", owner_id="U0ALICE"), EN, now=NOW)
    assert ids.ACTION_MEETING_BOOKED not in action_ids(card)
    assert ids.ACTION_WON in action_ids(card)


def test_a_closed_card_offers_only_the_menu_and_says_why_it_closed():
    card = build_card(
        full_lead(exit="rejected", exit_reason="wrong_region", profile_url=None), ES, now=NOW
    )
    assert action_ids(card) == [ids.ACTION_CARD_MENU]
    context = block(card, ids.CARD_CONTEXT)["elements"][0]["text"]
    assert context.startswith(f"*No encaja ({ES.reason('wrong_region')})* · ")


def test_a_minimal_lead_is_a_name_a_claim_button_and_a_context_line():
    card = build_card(Lead(id=1, name="Mateo", stage="profiled", profiled_at=NOW), EN, now=NOW)
    assert check_message(card) == []
    assert [b["block_id"] for b in card["blocks"]] == [
        ids.CARD_HEADER,
        ids.CARD_ACTIONS,
        ids.CARD_CONTEXT,
    ]
    assert card["text"] == "New lead for sales: Mateo"


def test_the_card_reads_in_spanish():
    card = build_card(full_lead(), ES, now=NOW)
    assert block(card, ids.CARD_ACTIONS)["elements"][0]["text"]["text"] == "Tomar"
    fields = [f["text"] for f in block(card, ids.CARD_FIELDS)["fields"]]
    assert fields[0] == "*Empresa*\nGrupo Andino"
    assert "entregado hace 2 h 5 min" in block(card, ids.CARD_CONTEXT)["elements"][0]["text"]


HOSTILE = "<!channel> <!here> <@U0ALICE> <#C0SALES> <https://evil.example|click here> & more"


def test_hostile_lead_data_stays_within_every_limit_and_is_inert():
    huge = "x" * 10_000
    lead = full_lead(
        name=HOSTILE + huge,
        company=HOSTILE + huge,
        job_title=huge,
        email=HOSTILE,
        source=HOSTILE,
        campaign=huge,
        zone=huge,
        service=HOSTILE,
        summary=HOSTILE + huge,
        history=huge,
        approach=HOSTILE,
        custom_fields={f"{HOSTILE} field {n}": HOSTILE + huge for n in range(200)},
        owner_id="<!channel>",  # not a user id: never rendered as a mention
        stage="accepted",
    )
    for language in (EN, ES):
        card = build_card(lead, language, now=NOW)
        assert check_message(card) == []
        assert len(card["blocks"]) <= 50
        assert len(block(card, ids.CARD_FIELDS)["fields"]) <= 10
        rendered = [card["text"]] + [
            piece["text"]
            for b in card["blocks"]
            if b["type"] != "header"
            for piece in [b.get("text") or {}, *b.get("fields", []), *b.get("elements", [])]
            if isinstance(piece, dict) and piece.get("type") == "mrkdwn"
        ]
        for text in rendered:
            assert "<!" not in text and "<@" not in text and "<#" not in text
            assert "<http" not in text
        extras = block(card, ids.CARD_CUSTOM_FIELDS)["text"]["text"]
        assert extras.endswith(("more", "más"))  # the 200 fields do not all fit: counted
        assert "…" in block(card, ids.CARD_SUMMARY)["text"]["text"]


def test_nested_custom_fields_are_shown_as_text():
    card = build_card(full_lead(custom_fields={"tags": ["a", "b"], "n": 3}), EN, now=NOW)
    text = block(card, ids.CARD_CUSTOM_FIELDS)["text"]["text"]
    assert '• tags: ["a", "b"]' in text and "• n: 3" in text


@pytest.mark.parametrize(
    ("minutes", "english", "spanish"),
    [
        (0, "moments", "unos instantes"),
        (12, "12 min", "12 min"),
        (185, "3 h 5 min", "3 h 5 min"),
        (60 * 50, "2 d 2 h", "2 d 2 h"),
    ],
)
def test_time_since_hand_off_reads_naturally(minutes, english, spanish):
    since = NOW - timedelta(minutes=minutes)
    assert elapsed(since, NOW, EN) == english
    assert elapsed(since, NOW, ES) == spanish


def context_of(card: dict) -> str:
    return block(card, ids.CARD_CONTEXT)["elements"][0]["text"]


@pytest.mark.parametrize("language", [EN, ES])
def test_a_card_round_robin_offered_shows_accept_and_its_assignee(language):
    card = build_card(full_lead(assignee_id="U0DIEGO"), language, now=NOW)
    assert check_message(card) == []
    assert action_ids(card)[:2] == [ids.ACTION_ACCEPT, ids.ACTION_NOT_A_FIT]
    assert ids.ACTION_CLAIM not in action_ids(card)
    assert language("card.context.offered", user="<@U0DIEGO>") in context_of(card)


def test_an_accepted_card_shows_its_first_touch_clock_in_the_teams_time():
    lead = full_lead(stage="accepted", owner_id="U0ALICE", accepted_at=NOW)
    due = Clock(due=NOW + timedelta(minutes=60), late_minutes=0)
    card = build_card(lead, EN, now=NOW, clock=due, tz=ZoneInfo("America/Sao_Paulo"))
    assert context_of(card).endswith("first touch due by 13:00")  # 16:00 UTC is 13:00 there
    late = Clock(due=NOW - timedelta(minutes=25), late_minutes=25)
    card = build_card(lead, ES, now=NOW, clock=late)
    assert context_of(card).endswith("primer contacto con 25 min de retraso")
