"""The generic lead as JSON: validation that names the failing field, then normalisation.

Validation refuses only what cannot be a lead (no name, no way to contact it, a value of the
wrong type, an email that is not one). Formatting details never cost a lead: over-long text
is cut, a phone that cannot be normalised is kept as given and flagged, an out-of-range
score is clamped with the raw value kept, anything unknown goes to `custom_fields`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.domain import normalize
from bot.domain.intake import IntakeStatus, LeadInput
from bot.domain.vocabulary import Stage

MAX_BATCH = 500
# UTC offsets are under a day, so from here on any offset (the sender's, or the team's for a
# time without one) converts to UTC; an earlier time cannot be stored.
EARLIEST_CREATED_AT = datetime(1, 1, 2)
SHORT_TEXT_FIELDS = (
    "external_id",
    "source",
    "campaign",
    "channel",
    "company",
    "job_title",
    "zone",
    "age_range",
    "service",
)


Text = Annotated[str, BeforeValidator(normalize.scalar_as_text)]

EXAMPLE = {
    "external_id": "crm-10482",
    "source": "google",
    "campaign": "black-friday",
    "channel": "paid-search",
    "name": "Lucía García",
    "email": "lucia.garcia@andino.example",
    "phone": "+52 55 1234 5678",
    "company": "Grupo Andino",
    "job_title": "Operations manager",
    "zone": "Center",
    "age_range": "35-44",
    "service": "CRM setup",
    "stage": "profiled",
    "score": 87,
    "summary": "Runs a 40-person logistics team; evaluating CRMs this quarter.",
    "history": "Downloaded two ebooks; attended the November webinar.",
    "approach": "Open with the logistics case study; she asked about WhatsApp.",
    "profile_url": "https://crm.example/contacts/10482",
    "estimated_value": 6667,
    "created_at": "2026-11-20T15:04:05-06:00",
    "custom_fields": {"employees": "11-50"},
}


class LeadIn(BaseModel):
    """A lead handed over by a marketing platform. Only `name` and one of `email`/`phone`
    are required; any field not listed here is kept in `custom_fields`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE]})

    external_id: Text | None = Field(
        None, description="The lead's id in the sending system; with the platform, its identity."
    )
    source: Text | None = Field(None, description="Marketing source, e.g. `google`.")
    campaign: Text | None = Field(None, description="Campaign, e.g. `black-friday`.")
    channel: Text | None = Field(None, description="Marketing channel, e.g. `paid-search`.")
    name: Text = Field(description="The contact's name (cut to 200 characters).")
    email: Text | None = Field(None, description="Normalised to lower case.")
    phone: Text | None = Field(
        None,
        description="Normalised to E.164; numbers without a country code use "
        "DEFAULT_PHONE_REGION. One that cannot be normalised is kept as given and flagged.",
    )
    company: Text | None = None
    job_title: Text | None = None
    zone: Text | None = Field(None, description="A `/funnel` breakdown.")
    age_range: Text | None = Field(None, description="A `/funnel` breakdown, e.g. `35-44`.")
    service: Text | None = Field(None, description="A `/funnel` breakdown.")
    stage: Literal["lead", "profiled"] = Field(
        "profiled", description="Only `profiled` leads are handed to sales."
    )
    score: float | None = Field(
        None, description="Fit score 0–100; outside values are clamped, the raw value kept."
    )
    summary: Text | None = Field(None, description="Short analysis (cut to 3000 characters).")
    history: Text | None = Field(None, description="History with the company.")
    approach: Text | None = Field(None, description="Approach opportunities.")
    profile_url: Text | None = Field(None, description="The lead's page in the platform.")
    estimated_value: float | None = Field(None, description="Expected deal value.")
    created_at: datetime | None = Field(
        None,
        description="When the lead converted (ISO 8601; default now). Without an offset, "
        "the team's time zone (BOT_TIMEZONE) is assumed.",
    )
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Anything else, kept and shown on the card."
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        try:
            return normalize.normalize_email(value)
        except normalize.InvalidEmail as error:
            raise ValueError(str(error)) from None

    @field_validator("created_at")
    @classmethod
    def _created_at(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.replace(tzinfo=None) < EARLIEST_CREATED_AT:
            raise ValueError("Datetime should be on or after 0001-01-02")
        return value

    def contact_problems(self) -> list[tuple[str, str]]:
        """(field, message) for a lead that cannot be told apart or reached."""
        problems = []
        if normalize.clean_text(self.name, limit=normalize.NAME_LIMIT) is None:
            problems.append(
                ("name", "Name is empty once blanks and control characters are removed")
            )
        if not self.email and normalize.clean_text(self.phone, limit=64) is None:
            problems.append(("email", "Either email or phone is required"))
        return problems

    def to_input(self, *, platform: str, timezone: ZoneInfo, phone_region: str) -> LeadInput:
        """The domain's lead input: every text cleaned and bounded, numbers checked."""
        short = {
            name: normalize.clean_text(getattr(self, name), limit=normalize.NAME_LIMIT)
            for name in SHORT_TEXT_FIELDS
        }
        long = {
            name: normalize.clean_text(
                getattr(self, name), limit=normalize.LONG_TEXT_LIMIT, multiline=True
            )
            for name in ("summary", "history", "approach")
        }
        extras = {**(self.model_extra or {}), **self.custom_fields}
        phone = normalize.normalize_phone(self.phone, default_region=phone_region or None)
        if phone.extension:
            extras["phone_extension"] = phone.extension
        score, raw_score = normalize.clamp_score(self.score)
        if raw_score is not None:
            extras["score_raw"] = raw_score
        url, raw_url = normalize.normalize_url(self.profile_url)
        if raw_url is not None:
            extras["profile_url_raw"] = raw_url
        created = self.created_at
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=timezone)
        return LeadInput(
            platform=platform,
            name=normalize.clean_text(self.name, limit=normalize.NAME_LIMIT) or "",
            stage=Stage(self.stage),
            email=self.email,
            phone=phone.value,
            phone_valid=phone.valid,
            score=score,
            profile_url=url,
            estimated_value=self.estimated_value,
            created_at=created,
            custom_fields=clean_custom_fields(extras),
            **short,
            **long,
        )


class LeadBatch(BaseModel):
    """Up to 500 leads in one request, validated whole: one invalid item stores nothing."""

    leads: list[LeadIn] = Field(max_length=MAX_BATCH)


class LeadResult(BaseModel):
    id: int = Field(description="The lead's id in the bot.")
    status: IntakeStatus = Field(
        description="`accepted` (new), `duplicate` (nothing changed) or `updated` "
        "(moved forward and handed to sales again)."
    )


class BatchResult(BaseModel):
    results: list[LeadResult] = Field(description="One result per lead, in request order.")


def clean_custom_fields(values: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Custom fields kept as sent, their texts cleaned like every other text."""
    return {
        normalize.clean_text(key, limit=normalize.NAME_LIMIT) or "_": _clean_value(value, depth)
        for key, value in values.items()
    }


def _clean_value(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return normalize.clean_text(value, limit=normalize.LONG_TEXT_LIMIT, multiline=True)
    if isinstance(value, dict) and depth < 5:
        return clean_custom_fields(value, depth + 1)
    if isinstance(value, list) and depth < 5:
        return [_clean_value(item, depth + 1) for item in value]
    if isinstance(value, dict | list):
        return normalize.clean_text(str(value), limit=normalize.LONG_TEXT_LIMIT)
    return value
