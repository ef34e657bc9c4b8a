"""`/funnel` through the real server and the fake Slack: the report reaches the command's
response URL with the numbers of the leads created, a seller sees only their own, someone
with no role is told who it is for, help and corrections come in the ack, and a slow Slack
never holds the ack up."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from desk import DIEGO, TOKEN, ZED, Desk
from liveserver import wait_until
from slackkit import faults, payloads
from slackkit.blockkit import check_message
from slackkit.workspace import ALICE, BRUNO, CARLA

from handlers.slack.funnel import (
    FUNNEL_BREAKDOWN,
    FUNNEL_EXITS,
    FUNNEL_FIGURES,
    FUNNEL_STAGES,
    FUNNEL_TITLE,
)
from storage.db import session_scope
from storage.models import Lead
from storage.types import utcnow

pytestmark = pytest.mark.any_backend


def funnel(desk: Desk, text: str = "", user: str = BRUNO):
    """Type `/funnel text` as `user`: (Slack's HTTP answer, the command's response URL)."""
    url = desk.fake.response_url()
    command = payloads.slash_command("/funnel", text, user_id=user, response_url=url)
    signed = desk.signer.command(command)
    response = desk.bot.post("/slack/events", content=signed.body, headers=signed.headers)
    assert response.status_code == 200
    return response, url


def posts_to(desk: Desk, url: str) -> list[dict]:
    """What the bot has posted to `url` so far."""
    return [c.params for c in desk.fake.calls_to("response_url") if url.endswith(c.params["path"])]


def answer_at(desk: Desk, url: str) -> dict:
    """What the bot posted to `url` (waited for)."""
    posts = wait_until(lambda: posts_to(desk, url), timeout=20)
    assert len(posts) == 1
    return posts[0]


def blocks_of(message: dict) -> dict[str, str]:
    return {b["block_id"]: b.get("text", {}).get("text", "") for b in message["blocks"]}


def table(text: str) -> dict[str, list[str]]:
    """A code block's rows by their first column."""
    inside = text.split("```")[1]
    rows = [re.split(r"\s{2,}", line.strip()) for line in inside.strip().splitlines()]
    return {row[0]: row[1:] for row in rows[2:]}  # past the header and its rule


