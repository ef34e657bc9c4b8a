"""`smarketing routing …`, `smarketing outbox` and `smarketing schedule`, run in-process on
a real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.db import session_scope
from storage.models import JobRun, Lead, OutboxEntry
from storage.queries import add_all, routing_rules

pytestmark = pytest.mark.any_backend

MEXICO = ZoneInfo("America/Mexico_City")


def stored_rules(sessions) -> list[tuple[int, str, str, str, str]]:
    with session_scope(sessions) as session:
        return [
            (rule.id, rule.field, rule.value, rule.match_key, rule.channel_id)
            for rule in routing_rules(session)
        ]


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def row_of(output: str, entry_id: int) -> list[str]:
    return next(columns(line) for line in output.splitlines() if columns(line)[0] == str(entry_id))


def test_a_fresh_database_has_no_rules_and_every_lead_goes_to_sales(smarketing, monkeypatch):
    monkeypatch.setenv("SALES_CHANNEL_ID", "C0SALES")
    result = smarketing("routing", "list")
    assert (result.code, result.err) == (0, "")
    assert (
        result.out == "There are no routing rules: every lead goes to the sales channel, C0SALES.\n"
    )


def test_rules_are_added_listed_by_number_and_removed(smarketing, sessions, monkeypatch):
    monkeypatch.setenv("SALES_CHANNEL_ID", "C0SALES")
    north = smarketing("routing", "add", "zone= North ", "channel=C0NORTH")
    assert (north.code, north.out) == (0, "Added: #1  zone = North  →  C0NORTH\n")
    crm = smarketing("routing", "add", "service=CRM", "setup", "channel=C0CRM")
    assert (crm.code, crm.out) == (0, "Added: #2  service = CRM setup  →  C0CRM\n")
    assert stored_rules(sessions) == [
        (1, "zone", "North", "north", "C0NORTH"),
        (2, "service", "CRM setup", "crm setup", "C0CRM"),
    ]

    listed = smarketing("routing", "list")
    assert listed.code == 0
    assert listed.out.splitlines() == [
        "Routing rules:",
        "#1  zone = North  →  C0NORTH",
        "#2  service = CRM setup  →  C0CRM",
        "Every other lead goes to the sales channel, C0SALES.",
        "Rules are tried in number order; the first that matches a lead decides its channel.",
    ]

    removed = smarketing("routing", "remove", "1")
    assert (removed.code, removed.out) == (0, "Removed: #1  zone = North  →  C0NORTH\n")
    assert stored_rules(sessions) == [(2, "service", "CRM setup", "crm setup", "C0CRM")]
    assert "#1" not in smarketing("routing", "list").out


@pytest.mark.parametrize("again", ["zone=north ", "zone=  NORTH"])
def test_a_second_rule_for_the_same_value_is_refused_and_nothing_stored(
    smarketing, sessions, again
):
    assert smarketing("routing", "add", "zone=North ", "channel=C0NORTH").code == 0
    result = smarketing("routing", "add", again, "channel=C0OTHER")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "Rule #1 already sends leads of zone 'North' to C0NORTH; remove it first "
        "('smarketing routing remove 1') to send them elsewhere.\n"
    )
    assert stored_rules(sessions) == [(1, "zone", "North", "north", "C0NORTH")]


def test_the_same_value_in_the_other_field_is_a_rule_of_its_own(smarketing, sessions):
    assert smarketing("routing", "add", "zone=North", "channel=C0NORTH").code == 0
    assert smarketing("routing", "add", "channel=G0PRIVATE", "service=north").code == 0
    assert [rule[1:3] for rule in stored_rules(sessions)] == [
        ("zone", "North"),
        ("service", "north"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["zone=", "channel=C0NORTH"], "'zone=' has no value: give the zone this rule is for."),
        (["zone=   ", "channel=C0NORTH"], "'zone=' has no value"),
        (["color=red", "channel=C0NORTH"], "A rule cannot use 'color='"),
        (["zone=North", "channel=nope"], "'nope' is not a Slack channel id"),
        (["zone=North", "channel=D0DIRECT"], "'D0DIRECT' is not a Slack channel id"),
        (["zone=North"], "Say where these leads go: channel=C0123ABCD"),
        (["zone=North", "channel="], "Say where these leads go"),
        (["zone=North", "channel=C0NORTH", "C0SOUTH"], "'C0NORTH C0SOUTH' is not a Slack"),
        (["channel=C0NORTH"], "Say which leads the rule is for"),
        (["North", "channel=C0NORTH"], "'North' is not of the form key=value"),
        (["zone=North", "service=CRM", "channel=C0NORTH"], "A rule matches one field: give zone="),
        (["zone=North", "zone=South", "channel=C0NORTH"], "'zone=' is given twice"),
        (["zone=" + "x" * 201, "channel=C0NORTH"], "The zone is 201 characters long"),
    ],
)
def test_a_malformed_rule_is_one_sentence_and_stores_nothing(smarketing, sessions, args, message):
    result = smarketing("routing", "add", *args)
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(message)
    assert len(result.err.strip().splitlines()) == 1
    assert stored_rules(sessions) == []


def test_removing_a_rule_that_does_not_exist_changes_nothing(smarketing, sessions):
    assert smarketing("routing", "add", "zone=North", "channel=C0NORTH").code == 0
    result = smarketing("routing", "remove", "7")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "There is no routing rule #7; 'smarketing routing list' shows the rules and their "
        "numbers.\n"
    )
    assert len(stored_rules(sessions)) == 1


def test_routing_speaks_spanish_when_the_team_does(smarketing, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    assert smarketing("routing", "add", "zone=Norte", "channel=C0NORTE").out == (
        "Regla añadida: #1  zona = Norte  →  C0NORTE\n"
    )
    assert smarketing("routing", "list").out.splitlines() == [
        "Reglas de enrutamiento:",
        "#1  zona = Norte  →  C0NORTE",
        "Todos los demás leads van al canal de ventas (SALES_CHANNEL_ID no está definido).",
        "Las reglas se prueban por orden de número; la primera que coincide con un lead "
        "decide su canal.",
    ]
    refused = smarketing("routing", "add", "zone=norte", "channel=C0OTRO")
    assert refused.code == 1
    assert refused.err.startswith("La regla #1 ya envía los leads de zona 'Norte' a C0NORTE")


def test_an_empty_outbox_says_nothing_is_waiting(smarketing):
    result = smarketing("outbox")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Nothing is waiting to be delivered.\n\nDelivered in the last 24 hours: 0\n"
    )


def test_the_outbox_shows_what_waits_with_its_error_and_what_was_delivered(
    smarketing, sessions, monkeypatch
):
    monkeypatch.setenv("BOT_TIMEZONE", "America/Mexico_City")
    now = datetime.now(UTC)
    refusal = "channel_not_found: " + "the channel is archived or the bot was removed " * 5
    with session_scope(sessions) as session:
        ana, beto, caro = Lead(name="Ana Uno"), Lead(name="Beto Dos"), Lead(name="Caro Tres")
        add_all(session, rows=[ana, beto, caro])
        failing = OutboxEntry(
            lead_id=ana.id,
            kind="handover",
            created_at=datetime(2026, 1, 5, 15, 30, tzinfo=UTC),
            available_at=datetime(2099, 1, 1, 12, 0, tzinfo=UTC),
            attempts=3,
            last_error=refusal,
            channel_id="C0NORTH",
        )
        fresh = OutboxEntry(lead_id=caro.id, kind="handover", created_at=now, available_at=now)
        delivered = OutboxEntry(
            lead_id=beto.id,
            kind="handover",
            created_at=now - timedelta(hours=2),
            done_at=now - timedelta(hours=1),
            attempts=1,
            channel_id="C0SALES",
        )
        long_ago = OutboxEntry(
            lead_id=beto.id,
            kind="handover",
            created_at=now - timedelta(days=3),
            done_at=now - timedelta(days=2),
            channel_id="C0SALES",
        )
        add_all(session, rows=[failing, fresh, delivered, long_ago])

    result = smarketing("outbox")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == (
        "2 waiting to be delivered, 1 with an error; the oldest has been waiting since "
        "2026-01-05 09:30."
    )
    assert columns(lines[1]) == ["Entry", "Lead", "Channel", "Attempts", "Next try", "Last error"]
    shown_error = row_of(result.out, failing.id)[5]
    assert row_of(result.out, failing.id)[:5] == [
        str(failing.id),
        "Ana Uno",
        "C0NORTH",
        "3",
        "2099-01-01 06:00",
    ]
    assert shown_error.startswith("channel_not_found: the channel is archived")
    assert shown_error.endswith("…") and len(shown_error) == 80
    assert row_of(result.out, fresh.id) == [
        str(fresh.id),
        "Caro Tres",
        "(not routed yet)",
        "0",
        "now",
        "–",
    ]
    assert "Delivered in the last 24 hours: 1" in lines
    delivered_at = (now - timedelta(hours=1)).astimezone(MEXICO).strftime("%Y-%m-%d %H:%M")
    assert row_of(result.out, delivered.id) == [
        str(delivered.id),
        "Beto Dos",
        "C0SALES",
        delivered_at,
    ]
    assert not any(columns(line)[0] == str(long_ago.id) for line in lines)
    assert lines[-1] == "Times are in America/Mexico_City."


def test_a_long_backlog_shows_the_oldest_fifty_and_counts_the_rest(smarketing, sessions):
    with session_scope(sessions) as session:
        add_all(session, rows=[OutboxEntry(kind="handover") for _ in range(52)])
    result = smarketing("outbox")
    assert result.out.startswith("52 waiting to be delivered, 0 with an error;")
    assert "…and 2 more waiting." in result.out
    assert row_of(result.out, 50) and not any(
        columns(line)[0] == "51" for line in result.out.splitlines()
    )


def test_the_outbox_speaks_spanish_when_the_team_does(smarketing, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    assert smarketing("outbox").out == (
        "No hay nada en espera de entrega.\n\nEntregados en las últimas 24 horas: 0\n"
    )


def test_schedule_lists_the_jobs_with_their_next_run_and_the_latest_runs(
    smarketing, sessions, monkeypatch
):
    monkeypatch.setenv("BOT_TIMEZONE", "America/Mexico_City")
    due = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    with session_scope(sessions) as session:
        add_all(session, rows=[
            JobRun(job_id="housekeeping", period="2026-11-30T09:00", due_at=due, status="done",
                   started_at=due, finished_at=due + timedelta(seconds=2),
                   detail="3 event ids forgotten"),
            JobRun(job_id="housekeeping", period="2026-11-30T10:00",
                   due_at=due + timedelta(hours=1), status="skipped",
                   started_at=due + timedelta(hours=3),
                   finished_at=due + timedelta(hours=3), detail="missed by 2:00:00"),
        ])  # fmt: skip
    run = smarketing("schedule")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    job = next(columns(line) for line in lines if columns(line)[:2] == ["housekeeping", "every 1h"])
    assert job[:2] == ["housekeeping", "every 1h"]
    upcoming = datetime.strptime(job[2], "%Y-%m-%d %H:%M").replace(tzinfo=MEXICO)
    assert timedelta(0) < upcoming - datetime.now(UTC) <= timedelta(hours=1)
    runs = [columns(line) for line in lines if line.startswith("housekeeping  2026")]
    assert runs == [
        ["housekeeping", "2026-11-30T10:00", "skipped (missed)", "2026-11-30 12:00",
         "missed by 2:00:00"],
        ["housekeeping", "2026-11-30T09:00", "done", "2026-11-30 09:00", "3 event ids forgotten"],
    ]  # fmt: skip
    assert "Times are in America/Mexico_City." in run.out


def test_a_bad_schedule_setting_is_named_and_nothing_runs(smarketing, monkeypatch):
    monkeypatch.setenv("SLA_REVIEW_SCHEDULE", "every 2 weeks thu 10:00 from 2026-12-04")
    run = smarketing("schedule")
    assert run.code == 2
    assert "2026-12-04" in run.err and run.out == ""
