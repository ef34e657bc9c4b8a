"""The lead card as a seller sees it: leads handed over through `POST /leads` to a running
`smarketing serve`, their cards read back from the fake Slack, which refuses any message
outside Block Kit's limits the way Slack does."""

from __future__ import annotations

import pytest
from cards import FULL_CARD_FIELDS, FULL_LEAD
from liveserver import run_bot, wait_until
from slackkit.blockkit import check_message
from slackkit.workspace import BOT_USER_ID, SALES

from handlers.slack import ids

pytestmark = pytest.mark.any_backend

TOKEN = "test-leads-token"

FULL = {"external_id": "crm-10482", **FULL_LEAD}


def hand_over(bot, fake_slack, lead: dict):
    """One lead through the intake, until its card is in the sales channel: the card."""
    response = bot.post("/leads", json=lead, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 202, response.text
    [card] = wait_until(
        lambda: [m for m in fake_slack.messages(SALES) if m.user == BOT_USER_ID], timeout=15
    )
    return card


def block(card, block_id: str) -> dict:
    [found] = [b for b in card.blocks if b.get("block_id") == block_id]
    return found


def section_text(card, block_id: str) -> str:
    return block(card, block_id)["text"]["text"]


def context_line(card) -> str:
    return block(card, ids.CARD_CONTEXT)["elements"][0]["text"]


def mrkdwn_texts(node) -> list[str]:
    """Every mrkdwn text object's text anywhere in `node`."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn_texts(value)]


def action_ids(card) -> list[str]:
    return [e["action_id"] for e in block(card, ids.CARD_ACTIONS)["elements"]]


def test_a_full_lead_reaches_sales_as_a_card_with_everything_a_seller_needs(
    bot_env, fake_slack, sessions, tmp_path
):
    with run_bot(bot_env, tmp_path) as bot:
        card = hand_over(bot, fake_slack, FULL)

    assert check_message({"text": card.text, "blocks": card.blocks}) == []
    assert block(card, ids.CARD_HEADER)["text"]["text"] == "Lucía García"
    assert [f["text"] for f in block(card, ids.CARD_FIELDS)["fields"]] == FULL_CARD_FIELDS
    assert "Runs a 40-person logistics team." in section_text(card, ids.CARD_SUMMARY)
    assert "Downloaded two ebooks." in section_text(card, ids.CARD_HISTORY)
    assert "Open with the logistics case study." in section_text(card, ids.CARD_APPROACH)
    assert "• employees: 11-50" in section_text(card, ids.CARD_CUSTOM_FIELDS)
    assert action_ids(card) == [ids.ACTION_CLAIM, ids.ACTION_NOT_A_FIT, ids.ACTION_OPEN_PROFILE]
    profile = block(card, ids.CARD_ACTIONS)["elements"][-1]
    assert profile["url"] == "https://crm.example/contacts/10482"
    assert context_line(card).startswith("*Profiled (MQL)* · nobody has claimed it yet · ")
    assert card.text == "New lead for sales: Lucía García · Grupo Andino"


def test_a_minimal_lead_is_a_name_a_claim_button_and_a_context_line_in_spanish(
    bot_env, fake_slack, sessions, tmp_path
):
    with run_bot(bot_env | {"BOT_LOCALE": "es"}, tmp_path) as bot:
        card = hand_over(bot, fake_slack, {"name": "Mateo", "phone": "+52 55 8765 4321"})

    assert check_message({"text": card.text, "blocks": card.blocks}) == []
    assert [b["block_id"] for b in card.blocks] == [
        ids.CARD_HEADER,
        ids.CARD_FIELDS,
        ids.CARD_ACTIONS,
        ids.CARD_CONTEXT,
    ]
    assert [f["text"] for f in block(card, ids.CARD_FIELDS)["fields"]] == [
        "*Teléfono*\n+525587654321"
    ]
    assert action_ids(card) == [ids.ACTION_CLAIM, ids.ACTION_NOT_A_FIT]
    assert context_line(card).startswith("*Perfilado (MQL)* · ")
    assert card.text == "Nuevo lead para ventas: Mateo"


@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_hostile_lead_is_posted_within_slacks_limits_and_pings_nobody(
    bot_env, fake_slack, sessions, tmp_path, locale
):
    long = "<!channel> *bold* " + "x" * 10_000
    hostile = {
        "name": "<!here> " + "N" * 10_000,
        "email": "mallory@evil.example",
        "company": "<@U0ALICE> " + "C" * 10_000,
        "job_title": "<https://evil.example|click me> " + "J" * 10_000,
        "source": "&lt;!everyone&gt; " + "s" * 10_000,
        "summary": long,
        "history": long,
        "approach": long,
        "profile_url": "https://crm.example/" + "p" * 10_000,
        # 200 fields of 3,000 characters: as long as the intake keeps a text, within its 1 MiB.
        "custom_fields": {f"field {n} <!channel>": "v" * 3_000 for n in range(200)},
    }
    with run_bot(bot_env | {"BOT_LOCALE": locale}, tmp_path) as bot:
        card = hand_over(bot, fake_slack, hostile)

    # The fake Slack would have refused the post (invalid_blocks) outside any limit.
    assert check_message({"text": card.text, "blocks": card.blocks}) == []
    assert len(card.blocks) <= 50
    # Slack reads mentions in the notification text and in mrkdwn only; the header is plain.
    header = block(card, ids.CARD_HEADER)["text"]
    assert header["type"] == "plain_text" and header["text"].startswith("<!here> NNN")
    rendered = "\n".join([card.text, *mrkdwn_texts(card.blocks)])
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U0ALICE>", "<https://evil"):
        assert ping not in rendered
    assert "…" in block(card, ids.CARD_HEADER)["text"]["text"]
    assert section_text(card, ids.CARD_SUMMARY).startswith("*")
    assert "&lt;!channel&gt; *bold* xxx" in section_text(card, ids.CARD_SUMMARY)
    assert "…" in section_text(card, ids.CARD_SUMMARY)
