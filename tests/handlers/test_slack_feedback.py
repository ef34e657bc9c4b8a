"""The closed loop's message to marketing, as a pure builder."""

from __future__ import annotations

import pytest
from slackkit.blockkit import check_message

from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.feedback import build_feedback
from storage.models import Lead

EN, ES = Translator("en"), Translator("es")
VERDICT = {
    "exit": "rejected",
    "reason": "wrong_region",
    "note": "Lives in Lisbon; we only serve Mexico.",
    "rating": 2,
    "user": "U0ALICE",
    "card_channel": "C0SALES",
    "event": 41,
}


def lead(**fields) -> Lead:
    values = {"id": 7, "name": "Lucía García", "company": "Grupo Andino"}
    return Lead(**(values | {"source": "google", "campaign": "black-friday"} | fields))


def texts(message: dict) -> list[str]:
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(f["text"] for f in block.get("fields", []))
    return found


def test_it_tells_marketing_who_why_and_from_which_campaign():
    message = build_feedback(lead(), VERDICT, EN, card_link="https://x.slack.com/archives/C/p1")
    assert check_message(message) == []
    assert message["text"] == "Not a fit: Lucía García · Grupo Andino (Wrong region)"
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert fields == [
        "*Reason*\nWrong region",
        "*Source · campaign*\ngoogle · black-friday",
        "*Seller*\n<@U0ALICE>",
        "*Lead quality*\n2 of 5",
    ]
    assert "Lisbon" in message["blocks"][2]["text"]["text"]
    contest, card = message["blocks"][-1]["elements"]
    assert (contest["action_id"], contest["value"]) == (ids.ACTION_CONTEST, "7:41")
    assert card["url"] == "https://x.slack.com/archives/C/p1"


def test_in_spanish_and_without_note_rating_or_card():
    verdict = VERDICT | {"exit": "lost", "reason": "price", "note": None, "rating": None}
    message = build_feedback(lead(source=None, campaign=None), verdict, ES, card_link=None)
    assert check_message(message) == []
    assert message["text"] == f"Perdido: Lucía García · Grupo Andino ({ES.reason('price')})"
    assert [b["block_id"] for b in message["blocks"]] == [
        ids.FEEDBACK_HEADLINE,
        ids.FEEDBACK_FIELDS,
        ids.FEEDBACK_ACTIONS,
    ]
    assert len(message["blocks"][-1]["elements"]) == 1


@pytest.mark.parametrize("language", [EN, ES])
def test_hostile_lead_data_and_notes_stay_inert_and_within_limits(language):
    hostile = "<!channel> <@U0BOSS> <https://evil.example|x> " + "z" * 10_000
    verdict = VERDICT | {"note": hostile, "user": "<!here>"}
    message = build_feedback(
        lead(name=hostile, company=hostile, source=hostile), verdict, language, card_link="x:y"
    )
    assert check_message(message) == []
    for text in texts(message):
        assert "<!" not in text and "<http" not in text and "<@U0BOSS>" not in text
    assert len(message["blocks"][-1]["elements"]) == 1  # not a web link: no button


@pytest.mark.parametrize("_", [EN, ES])
def test_once_contested_it_shows_who_and_why_instead_of_the_button(_):
    contested = VERDICT | {"contest": {"user": "U0BRUNO", "text": "They asked <!channel> *twice*"}}
    message = build_feedback(lead(), contested, _, card_link="https://x.slack.com/archives/C/p1")
    assert check_message(message) == []
    blocks = {b["block_id"]: b for b in message["blocks"]}
    said = blocks[ids.FEEDBACK_CONTESTED]["text"]["text"]
    assert "<@U0BRUNO>" in said and "&lt;!channel&gt;" in said and "<!channel>" not in said
    buttons = [e["action_id"] for e in blocks[ids.FEEDBACK_ACTIONS]["elements"]]
    assert buttons == [ids.ACTION_OPEN_CARD]
