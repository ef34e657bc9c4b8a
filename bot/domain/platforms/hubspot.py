"""HubSpot workflow webhooks as generic leads.

A workflow's "Send a webhook" action posts the enrolled contact in one of two shapes:

- the classic body ("include all contact properties"): `vid`, `canonical-vid`, `portal-id`,
  `profile-url`, maybe `identity-profiles` and `form-submissions`, and every property as
  `properties.<name>.value`, all values as text;
- a customised body: the chosen properties by internal name at the top level
  (`hs_object_id`, `firstname`, `lifecyclestage`, …).

A JSON array of either is a batch. The CRM v3 object shape (`id`, `properties.<name>` as plain
values) is read like the classic body.

`leads_from_hubspot` turns them into generic-lead dicts (the field names of the intake's
`LeadIn`) with raw values: the intake cleans and bounds text and normalises phones.

Stage: `profiled` from marketing qualified lead on (PROFILED_STAGES), `lead` otherwise, an
unknown or custom lifecycle stage included. Score: `hubspotscore`. Source: HubSpot's original
traffic source in lower case (`PAID_SEARCH` → `paid_search`), else `utm_source`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.domain.numbers import is_ascii_number
from bot.domain.platforms.common import (
    as_number,
    first_present,
    flatten_into,
    fold,
    is_blank,
    present,
)

# HubSpot's default lifecycle stages (internal values), in order.
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
PROFILED_STAGES = frozenset(
    {"marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist"}
)
# Labels that do not fold to their internal value (English labels do: "Sales Qualified
# Lead" → "salesqualifiedlead"); the Spanish and Portuguese UIs' labels and the usual
# abbreviations. Folded: lower case, letters only.
LIFECYCLE_LABELS = {
    "mql": "marketingqualifiedlead",
    "sql": "salesqualifiedlead",
    "suscriptor": "subscriber",
    "assinante": "subscriber",
    "leadcalificadoparamarketing": "marketingqualifiedlead",
    "leadqualificadoparamarketing": "marketingqualifiedlead",
    "leadcalificadoparaventas": "salesqualifiedlead",
    "leadqualificadoparavendas": "salesqualifiedlead",
    "oportunidad": "opportunity",
    "oportunidade": "opportunity",
    "cliente": "customer",
    "evangelizador": "evangelist",
    "evangelista": "evangelist",
    "otro": "other",
    "outro": "other",
    "outros": "other",
}
# In the classic body HubSpot sends every property it has; its own `hs_` ones (a prefix
# portals cannot use for their properties) are bookkeeping, except these.
KEPT_HS_PROPERTIES = frozenset(
    {
        "hs_lead_status",
        "hs_analytics_source_data_1",
        "hs_analytics_source_data_2",
        "hs_analytics_first_url",
        "hs_analytics_first_referrer",
        "hs_analytics_num_visits",
        "hs_analytics_num_page_views",
        "hs_persona",
        "hs_buying_role",
        "hs_language",
        "hs_whatsapp_phone_number",
    }
)
CLASSIC_NOISE = frozenset(
    {
        "lastmodifieddate",
        "associatedcompanylastupdated",
        "currentlyinworkflow",
        "hubspot_owner_assigneddate",
    }
)
# Classic-body keys around the properties: identity and machinery, not the contact's data.
_ENVELOPE_MAPPED = frozenset(
    {
        "vid",
        "canonical-vid",
        "id",
        "is-contact",
        "profile-url",
        "profile-token",
        "identity-profiles",
        "merged-vids",
        "merge-audits",
        "list-memberships",
        "form-submissions",
        "associated-company",
        "properties",
        "archived",
        "updatedAt",
    }
)
_ENVELOPE_RENAMED = {"portal-id": "hubspot_portal_id"}
_PROPERTIES_MAPPED = frozenset(
    {
        "hs_object_id",
        "vid",
        "canonical-vid",
        "firstname",
        "lastname",
        "email",
        "company",
        "jobtitle",
        "hubspotscore",
        "hs_analytics_source",
        "utm_campaign",
        "utm_medium",
        "createdate",
        "profile-url",
        "profile_url",
        "first_conversion_event_name",
        "first_conversion_date",
        "recent_conversion_event_name",
        "recent_conversion_date",
        "num_conversion_events",
    }
)
_CONTACT_KEYS = (
    "hs_object_id",
    "vid",
    "canonical-vid",
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
)
_FORMS_IN_HISTORY = 5


def leads_from_hubspot(payload: dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """Generic-lead dicts from a HubSpot workflow webhook body: one contact, or an array.

    Keys are `LeadIn`'s field names, absent when HubSpot sent no value; whatever has no
    generic field is kept in `custom_fields`. A contact without a name or an email is still
    returned: the intake's validation names the missing field. Raises ValueError, naming
    what is wrong, for a body (or an array item) that is not a contact.
    """
    if isinstance(payload, dict):
        return [_lead_from_contact(payload, where="the body")]
    if isinstance(payload, list):
        if not payload:
            raise ValueError("HubSpot webhook: the array holds no contact")
        return [_lead_from_contact(item, where=f"item {i}") for i, item in enumerate(payload)]
    raise ValueError(
        f"A HubSpot webhook body must be a JSON object or array, not {type(payload).__name__}"
    )


def _slug(value: Any) -> str:
    """`PAID_SEARCH` → `paid-search`: channels read alike whatever platform they came from."""
    return re.sub(r"[\s_]+", "-", str(value).strip().lower())


def lifecycle_stage(value: Any) -> str | None:
    """HubSpot's internal lifecycle stage for an internal value or a label; None if unknown."""
    if not isinstance(value, str):
        return None
    folded = re.sub(r"[^a-z]", "", fold(value))
    if folded in LIFECYCLE_STAGES:
        return folded
    return LIFECYCLE_LABELS.get(folded)


