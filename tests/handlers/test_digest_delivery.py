"""The weekly digest through the delivery worker and the fake Slack over loopback HTTP: one
message per destination (the managers channel, each manager's DM), its funnel chart shared
in that message's thread, and exactly one of each when Slack times out, rate-limits or
errors on the way."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from liveserver import wait_until
from slackkit import faults
from slackkit.workspace import ALICE, BOT_TOKEN, BOT_USER_ID, CARLA, MANAGERS
from sqlmodel import col, select

from bot.config import load_settings
from bot.digest_delivery import queue_digest
from bot.runtime import build_runtime
from handlers.slack.client import make_web_client
from handlers.slack.delivery import DIGEST_EVENT, DeliveryWorker
from storage.models import OutboxEntry

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # Monday 09:00 in São Paulo
CHART_TITLE = "Funnel · 2026-11-23 to 2026-11-29 (outlined: the week before)"
DM = {CARLA: "D0CARLA", ALICE: "D0ALICE"}


@pytest.fixture
def runtime(database_url, engine, fake_slack):
    runtime = build_runtime(
        load_settings(
            {
                "DATABASE_URL": database_url,
                "BOT_TIMEZONE": "America/Sao_Paulo",
                "MANAGERS_CHANNEL_ID": MANAGERS,
                "MANAGER_USER_IDS": f"{CARLA},{ALICE}",
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_API_URL": fake_slack.api_url,
            },
            dotenv=False,
        )
    )
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def worker(runtime, fake_slack):
    client = make_web_client(token=BOT_TOKEN, base_url=fake_slack.api_url)
    running = DeliveryWorker(runtime, client, post_interval=0.05)
    yield running
    running.stop()


def outbox(runtime) -> list[OutboxEntry]:
    with runtime.sessions() as session:
        return list(session.exec(select(OutboxEntry).order_by(col(OutboxEntry.id))))


def all_done(runtime) -> bool:
    entries = outbox(runtime)
    return bool(entries) and all(entry.done_at is not None for entry in entries)


def digests(fake_slack, channel: str) -> list:
    return [
        m
        for m in fake_slack.messages(channel)
        if m.user == BOT_USER_ID and (m.metadata or {}).get("event_type") == DIGEST_EVENT
    ]


def charts(fake_slack, channel: str) -> list:
    return [m for m in fake_slack.messages(channel) if m.files]


def assert_one_digest_and_its_chart(fake_slack, channel: str) -> None:
    [digest] = digests(fake_slack, channel)
    assert digest.blocks[0]["text"]["text"] == "Weekly digest · 2026-11-23 to 2026-11-29"
    assert "outbox_id" in digest.metadata["event_payload"]
    [chart] = charts(fake_slack, channel)
    assert chart.thread_ts == digest.ts  # in the digest's thread
    [shared] = chart.files
    assert shared["title"] == CHART_TITLE
    assert shared["name"].startswith("funnel-2026-11-23-")


def test_the_digest_reaches_the_channel_and_each_manager_with_its_chart(
    runtime, worker, fake_slack
):
    queued = queue_digest(runtime, now=NOW)
    assert [destination for destination, *_ in queued.entries] == [MANAGERS, CARLA, ALICE]
    worker.start()
    wait_until(lambda: all_done(runtime), timeout=20)

    for channel in (MANAGERS, DM[CARLA], DM[ALICE]):
        assert_one_digest_and_its_chart(fake_slack, channel)
    completes = fake_slack.calls_to("files.completeUploadExternal")
    assert len(completes) == 3 and len(fake_slack.calls_to("files.getUploadURLExternal")) == 3
    digest_ts = {c: digests(fake_slack, c)[0].ts for c in (MANAGERS, DM[CARLA], DM[ALICE])}
    assert {(c.params["channel_id"], c.params["thread_ts"]) for c in completes} == set(
        digest_ts.items()
    )
    [uploaded, *_] = fake_slack.files()
    assert uploaded.content.startswith(b"\x89PNG")
    entries = outbox(runtime)
    assert all(entry.last_error is None for entry in entries)
    [digest_entry] = [e for e in entries if e.kind == "digest" and e.channel_id == MANAGERS]
    assert digest_entry.lead_id is None and digest_entry.payload["ts"] == digest_ts[MANAGERS]


def test_a_slack_that_drops_answers_rate_limits_and_errors_still_ends_with_one_of_each(
    runtime, worker, fake_slack
):
    to_managers = lambda params: params.get("channel") == MANAGERS  # noqa: E731
    fake_slack.fail_next("chat.postMessage", faults.rate_limited(1), when=to_managers)
    fake_slack.fail_next("chat.postMessage", faults.server_error(), when=to_managers)
    fake_slack.fail_next("chat.postMessage", faults.drop_after_acting(), when=to_managers)
    fake_slack.fail_next("files.completeUploadExternal", faults.drop_after_acting())
    fake_slack.fail_next("files.getUploadURLExternal", faults.server_error())
    queue_digest(runtime, now=NOW)
    worker.start()
    wait_until(lambda: all_done(runtime), timeout=45)

    for channel in (MANAGERS, DM[CARLA], DM[ALICE]):
        assert_one_digest_and_its_chart(fake_slack, channel)
    posts = [c for c in fake_slack.calls_to("chat.postMessage") if to_managers(c.params)]
    assert [c.status for c in posts] == [429, 500, None]  # the dropped one was found, not redone
    assert len(fake_slack.calls_to("conversations.history")) >= 1
    dropped = [c for c in fake_slack.calls_to("files.completeUploadExternal") if c.status is None]
    assert len(dropped) == 1  # the upload whose answer was lost was found, not repeated
    assert len(fake_slack.calls_to("conversations.replies")) >= 1


def test_the_chart_waits_for_its_digest(runtime, worker, fake_slack):
    fake_slack.fail_next("chat.postMessage", faults.server_error(), times=2)
    queue_digest(runtime, now=NOW)
    worker.start()
    wait_until(lambda: all_done(runtime), timeout=45)
    for channel in (MANAGERS, DM[CARLA], DM[ALICE]):
        assert_one_digest_and_its_chart(fake_slack, channel)
    completes = fake_slack.calls_to("files.completeUploadExternal")
    assert len(completes) == 3 and all(c.params.get("thread_ts") for c in completes)


def test_delivering_now_stops_at_a_refusal_and_keeps_the_entries(runtime, fake_slack):
    fake_slack.set_members(MANAGERS, ())  # the bot was removed from the managers channel
    queued = queue_digest(runtime, now=NOW)
    client = make_web_client(token=BOT_TOKEN, base_url=fake_slack.api_url)
    worker = DeliveryWorker(runtime, client, post_interval=0.05)
    _where, digest_id, chart_id = queued.entries[0]
    digest, chart = worker.deliver_now([digest_id, chart_id], patience=20)
    assert (digest.done_at, digest.last_error) == (None, "not_in_channel")
    assert chart.done_at is None and fake_slack.calls_to("files.completeUploadExternal") == []
    [_where, carla_digest, carla_chart] = queued.entries[1]
    assert all(e.done_at for e in worker.deliver_now([carla_digest, carla_chart], patience=20))
    assert_one_digest_and_its_chart(fake_slack, DM[CARLA])
    payload = next(e for e in outbox(runtime) if e.id == carla_chart).payload
    assert base64.b64decode(payload["png"]).startswith(b"\x89PNG")
    assert payload["digest_entry"] == carla_digest
