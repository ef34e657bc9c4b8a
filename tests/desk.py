"""A running bot seen from the team's desks: hand a lead over, click its controls, submit
modals, and read back the lead, its events, its card's thread and people's private answers."""

from __future__ import annotations

from liveserver import wait_until
from slackkit import payloads
from slackkit.workspace import ALICE, BOT_USER_ID, SALES
from sqlmodel import col, select

from handlers.slack import ids
from storage.models import Lead, LeadEvent

TOKEN = "test-leads-token"
DIEGO = "U0DIEGO"  # another seller
ZED = "U0ZED"  # in the channel, with no role at all


class Desk:
    """A running bot, the fake Slack and the database, seen from a seller's desk."""

    def __init__(self, bot, fake, signer, sessions):
        self.bot, self.fake, self.signer, self.sessions = bot, fake, signer, sessions

    def hand_over(self) -> tuple[int, str]:
        response = self.bot.post(
            "/leads",
            json={
                "name": "Lucía García",
                "email": "lucia@andino.example",
                "company": "Grupo Andino",
                "estimated_value": 6667,
            },
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        lead_id = response.json()["id"]
        cards = wait_until(
            lambda: [m for m in self.fake.messages(SALES) if m.user == BOT_USER_ID], timeout=15
        )
        return lead_id, cards[0].ts

    def claimed_by_alice(self) -> tuple[int, str]:
        lead_id, card_ts = self.hand_over()
        self.click(ids.ACTION_CLAIM, lead_id, ALICE)
        wait_until(lambda: self.lead(lead_id).owner_id == ALICE, timeout=10)
        return lead_id, card_ts

    def click(
        self,
        action_id: str,
        lead_id: int,
        user: str,
        *,
        value: str | None = None,
        channel: str = SALES,
        button_value: str | None = None,
    ):
        """Click a card control (`value`: an overflow menu's choice; `button_value`: a
        button's own value, the lead id by default) in `channel`."""
        payload = payloads.block_actions(
            action_id, value=button_value or value or str(lead_id), user_id=user,
            channel_id=channel,
        )  # fmt: skip
        if value is not None:  # an overflow menu choice
            payload["actions"][0] = {
                "type": "overflow",
                "action_id": action_id,
                "block_id": ids.CARD_ACTIONS,
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
                "action_ts": "1",
            }
        signed = self.signer.interactive(payload)
        response = self.bot.post("/slack/events", content=signed.body, headers=signed.headers)
        assert response.status_code == 200
        return payload["trigger_id"]

    def opened_modal(self, callback_id: str, count: int = 1) -> dict:
        views = wait_until(
            lambda: [v for v in self.fake.views() if v.get("callback_id") == callback_id][
                count - 1 :
            ],
            timeout=10,
        )
        return views[-1]

    def submit(self, modal: dict, values: dict, user: str = ALICE):
        payload = payloads.view_submission(
            modal["callback_id"],
            values=values,
            private_metadata=modal["private_metadata"],
            user_id=user,
        )
        signed = self.signer.interactive(payload)
        return self.bot.post("/slack/events", content=signed.body, headers=signed.headers)

    def lead(self, lead_id: int) -> Lead:
        with self.sessions() as session:
            return session.get(Lead, lead_id)

    def events(self, lead_id: int) -> list[str]:
        with self.sessions() as session:
            statement = select(LeadEvent.kind).where(
                LeadEvent.lead_id == lead_id, LeadEvent.actor != "intake"
            )
            return list(session.exec(statement.order_by(col(LeadEvent.id))))

    def thread(self, card_ts: str) -> list[str]:
        return [
            m.text for m in self.fake.messages(SALES) if m.thread_ts == card_ts and m.ts != card_ts
        ]

    def answers_to(self, user: str) -> list[str]:
        return [e["text"] for e in self.fake.ephemeral_messages() if e["user"] == user]


def value(block: str, entry: dict) -> dict:
    return {block: {ids.MODAL_VALUE: entry}}


def card_context(desk: Desk, card_ts: str) -> str:
    card = desk.fake.message(SALES, card_ts)
    return next(b for b in card.blocks if b.get("block_id") == ids.CARD_CONTEXT)["elements"][0][
        "text"
    ]
