"""`POST /leads` over real HTTP: every status code of the intake rules, and what is stored."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import httpx
import pytest
from liveserver import serve_in_thread
from sqlmodel import col, select

from bot.app import create_web_app
from bot.config import load_settings
from bot.runtime import build_runtime
from storage.db import session_scope, upgrade
from storage.models import Lead, LeadEvent, OutboxEntry

TOKEN = "intake-test-token-3f9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Intake:
    def __init__(self, url: str, runtime):
        self.url = url
        self.runtime = runtime

    def post(self, document=None, *, content=None, headers=AUTH, **kwargs) -> httpx.Response:
        if content is None:
            content = json.dumps(document).encode()
        headers = {"Content-Type": "application/json", **headers}
        return httpx.post(
            f"{self.url}/leads", content=content, headers=headers, timeout=30, **kwargs
        )

    def leads(self) -> list[Lead]:
        with self.runtime.sessions() as session:
            return list(session.exec(select(Lead).order_by(col(Lead.id))))

    def lead(self, lead_id: int) -> Lead:
        with self.runtime.sessions() as session:
            return session.get(Lead, lead_id)

    def events(self, lead_id: int) -> list[str]:
        with self.runtime.sessions() as session:
            statement = select(LeadEvent.kind).where(LeadEvent.lead_id == lead_id)
            return list(session.exec(statement.order_by(col(LeadEvent.id))))

    def outbox(self) -> list[OutboxEntry]:
        with self.runtime.sessions() as session:
            return list(session.exec(select(OutboxEntry).order_by(col(OutboxEntry.id))))

    def set_lead(self, lead_id: int, **values) -> None:
        with session_scope(self.runtime.sessions) as session:
            lead = session.get(Lead, lead_id)
            for name, value in values.items():
                setattr(lead, name, value)


def start_intake(database_url: str, **environ):
    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "DEFAULT_PHONE_REGION": "MX",
            "BOT_TIMEZONE": "America/Mexico_City",
        }
        | environ
    )
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    return runtime


@pytest.fixture
def intake(database_url):
    runtime = start_intake(database_url, LEADS_API_TOKEN=TOKEN)
    with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
        yield Intake(url, runtime)
    runtime.engine.dispose()


def lucia(**overrides) -> dict:
    return {
        "external_id": "crm-1",
        "name": "  Lucía García ",
        "email": " Lucia.Garcia@Andino.Example ",
        "phone": "55 1234 5678",
        "company": "Grupo Andino",
        "source": "google",
        "campaign": "black-friday",
    } | overrides


# -- new leads ------------------------------------------------------------------------------


def test_a_new_profiled_lead_is_stored_normalised_and_queued_for_sales(intake):
    response = intake.post(lucia(stage="profiled", employees="11-50"))
    assert response.status_code == 202
    body = response.json()
    assert body == {"id": body["id"], "status": "accepted"} and isinstance(body["id"], int)
    (lead,) = intake.leads()
    assert (lead.name, lead.email, lead.phone) == (
        "Lucía García",
        "lucia.garcia@andino.example",
        "+525512345678",
    )
    assert (lead.platform, lead.external_id, lead.stage) == ("api", "crm-1", "profiled")
    assert lead.profiled_at is not None and lead.custom_fields == {"employees": "11-50"}
    assert intake.events(lead.id) == ["captured", "handed_over"]
    assert [(e.lead_id, e.kind) for e in intake.outbox()] == [(lead.id, "lead_card")]


def test_a_plain_lead_is_counted_but_not_handed_to_sales(intake):
    response = intake.post(lucia(stage="lead"))
    assert response.status_code == 202
    (lead,) = intake.leads()
    assert lead.stage == "lead" and lead.profiled_at is None
    assert intake.outbox() == []


def test_created_at_without_offset_is_in_the_teams_time_zone(intake):
    intake.post(lucia(created_at="2026-11-20T09:30:00"))
    (lead,) = intake.leads()
    assert lead.created_at == datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


# -- identity ---------------------------------------------------------------------------------


def test_the_same_lead_again_is_a_duplicate_and_changes_nothing(intake):
    first = intake.post(lucia()).json()
    again = intake.post(lucia(company="Renamed S.A.", summary="new text"))
    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "status": "duplicate"}
    (lead,) = intake.leads()
    assert lead.company == "Grupo Andino" and lead.summary is None
    assert intake.events(lead.id) == ["captured", "handed_over"]
    assert len(intake.outbox()) == 1


@pytest.mark.parametrize(
    ("stored_id", "incoming_id"), [(None, "crm-9"), ("crm-9", None), (None, None)]
)
def test_failing_an_id_on_either_side_the_email_identifies(intake, stored_id, incoming_id):
    first = intake.post(lucia(external_id=stored_id)).json()
    again = intake.post(lucia(external_id=incoming_id, email="LUCIA.garcia@andino.example"))
    assert again.json() == {"id": first["id"], "status": "duplicate"}
    assert len(intake.leads()) == 1


def test_a_lead_with_neither_id_nor_email_cannot_be_recognised(intake):
    first = intake.post({"name": "Mateo Ruiz", "phone": "+52 81 1111 2222"}).json()
    second = intake.post({"name": "Mateo Ruiz", "phone": "+52 81 1111 2222"}).json()
    assert first["status"] == second["status"] == "accepted"
    assert first["id"] != second["id"]


def test_different_external_ids_are_different_leads_even_with_one_email(intake):
    intake.post(lucia(external_id="crm-1"))
    response = intake.post(lucia(external_id="crm-2"))
    assert response.json()["status"] == "accepted"
    assert len(intake.leads()) == 2


def test_a_lead_now_profiled_moves_forward_and_is_handed_over(intake):
    first = intake.post(lucia(stage="lead")).json()
    moved = intake.post(lucia(stage="profiled", summary="Ready to talk", score=91))
    assert moved.status_code == 200
    assert moved.json() == {"id": first["id"], "status": "updated"}
    lead = intake.lead(first["id"])
    assert (lead.stage, lead.summary, lead.score) == ("profiled", "Ready to talk", 91)
    assert intake.events(lead.id) == ["captured", "handed_over"]
    assert len(intake.outbox()) == 1


@pytest.mark.parametrize("exit_", ["nurture", "rejected"])
def test_a_nurtured_or_rejected_lead_handed_over_again_goes_back_to_sales(intake, exit_):
    lead_id = intake.post(lucia()).json()["id"]
    intake.set_lead(
        lead_id,
        stage="accepted",
        owner_id="U0ANA",
        accepted_at=datetime(2026, 11, 2, tzinfo=UTC),
        exit=exit_,
        exit_reason="not_ready" if exit_ == "nurture" else "bad_timing",
        exited_at=datetime(2026, 11, 3, tzinfo=UTC),
    )
    response = intake.post(lucia(summary="Came back through the webinar"))
    assert response.json() == {"id": lead_id, "status": "updated"}
    lead = intake.lead(lead_id)
    assert (lead.stage, lead.exit, lead.exit_reason, lead.owner_id) == (
        "profiled",
        None,
        None,
        None,
    )
    assert lead.accepted_at is None
    assert intake.events(lead_id) == ["captured", "handed_over", "handed_over_again"]
    assert len(intake.outbox()) == 2
    with intake.runtime.sessions() as session:
        again = session.exec(select(LeadEvent).where(LeadEvent.kind == "handed_over_again")).one()
    assert again.data["previous"]["exit"] == exit_ and again.from_stage == exit_


@pytest.mark.parametrize(
    "state",
    [
        {"stage": "accepted", "owner_id": "U0ANA"},
        {"stage": "won", "won_value": 5000.0},
        {"stage": "contacted", "exit": "lost", "exit_reason": "price"},
    ],
    ids=["open-with-sales", "won", "lost"],
)
def test_a_lead_open_with_sales_won_or_lost_is_not_handed_over_again(intake, state):
    lead_id = intake.post(lucia()).json()["id"]
    intake.set_lead(lead_id, **state)
    response = intake.post(lucia())
    assert response.status_code == 200 and response.json()["status"] == "duplicate"
    assert intake.lead(lead_id).stage == state["stage"]
    assert len(intake.outbox()) == 1


def test_the_same_new_lead_sent_at_once_by_eight_clients_is_stored_once(intake):
    answers: list[httpx.Response] = []
    start = threading.Barrier(8)

    def send():
        start.wait()
        answers.append(intake.post(lucia()))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.json()["status"] for a in answers)
    assert statuses == ["accepted"] + ["duplicate"] * 7
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(intake.leads()) == 1 and len(intake.outbox()) == 1


# -- batches ---------------------------------------------------------------------------------


def test_a_batch_answers_one_result_per_item_in_order(intake):
    batch = {
        "leads": [
            lucia(),
            {"name": "Mateo Ruiz", "email": "mateo@ruiz.example", "phone": "+52 81 1111 2222"},
            lucia(company="same lead again"),
        ]
    }
    response = intake.post(batch)
    assert response.status_code == 202
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "duplicate"]
    assert results[0]["id"] == results[2]["id"]
    again = intake.post(batch)
    assert again.status_code == 200
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3


def test_one_invalid_item_fails_the_whole_batch_naming_it(intake):
    items = [lucia(external_id=f"crm-{n}", email=f"l{n}@andino.example") for n in range(5)]
    items[3]["email"] = "lucia@"
    response = intake.post({"leads": items})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "leads", 3, "email"]
    assert intake.leads() == [] and intake.outbox() == []


def test_a_batch_over_500_is_refused(intake):
    items = [{"name": f"Lead {n}", "email": f"lead{n}@x.example"} for n in range(501)]
    response = intake.post({"leads": items})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "leads"]
    assert intake.leads() == []


def test_a_batch_of_500_is_accepted(intake):
    items = [{"name": f"Lead {n}", "email": f"lead{n}@x.example"} for n in range(500)]
    response = intake.post({"leads": items})
    assert response.status_code == 202
    assert len(response.json()["results"]) == 500
    assert len(intake.leads()) == 500 and len(intake.outbox()) == 500


# -- authentication and limits --------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
    ],
    ids=["missing", "wrong-token", "wrong-scheme", "empty"],
)
def test_requests_without_the_right_token_get_401_and_store_nothing(intake, headers):
    response = intake.post(lucia(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert intake.leads() == []


def test_authentication_comes_before_the_size_limit(intake):
    response = intake.post(content=b"x" * (2 * 1024 * 1024), headers={})
    assert response.status_code == 401


def test_a_body_over_1_mib_gets_413(intake):
    big = lucia(summary="x" * (1024 * 1024))
    response = intake.post(big)
    assert response.status_code == 413
    assert intake.leads() == []


def test_a_streamed_body_over_1_mib_gets_413_without_a_length(intake):
    def chunks():
        for _ in range(20):
            yield b" " * (64 * 1024)
        yield json.dumps(lucia()).encode()

    response = intake.post(content=chunks())
    assert response.status_code == 413
    assert intake.leads() == []


def test_an_unconfigured_intake_answers_503_in_one_sentence(database_url):
    runtime = start_intake(database_url)
    try:
        with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
            response = httpx.post(f"{url}/leads", json=lucia(), headers=AUTH, timeout=10)
    finally:
        runtime.engine.dispose()
    assert response.status_code == 503
    assert response.json()["detail"].count(".") == 1
    assert "LEADS_API_TOKEN" in response.json()["detail"]


# -- hostile input ---------------------------------------------------------------------------


def reachable(**fields) -> bytes:
    """A lead with a name and an email, plus `fields`, as JSON."""
    return json.dumps({"name": "L", "email": "l@x.example"} | fields).encode()


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (b'{"name": "Lucia", "email": ', ["body"]),
        (b"\xff\xfe\x00garbage", ["body"]),
        (b"[1, 2, 3]", ["body"]),
        (b'"just a string"', ["body"]),
        (json.dumps({"name": "Lucia"}).encode(), ["body", "email"]),
        (json.dumps({"email": "l@x.example"}).encode(), ["body", "name"]),
        (json.dumps({"name": "\u0000\u0007  ", "email": "l@x.example"}).encode(), ["body", "name"]),
        (json.dumps({"name": {"first": "L"}, "email": "l@x.example"}).encode(), ["body", "name"]),
        (reachable(score="high"), ["body", "score"]),
        (reachable(stage="won"), ["body", "stage"]),
        (reachable(custom_fields=[1]), ["body", "custom_fields"]),
        (reachable(created_at="yesterday"), ["body", "created_at"]),
        (json.dumps({"leads": [{"name": "L"}]}).encode(), ["body", "leads", 0, "email"]),
    ],
    ids=[
        "truncated-json", "not-utf8", "array", "string", "no-contact", "no-name",
        "control-only-name", "object-name", "score-text", "stage", "custom-list",
        "bad-date", "batch-item",
    ],
)  # fmt: skip
def test_bad_input_gets_422_naming_the_field_and_stores_nothing(intake, content, loc):
    response = intake.post(content=content)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert intake.leads() == []


def test_formatting_details_never_cost_a_lead(intake):
    response = intake.post(
        {
            "name": "Ñ" * 10_000,
            "email": "l@x.example",
            "phone": "call me maybe",
            "score": 150,
            "company": "Acme\u0000\u001b[31m Corp\r\n",
            "summary": "<!channel> <@U0BOSS> *urgent*",
            "profile_url": "crm.example/contacts/1",
            "favourite colour": "blue",
            "external_id": 12345,
        }
    )
    assert response.status_code == 202
    (lead,) = intake.leads()
    assert len(lead.name) == 200
    assert (lead.phone, lead.phone_valid) == ("call me maybe", False)
    assert lead.score == 100 and lead.custom_fields["score_raw"] == 150
    assert "\u0000" not in lead.company and "\u001b" not in lead.company
    assert lead.summary == "<!channel> <@U0BOSS> *urgent*"  # stored as received; escaped on render
    assert lead.profile_url is None
    assert lead.custom_fields["profile_url_raw"] == "crm.example/contacts/1"
    assert lead.custom_fields["favourite colour"] == "blue"
    assert lead.external_id == "12345"


def test_a_phone_extension_is_kept_beside_the_e164_number(intake):
    intake.post({"name": "Ana", "phone": "+52 55 1234 5678 ext. 204"})
    (lead,) = intake.leads()
    assert (lead.phone, lead.custom_fields["phone_extension"]) == ("+525512345678", "204")


def test_the_generic_lead_model_has_exactly_the_contracts_fields():
    from bot.domain.vocabulary import GENERIC_LEAD_FIELDS
    from handlers.intake.schemas import LeadIn

    assert set(LeadIn.model_fields) == set(GENERIC_LEAD_FIELDS)


def test_the_openapi_document_describes_the_route_with_examples(intake):
    document = httpx.get(f"{intake.url}/openapi.json", timeout=10).json()
    operation = document["paths"]["/leads"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    assert {ref["$ref"] for ref in body["schema"]["oneOf"]} == {
        "#/components/schemas/LeadIn",
        "#/components/schemas/LeadBatch",
    }
    assert body["examples"]["one lead"]["value"]["name"] == "Lucía García"
    schemas = document["components"]["schemas"]
    assert schemas["LeadIn"]["required"] == ["name"]
    assert schemas["LeadBatch"]["properties"]["leads"]["maxItems"] == 500
    assert {"202", "200", "401", "413", "422", "503"} <= set(operation["responses"])
    assert httpx.get(f"{intake.url}/docs", timeout=10).status_code == 200
