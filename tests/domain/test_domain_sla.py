"""The SLA policy (its keys, their validation, its versions) and the plan formula."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.domain import sla
from bot.domain.sla import (
    CLI_ACTOR,
    KEYS,
    Change,
    Plan,
    PlanError,
    Policy,
    PolicyErrors,
    active_policy,
    change_policy,
    current_policy,
    parse_plan_args,
    plan,
    policy_history,
    read_changes,
)
from bot.i18n import Translator
from storage.db import session_scope
from storage.models import SlaPolicy
from storage.queries import add_sla_policy

AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EN, ES = Translator("en"), Translator("es")


# -- The plan -------------------------------------------------------------------------------


def test_the_worked_example_needs_15_sales_and_120_profiled_leads():
    assert plan(100_000, 6_667, 8) == Plan(sales_needed=15, leads_needed=120)


@pytest.mark.parametrize(
    ("revenue", "deal", "per_sale", "expected"),
    [
        (100_000, 5_000, 8, Plan(20, 160)),  # 20 exactly: not 21
        (100_000, 4_000, 2.5, Plan(25, 63)),  # 62.5 leads → 63
        (1.1, 0.1, 1, Plan(11, 11)),  # 1.1 / 0.1 is 11.000000000000002 in floats
        (10, 1, 1.1, Plan(10, 11)),  # 10 * 1.1 is 11.000000000000002 in floats
        (0.3, 0.1, 1, Plan(3, 3)),  # 2.9999999999999996 in floats
        (Decimal("100000"), Decimal("6667"), Decimal("8"), Plan(15, 120)),
        (1, 1_000_000, 1, Plan(1, 1)),  # a goal below one deal still takes a sale
    ],
)
def test_exact_multiples_are_not_rounded_up(revenue, deal, per_sale, expected):
    assert plan(revenue, deal, per_sale) == expected


@pytest.mark.parametrize(
    ("revenue", "deal", "per_sale", "message"),
    [
        (0, 6_667, 8, "The revenue goal must be more than 0 to plan sales; got 0."),
        (-5, 6_667, 8, "The revenue goal must be more than 0 to plan sales; got -5."),
        (None, 6_667, 8, "The revenue goal must be more than 0 to plan sales; got 0."),
        (
            100_000,
            0,
            8,
            "The average deal value must be more than 0 to count the sales needed; got 0.",
        ),
        (
            100_000,
            None,
            8,
            "The average deal value must be more than 0 to count the sales needed; got 0.",
        ),
        (
            100_000,
            -1.5,
            8,
            "The average deal value must be more than 0 to count the sales needed; got -1.5.",
        ),
        (
            100_000,
            6_667,
            0.5,
            "Leads per sale must be at least 1 (one sale every N leads); got 0.5.",
        ),
        (100_000, 6_667, 0, "Leads per sale must be at least 1 (one sale every N leads); got 0."),
        (
            100_000,
            6_667,
            float("nan"),
            "Leads per sale must be at least 1 (one sale every N leads); got NaN.",
        ),
    ],
)
def test_numbers_that_give_no_plan_are_named(revenue, deal, per_sale, message):
    with pytest.raises(PlanError) as error:
        plan(revenue, deal, per_sale)
    assert str(error.value) == message
    assert error.value.render(EN) == message


def test_a_plan_error_reads_in_spanish():
    with pytest.raises(PlanError) as error:
        plan(100_000, 0, 8)
    assert error.value.key == "sla.plan.deal"
    assert error.value.render(ES) == (
        "El valor promedio de una venta debe ser mayor que 0 para contar las ventas "
        "necesarias; se recibió 0."
    )


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [
        (["100k", "6,667", "8"], (100_000, 6_667, 8)),
        (["100.000", "6.667", "8"], (100_000, 6_667, 8)),
        (["100000", "6667", "8"], (100_000, 6_667, 8)),
        (["1.5m", "7 000", "12,5"], (1_500_000, 7_000, 12.5)),
        ([" 100,000 ", "6667.50", "1.5"], (100_000, 6_667.5, 1.5)),
    ],
)
def test_plan_arguments_are_read_as_people_type_them(typed, numbers):
    assert parse_plan_args(typed) == numbers


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (["abc", "6,667", "8"], "REVENUE must be a number like 100,000; got 'abc'."),
        (["100k", "$6,667", "8"], "DEAL must be a number like 6,667; got '$6,667'."),
        (["100k", "6,667", "eight"], "N must be a number like 8; got 'eight'."),
        (["100k", "6,6,6", "8"], "DEAL must be a number like 6,667; got '6,6,6'."),
        (["100k", "", "8"], "DEAL must be a number like 6,667; got ''."),
        (
            ["100k", "6,667"],
            "Write it as: plan REVENUE DEAL N, like plan 100,000 6,667 8 (one sale every N leads).",
        ),
    ],
)
def test_a_bad_plan_argument_gets_a_one_line_correction(typed, message):
    with pytest.raises(PlanError) as error:
        parse_plan_args(typed)
    assert str(error.value) == message
    assert "\n" not in message


def test_a_plan_argument_correction_reads_in_spanish():
    with pytest.raises(PlanError) as error:
        parse_plan_args(["100k", "abc", "8"])
    assert error.value.render(ES) == "DEAL debe ser un número como 6,667; se recibió 'abc'."


def test_a_policy_gives_a_plan_only_once_its_goal_and_deal_are_set():
    assert Policy.defaults().plan() is None
    assert Policy(revenue_goal=100_000).plan() is None
    assert Policy(revenue_goal=100_000, average_deal_value=6_667).plan() == Plan(15, 120)


# -- The keys and their values --------------------------------------------------------------


def test_the_defaults_suit_a_team_starting_out():
    policy = Policy.defaults()
    assert policy.as_text() == {
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
        "holidays": "",
        "seller_weights": "",
        "open_leads_cap": "",
        "required_fields": "email|phone,summary,history,approach,profile_url",
        "sellers_see_all": "false",
    }
    assert tuple(policy.as_text()) == KEYS
    assert policy.work_days == frozenset({0, 1, 2, 3, 4})
    assert policy.work_hours == (time(9), time(18))
    assert policy.required_fields[0] == ("email", "phone")
    assert policy.open_leads_cap is None


GOOD = [
    ("period", "week", "week"),
    ("period", " Quarter ", "quarter"),
    ("period", "mes", "month"),
    ("revenue_goal", "100k", 100_000),
    ("revenue_goal", "100.000", 100_000),
    ("revenue_goal", "1.5m", 1_500_000),
    ("revenue_goal", "0", 0),
    ("average_deal_value", "6,667", 6_667),
    ("average_deal_value", "6667,50", 6_667.5),
    ("leads_per_sale", "8", 8),
    ("leads_per_sale", "1", 1),
    ("leads_per_sale", "12,5", 12.5),
    ("profiled_share_min", "0.6", 0.6),
    ("profiled_share_min", "75%", 0.75),
    ("profiled_share_min", "0", 0),
    ("profiled_share_min", "1", 1),
    ("first_touch_minutes", "120", 120),
    ("first_touch_minutes", "1,440", 1_440),
    ("unclaimed_after_minutes", "15", 15),
    ("attempts_min", "1", 1),
    ("attempts_window_days", "14", 14),
    ("give_up", "reject", "reject"),
    ("give_up", "NURTURE", "nurture"),
    ("assignment", "round_robin", "round_robin"),
    ("assignment", "round-robin", "round_robin"),
    ("assignment", "claim", "claim"),
    ("work_days", "mon-fri", frozenset(range(5))),
    ("work_days", "mon,wed,fri", frozenset({0, 2, 4})),
    ("work_days", "mon-sun", frozenset(range(7))),
    ("work_days", "lun-sáb", frozenset(range(6))),
    ("work_days", "fri-mon", frozenset({4, 5, 6, 0})),
    ("work_days", "Tuesday, thu", frozenset({1, 3})),
    ("work_hours", "09:00-18:00", (time(9), time(18))),
    ("work_hours", "00:00-24:00", (time(0), None)),
    ("work_hours", "8:30 - 17:45", (time(8, 30), time(17, 45))),
    ("work_hours", "9-18", (time(9), time(18))),
    ("holidays", "2026-12-25,2027-01-01", frozenset({date(2026, 12, 25), date(2027, 1, 1)})),
    ("holidays", " 2026-12-25 , ", frozenset({date(2026, 12, 25)})),
    ("holidays", "", frozenset()),
    ("seller_weights", "U01:2,U02:1", {"U01": 2, "U02": 1}),
    ("seller_weights", "u0abc : 3", {"U0ABC": 3}),
    ("seller_weights", "", {}),
    ("open_leads_cap", "10", 10),
    ("open_leads_cap", "", None),
    ("open_leads_cap", "none", None),
    ("required_fields", "email|phone,summary", (("email", "phone"), ("summary",))),
    ("required_fields", "Email | Phone , company", (("email", "phone"), ("company",))),
    ("required_fields", "", ()),
    ("sellers_see_all", "true", True),
    ("sellers_see_all", "No", False),
    ("sellers_see_all", "sí", True),
]


@pytest.mark.parametrize(("key", "typed", "value"), GOOD)
def test_a_good_value_is_read(key, typed, value):
    assert read_changes({key: typed}) == {key: value}


BAD = [
    ("period", "year", "period must be one of week, month, quarter; got 'year'."),
    ("period", "", "period must be one of week, month, quarter; got ''."),
    (
        "revenue_goal",
        "-100",
        "revenue_goal must be a number, 0 or more, like 100,000 (0: not set); got '-100'.",
    ),
    (
        "revenue_goal",
        "$100k",
        "revenue_goal must be a number, 0 or more, like 100,000 (0: not set); got '$100k'.",
    ),
    (
        "average_deal_value",
        "a lot",
        "average_deal_value must be a number, 0 or more, like 6,667 (0: not set); got 'a lot'.",
    ),
    (
        "leads_per_sale",
        "0.5",
        "leads_per_sale must be a number of at least 1, like 8 (one sale every 8 leads); "
        "got '0.5'.",
    ),
    (
        "profiled_share_min",
        "1.5",
        "profiled_share_min must be a share from 0 to 1, like 0.6 or 60%; got '1.5'.",
    ),
    (
        "profiled_share_min",
        "120%",
        "profiled_share_min must be a share from 0 to 1, like 0.6 or 60%; got '120%'.",
    ),
    (
        "first_touch_minutes",
        "0",
        "first_touch_minutes must be a whole number from 1 to 1,000,000, like 60; got '0'.",
    ),
    (
        "first_touch_minutes",
        "1.5",
        "first_touch_minutes must be a whole number from 1 to 1,000,000, like 60; got '1.5'.",
    ),
    (
        "unclaimed_after_minutes",
        "soon",
        "unclaimed_after_minutes must be a whole number from 1 to 1,000,000, like 30; got 'soon'.",
    ),
    (
        "attempts_min",
        "-6",
        "attempts_min must be a whole number from 1 to 1,000,000, like 6; got '-6'.",
    ),
    (
        "attempts_window_days",
        "2m",
        "attempts_window_days must be a whole number from 1 to 1,000,000, like 10; got '2m'.",
    ),
    ("give_up", "drop", "give_up must be one of nurture, reject; got 'drop'."),
    ("assignment", "random", "assignment must be one of claim, round_robin; got 'random'."),
    (
        "work_days",
        "weekdays",
        "work_days must be days like mon-fri, mon,wed,fri or mon-sun; got 'weekdays'.",
    ),
    ("work_days", "", "work_days must be days like mon-fri, mon,wed,fri or mon-sun; got ''."),
    (
        "work_days",
        "mon-",
        "work_days must be days like mon-fri, mon,wed,fri or mon-sun; got 'mon-'.",
    ),
    (
        "work_hours",
        "9am-6pm",
        "work_hours must be an opening and a closing time like 09:00-18:00 (00:00-24:00 "
        "for all day); got '9am-6pm'.",
    ),
    (
        "work_hours",
        "09:00-24:30",
        "work_hours must be an opening and a closing time like 09:00-18:00 (00:00-24:00 "
        "for all day); got '09:00-24:30'.",
    ),
    (
        "work_hours",
        "24:00-24:00",
        "work_hours must be an opening and a closing time like 09:00-18:00 (00:00-24:00 "
        "for all day); got '24:00-24:00'.",
    ),
    (
        "work_hours",
        "18:00-09:00",
        "work_hours: closing must come after opening, like 09:00-18:00; got '18:00-09:00'.",
    ),
    (
        "work_hours",
        "09:00-09:00",
        "work_hours: closing must come after opening, like 09:00-18:00; got '09:00-09:00'.",
    ),
    (
        "holidays",
        "2026-12-25,25/12/2026",
        "holidays must be dates like 2026-12-25,2027-01-01 (empty for none); "
        "'25/12/2026' is not a date.",
    ),
    (
        "holidays",
        "2026-02-30",
        "holidays must be dates like 2026-12-25,2027-01-01 (empty for none); "
        "'2026-02-30' is not a date.",
    ),
    (
        "seller_weights",
        "U01:0",
        "seller_weights must be Slack user ids with a weight from 1 to 100, like "
        "U0123ABCD:2,U0456EFGH:1 (empty: 1 each); 'U01:0' is not.",
    ),
    (
        "seller_weights",
        "U01",
        "seller_weights must be Slack user ids with a weight from 1 to 100, like "
        "U0123ABCD:2,U0456EFGH:1 (empty: 1 each); 'U01' is not.",
    ),
    (
        "seller_weights",
        "ana:2",
        "seller_weights must be Slack user ids with a weight from 1 to 100, like "
        "U0123ABCD:2,U0456EFGH:1 (empty: 1 each); 'ana:2' is not.",
    ),
    (
        "seller_weights",
        "U01:1.5",
        "seller_weights must be Slack user ids with a weight from 1 to 100, like "
        "U0123ABCD:2,U0456EFGH:1 (empty: 1 each); 'U01:1.5' is not.",
    ),
    (
        "seller_weights",
        "U01:2,u01:1",
        "seller_weights names U01 twice; give each seller one weight.",
    ),
    (
        "open_leads_cap",
        "0",
        "open_leads_cap must be a whole number of at least 1, like 10, "
        "or empty for no cap; got '0'.",
    ),
    ("sellers_see_all", "maybe", "sellers_see_all must be true or false; got 'maybe'."),
]


@pytest.mark.parametrize(("key", "typed", "message"), BAD)
def test_a_bad_value_is_named_with_what_is_expected(key, typed, message):
    with pytest.raises(PolicyErrors) as error:
        read_changes({key: typed})
    assert list(error.value.problems) == [key]
    assert str(error.value) == message


def test_every_key_has_a_good_and_a_bad_example():
    assert {key for key, *_ in GOOD} == set(KEYS)
    assert {key for key, *_ in BAD} | {"required_fields"} == set(KEYS)


def test_a_required_field_must_be_a_lead_field():
    with pytest.raises(PolicyErrors) as error:
        read_changes({"required_fields": "email|fax,summary"})
    catalog_key, params = error.value.problems["required_fields"]
    assert catalog_key == "sla.error.required_fields"
    assert params["item"] == "fax"
    assert str(error.value).startswith(
        "required_fields must be lead fields separated by commas, | for either, like "
        "email|phone,summary; 'fax' is not a lead field (they are external_id, source, "
    )


def test_every_problem_is_reported_at_once():
    with pytest.raises(PolicyErrors) as error:
        read_changes(
            {
                "period": "year",
                "revenue_goal": "100k",  # good: not reported, not taken either
                "colour": "blue",
                "attempts_min": "zero",
                "work_hours": "18:00-09:00",
            }
        )
    problems = error.value.problems
    assert list(problems) == ["period", "colour", "attempts_min", "work_hours"]
    assert problems["period"] == (
        "sla.error.choice",
        {"setting": "period", "value": "year", "allowed": "week, month, quarter"},
    )
    assert [line.split()[0] for line in error.value.render(EN).splitlines()] == [
        "period",
        "colour:",
        "attempts_min",
        "work_hours:",
    ]


def test_an_unknown_key_lists_the_known_ones():
    with pytest.raises(PolicyErrors) as error:
        read_changes({"revenue": "100k"})
    assert str(error.value) == (
        "revenue: there is no such setting; the settings are period, revenue_goal, "
        "average_deal_value, leads_per_sale, profiled_share_min, first_touch_minutes, "
        "unclaimed_after_minutes, attempts_min, attempts_window_days, give_up, assignment, "
        "work_days, work_hours, holidays, seller_weights, open_leads_cap, required_fields, "
        "sellers_see_all."
    )


def test_keys_ignore_case_and_accept_dashes():
    assert read_changes({"Attempts-Min": "8"}) == {"attempts_min": 8}


def test_problems_read_in_spanish():
    with pytest.raises(PolicyErrors) as error:
        read_changes({"give_up": "drop", "holidays": "mañana"})
    assert error.value.render(ES).splitlines() == [
        "give_up debe ser uno de nurture, reject; se recibió 'drop'.",
        "holidays deben ser fechas como 2026-12-25,2027-01-01 (vacío si no hay); "
        "'mañana' no es una fecha.",
    ]


EVERY_KEY_CHANGED = {
    "period": "quarter",
    "revenue_goal": "250,000.50",
    "average_deal_value": "6,667.125",  # three decimals: written back as 6667.1250
    "leads_per_sale": "12,5",
    "profiled_share_min": "12.5%",
    "first_touch_minutes": "45",
    "unclaimed_after_minutes": "20",
    "attempts_min": "8",
    "attempts_window_days": "14",
    "give_up": "reject",
    "assignment": "round_robin",
    "work_days": "sat,mon,tue,wed,fri",
    "work_hours": "00:00-24:00",
    "holidays": "2027-01-01,2026-12-25",
    "seller_weights": "U02:1,U01:3",
    "open_leads_cap": "12",
    "required_fields": "phone|email,company",
    "sellers_see_all": "yes",
}


@pytest.mark.parametrize("typed", [{}, EVERY_KEY_CHANGED], ids=["defaults", "every key"])
def test_as_text_reads_back_as_the_same_policy(typed):
    policy = Policy.defaults().with_changes(read_changes(typed))
    text = policy.as_text()
    again = Policy.defaults().with_changes(read_changes(text))
    assert again == policy
    assert again.as_text() == text
    assert Policy.from_text(text) == policy


def test_values_are_written_back_in_one_canonical_form():
    text = Policy.defaults().with_changes(read_changes(EVERY_KEY_CHANGED)).as_text()
    assert text["average_deal_value"] == "6667.1250"
    assert text["profiled_share_min"] == "0.1250"
    assert text["revenue_goal"] == "250000.5"
    assert text["work_days"] == "mon-wed,fri,sat"
    assert text["holidays"] == "2026-12-25,2027-01-01"
    assert text["seller_weights"] == "U01:3,U02:1"
    assert text["required_fields"] == "phone|email,company"
    assert text["work_hours"] == "00:00-24:00"
    assert text["sellers_see_all"] == "true"


def test_a_stored_version_keeps_defaults_for_keys_it_lacks_or_cannot_read(caplog):
    policy = Policy.from_text({"attempts_min": "8", "give_up": "vanish", "retired_key": "1"})
    assert policy == Policy(attempts_min=8)
    assert "give_up" in caplog.text


def test_the_calendar_is_the_policys_work_days_hours_and_holidays():
    business_time = pytest.importorskip("bot.domain.business_time")
    tz = ZoneInfo("America/Mexico_City")
    policy = Policy.defaults().with_changes(
        read_changes({"work_days": "mon-sun", "work_hours": "00:00-24:00",
                      "holidays": "2026-12-25"})
    )  # fmt: skip
    assert policy.calendar(tz) == business_time.Calendar(
        work_days=frozenset(range(7)),
        opens=time(0),
        closes=None,
        holidays=frozenset({date(2026, 12, 25)}),
        tz=tz,
    )


def test_a_policy_is_hashable_and_compares_by_value():
    one = Policy(seller_weights={"U01": 2, "U02": 1})
    other = Policy(seller_weights={"U02": 1, "U01": 2})
    assert one == other
    assert hash(one) == hash(other)


def test_changing_an_unknown_key_is_a_programming_error():
    with pytest.raises(ValueError, match="colour"):
        Policy.defaults().with_changes({"colour": "blue"})


# -- Versions and history -------------------------------------------------------------------


def stored_versions(sessions) -> list[tuple[int, list[str], str]]:
    with session_scope(sessions) as session:
        rows = session.exec(select(SlaPolicy).order_by(SlaPolicy.version)).all()
        return [(row.version, row.changed, row.changed_by) for row in rows]


def test_a_team_that_changed_nothing_has_the_defaults_as_version_0(sessions):
    with session_scope(sessions) as session:
        assert current_policy(session) == Policy.defaults()
        active = active_policy(session)
        assert policy_history(session) == []
    assert (active.version, active.changed_by, active.changed_at) == (0, "default", None)


def test_two_changes_by_two_people_keep_every_version(sessions):
    with session_scope(sessions) as session:
        first = change_policy(
            session,
            read_changes({"revenue_goal": "100k", "average_deal_value": "6,667"}),
            by="U0ANA",
            at=AT,
        )
    assert first.plan() == Plan(15, 120)
    with session_scope(sessions) as session:
        second = change_policy(
            session,
            read_changes({"attempts_min": "8", "revenue_goal": "120k"}),
            by=CLI_ACTOR,
            at=AT + timedelta(days=1),
        )
    assert (second.revenue_goal, second.attempts_min, second.average_deal_value) == (
        120_000,
        8,
        6_667,
    )
    assert stored_versions(sessions) == [
        (1, ["revenue_goal", "average_deal_value"], "U0ANA"),
        (2, ["revenue_goal", "attempts_min"], "cli"),
    ]
    with session_scope(sessions) as session:
        active = active_policy(session)
        history = policy_history(session)
        assert current_policy(session) == second
    assert (active.version, active.policy, active.changed_by, active.changed_at) == (
        2,
        second,
        "cli",
        AT + timedelta(days=1),
    )
    assert [(entry.version, entry.changed_by, entry.changed_at) for entry in history] == [
        (2, "cli", AT + timedelta(days=1)),
        (1, "U0ANA", AT),
    ]
    assert history[0].changes == (
        Change("revenue_goal", "100000", "120000"),
        Change("attempts_min", "6", "8"),
    )
    assert history[1].changes == (
        Change("revenue_goal", "0", "100000"),
        Change("average_deal_value", "0", "6667"),
    )


def test_a_change_to_what_the_policy_already_says_writes_nothing(sessions):
    with session_scope(sessions) as session:
        change_policy(session, read_changes({"attempts_min": "8"}), by="U0ANA", at=AT)
    with session_scope(sessions) as session:
        same = change_policy(
            session, read_changes({"attempts_min": "8,0", "period": "month"}), by="U0BEN", at=AT
        )
        assert change_policy(session, {}, by="U0BEN", at=AT) == same
    assert same.attempts_min == 8
    assert stored_versions(sessions) == [(1, ["attempts_min"], "U0ANA")]


def test_only_the_keys_that_really_change_are_recorded(sessions):
    with session_scope(sessions) as session:
        change_policy(
            session, read_changes({"attempts_min": "6", "give_up": "reject"}), by="U0ANA", at=AT
        )
    assert stored_versions(sessions) == [(1, ["give_up"], "U0ANA")]


def test_the_history_shows_the_newest_changes_first_up_to_its_limit(sessions):
    for minutes in (61, 62, 63, 64):
        with session_scope(sessions) as session:
            change_policy(session, {"first_touch_minutes": minutes}, by="U0ANA", at=AT)
    with session_scope(sessions) as session:
        history = policy_history(session, limit=2)
    assert [(entry.version, entry.changes) for entry in history] == [
        (4, (Change("first_touch_minutes", "63", "64"),)),
        (3, (Change("first_touch_minutes", "62", "63"),)),
    ]


def test_two_people_changing_at_once_both_get_their_change(sessions, monkeypatch):
    """The second writer finds its version number taken and applies its change on top."""
    with session_scope(sessions) as session:
        change_policy(session, {"attempts_min": 8}, by="U0ANA", at=AT)
    newest = sla.queries.latest_sla_policy
    calls = []

    def stale_once(session):
        calls.append(1)
        return None if len(calls) == 1 else newest(session)  # read before Ana's commit

    monkeypatch.setattr(sla.queries, "latest_sla_policy", stale_once)
    with session_scope(sessions) as session:
        policy = change_policy(session, {"give_up": "reject"}, by="U0BEN", at=AT)
    assert (policy.attempts_min, policy.give_up) == (8, "reject")
    assert stored_versions(sessions) == [(1, ["attempts_min"], "U0ANA"),
                                         (2, ["give_up"], "U0BEN")]  # fmt: skip


def test_a_version_number_is_stored_once(sessions):
    with session_scope(sessions) as session:
        values = Policy.defaults().as_text()
        first = add_sla_policy(session, version=1, values=values, changed=[], changed_by="a",
                               changed_at=AT)  # fmt: skip
        again = add_sla_policy(session, version=1, values=values, changed=[], changed_by="b",
                               changed_at=AT)  # fmt: skip
    assert first is not None
    assert again is None
    assert stored_versions(sessions) == [(1, [], "a")]
