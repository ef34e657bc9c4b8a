"""HubSpot workflow webhooks, classic and customised bodies, mapped onto the generic lead."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from shared_files import SAMPLES, sample_json

from bot.domain.platforms.hubspot import (
    LIFECYCLE_STAGES,
    PROFILED_STAGES,
    leads_from_hubspot,
    lifecycle_stage,
)
from handlers.intake.schemas import LeadIn


def flat(**changes: Any) -> dict[str, Any]:
    """A customised body; a change of None removes the property."""
    body: dict[str, Any] = {
        "hs_object_id": "501",
        "firstname": "Elena",
        "lastname": "Torres",
        "email": "elena.torres@example.mx",
        "lifecyclestage": "lead",
    }
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def classic(properties: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    """A classic body: every property wrapped as HubSpot wraps it."""
    return {
        "vid": 601,
        "canonical-vid": 601,
        "portal-id": 62515,
        "is-contact": True,
        "properties": {
            name: {"value": value, "versions": []} for name, value in properties.items()
        },
        **envelope,
    }


def only_lead(payload: dict[str, Any] | list[Any]) -> dict[str, Any]:
    leads = leads_from_hubspot(payload)
    assert len(leads) == 1
    return leads[0]


def test_the_classic_sample_maps_field_by_field():
    assert leads_from_hubspot(sample_json("hubspot-workflow-classic.json")) == [
        {
            "external_id": "1234501",
            "campaign": "buen-fin-2026",
            "channel": "paid-search",
            "name": "Carla Méndez",
            "email": "carla.mendez@example.mx",
            "phone": "+52 33 5555 0101",
            "company": "Logística Méndez",
            "job_title": "COO",
            "zone": "Jalisco",
            "stage": "profiled",
            "score": 78,
            "profile_url": "https://app.hubspot.com/contacts/62515/contact/1234501",
            "custom_fields": {
                "hubspot_portal_id": 62515,
                "lifecyclestage": "marketingqualifiedlead",
                "hs_lead_status": "NEW",
            },
        }
    ]


def test_the_flat_sample_maps_field_by_field():
    assert leads_from_hubspot(sample_json("hubspot-workflow-flat.json")) == [
        {
            "external_id": "1234502",
            "campaign": "webinar-mantenimiento",
            "channel": "organic-search",
            "name": "Diego Ríos",
            "email": "diego.rios@example.mx",
            "phone": "+52 81 5555 0102",
            "company": "Ríos Industrial",
            "job_title": "Director de Planta",
            "zone": "Nuevo León",
            "stage": "profiled",
            "score": 64,
            "custom_fields": {"lifecyclestage": "salesqualifiedlead", "hs_lead_status": "OPEN"},
        }
    ]


def test_a_batch_of_both_bodies_gives_one_lead_each_in_order():
    batch = [flat(), classic({"firstname": "Fer", "email": "fer@example.mx"})]
    leads = leads_from_hubspot(batch)
    assert [(lead["external_id"], lead["name"]) for lead in leads] == [
        ("501", "Elena Torres"),
        ("601", "Fer"),
    ]


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        ("subscriber", "lead"),
        ("lead", "lead"),
        ("marketingqualifiedlead", "profiled"),
        ("salesqualifiedlead", "profiled"),
        ("opportunity", "profiled"),
        ("customer", "profiled"),
        ("evangelist", "profiled"),
        ("other", "lead"),
        ("Subscriber", "lead"),
        ("Lead", "lead"),
        ("Marketing Qualified Lead", "profiled"),
        ("Sales Qualified Lead", "profiled"),
        ("Opportunity", "profiled"),
        ("Customer", "profiled"),
        ("Evangelist", "profiled"),
        ("Other", "lead"),
        ("MQL", "profiled"),
        ("Lead calificado para marketing", "profiled"),
        ("Lead qualificado para vendas", "profiled"),
        ("Cliente", "profiled"),
        ("1043567", "lead"),
        ("", "lead"),
        (None, "lead"),
    ],
)
def test_marketing_qualified_and_later_stages_are_profiled_by_value_or_label(value, stage):
    assert only_lead(flat(lifecyclestage=value))["stage"] == stage


def test_the_stage_tables_agree():
    assert set(PROFILED_STAGES) == set(LIFECYCLE_STAGES[2:7])
    assert lifecycle_stage("Sales-Qualified Lead") == "salesqualifiedlead"
    assert lifecycle_stage(3) is None


def test_the_lifecycle_stage_is_kept_as_sent():
    lead = only_lead(flat(lifecyclestage="Marketing Qualified Lead"))
    assert lead["custom_fields"]["lifecyclestage"] == "Marketing Qualified Lead"


@pytest.mark.parametrize(
    ("createdate", "created_at"),
    [
        ("1763490695000", "2025-11-18T18:31:35+00:00"),
        (1763490695000, "2025-11-18T18:31:35+00:00"),
        ("2026-11-18T15:31:35.120Z", "2026-11-18T15:31:35.120000+00:00"),
        ("2026-11-18 15:31", "2026-11-18T15:31:00"),
    ],
)
def test_the_creation_date_becomes_iso_8601(createdate, created_at):
    assert only_lead(flat(createdate=createdate))["created_at"] == created_at


# "²" and "１７６" are digits to Python's str.isdigit, yet not a number of milliseconds.
@pytest.mark.parametrize("createdate", ["last tuesday", "²", "１７６３４９０６９５０００"])
def test_a_creation_date_that_is_not_a_date_is_kept_aside(createdate):
    lead = only_lead(flat(createdate=createdate))
    assert "created_at" not in lead
    assert lead["custom_fields"]["createdate"] == createdate


def test_the_fallbacks_for_phone_zone_and_source():
    lead = only_lead(
        flat(
            mobilephone="+52 55 5555 0199", city="Monterrey", utm_source="google", utm_medium="cpc"
        )
    )
    assert (lead["phone"], lead["zone"], lead["source"], lead["channel"]) == (
        "+52 55 5555 0199",
        "Monterrey",
        "google",
        "cpc",
    )
    assert set(lead["custom_fields"]) == {"lifecyclestage"}


def test_the_first_choice_wins_and_the_other_value_is_kept():
    lead = only_lead(
        flat(
            phone="+52 55 1111 0000",
            mobilephone="+52 55 2222 0000",
            state="Nuevo León",
            city="Monterrey",
            hs_analytics_source="SOCIAL_MEDIA",
            utm_source="facebook",
        )
    )
    assert (lead["phone"], lead["zone"], lead["source"], lead["channel"]) == (
        "+52 55 1111 0000",
        "Nuevo León",
        "facebook",
        "social-media",
    )
    assert lead["custom_fields"] == {
        "lifecyclestage": "lead",
        "mobilephone": "+52 55 2222 0000",
        "city": "Monterrey",
    }


def test_the_identity_is_hs_object_id_else_the_canonical_vid_as_text():
    assert only_lead(flat(hs_object_id=777, vid=1))["external_id"] == "777"
    assert only_lead(classic({"email": "a@example.mx"}, vid=5))["external_id"] == "601"
    body = classic({"email": "a@example.mx", "hs_object_id": "900"})
    assert only_lead(body)["external_id"] == "900"
    del body["canonical-vid"]
    body["properties"].pop("hs_object_id")
    assert only_lead(body)["external_id"] == "601"


def test_an_email_known_only_as_an_identity_is_the_email():
    body = classic(
        {"firstname": "Gil"},
        **{
            "identity-profiles": [
                {
                    "vid": 601,
                    "identities": [
                        {"type": "LEAD_GUID", "value": "f00"},
                        {"type": "EMAIL", "value": "gil@example.mx"},
                    ],
                }
            ]
        },
    )
    assert only_lead(body)["email"] == "gil@example.mx"


def test_the_classic_body_drops_hubspots_bookkeeping_but_keeps_the_portals_properties():
    lead = only_lead(
        classic(
            {
                "email": "h@example.mx",
                "hs_lead_status": "IN_PROGRESS",
                "hs_analytics_num_page_views": "23",
                "hs_analytics_first_timestamp": "1763490695000",
                "hs_all_contact_vids": "601",
                "hs_is_unworked": "true",
                "lastmodifieddate": "1763490695000",
                "numero_de_empleados": "11-50",
                "industry": "",
            },
            **{"list-memberships": [{"static-list-id": 3}], "profile-token": "t"},
        )
    )
    assert lead["custom_fields"] == {
        "hubspot_portal_id": 62515,
        "hs_lead_status": "IN_PROGRESS",
        "hs_analytics_num_page_views": "23",
        "numero_de_empleados": "11-50",
    }


def test_a_customised_body_keeps_every_property_it_was_given():
    lead = only_lead(flat(hs_is_unworked="true", numero_de_empleados="11-50", tags=["a", "b"]))
    assert lead["custom_fields"] == {
        "lifecyclestage": "lead",
        "hs_is_unworked": "true",
        "numero_de_empleados": "11-50",
        "tags": "a, b",
    }


@pytest.mark.parametrize(("raw", "score"), [("78", 78), ("12.5", 12.5), (40, 40), ("0", 0)])
def test_the_hubspot_score_is_the_score(raw, score):
    assert only_lead(flat(hubspotscore=raw))["score"] == score


def test_a_score_that_is_not_a_number_is_kept_aside():
    lead = only_lead(flat(hubspotscore="high"))
    assert "score" not in lead
    assert lead["custom_fields"]["hubspotscore"] == "high"


def test_conversions_and_form_submissions_are_history():
    body = classic(
        {
            "email": "i@example.mx",
            "first_conversion_event_name": "Ebook: mantenimiento",
            "first_conversion_date": "1760000000000",
            "recent_conversion_event_name": "Demo request",
            "recent_conversion_date": "1763490695000",
            "num_conversion_events": "4",
        },
        **{
            "form-submissions": [
                {"title": "Demo", "timestamp": 1763490695000, "page-url": "https://x.mx/demo"},
                {"title": "Ebook", "timestamp": 1760000000000, "page-title": "Ebooks"},
            ]
        },
    )
    assert only_lead(body)["history"] == (
        "First conversion: Ebook: mantenimiento — 2025-10-09 08:53 UTC\n"
        "Recent conversion: Demo request — 2025-11-18 18:31 UTC\n"
        "4 conversions in total\n"
        "Form: Ebook — 2025-10-09 08:53 UTC — Ebooks\n"
        "Form: Demo — 2025-11-18 18:31 UTC — https://x.mx/demo"
    )


def test_a_single_conversion_is_told_once():
    same = {"first_conversion_event_name": "Demo", "first_conversion_date": "1763490695000"}
    recent = {"recent_conversion_event_name": "Demo", "recent_conversion_date": "1763490695000"}
    lead = only_lead(flat(**same, **recent, num_conversion_events="1"))
    assert lead["history"] == "First conversion: Demo — 2025-11-18 18:31 UTC\n1 conversion in total"


def test_the_crm_v3_object_shape_is_read_too():
    lead = only_lead(
        {
            "id": "701",
            "properties": {"firstname": "Julia", "email": "julia@example.mx", "state": "CDMX"},
            "createdAt": "2026-11-18T15:31:35Z",
            "updatedAt": "2026-11-19T10:00:00Z",
            "archived": False,
        }
    )
    assert lead == {
        "external_id": "701",
        "name": "Julia",
        "email": "julia@example.mx",
        "zone": "CDMX",
        "stage": "lead",
        "created_at": "2026-11-18T15:31:35+00:00",
    }


def test_a_contact_without_a_name_is_named_after_its_contact_rather_than_lost():
    lead = only_lead(flat(firstname=None, lastname=None, email=None, phone="+52 55 0000 0000"))
    assert "email" not in lead
    assert lead["name"] == lead["phone"] == "+52 55 0000 0000"
    assert lead["external_id"] == "501"
    named_by_email = only_lead(flat(firstname=None, lastname=None, email="ana@x.example"))
    assert named_by_email["name"] == "ana@x.example"


def test_only_a_last_name_is_the_name():
    assert only_lead(flat(firstname=" ", lastname="Torres"))["name"] == "Torres"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("contact", "must be a JSON object or array, not str"),
        (42, "must be a JSON object or array, not int"),
        ([], "the array holds no contact"),
        ({}, "the body is not a contact"),
        ({"foo": "bar", "portal-id": 1}, "the body is not a contact"),
        ({"properties": {"dealname": {"value": "Big deal"}}}, "the body is not a contact"),
        ({"vid": 1, "is-contact": False, "properties": {}}, "is-contact false"),
        (
            [{"objectId": 1, "subscriptionType": "contact.creation", "portalId": 2}],
            "item 0 is a webhook-subscription event",
        ),
        ([{"email": "a@example.mx"}, "b@example.mx"], "item 1 is not a contact object"),
    ],
)
def test_a_body_that_is_not_a_contact_is_refused_with_a_reason(payload, message):
    with pytest.raises(ValueError, match=message):
        leads_from_hubspot(payload)


def test_the_payload_is_not_changed():
    body = classic({"email": "k@example.mx", "hubspotscore": "5"})
    before = copy.deepcopy(body)
    leads_from_hubspot([body])
    assert body == before


def every_mapped_lead() -> list[dict[str, Any]]:
    payloads: list[Any] = [
        flat(),
        [flat(createdate="1763490695000", hubspotscore="180"), flat(lifecyclestage="customer")],
        classic({"firstname": "L", "email": "l@example.mx", "createdate": "1763490695000"}),
        flat(createdate="nope", tags=["a"], utm_medium="email"),
    ]
    for name in ("hubspot-workflow-classic.json", "hubspot-workflow-flat.json"):
        if (SAMPLES / name).is_file():
            payloads.append(sample_json(name))
    return [lead for payload in payloads for lead in leads_from_hubspot(payload)]


def test_every_mapped_lead_is_a_valid_generic_lead_and_plain_json():
    for lead in every_mapped_lead():
        assert None not in lead.values()
        assert json.loads(json.dumps(lead)) == lead
        LeadIn.model_validate(lead)
