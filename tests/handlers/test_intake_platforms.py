"""RD Station and HubSpot webhooks through the running server, each platform's own way."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from liveserver import run_bot, serve_in_thread
from shared_files import sample_json
from sqlmodel import col, select

from bot.app import create_web_app
from bot.config import load_settings
from bot.runtime import build_runtime
from handlers.intake.guard import hubspot_signature
from storage.db import upgrade
from storage.models import Lead, OutboxEntry

pytestmark = pytest.mark.any_backend

RD_TOKEN = "rd-webhook-token-71c2"
HS_SECRET = "hubspot-client-secret-0b5e"
HS_KEY = "hubspot-api-key-93aa"
PUBLIC_URL = "https://bot.example.com"


class Platforms:
    def __init__(self, url: str, runtime):
        self.url = url
        self.runtime = runtime

    def rdstation(self, document, *, token=RD_TOKEN, query="") -> httpx.Response:
        params = f"?token={token}" if token is not None else "?"
        return httpx.post(f"{self.url}/leads/rdstation{params}{query}", json=document, timeout=30)

    def hubspot(
        self,
        document,
        *,
        signed_url: str | None = None,
        age_ms: int = 0,
        secret: str = HS_SECRET,
        headers: dict | None = None,
        query: str = "",
    ) -> httpx.Response:
        body = json.dumps(document).encode()
        url = f"{self.url}/leads/hubspot{query}"
        if headers is None:
            timestamp = str(int(time.time() * 1000) - age_ms)
            signature = hubspot_signature(
                secret, method="POST", uri=signed_url or url, body=body, timestamp=timestamp
            )
            headers = {
                "X-HubSpot-Signature-v3": signature,
                "X-HubSpot-Request-Timestamp": timestamp,
            }
        headers = {"Content-Type": "application/json", **headers}
        return httpx.post(url, content=body, headers=headers, timeout=30)

    def leads(self) -> list[Lead]:
        with self.runtime.sessions() as session:
            return list(session.exec(select(Lead).order_by(col(Lead.id))))

    def outbox(self) -> list[OutboxEntry]:
        with self.runtime.sessions() as session:
            return list(session.exec(select(OutboxEntry)))


def serve_platforms(database_url: str, **environ):
    settings = load_settings({"DATABASE_URL": database_url, "DEFAULT_PHONE_REGION": "MX"} | environ)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    return runtime


@pytest.fixture
def platforms(database_url):
    runtime = serve_platforms(
        database_url,
        RDSTATION_WEBHOOK_TOKEN=RD_TOKEN,
        HUBSPOT_CLIENT_SECRET=HS_SECRET,
        HUBSPOT_API_KEY=HS_KEY,
    )
    with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
        yield Platforms(url, runtime)
    runtime.engine.dispose()


# -- RD Station -------------------------------------------------------------------------------


def test_rdstation_older_payload_stores_every_lead(platforms):
    payload = sample_json("rdstation-webhook-v1.json")
    response = platforms.rdstation(payload)
    assert response.status_code == 202
    results = response.json()["results"]
    assert len(results) == len(payload["leads"])
    assert {r["status"] for r in results} == {"accepted"}
    stored = platforms.leads()
    assert {lead.platform for lead in stored} == {"rdstation"}
    assert {lead.external_id for lead in stored} == {lead["uuid"] for lead in payload["leads"]}
    ana = next(lead for lead in stored if lead.email == "ana.souza@example.com.br")
    assert (ana.stage, ana.source, ana.campaign) == ("profiled", "google", "frotas-q4")
    assert ana.profile_url.startswith("https://app.rdstation.com.br/leads/public/")


def test_rdstation_newer_payload_marked_opportunity_is_profiled(platforms):
    payload = sample_json("rdstation-webhook-v2.json")
    response = platforms.rdstation(payload)
    assert response.status_code == 202
    (lead,) = platforms.leads()
    assert lead.external_id == payload["contact"]["uuid"]
    assert (lead.name, lead.company, lead.stage) == ("Bruno Lima", "Agro Lima", "profiled")
    assert lead.age_range == "45-54"
    assert len(platforms.outbox()) == 1


def test_rdstation_the_same_contact_again_is_a_duplicate(platforms):
    payload = sample_json("rdstation-webhook-v2.json")
    first = platforms.rdstation(payload).json()["results"][0]
    again = platforms.rdstation(payload)
    assert again.status_code == 200
    assert again.json()["results"] == [{"id": first["id"], "status": "duplicate"}]


@pytest.mark.parametrize("token", [None, "", "wrong-token", RD_TOKEN + "x"])
def test_rdstation_without_the_right_url_token_gets_401(platforms, token):
    response = platforms.rdstation(sample_json("rdstation-webhook-v2.json"), token=token)
    assert response.status_code == 401
    assert platforms.leads() == []


def test_rdstation_payload_of_another_shape_gets_422(platforms):
    response = platforms.rdstation({"hello": "world"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_the_stage_query_parameter_forces_the_stage(platforms):
    payload = sample_json("rdstation-webhook-v2.json")
    payload["event_type"] = "WEBHOOK.CONVERTED"
    payload["contact"]["funnel"] = {"lifecycle_stage": "Lead", "opportunity": False}
    assert platforms.rdstation(payload, query="&stage=profiled").status_code == 202
    (lead,) = platforms.leads()
    assert lead.stage == "profiled"
    bad = platforms.rdstation(payload, query="&stage=won")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "stage"]


# -- HubSpot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hubspot-workflow-classic.json", "hubspot-workflow-flat.json"])
def test_hubspot_signed_webhooks_in_both_shapes_are_stored(platforms, name):
    payload = sample_json(name)
    response = platforms.hubspot(payload)
    assert response.status_code == 202, response.text
    (lead,) = platforms.leads()
    assert lead.platform == "hubspot"
    assert lead.external_id in {"1234501", "1234502"}
    assert lead.stage == "profiled"
    assert lead.phone.startswith("+52")


def test_hubspot_api_key_is_accepted_instead_of_a_signature(platforms):
    response = platforms.hubspot(
        sample_json("hubspot-workflow-flat.json"), headers={"X-API-Key": HS_KEY}
    )
    assert response.status_code == 202


@pytest.mark.parametrize(
    "attempt",
    [
        {"secret": "not-the-secret"},
        {"age_ms": 6 * 60 * 1000},
        {"headers": {"X-API-Key": "wrong-key"}},
        {"headers": {}},
        {"headers": {"X-HubSpot-Signature-v3": "AAAA", "X-HubSpot-Request-Timestamp": "abc"}},
        # "²" in Latin-1: a digit to str.isdigit, not to int.
        {"headers": {"X-HubSpot-Signature-v3": "AAAA", "X-HubSpot-Request-Timestamp": b"\xb2"}},
    ],
    ids=[
        "bad-signature",
        "stale-timestamp",
        "wrong-api-key",
        "no-credential",
        "bad-timestamp",
        "superscript-timestamp",
    ],
)
def test_hubspot_authentication_failures_get_401(platforms, attempt):
    response = platforms.hubspot(sample_json("hubspot-workflow-flat.json"), **attempt)
    assert response.status_code == 401
    assert platforms.leads() == []


def test_a_tampered_hubspot_body_fails_the_signature(platforms):
    payload = sample_json("hubspot-workflow-flat.json")
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time() * 1000))
    url = f"{platforms.url}/leads/hubspot"
    signature = hubspot_signature(HS_SECRET, method="POST", uri=url, body=body, timestamp=timestamp)
    tampered = body.replace(b"Diego", b"Mallory")
    response = httpx.post(
        url,
        content=tampered,
        headers={"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp},
        timeout=10,
    )
    assert response.status_code == 401


def test_behind_a_proxy_the_signed_url_is_rebuilt_from_public_url(database_url):
    runtime = serve_platforms(database_url, HUBSPOT_CLIENT_SECRET=HS_SECRET, PUBLIC_URL=PUBLIC_URL)
    try:
        with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
            client = Platforms(url, runtime)
            payload = sample_json("hubspot-workflow-flat.json")
            local = client.hubspot(payload)
            public = client.hubspot(payload, signed_url=f"{PUBLIC_URL}/leads/hubspot?stage=lead",
                                    query="?stage=lead")  # fmt: skip
            stored = client.leads()
    finally:
        runtime.engine.dispose()
    assert local.status_code == 401
    assert public.status_code == 202
    assert stored[0].stage == "lead"


@pytest.mark.parametrize(
    ("environ", "route"),
    [({}, "/leads/rdstation?token=x"), ({}, "/leads/hubspot")],
    ids=["rdstation", "hubspot"],
)
def test_an_unconfigured_platform_answers_503(database_url, environ, route):
    runtime = serve_platforms(database_url, **environ)
    try:
        with serve_in_thread(create_web_app(runtime, bolt_app=None)) as url:
            response = httpx.post(url + route, json={}, headers={"X-API-Key": "k"}, timeout=10)
    finally:
        runtime.engine.dispose()
    assert response.status_code == 503
    assert response.json()["detail"].endswith("is not set.")


# -- secrets stay out of the logs ------------------------------------------------------------


def test_the_rdstation_url_token_never_reaches_the_log(bot_env, tmp_path):
    payload = sample_json("rdstation-webhook-v2.json")
    with run_bot(bot_env | {"RDSTATION_WEBHOOK_TOKEN": RD_TOKEN}, tmp_path) as bot:
        accepted = bot.post(f"/leads/rdstation?token={RD_TOKEN}", json=payload)
        refused = bot.post("/leads/rdstation?token=guessed-token-123", json=payload)
        time.sleep(0.3)
        log = bot.log()
    assert (accepted.status_code, refused.status_code) == (202, 401)
    assert "/leads/rdstation" in log
    assert RD_TOKEN not in log and "guessed-token-123" not in log
