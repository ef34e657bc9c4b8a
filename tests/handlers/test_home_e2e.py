"""The App Home end to end: the real server opens each person's Home tab from leads in the
database, and the fake Slack holds what they would see."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from liveserver import run_bot, wait_until
from slackkit import faults, payloads, workspace
from slackkit.workspace import ALICE, BRUNO, CARLA, SALES

from bot.config import load_settings
from bot.domain.home import week_start
from bot.runtime import build_runtime
from handlers.slack import home, ids
from handlers.slack.identity import BotIdentity
from storage.db import session_scope
from storage.models import CARD_MESSAGE, Contest, Lead, LeadEvent, SentMessage
from storage.types import utcnow

pytestmark = pytest.mark.any_backend

ZED = "U0ZED"  # in no role at all
TIMEZONE = "America/Sao_Paulo"


@pytest.fixture
def env(bot_env, fake_slack):
    fake_slack.add_user(ZED, name="zed", real_name="Zed Guest", email="z@x.example")
    return bot_env | {
        "SELLER_USER_IDS": ALICE,
        "MARKETER_USER_IDS": BRUNO,
        "MANAGER_USER_IDS": CARLA,
        "BOT_TIMEZONE": TIMEZONE,
    }


class Leads:
    """The leads in the database, and the links to the cards some of them have."""

    def __init__(self, sessions, slack_client):
        self.sessions, self.slack = sessions, slack_client
        self.links: dict[str, str] = {}

    def add(self, lead: Lead, *, card: bool = False) -> int:
        with session_scope(self.sessions) as session:
            session.add(lead)
            session.flush()
            lead_id = lead.id
        if card:
            # A real message in the fake, so its chat.getPermalink is the link to expect.
            ts = self.slack.chat_postMessage(channel=SALES, text=lead.name)["ts"]
            with session_scope(self.sessions) as session:
                session.add(
                    SentMessage(lead_id=lead_id, kind=CARD_MESSAGE, channel_id=SALES, ts=ts)
                )
            permalink = self.slack.chat_getPermalink(channel=SALES, message_ts=ts)
            self.links[lead.name] = permalink["permalink"]
        return lead_id

    def contest(self, lead_id: int, *, text: str, reviewed: bool = False) -> None:
        with session_scope(self.sessions) as session:
            verdict = LeadEvent(lead_id=lead_id, actor=ALICE, kind="exit", to_stage="rejected")
            session.add(verdict)
            session.flush()
            session.add(
                Contest(
                    lead_id=lead_id,
                    exit_event_id=verdict.id,
                    exit="rejected",
                    reason_code="not_icp",
                    seller_id=ALICE,
                    marketer_id=BRUNO,
                    text=text,
                    reviewed_at=utcnow() if reviewed else None,
                )
            )


@pytest.fixture
def leads(sessions, engine, slack_client) -> Leads:
    """This week (in São Paulo) Alpha was handed over and accepted, Gamma won, Delta was
    rejected (and contested) and Zeta lost; Beta is older and still open; Epsilon was
    rejected last week and its contest already reviewed."""
    now = utcnow()
    since = week_start(now, ZoneInfo(TIMEZONE))
    this_week, last_week = since + (now - since) / 2, since - timedelta(days=1)
    earlier = {"profiled_at": last_week, "accepted_at": last_week}
    fixture = Leads(sessions, slack_client)
    fixture.add(
        Lead(
            name="Alpha Buyer",
            company="Alpha Corp",
            stage="accepted",
            owner_id=ALICE,
            profiled_at=this_week,
            accepted_at=this_week,
        )
    )
    fixture.add(Lead(name="Beta Buyer", stage="contacted", owner_id=ALICE, **earlier), card=True)
    fixture.add(
        Lead(
            name="Gamma Buyer",
            stage="won",
            owner_id=ALICE,
            won_at=this_week,
            won_value=4200,
            **earlier,
        )
    )
    delta = fixture.add(
        Lead(
            name="Delta <!channel>",
            stage="accepted",
            owner_id=ALICE,
            exit="rejected",
            exit_reason="not_icp",
            exited_at=this_week,
            **earlier,
        ),
        card=True,
    )
    fixture.contest(delta, text="They asked for a demo <!here>")
    fixture.add(
        Lead(
            name="Zeta Buyer",
            stage="accepted",
            owner_id=ALICE,
            exit="lost",
            exit_reason="price",
            exited_at=this_week,
            **earlier,
        )
    )
    epsilon = fixture.add(
        Lead(
            name="Epsilon Buyer",
            stage="profiled",
            exit="rejected",
            exit_reason="duplicate",
            exited_at=last_week,
            profiled_at=last_week - timedelta(days=1),
        )
    )
    fixture.contest(epsilon, text="Reviewed already", reviewed=True)
    return fixture


@pytest.fixture
def homes(env, leads, fake_slack, slack_signer, tmp_path):
    """Open a person's Home tab on the running bot; returns the view Slack then holds."""
    with run_bot(env, tmp_path) as bot:
        # Card links are built from the identity the bot learns in the background.
        wait_until(lambda: bot.get("/healthz").json()["slack"] == "connected", timeout=20)

        def open_home(user_id: str) -> dict:
            signed = slack_signer.event(payloads.event_callback(payloads.app_home_opened(user_id)))
            response = bot.post("/slack/events", content=signed.body, headers=signed.headers)
            assert response.status_code == 200
            return wait_until(lambda: fake_slack.home_view(user_id), timeout=10)

        yield open_home


