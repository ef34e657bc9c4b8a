"""RD Station Marketing webhooks as generic leads.

RD Station posts one of two shapes, depending on how the webhook was set up:

- the older form (webhooks made in the UI or by an automation flow): `{"leads": [...]}`, one
  object per contact, most values as text (`"opportunity": "true"`, `"fit_score": "a"`), the
  first and last conversions with their origin, custom fields under their labels;
- the newer form (subscriptions made through the API): one event per request, `event_type`
  `WEBHOOK.CONVERTED` or `WEBHOOK.MARKED_OPPORTUNITY` and a `contact` with `cf_…` custom
  fields, plus `company` and `funnel` when the subscription asks for them.

`leads_from_rdstation` turns either into generic-lead dicts (the field names of the intake's
`LeadIn`) with raw values: the intake cleans and bounds text and normalises phones.

Stage: `profiled` when the contact is marked as an opportunity, its lifecycle stage is a
qualified lead or a customer, or the event is the opportunity mark; otherwise `lead`.
Score: the fit, as a number when RD sends one, else its profile letter (FIT_LETTER_SCORES).
Origin: the last conversion's, unless it was a direct visit and the first conversion's was not
("last non-direct"); RD's "Channel | Source" labels are split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.domain.numbers import is_ascii_number
from bot.domain.platforms.common import (
    as_number,
    first_present,
    flatten_into,
    fold,
    is_blank,
    joined,
    present,
)

CONVERTED = "WEBHOOK.CONVERTED"
MARKED_OPPORTUNITY = "WEBHOOK.MARKED_OPPORTUNITY"
# RD's lead-scoring profile letters (A is the ideal customer profile) as 0–100 scores.
FIT_LETTER_SCORES = {"A": 90, "B": 70, "C": 50, "D": 25}
# Lifecycle stages at or past "qualified lead", in the languages RD's accounts use, compared
# folded (lower case, no accents). A customer is past profiled, so it is profiled too.
PROFILED_STAGES = frozenset(
    {
        "qualified lead",
        "lead qualificado",
        "lead calificado",
        "lead cualificado",
        "client",
        "cliente",
        "customer",
    }
)
TRUE_TEXTS = frozenset({"true", "1", "yes", "y", "t", "sim", "si"})
# Google Analytics' placeholders in a conversion origin mean "no value".
EMPTY_ORIGIN_VALUES = frozenset({"(not set)", "(none)", "(not provided)"})
# A direct visit (typed URL, bookmark) says nothing about which campaign brought the contact:
# attribution is "last non-direct", as in analytics tools. Compared folded.
DIRECT_SOURCES = frozenset({"(direct)", "direct"})
DIRECT_CHANNELS = frozenset({"direct", "direct traffic", "trafego direto", "trafico directo"})
# Custom-field labels (folded, `cf_` dropped, words joined by "_") that mean a generic field.
# The first one found wins; any other stays a custom field.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "zone": ("zona", "zone", "regiao", "region", "territorio", "territory"),
    "age_range": (
        "faixa_etaria",
        "faixa_de_idade",
        "idade",
        "age_range",
        "age",
        "rango_de_edad",
        "rango_edad",
        "edad",
    ),
    "service": (
        "servico_de_interesse",
        "servicos_de_interesse",
        "servico",
        "servicos",
        "produto_de_interesse",
        "produto",
        "service",
        "services",
        "servicio_de_interes",
        "servicio",
    ),
}
# The newer form carries no profile link; RD's public lead page is addressed by the uuid.
PUBLIC_URL = "https://app.rdstation.com.br/leads/public/{uuid}"
# Keys in a conversion's form content that are tracking machinery, not the contact's answers.
FORM_NOISE = frozenset(
    {
        "identificador",
        "conversion_identifier",
        "event_identifier",
        "event_type",
        "event_family",
        "event_timestamp",
        "traffic_source",
        "email_lead",
        "user_agent",
        "google_analytics_client_id",
        "client_tracking_id",
        "c_utmz",
        "privacy_data",
        "asset_id",
        "conversion_payload",
        "internal_source",
        "post_id",
        "queried_id",
        "form_id",
        "legal_bases",
    }
)
# Older-form keys turned into generic fields or history (everything else is a custom field).
_V1_MAPPED = frozenset(
    {
        "uuid",
        "name",
        "email",
        "company",
        "job_title",
        "public_url",
        "created_at",
        "opportunity",
        "fit_score",
        "first_conversion",
        "last_conversion",
        "custom_fields",
        "number_conversions",
        "last_marked_opportunity_date",
    }
)
_V1_RENAMED = {"id": "rdstation_id", "user": "contact_owner_email"}
_EVENT_MAPPED = frozenset(
    {"event_type", "entity_type", "event_identifier", "timestamp", "event_timestamp", "contact"}
)
_CONTACT_MAPPED = frozenset(
    {
        "uuid",
        "name",
        "email",
        "company",
        "job_title",
        "public_url",
        "funnel",
        "legal_bases",
        "links",
    }
)
_FUNNEL_MAPPED = frozenset({"lifecycle_stage", "opportunity", "fit", "origin"})
_FUNNEL_RENAMED = {"name": "funnel"}
_CONTACT_KEYS = ("uuid", "email", "name", "mobile_phone", "personal_phone")


def leads_from_rdstation(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Generic-lead dicts from an RD Station Marketing webhook body, either form.

    Keys are `LeadIn`'s field names, absent when RD sent no value; whatever has no generic
    field is kept in `custom_fields`. A contact without a name or an email is still returned:
    the intake's validation names the missing field. Raises ValueError, naming what is
    missing, for a body that is neither form or carries no contact.
    """
    if not isinstance(payload, dict):
        raise ValueError(
            f"An RD Station webhook body must be a JSON object, not {type(payload).__name__}"
        )
    if "leads" in payload:
        leads = payload["leads"]
        if not isinstance(leads, list) or not leads:
            raise ValueError("RD Station webhook: 'leads' holds no contact")
        for index, lead in enumerate(leads):
            if not _is_contact(lead):
                raise ValueError(
                    f"RD Station webhook: leads[{index}] is not a contact "
                    "(no uuid, email, name or phone)"
                )
        return [_named(_lead_from_older_form(lead)) for lead in leads]
    if "contact" in payload:
        if not _is_contact(payload["contact"]):
            raise ValueError(
                "RD Station webhook event: 'contact' is not a contact "
                "(no uuid, email, name or phone)"
            )
        return [_named(_lead_from_event(payload))]
    raise ValueError(
        "Not an RD Station webhook: expected 'leads' (the older form) or 'contact' "
        "(an event of the newer form)"
    )


