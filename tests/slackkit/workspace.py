"""The test workspace every Slack test shares: its team, app, tokens, people and channels.

Payload builders default to these ids and the `fake_slack` fixture seeds them, so a test
only names what matters to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fake_slack import FakeSlack

TEAM_ID = "T0SMARKET"
TEAM_DOMAIN = "smarketing"
ENTERPRISE_ID = None
APP_ID = "A0SMARKET"

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret-8f14e45fceea167a"
# The legacy verification token Slack still puts in payloads; nothing should trust it.
VERIFICATION_TOKEN = "legacy-verification-token"

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_NAME = "smarketing"

# People: a sales rep, a marketer and a manager who reads Spanish.
ALICE = "U0ALICE"
BRUNO = "U0BRUNO"
CARLA = "U0CARLA"

SALES = "C0SALES"
MARKETING = "C0MARKETING"
MANAGERS = "C0MANAGERS"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    real_name: str
    email: str
    locale: str = "en-US"
    tz: str = "America/New_York"


PEOPLE = (
    Person(ALICE, "alice", "Alice Sales", "alice@example.com"),
    Person(BRUNO, "bruno", "Bruno Marketing", "bruno@example.com"),
    Person(CARLA, "carla", "Carla Gerente", "carla@example.com", "es-ES", "Europe/Madrid"),
)

# channel id -> (name, members); the bot sits in every channel.
CHANNELS = {
    SALES: ("sales", (BOT_USER_ID, ALICE, CARLA)),
    MARKETING: ("marketing", (BOT_USER_ID, BRUNO, CARLA)),
    MANAGERS: ("managers", (BOT_USER_ID, CARLA)),
}


def populate(fake: FakeSlack) -> None:
    """Seed `fake` with the people and channels above."""
    for person in PEOPLE:
        fake.add_user(
            person.id,
            name=person.name,
            real_name=person.real_name,
            email=person.email,
            locale=person.locale,
            tz=person.tz,
        )
    for channel_id, (name, members) in CHANNELS.items():
        fake.add_channel(channel_id, name=name, members=members)


def person(user_id: str) -> Person:
    """The seeded person with this id."""
    return next(p for p in PEOPLE if p.id == user_id)
