"""RD Station Marketing webhooks, both forms, mapped onto the generic lead."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from shared_files import SAMPLES, sample_json

from bot.domain.platforms.rdstation import FIT_LETTER_SCORES, leads_from_rdstation
from handlers.intake.schemas import LeadIn


def older(**changes: Any) -> dict[str, Any]:
    """One older-form lead; a change of None removes the key."""
    lead: dict[str, Any] = {
        "uuid": "0b5e7c1a-1111-4c2d-9a8b-000000000001",
        "name": "Carla Dias",
        "email": "carla.dias@example.com.br",
        "mobile_phone": "21 97777-0000",
        "opportunity": "false",
        "lead_stage": "Lead",
        "created_at": "2026-11-01T09:00:00-03:00",
    }
    for key, value in changes.items():
        if value is None:
            lead.pop(key, None)
        else:
            lead[key] = value
    return {"leads": [lead]}


def event(event_type: str = "WEBHOOK.CONVERTED", **contact_changes: Any) -> dict[str, Any]:
    """One newer-form event; a contact change of None removes the key."""
    contact: dict[str, Any] = {
        "uuid": "7d0c2f9e-2222-4e3a-8b7c-000000000002",
        "name": "Davi Rocha",
        "email": "davi.rocha@example.com.br",
        "mobile_phone": "41 96666-0000",
    }
    for key, value in contact_changes.items():
        if value is None:
            contact.pop(key, None)
        else:
            contact[key] = value
    return {
        "event_type": event_type,
        "entity_type": "CONTACT",
        "event_identifier": "newsletter",
        "timestamp": "2026-11-20T08:00:01.000-03:00",
        "event_timestamp": "2026-11-20T08:00:00.000-03:00",
        "contact": contact,
    }


def only_lead(payload: dict[str, Any]) -> dict[str, Any]:
    leads = leads_from_rdstation(payload)
    assert len(leads) == 1
    return leads[0]


def test_the_older_form_sample_maps_field_by_field():
    assert leads_from_rdstation(sample_json("rdstation-webhook-v1.json")) == [
        {
            "external_id": "c2f3d2b3-7250-4d27-97f4-eef38be32f7f",
            # The last conversion was a direct visit: the first one's campaign gets the credit.
            "source": "google",
            "campaign": "frotas-q4",
            "channel": "Paid Search",
            "name": "Ana Souza",
            "email": "ana.souza@example.com.br",
            "phone": "11 99999-0000",
            "company": "Transportes Souza",
            "job_title": "Diretora de Operações",
            "zone": "SP",
            "age_range": "35-44",
            "service": "Rastreamento",
            "stage": "profiled",
            "score": 90,
            "history": (
                "First conversion: ebook-frotas — 2026-10-02 10:00 -03:00 — "
                "Paid Search, google / cpc, campaign frotas-q4\n"
                "Last conversion: demo-request — 2026-11-18 15:31 -03:00 — Direct, (direct)\n"
                "3 conversions in total"
            ),
            "profile_url": (
                "https://app.rdstation.com.br/leads/public/c2f3d2b3-7250-4d27-97f4-eef38be32f7f"
            ),
            "created_at": "2026-11-18T15:31:35-03:00",
            "custom_fields": {
                "rdstation_id": "1",
                "contact_owner_email": "owner@example.com.br",
                "website": "https://transportessouza.example.com.br",
                "personal_phone": "11 3333-0000",
                "city": "São Paulo",
                "lead_stage": "Qualified Lead",
                "tags": "frotas, q4",
                "interest": 42,
                "fit_score": "A",
                "opportunity": True,
            },
        }
    ]


def test_the_newer_form_sample_maps_field_by_field():
    assert leads_from_rdstation(sample_json("rdstation-webhook-v2.json")) == [
        {
            "external_id": "5b1c3a4e-8d0f-4b7e-9f55-2f3c1e0a9b77",
            "source": "Google",
            "channel": "Busca Orgânica",
            "name": "Bruno Lima",
            "email": "bruno.lima@example.com.br",
            "phone": "31 98888-0000",
            "company": "Agro Lima",
            "job_title": "Gerente de Compras",
            "zone": "Belo Horizonte",
            "age_range": "45-54",
            "service": "Consultoria",
            "stage": "profiled",
            "score": 75,
            "history": "Marked as an opportunity: demo-request — 2026-11-18 15:31 -03:00",
            "profile_url": (
                "https://app.rdstation.com.br/leads/public/5b1c3a4e-8d0f-4b7e-9f55-2f3c1e0a9b77"
            ),
            "created_at": "2026-11-18T15:31:35.254000-03:00",
            "custom_fields": {
                "website": "https://agrolima.example.com.br",
                "personal_phone": "31 3333-0000",
                "linkedin": "bruno-lima",
                "tags": "agro",
                "lifecycle_stage": "Qualified Lead",
                "opportunity": True,
                "funnel": "default",
                "contact_owner_email": "owner@example.com.br",
                "interest": 20,
                "legal_bases": "communications: consent (granted)",
            },
        }
    ]


def test_an_older_form_lead_with_only_the_basics_has_only_those_keys():
    assert only_lead(older()) == {
        "external_id": "0b5e7c1a-1111-4c2d-9a8b-000000000001",
        "name": "Carla Dias",
        "email": "carla.dias@example.com.br",
        "phone": "21 97777-0000",
        "stage": "lead",
        "created_at": "2026-11-01T09:00:00-03:00",
        "custom_fields": {"lead_stage": "Lead", "opportunity": False},
    }


def test_each_lead_of_an_older_form_batch_is_returned_in_order():
    payload = older()
    payload["leads"].append({**payload["leads"][0], "uuid": "second", "name": "Eva Luz"})
    assert [lead["name"] for lead in leads_from_rdstation(payload)] == ["Carla Dias", "Eva Luz"]


def test_blank_values_and_null_parts_are_left_out():
    lead = only_lead(
        older(
            company="",
            job_title="  ",
            bio="",
            tags=[],
            first_conversion=None,
            last_conversion=None,
            custom_fields={},
            website=None,
        )
    )
    assert None not in lead.values()
    assert {"company", "job_title", "history", "source", "campaign", "channel"}.isdisjoint(lead)
    assert lead["custom_fields"] == {"lead_stage": "Lead", "opportunity": False}


@pytest.mark.parametrize(
    ("opportunity", "stage"),
    [
        ("true", "profiled"),
        ("TRUE", "profiled"),
        ("1", "profiled"),
        (True, "profiled"),
        (1, "profiled"),
        ("sim", "profiled"),
        ("false", "lead"),
        ("0", "lead"),
        (False, "lead"),
        ("", "lead"),
    ],
)
def test_the_opportunity_mark_makes_a_lead_profiled_whatever_its_spelling(opportunity, stage):
    assert only_lead(older(opportunity=opportunity))["stage"] == stage


@pytest.mark.parametrize(
    ("lead_stage", "stage"),
    [
        ("Qualified Lead", "profiled"),
        ("Lead Qualificado", "profiled"),
        ("lead qualificado", "profiled"),
        ("Lead Calificado", "profiled"),
        ("Cliente", "profiled"),
        ("Client", "profiled"),
        ("Lead", "lead"),
        ("Visitante", "lead"),
    ],
)
def test_a_qualified_lead_or_a_customer_is_profiled(lead_stage, stage):
    lead = only_lead(older(lead_stage=lead_stage))
    assert lead["stage"] == stage
    assert lead["custom_fields"]["lead_stage"] == lead_stage


@pytest.mark.parametrize(
    ("fit", "score", "kept"),
    [
        ("a", 90, "A"),
        ("B", 70, "B"),
        ("c", 50, "C"),
        ("D", 25, "D"),
        ("80", 80, None),
        (62.5, 62.5, None),
        ("Z", None, "Z"),
    ],
)
def test_a_fit_letter_becomes_a_score_and_the_letter_is_kept(fit, score, kept):
    lead = only_lead(older(fit_score=fit))
    assert lead.get("score") == score
    assert lead["custom_fields"].get("fit_score") == kept


def test_the_fit_letters_table_is_ordered_best_first():
    assert list(FIT_LETTER_SCORES) == ["A", "B", "C", "D"]
    assert sorted(FIT_LETTER_SCORES.values(), reverse=True) == list(FIT_LETTER_SCORES.values())


def test_breakdowns_come_from_custom_fields_whose_labels_mean_them():
    lead = only_lead(
        older(
            state="RJ",
            custom_fields={
                "Faixa Etaria": "25-34",
                "Serviços de interesse": ["Rastreamento", "Telemetria", ""],
                "Região": "Sudeste",
                "Número de funcionários": "11-50",
            },
        )
    )
    assert (lead["age_range"], lead["service"], lead["zone"]) == (
        "25-34",
        "Rastreamento, Telemetria",
        "Sudeste",
    )
    # The state did not become the zone, so it stays; unknown labels stay as labelled.
    assert lead["custom_fields"]["state"] == "RJ"
    assert lead["custom_fields"]["Número de funcionários"] == "11-50"


def test_the_zone_is_the_state_else_the_city():
    assert only_lead(older(state="MG", city="Uberlândia"))["zone"] == "MG"
    lead = only_lead(older(city="Uberlândia"))
    assert lead["zone"] == "Uberlândia"
    assert "city" not in lead["custom_fields"]


def test_the_mobile_phone_comes_first_and_the_other_is_kept():
    lead = only_lead(older(personal_phone="21 3333-1111"))
    assert lead["phone"] == "21 97777-0000"
    assert lead["custom_fields"]["personal_phone"] == "21 3333-1111"
    assert only_lead(older(mobile_phone=None, personal_phone="21 3333-1111"))["phone"] == (
        "21 3333-1111"
    )


def test_an_empty_last_origin_falls_back_to_the_first_and_placeholders_are_no_value():
    lead = only_lead(
        older(
            first_conversion={
                "content": {"identificador": "ebook"},
                "created_at": "2026-10-01T10:00:00-03:00",
                "conversion_origin": {
                    "source": "facebook",
                    "medium": "social",
                    "campaign": "(not set)",
                    "channel": "Social",
                },
            },
            last_conversion={
                "content": {"identificador": "demo"},
                "created_at": "2026-10-05T10:00:00-03:00",
                "conversion_origin": {"source": None, "campaign": "(not set)", "channel": ""},
            },
        )
    )
    assert (lead["source"], lead["channel"]) == ("facebook", "Social")
    assert "campaign" not in lead
    assert lead["history"] == (
        "First conversion: ebook — 2026-10-01 10:00 -03:00 — Social, facebook / social\n"
        "Last conversion: demo — 2026-10-05 10:00 -03:00"
    )


def conversion(when: str, **origin: str) -> dict[str, Any]:
    return {"content": {"identificador": when}, "created_at": when, "conversion_origin": origin}


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # The last conversion's origin, whole, when it is not a direct visit.
        (
            {"source": "google", "campaign": "q4", "channel": "Paid Search"},
            {"source": "facebook", "channel": "Social"},
            ("facebook", None, "Social"),
        ),
        # A direct visit leaves the credit with the earlier origin.
        (
            {"source": "google", "channel": "Paid Search"},
            {"source": "(direct)", "medium": "(none)", "channel": "Direct"},
            ("google", None, "Paid Search"),
        ),
        ({"channel": "Email"}, {"channel": "Tráfego Direto"}, (None, None, "Email")),
        # A direct visit with a campaign is not direct, and direct twice is still direct.
        (
            {"source": "google"},
            {"source": "(direct)", "campaign": "qr-code"},
            ("(direct)", "qr-code", None),
        ),
        ({"source": "(direct)"}, {"source": "direct"}, ("direct", None, None)),
    ],
)
def test_attribution_is_the_last_non_direct_origin(first, last, expected):
    lead = only_lead(
        older(
            first_conversion=conversion("2026-10-01", **first),
            last_conversion=conversion("2026-10-05", **last),
        )
    )
    assert (lead.get("source"), lead.get("campaign"), lead.get("channel")) == expected


def test_an_origin_given_only_as_rds_label_is_split_into_channel_and_source():
    lead = only_lead(
        older(first_conversion={"source": "Busca Paga | Google", "created_at": "2026-10-01"})
    )
    assert (lead["channel"], lead["source"]) == ("Busca Paga", "Google")
    assert lead["history"] == (
        "First conversion: Busca Paga | Google — 2026-10-01 00:00 — Busca Paga, Google"
    )


def test_the_last_forms_answers_are_kept_without_tracking_noise_or_repeats():
    lead = only_lead(
        older(
            last_conversion={
                "content": {
                    "identificador": "orcamento",
                    "email_lead": "carla.dias@example.com.br",
                    "traffic_source": "encoded_eyJmaXJzdF9zZXNzaW9uIjp7fX0=",
                    "__cdp__original_event": {"event_uuid": "x"},
                    "form_fields_nome": "Carla Dias",
                    "form_fields_conta": "700",
                    "UF": None,
                },
                "created_at": "2026-11-01T09:00:00-03:00",
            },
        )
    )
    assert lead["custom_fields"] == {
        "lead_stage": "Lead",
        "opportunity": False,
        "form.form_fields_conta": "700",
    }


def test_the_count_and_the_opportunity_date_are_history():
    lead = only_lead(
        older(number_conversions="1", last_marked_opportunity_date="2026-11-02T11:30:00-03:00")
    )
    assert lead["history"] == (
        "1 conversion in total\nMarked as an opportunity: 2026-11-02 11:30 -03:00"
    )


# "²" and "１７６" are digits to Python's str.isdigit, yet not a number of seconds.
@pytest.mark.parametrize("created_at", ["ontem", "²", "１７６３４９０６９５"])
def test_a_creation_date_the_intake_could_not_read_is_kept_aside(created_at):
    lead = only_lead(older(created_at=created_at))
    assert "created_at" not in lead
    assert lead["custom_fields"]["created_at"] == created_at


def test_a_lead_without_a_name_is_named_after_its_contact_rather_than_lost():
    lead = only_lead(older(name=None, email=None))
    assert "email" not in lead
    assert lead["name"] == lead["phone"] == "21 97777-0000"
    assert only_lead(older(name=None))["name"] == only_lead(older(name=None))["email"]


def test_a_conversion_event_without_company_or_funnel_is_a_plain_lead():
    assert only_lead(event()) == {
        "external_id": "7d0c2f9e-2222-4e3a-8b7c-000000000002",
        "name": "Davi Rocha",
        "email": "davi.rocha@example.com.br",
        "phone": "41 96666-0000",
        "stage": "lead",
        "history": "Converted: newsletter — 2026-11-20 08:00 -03:00",
        "profile_url": (
            "https://app.rdstation.com.br/leads/public/7d0c2f9e-2222-4e3a-8b7c-000000000002"
        ),
        "created_at": "2026-11-20T08:00:00-03:00",
    }


def test_the_opportunity_event_alone_makes_a_contact_profiled():
    assert only_lead(event("WEBHOOK.MARKED_OPPORTUNITY"))["stage"] == "profiled"


@pytest.mark.parametrize(
    ("funnel", "stage"),
    [
        ({"opportunity": "true"}, "profiled"),
        ({"opportunity": "false", "lifecycle_stage": "Lead"}, "lead"),
        ({"lifecycle_stage": "Lead Qualificado"}, "profiled"),
        ({"lifecycle_stage": "Client"}, "profiled"),
        ({"opportunity": False}, "lead"),
    ],
)
def test_a_conversion_event_takes_its_stage_from_the_funnel(funnel, stage):
    assert only_lead(event(funnel=funnel))["stage"] == stage


def test_a_funnel_fit_letter_and_an_origin_without_source():
    lead = only_lead(event(funnel={"fit": "b", "origin": "Tráfego Direto"}))
    assert (lead["score"], lead["channel"]) == (70, "Tráfego Direto")
    assert "source" not in lead
    assert lead["custom_fields"]["fit"] == "B"


def test_unknown_cf_fields_company_details_and_extra_event_keys_are_kept():
    payload = event(
        cf_numero_de_funcionarios="51-200",
        cf_idade="30",
        cf_servico=["Consultoria", "Treinamento"],
        cf_vazio="",
        company={"name": "Rocha Agro", "site": "https://rocha.example"},
        state="PR",
    )
    payload["event_family"] = "CDP"
    lead = only_lead(payload)
    assert (lead["age_range"], lead["service"], lead["zone"]) == (
        "30",
        "Consultoria, Treinamento",
        "PR",
    )
    assert lead["company"] == "Rocha Agro"
    assert lead["custom_fields"] == {
        "event_family": "CDP",
        "company.site": "https://rocha.example",
        "cf_numero_de_funcionarios": "51-200",
    }


def test_a_company_sent_as_text_is_the_company():
    assert only_lead(event(company="Rocha Agro"))["company"] == "Rocha Agro"


def test_a_contact_creation_date_is_the_fallback_for_the_event_time():
    payload = event(created_at="2026-09-01T12:00:00Z")
    assert only_lead(payload)["custom_fields"]["created_at"] == "2026-09-01T12:00:00Z"
    del payload["event_timestamp"], payload["timestamp"]
    lead = only_lead(payload)
    assert lead["created_at"] == "2026-09-01T12:00:00+00:00"
    assert "custom_fields" not in lead


def test_a_profile_link_the_contact_carries_wins_over_the_built_one():
    link = "https://app.rdstation.com.br/leads/public/other"
    assert only_lead(event(public_url=link))["profile_url"] == link
    assert "profile_url" not in only_lead(event(uuid=None))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must be a JSON object, not list"),
        ("leads", "must be a JSON object, not str"),
        ({}, "expected 'leads' .* or 'contact'"),
        ({"event_type": "WEBHOOK.CONVERTED"}, "expected 'leads' .* or 'contact'"),
        ({"leads": []}, "'leads' holds no contact"),
        ({"leads": "Ana"}, "'leads' holds no contact"),
        ({"leads": [{}]}, r"leads\[0\] is not a contact"),
        ({"leads": [{"uuid": "x"}, "Ana"]}, r"leads\[1\] is not a contact"),
        ({"leads": [{"tags": ["a"], "name": " "}]}, r"leads\[0\] is not a contact"),
        ({"event_type": "WEBHOOK.CONVERTED", "contact": None}, "'contact' is not a contact"),
        ({"event_type": "WEBHOOK.CONVERTED", "contact": {}}, "'contact' is not a contact"),
    ],
)
def test_a_body_that_is_not_an_rd_station_contact_is_refused_with_a_reason(payload, message):
    with pytest.raises(ValueError, match=message):
        leads_from_rdstation(payload)


def test_the_payload_is_not_changed():
    payload = older(custom_fields={"Faixa etária": "35-44"})
    before = copy.deepcopy(payload)
    leads_from_rdstation(payload)
    assert payload == before


def every_mapped_lead() -> list[dict[str, Any]]:
    payloads = [
        older(),
        older(opportunity="true", fit_score="c", custom_fields={"Serviço": ["A", "B"]}),
        older(created_at="ontem", number_conversions="2", tags=["x", "y"]),
        event(),
        event("WEBHOOK.MARKED_OPPORTUNITY", funnel={"fit": 140, "origin": "Email | news"}),
        event(cf_idade="30", company={"name": "X"}, legal_bases=[{"status": "granted"}]),
    ]
    for name in ("rdstation-webhook-v1.json", "rdstation-webhook-v2.json"):
        if (SAMPLES / name).is_file():
            payloads.append(sample_json(name))
    return [lead for payload in payloads for lead in leads_from_rdstation(payload)]


def test_every_mapped_lead_is_a_valid_generic_lead_and_plain_json():
    for lead in every_mapped_lead():
        assert None not in lead.values()
        assert json.loads(json.dumps(lead)) == lead
        LeadIn.model_validate(lead)