@dataclass(frozen=True)
class _Origin:
    """Where a conversion came from: RD's traffic channel and the campaign's parameters."""

    channel: str | None = None
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None

    def __bool__(self) -> bool:
        return any((self.channel, self.source, self.medium, self.campaign))

    @property
    def is_direct(self) -> bool:
        if self.campaign:
            return False
        if self.source:
            return fold(self.source) in DIRECT_SOURCES
        return self.channel is not None and fold(self.channel) in DIRECT_CHANNELS

    def describe(self) -> str:
        parts = [self.channel, " / ".join(p for p in (self.source, self.medium) if p)]
        if self.campaign:
            parts.append(f"campaign {self.campaign}")
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class _Conversion:
    what: str | None
    when: str | None
    origin: _Origin
    answers: dict[str, Any] = field(default_factory=dict)


def _lead_from_older_form(lead: dict[str, Any]) -> dict[str, Any]:
    phone_key, phone = first_present(lead, "mobile_phone", "personal_phone")
    breakdowns, labelled = _split_custom_fields(lead.get("custom_fields"))
    zone_key = None
    if "zone" not in breakdowns:
        zone_key, breakdowns["zone"] = first_present(lead, "state", "city")
    first = _conversion(lead.get("first_conversion"))
    last = _conversion(lead.get("last_conversion"))
    origin = _attributed_origin(first, last)
    score, fit_kept = _fit(lead.get("fit_score"))
    created_at, created_raw = _timestamp(lead.get("created_at"))

    custom: dict[str, Any] = {}
    for key, value in lead.items():
        if key in _V1_MAPPED or key in (phone_key, zone_key):
            continue
        flatten_into(custom, _V1_RENAMED.get(key, key), value)
    flatten_into(custom, "fit_score", fit_kept)
    flatten_into(custom, "created_at", created_raw)
    if not is_blank(lead.get("opportunity")):
        custom["opportunity"] = _is_true(lead["opportunity"])
    # The latest form's answers, minus those repeating the contact's name, email or phone.
    answers = last.answers if last else first.answers if first else {}
    contact_texts = {fold(str(v)) for v in (lead.get("name"), lead.get("email"), phone) if v}
    for key, value in answers.items():
        if fold(str(value)) not in contact_texts:
            flatten_into(custom, f"form.{key}", value)
    _merge_labelled(custom, labelled)

    history = [
        _conversion_line("First conversion", first),
        _conversion_line("Last conversion", last) if last and last != first else None,
        _count_line(lead.get("number_conversions")),
        _marked_line(lead.get("last_marked_opportunity_date")),
    ]
    return present(
        external_id=lead.get("uuid"),
        source=origin.source,
        campaign=origin.campaign,
        channel=origin.channel,
        name=lead.get("name"),
        email=lead.get("email"),
        phone=phone,
        company=lead.get("company"),
        job_title=lead.get("job_title"),
        **breakdowns,
        stage=_stage(opportunity=lead.get("opportunity"), lifecycle=lead.get("lead_stage")),
        score=score,
        history="\n".join(line for line in history if line),
        profile_url=lead.get("public_url"),
        created_at=created_at,
        custom_fields=custom,
    )


