"""`smarketing sla show | set | plan`, run in-process on a real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.domain.sla import KEYS, change_policy
from storage.db import session_scope
from storage.models import Person, SlaPolicy

pytestmark = pytest.mark.any_backend


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def shown_values(output: str) -> dict[str, str]:
    """{key: value} of `sla show`'s table."""
    rows = (columns(line) for line in output.splitlines())
    return {row[0]: row[1] for row in rows if row[0] in KEYS}


def stored_versions(sessions) -> list[tuple[int, list[str], str]]:
    with session_scope(sessions) as session:
        rows = session.exec(select(SlaPolicy).order_by(SlaPolicy.version)).all()
        return [(row.version, row.changed, row.changed_by) for row in rows]


def test_a_fresh_team_sees_the_defaults_and_how_to_set_a_plan(smarketing):
    result = smarketing("sla", "show")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "SLA policy: the defaults (nobody has changed them yet)."
    assert columns(lines[2]) == ["setting", "value", "meaning"]
    assert columns(lines[4]) == [
        "period",
        "month",
        "how often targets are counted: week, month or quarter",
    ]
    assert shown_values(result.out) == {
        "period": "month",
        "revenue_goal": "0",
        "average_deal_value": "0",
        "leads_per_sale": "8",
        "profiled_share_min": "0.6",
        "first_touch_minutes": "60",
        "unclaimed_after_minutes": "30",
        "attempts_min": "6",
        "attempts_window_days": "10",
        "give_up": "nurture",
        "assignment": "claim",
        "work_days": "mon-fri",
        "work_hours": "09:00-18:00",
        "holidays": "–",
        "seller_weights": "–",
        "open_leads_cap": "–",
        "required_fields": "email|phone,summary,history,approach,profile_url",
        "sellers_see_all": "false",
    }
    assert lines[-3:] == [
        "No plan yet: set the revenue goal and the average deal, e.g. smarketing sla set "
        "revenue_goal=100k average_deal_value=6,667",
        "",
        "Change it with: smarketing sla set KEY=VALUE … (managers in Slack: /sla edit).",
    ]


def test_a_change_is_printed_old_to_new_and_shown_with_its_plan_and_history(
    smarketing, sessions, monkeypatch
):
    monkeypatch.setenv("BOT_TIMEZONE", "America/Mexico_City")
    result = smarketing(
        "sla", "set", "revenue_goal=100k", "average_deal_value=6,667", "holidays=2026-12-25,",
        "2027-01-01", "period=month",
    )  # fmt: skip
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "SLA policy changed (now version 1):",
        "  revenue_goal 0 → 100000",
        "  average_deal_value 0 → 6667",
        "  holidays – → 2026-12-25,2027-01-01",
    ]
    assert stored_versions(sessions) == [
        (1, ["revenue_goal", "average_deal_value", "holidays"], "cli")
    ]

    shown = smarketing("sla", "show")
    assert shown.code == 0
    lines = shown.out.splitlines()
    assert re.fullmatch(
        r"SLA policy, version 1: changed by the command line on \d{4}-\d\d-\d\d \d\d:\d\d\.",
        lines[0],
    )
    assert shown_values(shown.out)["holidays"] == "2026-12-25,2027-01-01"
    plan_at = lines.index("Plan for each month:")
    assert lines[plan_at + 1 : plan_at + 3] == [
        "  Sales needed: 15 (100,000 ÷ 6,667, rounded up)",
        "  Profiled leads to hand over: 120 (15 × 8, rounded up)",
    ]
    history_at = lines.index("Latest changes:")
    assert re.fullmatch(
        r"v1  \S+ \S+  the command line: revenue_goal 0 → 100000; average_deal_value 0 → 6667; "
        r"holidays – → 2026-12-25,2027-01-01",
        lines[history_at + 1],
    )
    assert lines[-1] == "Times are in America/Mexico_City."


def test_a_change_by_a_manager_in_slack_shows_their_name(smarketing, sessions):
    at = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    with session_scope(sessions) as session:
        session.add(Person(user_id="U0ANA", display_name="Ana"))
        change_policy(session, {"attempts_min": 8}, by="U0ANA", at=at)
    lines = smarketing("sla", "show").out.splitlines()
    assert lines[0] == "SLA policy, version 1: changed by Ana (U0ANA) on 2026-12-01 15:30."
    assert "v1  2026-12-01 15:30  Ana (U0ANA): attempts_min 6 → 8" in lines