def hand_over(desk: Desk, **lead) -> int:
    response = desk.bot.post("/leads", json=lead, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 202, response.text
    return response.json()["id"]


@pytest.fixture
def leads(desk: Desk) -> None:
    """This week: three leads through `POST /leads` (two profiled, one not), a lead Alice won
    for 5,000 and one Diego lost on price; eight days ago, one profiled lead."""
    hand_over(desk, name="Norte Uno", email="uno@norte.example", zone="North")
    hand_over(desk, name="Norte Dos", email="dos@norte.example", zone="North")
    hand_over(desk, name="Sur", email="sur@sur.example", zone="South", stage="lead")
    now = utcnow()
    with session_scope(desk.sessions) as session:
        session.add_all(
            [
                Lead(name="Won", created_at=now - timedelta(hours=1), stage="won",
                     won_value=5000, owner_id=ALICE, zone="North"),
                Lead(name="Lost", created_at=now - timedelta(hours=2), stage="qualified",
                     exit="lost", exit_reason="price", owner_id=DIEGO),
                Lead(name="Old", created_at=now - timedelta(days=8), stage="profiled"),
            ]
        )  # fmt: skip


def test_a_marketer_gets_the_weeks_funnel_with_the_leads_numbers(desk, leads):
    response, url = funnel(desk, "7d by zone")
    assert response.text == ""  # an empty ack; the report follows
    message = answer_at(desk, url)
    assert message["response_type"] == "ephemeral"
    assert check_message(message) == []
    blocks = blocks_of(message)
    stages = table(blocks[FUNNEL_STAGES])
    # Leads, change against the 7 days before (one lead then), of previous, of all.
    assert stages["Lead"] == ["5", "+4"]
    assert stages["Profiled (MQL)"] == ["4", "+3", "80.0%", "80.0%"]
    assert stages["Accepted (SAL)"] == ["2", "+2", "50.0%", "40.0%"]
    assert stages["Qualified (SQL)"] == ["2", "+2", "100.0%", "40.0%"]
    assert stages["Won"] == ["1", "+1", "50.0%", "20.0%"]
    assert "• Lost: 1 — Price 1" in blocks[FUNNEL_EXITS]
    assert table(blocks[FUNNEL_BREAKDOWN]) == {
        "North": ["3", "1", "1", "5,000", "33.3%"],
        "South": ["1", "0", "0", "0", "0.0%"],
        "(none)": ["1", "1", "0", "0", "100.0%"],
    }
    figures = blocks[FUNNEL_FIGURES]
    assert "*Revenue won:* 5,000 (+5,000 against the previous period)" in figures
    assert message["text"].endswith(": 5 leads, 1 won, revenue 5,000.")


def test_a_seller_sees_only_their_own_leads_and_someone_with_no_role_is_refused(desk, leads):
    _, alices = funnel(desk, "7d", user=ALICE)
    _, zeds = funnel(desk, "7d", user=ZED)
    own = answer_at(desk, alices)
    assert blocks_of(own)[FUNNEL_TITLE].endswith("· your leads only")
    assert table(blocks_of(own)[FUNNEL_STAGES])["Lead"] == ["1", "+1"]
    assert "*Revenue won:* 5,000" in blocks_of(own)[FUNNEL_FIGURES]
    refused = answer_at(desk, zeds)
    assert refused["text"] == (
        "`/funnel` is for sellers, marketers and managers; ask a manager if you need it."
    )
    assert "blocks" not in refused


def test_help_and_a_bad_query_are_answered_in_the_ack(desk):
    help_answer = funnel(desk, "help", user=CARLA)[0].json()
    assert help_answer["response_type"] == "ephemeral"
    assert "`/funnel last-month by campaign`" in help_answer["text"]
    assert check_message(help_answer) == []
    wrong = funnel(desk, "last-month by colour")[0].json()
    assert wrong == {
        "response_type": "ephemeral",
        "text": "The funnel cannot be broken down by `colour`; choose one of: zone, age, "
        "service, seller, source, campaign, channel, weekday, hour.",
    }
    time.sleep(0.5)
    assert desk.fake.calls_to("response_url") == []  # nothing more was sent


def test_chart_and_export_arrive_as_files_in_the_askers_direct_messages(desk, leads):
    _, url = funnel(desk, "7d by zone chart export")
    message = answer_at(desk, url)
    footer = message["blocks"][-1]["elements"]
    assert footer[0]["text"] == (
        "The files you asked for are on their way to your direct messages with the bot."
    )
    assert table(blocks_of(message)[FUNNEL_STAGES])["Lead"] == ["5", "+4"]
    [completed] = wait_until(lambda: desk.fake.calls_to("files.completeUploadExternal"), timeout=20)
    # Slack's three steps: an upload URL per file, the bytes to it, one completion.
    assert len(desk.fake.calls_to("files.getUploadURLExternal")) == 2
    assert len(desk.fake.calls_to("upload")) == 2
    assert completed.params["channel_id"] == f"D{BRUNO[1:]}"  # Bruno's DM with the bot
    assert completed.params["initial_comment"].startswith("The funnel of last 7 days")
    files = {f.filename.rsplit(".", 1)[1]: f for f in desk.fake.files() if f.completed}
    assert sorted(files) == ["csv", "png"]
    assert files["png"].filename.startswith("funnel-") and "-by-zone" in files["png"].filename
    assert files["png"].content.startswith(b"\x89PNG\r\n\x1a\n")
    assert files["png"].title == blocks_of(message)[FUNNEL_TITLE].strip("*")
    exported = files["csv"].content
    assert exported.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    by_value = {row[0]: row for row in rows[1:] if row}
    # The label, the stored value, values folded, leads, qualified, won, revenue.
    assert by_value["North"][1:7] == ["North", "0", "3", "1", "1", "5000"]
    assert all(f.channels == [f"D{BRUNO[1:]}"] for f in files.values())


def test_a_file_slack_refuses_is_said_so_after_the_report(desk, leads):
    desk.fake.fail_next("files.completeUploadExternal", faults.api_error("invalid_channel"))
    _, url = funnel(desk, "chart")
    wait_until(lambda: len(posts_to(desk, url)) == 2, timeout=20)  # the report, then why
    posts = posts_to(desk, url)
    assert [post.get("response_type") for post in posts] == ["ephemeral", "ephemeral"]
    assert FUNNEL_STAGES in blocks_of(posts[0])
    assert posts[1]["text"] == (
        "Slack did not take the chart or the export just now; ask again in a minute."
    )
    assert [f for f in desk.fake.files() if f.completed] == []


def test_someone_with_no_role_gets_no_file(desk, leads):
    _, url = funnel(desk, "chart export", user=ZED)
    assert answer_at(desk, url)["text"].startswith("`/funnel` is for sellers")
    time.sleep(0.5)
    assert desk.fake.calls_to("files.getUploadURLExternal") == []


def test_the_ack_does_not_wait_for_a_slow_slack(desk, leads):
    desk.fake.fail_next("*", faults.delay(5), times=None)
    started = time.monotonic()
    response, url = funnel(desk, "30d by seller")
    took = time.monotonic() - started
    message = answer_at(desk, url)
    desk.fake.clear_faults()
    assert took < 3  # Slack waits 3 s for the ack; anything waiting on the fake takes 5
    assert response.text == ""
    rows = table(blocks_of(message)[FUNNEL_BREAKDOWN])
    assert rows[ALICE][:3] == ["1", "1", "1"]  # no display name known: the Slack id
    assert rows[DIEGO][:3] == ["1", "1", "0"]