def blocks_by_id(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


def week_figures(view: dict) -> list[str]:
    return [f["text"] for f in blocks_by_id(view)[home.HOME_WEEK_FIGURES]["fields"]]


def test_a_seller_sees_their_open_leads_oldest_first_with_links_to_the_cards(homes, leads):
    view = homes(ALICE)
    rows = [b for b in view["blocks"] if b.get("block_id", "").startswith(home.HOME_LEAD)]

    assert blocks_by_id(view)[home.HOME_LEADS_TITLE]["text"]["text"] == "Your open leads (2)"
    assert [row["text"]["text"].split("\n")[0] for row in rows] == [
        "*Beta Buyer*",
        "*Alpha Buyer · Alpha Corp*",
    ]
    assert rows[0]["text"]["text"].split("\n")[1].startswith("Contacted · handed over ")
    assert rows[0]["accessory"]["action_id"] == ids.ACTION_OPEN_CARD
    assert rows[0]["accessory"]["url"] == leads.links["Beta Buyer"]
    assert "accessory" not in rows[1]  # Alpha has no card to link to
    assert home.HOME_WEEK_FIGURES not in blocks_by_id(view)


@pytest.mark.parametrize("watcher", [BRUNO, CARLA], ids=["marketer", "manager"])
def test_marketing_and_managers_see_the_weeks_figures_and_the_open_contests(homes, leads, watcher):
    view = homes(watcher)
    found = blocks_by_id(view)

    assert week_figures(view) == [
        "*Handed over*\n1",
        "*Accepted*\n1",
        "*Not a fit*\n1",
        "*Lost*\n1",
        "*Back to nurture*\n0",
        "*Won*\n1 · 4,200 won",
    ]
    assert found[home.HOME_WEEK_REASONS]["text"]["text"] == (
        "*Top reasons for not a fit*\n• Not our ideal customer: 1"
    )
    assert found[home.HOME_CONTESTS_TITLE]["text"]["text"] == "Open contests (1)"
    contests = [b for b in view["blocks"] if b.get("block_id", "").startswith(home.HOME_CONTEST)]
    [contest] = contests
    assert contest["text"]["text"] == (
        "*Delta &lt;!channel&gt;*\n"
        "<@U0BRUNO> contests <@U0ALICE>'s verdict: *Not a fit (Not our ideal customer)*\n"
        "“They asked for a demo &lt;!here&gt;”"
    )
    assert contest["accessory"]["url"] == leads.links["Delta <!channel>"]
    assert home.HOME_LEADS_TITLE not in found


def test_someone_with_no_role_sees_the_introduction(homes, leads):
    view = homes(ZED)

    assert set(blocks_by_id(view)) == {home.HOME_TITLE, home.HOME_INTRO, home.HOME_COMMANDS}
    assert "show up here" in blocks_by_id(view)[home.HOME_INTRO]["text"]["text"]


# -- publishing, piece by piece ---------------------------------------------------------------


@pytest.fixture
def runtime(env, engine):
    runtime = build_runtime(load_settings(env))
    yield runtime
    runtime.engine.dispose()


def test_card_links_are_slacks_permalinks_once_the_identity_is_known(fake_slack, slack_client):
    identity = BotIdentity(slack_client, token=workspace.BOT_TOKEN)
    ts = slack_client.chat_postMessage(channel=SALES, text="card")["ts"]
    assert identity.message_link(SALES, ts) is None

    assert identity.refresh()

    expected = slack_client.chat_getPermalink(channel=SALES, message_ts=ts)["permalink"]
    assert identity.message_link(SALES, ts) == expected


def test_without_an_identity_the_home_is_published_without_links(
    runtime, leads, fake_slack, slack_client
):
    home.publish_home(runtime, slack_client, None, ALICE)

    view = fake_slack.home_view(ALICE)
    rows = [b for b in view["blocks"] if b.get("block_id", "").startswith(home.HOME_LEAD)]
    assert [row["text"]["text"].split("\n")[0] for row in rows] == [
        "*Beta Buyer*",
        "*Alpha Buyer · Alpha Corp*",
    ]
    assert not any("accessory" in row for row in rows)


def test_a_refused_publish_is_logged_not_raised(runtime, fake_slack, slack_client, caplog):
    fake_slack.fail_next("views.publish", faults.api_error("invalid_arguments"))

    with caplog.at_level(logging.ERROR, logger="handlers.slack.home"):
        home.publish_home(runtime, slack_client, None, ALICE)

    [record] = [r for r in caplog.records if r.name == "handlers.slack.home"]
    assert record.getMessage() == f"App Home for {ALICE} not published"
    assert record.exc_info is not None
    assert fake_slack.home_view(ALICE) is None