def _lead_from_event(event: dict[str, Any]) -> dict[str, Any]:
    contact: dict[str, Any] = event["contact"]
    funnel = contact.get("funnel") if isinstance(contact.get("funnel"), dict) else {}
    company = contact.get("company")
    phone_key, phone = first_present(contact, "mobile_phone", "personal_phone")
    cf_fields = {k: v for k, v in contact.items() if k.startswith("cf_")}
    breakdowns, labelled = _split_custom_fields(cf_fields)
    zone_key = None
    if "zone" not in breakdowns:
        zone_key, breakdowns["zone"] = first_present(contact, "state", "city")
    origin = _origin_from_label(funnel.get("origin"))
    score, fit_kept = _fit(funnel.get("fit"))
    # The event's time is when the contact converted; the contact's own date is a fallback.
    _, when = first_present(event, "event_timestamp", "timestamp")
    created_from_contact = when is None
    if created_from_contact:
        when = contact.get("created_at")
    created_at, created_raw = _timestamp(when)
    uuid = contact.get("uuid")
    profile_url = contact.get("public_url") or (PUBLIC_URL.format(uuid=uuid) if uuid else None)

    custom: dict[str, Any] = {}
    for key, value in event.items():
        if key not in _EVENT_MAPPED:
            flatten_into(custom, key, value)
    for key, value in contact.items():
        if key in _CONTACT_MAPPED or key in cf_fields or key in (phone_key, zone_key):
            continue
        if key == "created_at" and created_from_contact:
            continue
        flatten_into(custom, key, value)
    if isinstance(company, dict):
        for key, value in company.items():
            if key != "name":
                flatten_into(custom, f"company.{key}", value)
    flatten_into(custom, "lifecycle_stage", funnel.get("lifecycle_stage"))
    if not is_blank(funnel.get("opportunity")):
        custom["opportunity"] = _is_true(funnel["opportunity"])
    for key, value in funnel.items():
        if key not in _FUNNEL_MAPPED:
            flatten_into(custom, _FUNNEL_RENAMED.get(key, key), value)
    flatten_into(custom, "fit", fit_kept)
    flatten_into(custom, "created_at", created_raw)
    flatten_into(custom, "legal_bases", _legal_bases(contact.get("legal_bases")))
    _merge_labelled(custom, labelled)

    return present(
        external_id=uuid,
        source=origin.source,
        campaign=origin.campaign,
        channel=origin.channel,
        name=contact.get("name"),
        email=contact.get("email"),
        phone=phone,
        company=company.get("name") if isinstance(company, dict) else company,
        job_title=contact.get("job_title"),
        **breakdowns,
        stage=_stage(
            opportunity=funnel.get("opportunity"),
            lifecycle=funnel.get("lifecycle_stage"),
            event_type=event.get("event_type"),
        ),
        score=score,
        history=_event_line(event),
        profile_url=profile_url,
        created_at=created_at,
        custom_fields=custom,
    )


def _stage(*, opportunity: Any, lifecycle: Any, event_type: Any = None) -> str:
    marked = str(event_type or "").strip().upper() == MARKED_OPPORTUNITY
    qualified = isinstance(lifecycle, str) and fold(lifecycle) in PROFILED_STAGES
    return "profiled" if marked or qualified or _is_true(opportunity) else "lead"


def _fit(value: Any) -> tuple[int | float | None, Any]:
    """(score, what to keep as a custom field): a letter is kept, a number is the score."""
    if is_blank(value) or isinstance(value, bool):
        return None, None
    number = as_number(value)
    if number is not None:
        return number, None
    letter = str(value).strip().upper()
    if letter in FIT_LETTER_SCORES:
        return FIT_LETTER_SCORES[letter], letter
    return None, value


