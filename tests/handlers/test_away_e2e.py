"""Sellers step away from the round-robin and come back (`/sla away`, `/sla back`, or the App
Home's button) through the real server: what they are told, what their Home shows, and who
the next lead is offered to."""

from __future__ import annotations

import pytest
from desk import DIEGO, TOKEN, ZED, Desk
from liveserver import wait_until
from slackkit import payloads
from slackkit.blockkit import check_view
from slackkit.workspace import ALICE, BRUNO, CARLA

from bot.domain.home import Home, Rotation, SellerLeads
from bot.domain.rotation import is_away
from bot.domain.sla import change_policy
from bot.i18n import Translator
from handlers.slack import home, ids
from storage.db import session_scope
from storage.models import Person
from storage.types import utcnow

pytestmark = pytest.mark.any_backend

AWAY = "You're away: no new leads are assigned to you until `/sla back`."
ALREADY_AWAY = "You're already away: no new leads are assigned to you until `/sla back`."
BACK = "Welcome back: new leads are assigned to you again, in turn."
ALREADY_BACK = (
    "You're already on duty: new leads are assigned to you in turn; `/sla away` pauses them."
)
CLAIMING = (
    "Right now sellers claim leads from the channel; this counts once leads are assigned by"
    " round-robin."
)


def sla(desk: Desk, text: str, user: str = ALICE) -> str:
    """`/sla TEXT` from `user`: the private answer in the command's ack."""
    signed = desk.signer.command(payloads.slash_command("/sla", text, user_id=user))
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    return answer["text"]


def round_robin(desk: Desk) -> None:
    with session_scope(desk.sessions) as session:
        change_policy(session, {"assignment": "round_robin"}, by=CARLA, at=utcnow())


def away(desk: Desk, user: str = ALICE) -> bool:
    with desk.sessions() as session:
        return is_away(session, user)


