"""Receiving leads: identity, forward moves, and the hand-off to sales.

A lead is identified by its platform and external id; failing an id on either side, by the
platform and the normalised email. A new lead is stored; the same lead again at the same or
an earlier stage changes nothing (`duplicate`); the same lead moving forward — a `lead` that
is now `profiled`, or a nurtured or rejected lead handed over again — is `updated` and handed
to sales again with its history kept. Every hand-off writes its outbox entry in the same
transaction as the lead, so a lead accepted is never a lead lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain.vocabulary import Exit, Stage
from storage import queries
from storage.db import session_scope
from storage.models import Lead, LeadEvent, OutboxEntry

INTAKE_ACTOR = "intake"
LEAD_CARD = "lead_card"
# Fields a forward move may fill in or refresh; identity and lifecycle fields are not here.
DESCRIPTIVE_FIELDS = (
    "source",
    "campaign",
    "channel",
    "name",
    "email",
    "phone",
    "company",
    "job_title",
    "zone",
    "age_range",
    "service",
    "score",
    "summary",
    "history",
    "approach",
    "profile_url",
    "estimated_value",
)
# What a lead's previous journey with sales leaves behind when it is handed over again.
JOURNEY_FIELDS = ("accepted_at", "first_touch_at", "contacted_at", "qualified_at")


class IntakeStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    UPDATED = "updated"


@dataclass(frozen=True)
class LeadInput:
    """A lead as a marketing platform hands it over, already normalised."""

    platform: str
    name: str
    stage: Stage = Stage.PROFILED
    external_id: str | None = None
    source: str | None = None
    campaign: str | None = None
    channel: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_valid: bool = True
    company: str | None = None
    job_title: str | None = None
    zone: str | None = None
    age_range: str | None = None
    service: str | None = None
    score: float | None = None
    summary: str | None = None
    history: str | None = None
    approach: str | None = None
    profile_url: str | None = None
    estimated_value: float | None = None
    created_at: datetime | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    id: int
    status: IntakeStatus


def receive_leads(
    session: Session, *, leads: Sequence[LeadInput], now: datetime
) -> list[IntakeResult]:
    """Receive each lead in order (the same lead twice in a batch: accepted, then duplicate)."""
    return [receive_lead(session, lead=lead, now=now) for lead in leads]


def receive_lead(session: Session, *, lead: LeadInput, now: datetime) -> IntakeResult:
    """Store a new lead, or recognise a known one and move it forward if it moved."""
    existing = find_existing(session, lead=lead)
    if existing is None:
        return IntakeResult(_store_new(session, lead=lead, now=now).id, IntakeStatus.ACCEPTED)
    if not _moves_forward(existing, lead):
        return IntakeResult(existing.id, IntakeStatus.DUPLICATE)
    _move_forward(session, existing=existing, lead=lead, now=now)
    return IntakeResult(existing.id, IntakeStatus.UPDATED)


def store_received_leads(
    sessions: sessionmaker[Session], *, leads: Sequence[LeadInput], now: datetime, tries: int = 3
) -> list[IntakeResult]:
    """Receive `leads` in one transaction, committed before this returns.

    Two requests carrying the same new lead at once both try to insert it; the database's
    identity constraints stop the second, which is then run again and finds the first.
    """
    attempt = 1
    while True:
        try:
            with session_scope(sessions) as session:
                return receive_leads(session, leads=leads, now=now)
        except IntegrityError:
            if attempt >= tries:
                raise
            attempt += 1


def find_existing(session: Session, *, lead: LeadInput) -> Lead | None:
    """The stored lead this input is, by DESIGN's identity rule."""
    if lead.external_id:
        found = queries.find_lead_by_external_id(
            session, platform=lead.platform, external_id=lead.external_id
        )
        if found is not None or not lead.email:
            return found
        return queries.find_lead_by_email_without_id(
            session, platform=lead.platform, email=lead.email
        )
    if lead.email:
        return queries.find_lead_by_email(session, platform=lead.platform, email=lead.email)
    return None


def _moves_forward(existing: Lead, lead: LeadInput) -> bool:
    if lead.stage is not Stage.PROFILED:
        return False
    if existing.exit in (Exit.REJECTED, Exit.NURTURE):
        return True
    return existing.exit is None and existing.stage == Stage.LEAD


def _store_new(session: Session, *, lead: LeadInput, now: datetime) -> Lead:
    values = {f.name: getattr(lead, f.name) for f in fields(lead) if f.name != "stage"}
    created = min(lead.created_at or now, now)
    stored = queries.add_lead(
        session,
        lead=Lead(**values | {"created_at": created, "received_at": now, "updated_at": now}),
    )
    _record(session, stored, now, kind="captured", from_stage=None, to_stage=Stage.LEAD)
    if lead.stage is Stage.PROFILED:
        _hand_over(session, stored, now=now, from_stage=Stage.LEAD, kind="handed_over")
    return stored


def _move_forward(session: Session, *, existing: Lead, lead: LeadInput, now: datetime) -> None:
    previous = {
        "stage": existing.stage,
        "exit": existing.exit,
        "exit_reason": existing.exit_reason,
        "owner_id": existing.owner_id,
    }
    for name in DESCRIPTIVE_FIELDS:
        value = getattr(lead, name)
        if value is not None:
            setattr(existing, name, value)
    if lead.phone is not None:
        existing.phone_valid = lead.phone_valid
    existing.external_id = existing.external_id or lead.external_id
    existing.custom_fields = {**(existing.custom_fields or {}), **lead.custom_fields}
    from_stage = existing.exit or existing.stage
    again = existing.exit is not None
    if again:
        existing.exit = existing.exit_reason = existing.exited_at = existing.owner_id = None
        for name in JOURNEY_FIELDS:
            setattr(existing, name, None)
        existing.attempts = 0
    _hand_over(
        session,
        existing,
        now=now,
        from_stage=from_stage,
        kind="handed_over_again" if again else "handed_over",
        data={"previous": previous} if again else {},
    )


def _hand_over(
    session: Session,
    lead: Lead,
    *,
    now: datetime,
    from_stage: str,
    kind: str,
    data: dict | None = None,
) -> None:
    """Move a lead to `profiled` and queue its card, in the caller's transaction."""
    lead.stage = Stage.PROFILED
    lead.profiled_at = now
    lead.updated_at = now
    session.add(lead)
    _record(
        session, lead, now, kind=kind, from_stage=from_stage, to_stage=Stage.PROFILED, data=data
    )
    queries.add_outbox_entry(
        session,
        entry=OutboxEntry(lead_id=lead.id, kind=LEAD_CARD, created_at=now, available_at=now),
    )


def _record(
    session: Session,
    lead: Lead,
    now: datetime,
    *,
    kind: str,
    from_stage: str | None,
    to_stage: str,
    data: dict | None = None,
) -> None:
    queries.add_event(
        session,
        event=LeadEvent(
            lead_id=lead.id,
            at=now,
            actor=INTAKE_ACTOR,
            kind=kind,
            from_stage=from_stage,
            to_stage=to_stage,
            data=data or {},
        ),
    )