def test_setting_what_the_policy_already_says_changes_nothing(smarketing, sessions):
    assert smarketing("sla", "set", "attempts_min=8").code == 0
    again = smarketing("sla", "set", "attempts_min=8", "give_up=nurture")
    assert (again.code, again.err) == (0, "")
    assert again.out == "Nothing changed: the policy already says that (version 1).\n"
    assert stored_versions(sessions) == [(1, ["attempts_min"], "cli")]


def test_every_problem_is_named_and_nothing_is_changed(smarketing, sessions):
    result = smarketing(
        "sla", "set", "attempts_min=8", "period=year", "colour=blue", "work_hours=18:00-09:00",
        "attempts_min=9", "holidays=christmas",
    )  # fmt: skip
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "The SLA policy was not changed:",
        "  attempts_min is given twice; give it once.",
        "  period must be one of week, month, quarter; got 'year'.",
        "  colour: there is no such setting; the settings are period, revenue_goal, "
        "average_deal_value, leads_per_sale, profiled_share_min, first_touch_minutes, "
        "unclaimed_after_minutes, attempts_min, attempts_window_days, give_up, assignment, "
        "work_days, work_hours, holidays, seller_weights, open_leads_cap, required_fields, "
        "sellers_see_all.",
        "  work_hours: closing must come after opening, like 09:00-18:00; got '18:00-09:00'.",
        "  holidays must be dates like 2026-12-25,2027-01-01 (empty for none); "
        "'christmas' is not a date.",
    ]
    assert stored_versions(sessions) == []
    assert shown_values(smarketing("sla", "show").out)["attempts_min"] == "6"


def test_a_word_that_is_not_a_setting_is_named(smarketing, sessions):
    result = smarketing("sla", "set", "eight", "attempts_min=8")
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "The SLA policy was not changed:",
        "  'eight' is not KEY=VALUE; write a setting like attempts_min=6.",
    ]
    assert stored_versions(sessions) == []


def test_problems_are_named_in_spanish(smarketing, sessions, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    result = smarketing("sla", "set", "give_up=drop", "sellers_see_all=quizás")
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "La política del SLA no se cambió:",
        "  give_up debe ser uno de nurture, reject; se recibió 'drop'.",
        "  sellers_see_all debe ser true o false; se recibió 'quizás'.",
    ]
    assert stored_versions(sessions) == []


@pytest.mark.parametrize(
    ("args", "sales", "leads"),
    [
        (["100000", "6667", "8"], "Sales needed: 15 (100,000 ÷ 6,667, rounded up)",
         "Profiled leads to hand over: 120 (15 × 8, rounded up)"),
        (["100k", "5.000", "8"], "Sales needed: 20 (100,000 ÷ 5,000, rounded up)",
         "Profiled leads to hand over: 160 (20 × 8, rounded up)"),
        (["1.5m", "6,667.50", "12,5"], "Sales needed: 225 (1,500,000 ÷ 6,667.5, rounded up)",
         "Profiled leads to hand over: 2,813 (225 × 12.5, rounded up)"),
    ],
)  # fmt: skip
def test_plan_prints_the_sales_and_leads_needed(smarketing, args, sales, leads):
    result = smarketing("sla", "plan", *args)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [sales, leads]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["100k", "abc", "8"], "DEAL must be a number like 6,667; got 'abc'."),
        (["lots", "6667", "8"], "REVENUE must be a number like 100,000; got 'lots'."),
        (["100k", "6667", "0.5"], "Leads per sale must be at least 1 (one sale every N leads); "
                                  "got 0.5."),
        (["100k", "0", "8"], "The average deal value must be more than 0 to count the sales "
                             "needed; got 0."),
        (["-5", "6667", "8"], "The revenue goal must be more than 0 to plan sales; got -5."),
    ],
)  # fmt: skip
def test_a_bad_plan_gets_a_one_line_correction(smarketing, args, message):
    result = smarketing("sla", "plan", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err == message + "\n"


def test_plan_reads_in_spanish(smarketing, monkeypatch):
    monkeypatch.setenv("BOT_LOCALE", "es")
    good = smarketing("sla", "plan", "100.000", "6.667", "8")
    assert good.out.splitlines() == [
        "Ventas necesarias: 15 (100,000 ÷ 6,667, redondeado arriba)",
        "Leads perfilados a entregar: 120 (15 × 8, redondeado arriba)",
    ]
    bad = smarketing("sla", "plan", "100.000", "mucho", "8")
    assert (bad.code, bad.err) == (2, "DEAL debe ser un número como 6,667; se recibió 'mucho'.\n")