def hand_over(desk: Desk, email: str) -> int:
    response = desk.bot.post(
        "/leads",
        json={"name": email.split("@")[0].title(), "email": email},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 202
    return response.json()["id"]


def offered_to(desk: Desk, lead_id: int) -> str:
    return wait_until(lambda: desk.lead(lead_id).assignee_id, timeout=15)


def open_home(desk: Desk, user: str = ALICE) -> dict:
    signed = desk.signer.event(payloads.event_callback(payloads.app_home_opened(user)))
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    return wait_until(lambda: desk.fake.home_view(user), timeout=10)


def rotation_line(view: dict | None) -> dict | None:
    blocks = {b.get("block_id"): b for b in (view or {}).get("blocks", [])}
    return blocks.get(home.HOME_ROTATION)


def home_says(desk: Desk, start: str, user: str = ALICE) -> dict:
    """The user's Home once its round-robin line starts with `start`."""
    return wait_until(
        lambda: (
            (line := rotation_line(desk.fake.home_view(user)))
            and line["text"]["text"].startswith(start)
            and desk.fake.home_view(user)
        ),
        timeout=10,
    )


# -- /sla away, /sla back ---------------------------------------------------------------------


def test_a_seller_goes_away_and_comes_back_and_is_told_where_they_stand(desk):
    round_robin(desk)

    assert sla(desk, "away") == AWAY
    assert away(desk)
    assert sla(desk, "away") == ALREADY_AWAY
    assert sla(desk, "back") == BACK
    assert not away(desk)
    assert sla(desk, "back") == ALREADY_BACK


def test_the_spanish_words_work_too(desk):
    round_robin(desk)
    assert sla(desk, "ausente", user=DIEGO) == AWAY
    assert sla(desk, "vuelvo", user=DIEGO) == BACK


def test_while_sellers_claim_leads_the_answer_says_away_counts_later(desk):
    assert sla(desk, "away") == f"{AWAY} {CLAIMING}"
    assert away(desk)


@pytest.mark.parametrize("user", [BRUNO, CARLA, ZED], ids=["marketer", "manager", "nobody"])
def test_only_sellers_can_be_away(desk, user):
    assert sla(desk, "away", user=user) == (
        "Only sellers take turns for new leads, so only they can be away or back."
    )
    with desk.sessions() as session:
        assert session.get(Person, user) is None  # nothing recorded about them


def test_help_mentions_away_and_back(desk):
    assert "`/sla away` / `/sla back` leave or rejoin the round-robin" in sla(desk, "help")


def test_an_away_seller_is_skipped_and_back_takes_turns_again_without_a_backlog(desk):
    round_robin(desk)
    sla(desk, "away")
    assert [offered_to(desk, hand_over(desk, f"{n}@away.example")) for n in ("one", "two")] == [
        DIEGO,
        DIEGO,
    ]

    sla(desk, "back")
    later = [offered_to(desk, hand_over(desk, f"{n}@back.example")) for n in ("three", "four")]
    assert later == [ALICE, DIEGO]  # her turn, then Diego's: not the two she missed


# -- The App Home --------------------------------------------------------------------------


def test_a_seller_steps_away_and_back_from_the_app_home(desk):
    round_robin(desk)
    view = open_home(desk)
    line = rotation_line(view)
    assert line["text"]["text"] == (
        ":large_green_circle: *On duty:* new leads are assigned to you in turn."
    )
    assert line["accessory"]["action_id"] == ids.ACTION_TOGGLE_AWAY
    assert (line["accessory"]["text"]["text"], line["accessory"]["value"]) == ("Step away", "away")

    click(desk, view, line["accessory"]["value"])
    view = home_says(desk, ":double_vertical_bar: *Away:*")
    assert away(desk)
    line = rotation_line(view)
    assert (line["accessory"]["text"]["text"], line["accessory"]["value"]) == ("I'm back", "back")

    click(desk, view, "back")
    home_says(desk, ":large_green_circle: *On duty:*")
    assert not away(desk)


def test_a_second_click_on_a_stale_home_changes_nothing(desk):
    view = open_home(desk)
    click(desk, view, "away")
    home_says(desk, ":double_vertical_bar: *Away:*")
    click(desk, view, "away")  # the same, old button again
    wait_until(lambda: len(desk.fake.calls_to("views.publish")) >= 3, timeout=10)
    assert away(desk)


def test_while_sellers_claim_leads_the_home_says_away_counts_later(desk):
    view = open_home(desk)
    notes = [b for b in view["blocks"] if b.get("block_id") == home.HOME_ROTATION_NOTE]
    assert [n["elements"][0]["text"] for n in notes] == [CLAIMING]


@pytest.mark.parametrize("user", [BRUNO, CARLA], ids=["marketer", "manager"])
def test_people_who_do_not_sell_have_no_toggle(desk, user):
    assert rotation_line(open_home(desk, user)) is None


def test_sla_away_refreshes_a_home_the_seller_opened(desk):
    open_home(desk)
    sla(desk, "away")
    home_says(desk, ":double_vertical_bar: *Away:*")


@pytest.mark.parametrize(
    ("locale", "away_", "line", "label"),
    [
        ("en", False, ":large_green_circle: *On duty:*", "Step away"),
        ("en", True, ":double_vertical_bar: *Away:*", "I'm back"),
        ("es", False, ":large_green_circle: *En servicio:*", "Ausentarme"),
        ("es", True, ":double_vertical_bar: *Ausente:*", "Estoy de vuelta"),
    ],
)
def test_the_homes_round_robin_line_in_each_language(locale, away_, line, label):
    place = Rotation(away=away_, round_robin=True)
    view = home.build_home_view(
        Home(seller=SellerLeads(leads=(), total=0), rotation=place), Translator(locale),
        now=utcnow(),
    )  # fmt: skip
    assert check_view(view) == []
    found = rotation_line(view)
    assert found["text"]["text"].startswith(line)
    assert found["accessory"]["text"]["text"] == label
    assert home.HOME_ROTATION_NOTE not in {b.get("block_id") for b in view["blocks"]}


def click(desk: Desk, view: dict, value: str) -> None:
    payload = payloads.block_actions(
        ids.ACTION_TOGGLE_AWAY, value=value, block_id=home.HOME_ROTATION, user_id=ALICE, view=view
    )
    signed = desk.signer.interactive(payload)
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
