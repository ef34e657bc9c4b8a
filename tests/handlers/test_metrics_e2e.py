"""`POST /marketing-metrics` through the real `smarketing serve`: what is stored, what a
re-send replaces, and every refusal storing nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from liveserver import run_bot
from sqlalchemy import func
from sqlmodel import col, select

from storage.models import MarketingMetric

AUTH = {"Authorization": "Bearer test-leads-token"}  # bot_env's LEADS_API_TOKEN
NOV_20 = date(2026, 11, 20)


# Validation, authentication and the documentation do not depend on the database: they
# run on SQLite only; what is stored is checked on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def row(**overrides) -> dict:
    return {
        "date": "2026-11-20",
        "channel": "paid-search",
        "source": "google",
        "campaign": "black-friday",
        "impressions": 12000,
        "clicks": 340,
        "leads": 18,
    } | overrides


@pytest.fixture
def bot(bot_env, engine, tmp_path):
    with run_bot(bot_env, tmp_path) as running:
        yield running


def send(bot, document, headers=AUTH):
    return bot.post("/marketing-metrics", json=document, headers=headers)


def stored(sessions) -> list[tuple]:
    with sessions() as session:
        statement = select(MarketingMetric).order_by(
            col(MarketingMetric.channel), col(MarketingMetric.source)
        )
        return [
            (m.date, m.channel, m.source, m.campaign, m.impressions, m.clicks, m.leads)
            for m in session.exec(statement)
        ]


def test_rows_are_stored_and_a_resend_replaces_their_figures(bot, sessions):
    first = [
        row(channel=" paid-search ", source="google "),
        row(channel="paid-social", source="facebook", campaign=None, clicks=13000),
        row(channel="email", impressions=500, clicks=40, leads=6, source="", campaign=""),
    ]
    response = send(bot, {"rows": first})
    assert (response.status_code, response.json()) == (200, {"stored": 3})
    assert stored(sessions) == [
        (NOV_20, "email", "", "", 500, 40, 6),
        (NOV_20, "paid-search", "google", "black-friday", 12000, 340, 18),
        # More clicks than impressions: stored as the platform counted them.
        (NOV_20, "paid-social", "facebook", "", 12000, 13000, 18),
    ]

    corrected = [
        row(impressions=12500, clicks=350, leads=19),
        row(channel="email", impressions=550, clicks=41, leads=7, source=None, campaign=None),
    ]
    response = send(bot, {"rows": corrected})
    assert (response.status_code, response.json()) == (200, {"stored": 2})
    assert stored(sessions) == [
        (NOV_20, "email", "", "", 550, 41, 7),
        (NOV_20, "paid-search", "google", "black-friday", 12500, 350, 19),
        (NOV_20, "paid-social", "facebook", "", 12000, 13000, 18),
    ]


def test_the_same_key_twice_in_one_request_stores_the_later_row(bot, sessions):
    response = send(
        bot, {"rows": [row(impressions=1), row(campaign=" black-friday", impressions=2)]}
    )
    assert (response.status_code, response.json()) == (200, {"stored": 1})
    assert [figures[4] for figures in stored(sessions)] == [2]


def test_a_bad_row_answers_422_naming_the_field_and_stores_nothing(bot, sessions):
    rows = [row(), row(channel="email"), row(channel="sms"), row(impressions=-5, clicks="12.5")]
    response = send(bot, {"rows": rows})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [error["loc"] for error in errors] == [
        ["body", "rows", 3, "impressions"],
        ["body", "rows", 3, "clicks"],
    ]
    assert all(error["msg"] for error in errors)
    assert stored(sessions) == []


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"date": "20/11/2026"}, ["body", "rows", 0, "date"]),
        ({"channel": "   "}, ["body", "rows", 0, "channel"]),
        ({"leads": True}, ["body", "rows", 0, "leads"]),
        ({"impressions": 1.5}, ["body", "rows", 0, "impressions"]),
    ],
)
def test_each_kind_of_bad_value_is_named(bot, sessions, fields, loc):
    response = send(bot, {"rows": [row(**fields)]})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]
    assert stored(sessions) == []


@SQLITE_ONLY
def test_a_body_that_is_not_rows_is_refused_in_fastapis_shape(bot, sessions):
    not_json = bot.post("/marketing-metrics", content=b"{", headers=AUTH)
    no_rows = send(bot, {"leads": [row()]})
    missing = send(bot, {"rows": [{"date": "2026-11-20"}]})
    assert not_json.status_code == no_rows.status_code == missing.status_code == 422
    assert not_json.json()["detail"][0]["loc"] == ["body"]
    assert no_rows.json()["detail"][0]["loc"] == ["body", "rows"]
    assert {tuple(e["loc"]) for e in missing.json()["detail"]} == {
        ("body", "rows", 0, name) for name in ("channel", "impressions", "clicks", "leads")
    }
    assert stored(sessions) == []


@SQLITE_ONLY
def test_more_than_500_rows_are_refused_whole(bot, sessions):
    rows = [row(campaign=f"c{n}") for n in range(501)]
    response = send(bot, {"rows": rows})
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "rows"], "too_long")
    ]
    assert stored(sessions) == []
    response = send(bot, {"rows": rows[:500]})
    assert (response.status_code, response.json()) == (200, {"stored": 500})


@SQLITE_ONLY
def test_without_the_token_or_with_a_wrong_one_nothing_is_read_or_stored(bot, sessions):
    missing = send(bot, {"rows": [row()]}, headers={})
    wrong = send(bot, {"rows": [row()]}, headers={"Authorization": "Bearer not-the-token"})
    # Checked before the body is used: a body that is not even JSON still gets 401.
    garbage = bot.post("/marketing-metrics", content=b"{", headers={"Authorization": "Bearer nope"})
    assert missing.status_code == wrong.status_code == garbage.status_code == 401
    assert stored(sessions) == []


@SQLITE_ONLY
def test_a_body_over_1_mib_is_refused(bot, sessions):
    padding = " " * (1024 * 1024)
    content = json.dumps({"rows": [row()]}).replace("{", "{" + padding, 1).encode()
    response = bot.post("/marketing-metrics", content=content, headers=AUTH)
    assert response.status_code == 413
    assert stored(sessions) == []


@SQLITE_ONLY
def test_without_a_configured_token_the_route_answers_503_in_one_sentence(
    bot_env, engine, sessions, tmp_path
):
    environment = {name: value for name, value in bot_env.items() if name != "LEADS_API_TOKEN"}
    with run_bot(environment, tmp_path) as unconfigured:
        response = send(unconfigured, {"rows": [row()]})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "LEADS_API_TOKEN" in detail and detail.count(".") == 1
    assert stored(sessions) == []


@SQLITE_ONLY
def test_the_route_is_documented_with_its_body_and_answers(bot):
    document = bot.get("/openapi.json").json()
    operation = document["paths"]["/marketing-metrics"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/MetricsBatch"}
    example = body["examples"]["a day of two channels"]["value"]
    assert example["rows"][0]["impressions"] == 12000
    schemas = document["components"]["schemas"]
    assert schemas["MetricsBatch"]["properties"]["rows"]["maxItems"] == 500
    assert set(schemas["MetricRow"]["required"]) == {
        "date",
        "channel",
        "impressions",
        "clicks",
        "leads",
    }
    assert {"200", "401", "413", "422", "503"} <= set(operation["responses"])
    # The example is itself accepted.
    assert send(bot, example).json() == {"stored": 2}


@SQLITE_ONLY
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_fuzzed_bodies_get_only_documented_answers_and_refusals_store_nothing(bot, sessions, mode):
    schema = schemathesis.openapi.from_url(f"{bot.url}/openapi.json", config=schemathesis.Config())
    operation = schema.include(path="/marketing-metrics", method="POST")["/marketing-metrics"]
    generation = schemathesis.GenerationMode(mode)
    answers: list[int] = []

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=operation["POST"].as_strategy(generation_mode=generation))
    def post(case):
        with sessions() as session:
            before = session.exec(select(func.count()).select_from(MarketingMetric)).one()
        response = case.call(base_url=bot.url, headers=AUTH, timeout=30)
        answers.append(response.status_code)
        assert response.status_code in (200, 422), f"{case.body!r}\n-> {response.text}"
        if response.status_code == 422:
            assert all(e["loc"][0] == "body" for e in response.json()["detail"])
            with sessions() as session:
                after = session.exec(select(func.count()).select_from(MarketingMetric)).one()
            assert after == before, f"a refused request stored rows: {case.body!r}"

    post()
    assert len(answers) >= 30
    if mode == "positive":
        assert 200 in answers
