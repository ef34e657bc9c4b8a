"""The real `smarketing serve`, reached over HTTP, talking to the fake Slack over HTTP."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from liveserver import run_bot, wait_until
from slackkit import faults, payloads, workspace
from slackkit.signing import retry_headers

from bot.domain.roles import Role, RoleDirectory
from storage.db import make_engine, session_factory

pytestmark = pytest.mark.any_backend

ROOT = Path(__file__).parents[2]
NEWCOMER = "U0DIEGO"


def directory() -> RoleDirectory:
    return RoleDirectory((), (), (), workspace.SALES, workspace.MARKETING, workspace.MANAGERS)


def post_signed(bot, signed, **extra_headers):
    return bot.post("/slack/events", content=signed.body, headers=signed.headers | extra_headers)


def slack_status(bot) -> str:
    return bot.get("/healthz").json()["slack"]


def test_a_signed_url_verification_is_answered(bot_env, tmp_path, slack_signer):
    with run_bot(bot_env, tmp_path) as bot:
        response = post_signed(bot, slack_signer.event(payloads.url_verification("ch4ll3nge")))
    assert response.status_code == 200
    assert response.json() == {"challenge": "ch4ll3nge"}


@pytest.mark.parametrize("signature", ["missing", "wrong", "stale"])
def test_unsigned_wrongly_signed_and_stale_requests_get_401(
    bot_env, tmp_path, slack_signer, fake_slack, signature
):
    with run_bot(bot_env, tmp_path) as bot:
        command = slack_signer.command(payloads.slash_command("/funnel"), signature=signature)
        event = slack_signer.event(
            payloads.event_callback(payloads.app_home_opened()), signature=signature
        )
        answers = [post_signed(bot, command), post_signed(bot, event)]
        time.sleep(0.3)
    assert [a.status_code for a in answers] == [401, 401]
    assert fake_slack.calls_to("views.publish") == []


def test_a_slash_command_is_acked_at_once_while_slack_takes_5_seconds(
    bot_env, tmp_path, slack_signer, fake_slack
):
    with run_bot(bot_env, tmp_path) as bot:
        fake_slack.fail_next("*", faults.delay(5), times=None)
        started = time.monotonic()
        command = payloads.slash_command("/funnel", response_url=fake_slack.response_url())
        response = post_signed(bot, slack_signer.command(command))
        elapsed = time.monotonic() - started
        answered = wait_until(lambda: fake_slack.calls_to("response_url"), timeout=15)
        fake_slack.clear_faults()
    assert response.status_code == 200
    assert response.text == ""  # an empty ack: the report follows through the response URL
    assert answered[0].params["response_type"] == "ephemeral"
    # Slack waits 3 s for the ack; anything that waited on the fake would take 5.
    assert elapsed < 3


def test_serve_runs_while_slack_refuses_everything_and_recovers(
    bot_env, tmp_path, slack_signer, fake_slack
):
    fake_slack.fail_next("*", faults.server_error(500), times=None)
    with run_bot(bot_env, tmp_path) as bot:
        health = bot.get("/healthz")
        command = post_signed(bot, slack_signer.command(payloads.slash_command("/funnel", "help")))
        assert fake_slack.calls_to("auth.test"), "the bot should be trying to reach Slack"
        assert all(call.status == 500 for call in fake_slack.calls_to("auth.test"))
        fake_slack.clear_faults()
        wait_until(lambda: slack_status(bot) == "connected", timeout=20)
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "database": "ok",
        "slack": "waiting",
        "outbox": {"pending": 0, "failing": 0, "oldest_seconds": 0},
    }
    assert command.status_code == 200
    assert command.json()["text"].startswith("*`/funnel`: the shared funnel")


def test_a_retried_event_is_handled_once(bot_env, tmp_path, slack_signer, fake_slack):
    envelope = payloads.event_callback(payloads.app_home_opened(workspace.ALICE))
    with run_bot(bot_env, tmp_path) as bot:
        first = post_signed(bot, slack_signer.event(envelope))
        wait_until(lambda: fake_slack.calls_to("views.publish"), timeout=10)
        retry = post_signed(bot, slack_signer.event(envelope), **retry_headers(1))
        time.sleep(0.5)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert len(fake_slack.calls_to("views.publish")) == 1


def test_app_home_shows_the_placeholder_in_the_teams_language(
    bot_env, tmp_path, slack_signer, fake_slack
):
    with run_bot(bot_env | {"BOT_LOCALE": "es"}, tmp_path) as bot:
        post_signed(bot, slack_signer.event(payloads.event_callback(payloads.app_home_opened())))
        view = wait_until(lambda: fake_slack.home_view(workspace.ALICE), timeout=10)
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "Aquí verás tus leads" in text


def test_a_member_joining_sales_becomes_a_seller_without_asking_slack(
    bot_env, tmp_path, slack_signer, fake_slack
):
    engine = None
    try:
        with run_bot(bot_env, tmp_path) as bot:
            engine = make_engine(bot_env["DATABASE_URL"])
            sessions = session_factory(engine)

            def has_seller_role(user_id: str) -> bool:
                with sessions() as session:
                    return directory().has_role(session, role=Role.SELLER, user_id=user_id)

            # Start-up sync filled the cache from conversations.members.
            wait_until(lambda: has_seller_role(workspace.ALICE), timeout=10)
            assert not has_seller_role(NEWCOMER)
            assert not has_seller_role(workspace.BOT_USER_ID)  # a member, but nobody's seller
            calls_before = len(fake_slack.calls)

            joined = payloads.member_joined_channel(NEWCOMER, workspace.SALES)
            post_signed(bot, slack_signer.event(payloads.event_callback(joined)))
            wait_until(lambda: has_seller_role(NEWCOMER), timeout=10)
            left = payloads.member_left_channel(workspace.ALICE, workspace.SALES)
            post_signed(bot, slack_signer.event(payloads.event_callback(left)))
            wait_until(lambda: not has_seller_role(workspace.ALICE), timeout=10)

            assert fake_slack.calls[calls_before:] == []
    finally:
        if engine is not None:
            engine.dispose()


def test_socket_mode_answers_commands_and_keeps_serving_health(bot_env, tmp_path, fake_slack):
    socket_env = bot_env | {"SLACK_APP_TOKEN": workspace.APP_TOKEN, "SLACK_SIGNING_SECRET": ""}
    with run_bot(socket_env, tmp_path) as bot:
        fake_slack.socket.wait_for_connection(timeout=15)
        envelope_id = fake_slack.socket.send_envelope(
            "slash_commands", payloads.slash_command("/funnel", "help")
        )
        ack = fake_slack.socket.wait_for_ack(envelope_id, timeout=5)
        health = bot.get("/healthz")
        no_http_route = bot.post("/slack/events", content=b"{}")
    assert ack["payload"]["text"].startswith("*`/funnel`: the shared funnel")
    assert health.status_code == 200
    assert no_http_route.status_code == 404


def test_serve_with_the_example_settings_answers_health(tmp_path, fake_slack):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    # Variables already set win over .env: only the port (chosen by run_bot) and Slack's
    # address differ from the example, so nothing leaves this machine.
    with run_bot({"SLACK_API_URL": fake_slack.api_url}, tmp_path) as bot:
        health = bot.get("/healthz")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
    assert (tmp_path / "smarketing.db").exists()