def _lead_from_contact(contact: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(contact, dict):
        raise ValueError(f"HubSpot webhook: {where} is not a contact object")
    nested = contact.get("properties")
    classic = isinstance(nested, dict)
    if classic:
        properties = {name: _unwrap(value) for name, value in nested.items()}
        envelope = {key: value for key, value in contact.items() if key != "properties"}
    else:
        properties, envelope = dict(contact), {}
    _check_is_contact(properties, envelope, classic=classic, where=where)

    def get(name: str) -> Any:
        value = properties.get(name)
        return envelope.get(name) if is_blank(value) else value

    external_id = next(
        (get(key) for key in ("hs_object_id", "canonical-vid", "vid") if not is_blank(get(key))),
        envelope.get("id") if classic else None,
    )
    phone_key, phone = first_present(properties, "phone", "mobilephone")
    zone_key, zone = first_present(properties, "state", "city")
    # hs_analytics_source is HubSpot's channel category (PAID_SEARCH); the source proper is
    # the UTM source or its first drill-down (google), as leads from other platforms have it.
    analytics_source = properties.get("hs_analytics_source")
    channel_key, channel = (
        ("hs_analytics_source", _slug(analytics_source))
        if not is_blank(analytics_source)
        else first_present(properties, "utm_medium")
    )
    source_key, source = first_present(properties, "utm_source", "hs_analytics_source_data_1")
    if isinstance(source, str):
        source = source.strip().lower()
    created_at, created_raw = _timestamp(properties.get("createdate"))
    if created_at is None and created_raw is None:
        created_at, created_raw = _timestamp(envelope.get("createdAt"))
    stage_value = properties.get("lifecyclestage")
    stage = lifecycle_stage(stage_value)

    custom: dict[str, Any] = {}
    for key, value in envelope.items():
        if key not in _ENVELOPE_MAPPED and not (key == "createdAt" and created_at):
            flatten_into(custom, _ENVELOPE_RENAMED.get(key, key), value)
    for name, value in properties.items():
        if name in _PROPERTIES_MAPPED or name in (phone_key, zone_key, source_key, channel_key):
            continue
        if classic and (name in CLASSIC_NOISE or _is_bookkeeping(name)):
            continue
        flatten_into(custom, name, value)
    flatten_into(custom, "createdate", created_raw)
    score = as_number(properties.get("hubspotscore"))
    if score is None:
        flatten_into(custom, "hubspotscore", properties.get("hubspotscore"))

    name = " ".join(
        str(part).strip() for part in (get("firstname"), get("lastname")) if not is_blank(part)
    )
    email = get("email") or _identity_email(envelope.get("identity-profiles"))
    company = get("company") or _associated_company(envelope.get("associated-company"))
    # HubSpot does not retry a refused webhook: a contact without a name keeps its email
    # (or phone, or company) as one rather than being lost.
    name = name or next((str(v) for v in (email, phone, company) if not is_blank(v)), "")
    return present(
        external_id=str(external_id) if not is_blank(external_id) else None,
        source=source,
        campaign=properties.get("utm_campaign"),
        channel=channel,
        name=name,
        email=email,
        phone=phone,
        company=company,
        job_title=get("jobtitle"),
        zone=zone,
        stage="profiled" if stage in PROFILED_STAGES else "lead",
        score=score,
        history=_history(properties, envelope.get("form-submissions")),
        profile_url=get("profile-url") or get("profile_url"),
        created_at=created_at,
        custom_fields=custom,
    )


def _check_is_contact(
    properties: dict[str, Any], envelope: dict[str, Any], *, classic: bool, where: str
) -> None:
    if "subscriptionType" in properties or "subscriptionType" in envelope:
        raise ValueError(
            f"HubSpot webhook: {where} is a webhook-subscription event, which carries no "
            "contact properties; send contacts from a workflow's webhook action"
        )
    if envelope.get("is-contact") is False:
        raise ValueError(f"HubSpot webhook: {where} says it is not a contact (is-contact false)")
    known = any(not is_blank(properties.get(k) or envelope.get(k)) for k in _CONTACT_KEYS)
    if not known and not (classic and not is_blank(envelope.get("id"))):
        raise ValueError(
            f"HubSpot webhook: {where} is not a contact (no hs_object_id, vid, email, "
            "name or phone)"
        )


def _is_bookkeeping(name: str) -> bool:
    return name.startswith("hs_") and name not in KEPT_HS_PROPERTIES


def _unwrap(value: Any) -> Any:
    """`{"value": "78", "versions": [...]}` in the classic body; a plain value in v3."""
    return value.get("value") if isinstance(value, dict) else value


def _identity_email(profiles: Any) -> str | None:
    """An email HubSpot knows only as an identity (the classic body's `identity-profiles`)."""
    for profile in profiles if isinstance(profiles, list) else []:
        identities = profile.get("identities") if isinstance(profile, dict) else None
        for identity in identities if isinstance(identities, list) else []:
            is_email = isinstance(identity, dict) and identity.get("type") == "EMAIL"
            if is_email and not is_blank(identity.get("value")):
                return identity["value"]
    return None


def _associated_company(company: Any) -> Any:
    if not isinstance(company, dict) or not isinstance(company.get("properties"), dict):
        return None
    name = _unwrap(company["properties"].get("name"))
    return None if is_blank(name) else name


def _history(properties: dict[str, Any], submissions: Any) -> str:
    """The conversions HubSpot recorded, and the latest form submissions of the classic body."""
    conversions = {}
    for label, prefix in (("First conversion", "first"), ("Recent conversion", "recent")):
        parts = [
            properties.get(f"{prefix}_conversion_event_name"),
            _readable_time(properties.get(f"{prefix}_conversion_date")),
        ]
        details = " — ".join(str(p) for p in parts if not is_blank(p))
        if details and details not in conversions:
            conversions[details] = f"{label}: {details}"
    lines = list(conversions.values())
    count = as_number(properties.get("num_conversion_events"))
    if count is not None and count >= 1:
        lines.append("1 conversion in total" if count == 1 else f"{count:g} conversions in total")
    forms = [s for s in submissions if isinstance(s, dict)] if isinstance(submissions, list) else []
    forms.sort(key=lambda s: as_number(s.get("timestamp")) or 0)
    for form in forms[-_FORMS_IN_HISTORY:]:
        parts = [
            form.get("title") or form.get("form-id"),
            _readable_time(form.get("timestamp")),
            form.get("page-title") or form.get("page-url"),
        ]
        details = " — ".join(str(p) for p in parts if not is_blank(p))
        if details:
            lines.append(f"Form: {details}")
    return "\n".join(lines)


def _timestamp(value: Any) -> tuple[str | None, Any]:
    """(ISO 8601 text, raw value kept when it is not a time the intake could read).

    HubSpot's dates are milliseconds since the epoch, as text; a customised body may carry
    ISO 8601 instead.
    """
    if is_blank(value) or isinstance(value, bool):
        return None, None
    moment = _moment(value)
    return (moment.isoformat(), None) if moment else (None, value)


def _readable_time(value: Any) -> str | None:
    """ "2026-11-18 18:31 UTC": to the minute, in the offset the time came with."""
    if is_blank(value):
        return None
    moment = _moment(value)
    if moment is None:
        return str(value)
    readable = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    if not offset:
        return readable
    return f"{readable} UTC" if offset == "+0000" else f"{readable} {offset[:3]}:{offset[3:]}"


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str) and is_ascii_number(value.strip()):
        value = int(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 100_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
