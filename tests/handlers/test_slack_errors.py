"""A listener that fails: the traceback is logged, the person gets one polite sentence."""

from __future__ import annotations

import logging

import httpx
import pytest
from liveserver import serve_in_thread, wait_until
from slackkit import payloads, workspace

from bot.app import build_bolt_app, create_web_app
from bot.config import load_settings
from bot.runtime import build_runtime
from handlers.slack.client import make_web_client
from handlers.slack.identity import BotIdentity
from storage.db import upgrade


@pytest.fixture
def failing_bot(bot_env, fake_slack):
    runtime = build_runtime(load_settings(bot_env | {"BOT_LOCALE": "es"}))
    upgrade(runtime.engine)
    client = make_web_client(token=None, base_url=fake_slack.api_url)
    identity = BotIdentity(client, token=workspace.BOT_TOKEN)
    bolt = build_bolt_app(runtime, identity=identity, client=client)

    @bolt.command("/boom")
    def explode(ack):
        ack()
        raise RuntimeError("the funnel query broke")

    with serve_in_thread(create_web_app(runtime, bolt_app=bolt)) as url:
        yield url
    runtime.engine.dispose()


def test_the_user_is_told_and_the_traceback_logged(failing_bot, fake_slack, slack_signer, caplog):
    command = payloads.slash_command("/boom", response_url=fake_slack.response_url())
    signed = slack_signer.command(command)
    with caplog.at_level(logging.ERROR, logger="handlers.slack.listeners.errors"):
        ack = httpx.post(failing_bot + "/slack/events", content=signed.body, headers=signed.headers)
        reply = wait_until(lambda: fake_slack.calls_to("response_url"), timeout=10)[0]
    assert ack.status_code == 200
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["text"].startswith("Lo sentimos, algo falló de nuestro lado.")
    assert "RuntimeError" not in reply.params["text"]
    failure = next(r for r in caplog.records if r.getMessage() == "listener failed")
    assert failure.exc_info and "the funnel query broke" in str(failure.exc_info[1])


def test_health_says_unavailable_when_the_database_is_unreachable(bot_env):
    runtime = build_runtime(
        load_settings(bot_env | {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    )
    with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
        health = httpx.get(url + "/healthz", timeout=10)
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"