def _split_custom_fields(fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(generic breakdowns found by label, the custom fields left as they were labelled)."""
    if not isinstance(fields, dict):
        return {}, {}
    breakdowns: dict[str, Any] = {}
    labelled = dict(fields)
    for generic, aliases in FIELD_ALIASES.items():
        for label, value in fields.items():
            if label in labelled and _label_key(label) in aliases and not is_blank(value):
                breakdowns[generic] = joined(value)
                del labelled[label]
                break
    return breakdowns, labelled


def _merge_labelled(custom: dict[str, Any], labelled: dict[str, Any]) -> None:
    for label, value in labelled.items():
        key = label if label not in custom else f"custom_fields.{label}"
        flatten_into(custom, key, value)


def _conversion(raw: Any) -> _Conversion | None:
    if not isinstance(raw, dict):
        return None
    content = raw.get("content") if isinstance(raw.get("content"), dict) else {}
    _, identifier = first_present(
        content, "identificador", "conversion_identifier", "event_identifier"
    )
    label = raw.get("source") if isinstance(raw.get("source"), str) else None
    origin = _origin_from_dict(raw.get("conversion_origin"))
    if not origin and label and "|" in label:
        origin = _origin_from_label(label)
    answers = {
        key: value
        for key, value in content.items()
        if key not in FORM_NOISE and not key.startswith("__") and not is_blank(value)
    }
    return _Conversion(
        what=identifier or label,
        when=raw.get("created_at"),
        origin=origin,
        answers=answers,
    )


def _attributed_origin(first: _Conversion | None, last: _Conversion | None) -> _Origin:
    """The last conversion's origin, unless it was a direct visit and the first one was not."""
    origins = [c.origin for c in (last, first) if c is not None and c.origin]
    return next((o for o in origins if not o.is_direct), origins[0] if origins else _Origin())


def _origin_from_dict(raw: Any) -> _Origin:
    if not isinstance(raw, dict):
        return _Origin()
    return _Origin(**{name: _origin_text(raw.get(name)) for name in _Origin.__dataclass_fields__})


def _origin_from_label(label: Any) -> _Origin:
    """RD's origin labels read "Channel | Source" ("Busca Orgânica | Google") or "Channel"."""
    if not isinstance(label, str) or not label.strip():
        return _Origin()
    channel, _, source = label.partition("|")
    return _Origin(channel=_origin_text(channel), source=_origin_text(source))


def _origin_text(value: Any) -> str | None:
    if is_blank(value) or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return None if text.casefold() in EMPTY_ORIGIN_VALUES else text


def _conversion_line(label: str, conversion: _Conversion | None) -> str | None:
    if conversion is None:
        return None
    parts = [conversion.what, _readable_time(conversion.when), conversion.origin.describe()]
    details = " — ".join(str(p) for p in parts if p)
    return f"{label}: {details}" if details else None


def _event_line(event: dict[str, Any]) -> str | None:
    kind = str(event.get("event_type") or "").strip()
    label = {
        CONVERTED: "Converted",
        MARKED_OPPORTUNITY: "Marked as an opportunity",
    }.get(kind.upper(), kind)
    parts = [event.get("event_identifier"), _readable_time(event.get("event_timestamp"))]
    details = " — ".join(str(p) for p in parts if not is_blank(p))
    if not label:
        return f"Event: {details}" if details else None
    return f"{label}: {details}" if details else label


def _count_line(count: Any) -> str | None:
    number = as_number(count)
    if number is None or number < 1:
        return None
    return "1 conversion in total" if number == 1 else f"{number:g} conversions in total"


def _marked_line(when: Any) -> str | None:
    readable = _readable_time(when)
    return f"Marked as an opportunity: {readable}" if readable else None


def _legal_bases(bases: Any) -> str | None:
    """Consent matters to whoever calls (LGPD): one readable line per legal basis."""
    if not isinstance(bases, list):
        return None
    lines = []
    for basis in bases:
        if isinstance(basis, dict):
            kind = ": ".join(str(basis[k]) for k in ("category", "type") if basis.get(k))
            status = basis.get("status")
            lines.append(f"{kind} ({status})" if status else kind)
        elif not is_blank(basis):
            lines.append(str(basis))
    return "; ".join(line for line in lines if line) or None


def _timestamp(value: Any) -> tuple[str | None, Any]:
    """(ISO 8601 text, raw value kept when it is not a time the intake could read)."""
    if is_blank(value) or isinstance(value, bool):
        return None, None
    if isinstance(value, str) and is_ascii_number(value.strip()):
        value = int(value.strip())
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 100_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).isoformat(), None
        except (OverflowError, OSError, ValueError):
            return None, value
    try:
        return datetime.fromisoformat(str(value).strip()).isoformat(), None
    except ValueError:
        return None, value


def _readable_time(value: Any) -> str | None:
    """ "2026-11-18 15:31 -03:00": the sender's local time, to the minute."""
    if is_blank(value):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return str(value)
    readable = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    return f"{readable} {offset[:3]}:{offset[3:]}" if offset else readable


def _is_contact(value: Any) -> bool:
    return isinstance(value, dict) and any(not is_blank(value.get(k)) for k in _CONTACT_KEYS)


def _is_true(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return isinstance(value, str) and fold(value) in TRUE_TEXTS


def _named(lead: dict[str, Any]) -> dict[str, Any]:
    """RD Station does not retry a refused webhook: a contact without a name keeps its email
    (or phone, or company) as one rather than being lost."""
    if "name" not in lead:
        fallback = next((lead[k] for k in ("email", "phone", "company") if k in lead), None)
        if fallback is not None:
            lead["name"] = str(fallback)
    return lead


def _label_key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_").removeprefix("cf_")
