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

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.domain.notices import LEAD_CARD
from bot.domain.vocabulary import GENERIC_LEAD_FIELDS, Exit, Stage
from storage import queries
from storage.db import session_scope
from storage.models import Lead

INTAKE_ACTOR = "intake"
# Fields a forward move may fill in or refresh; identity and lifecycle fields are not here.
DESCRIPTIVE_FIELDS = tuple(
    name
    for name in GENERIC_LEAD_FIELDS
    if name not in ("external_id", "stage", "created_at", "custom_fields")
)
# What a lead's previous journey with sales leaves behind when it is handed over again.
JOURNEY_FIELDS = ("accepted_at", "first_touch_at", "contacted_at", "qualified_at")
# LeadInput fields that steer intake and are not stored on the lead.
INPUT_ONLY = ("stage", "post")


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
    # False for history imports: a profiled lead is stored as handed over, but not posted.
    post: bool = True


@dataclass(frozen=True)
class IntakeResult:
    id: int
    status: IntakeStatus


def receive_leads(
    session: Session, *, leads: Sequence[LeadInput], now: datetime
) -> list[IntakeResult]:
    """Receive each lead in order (the same lead twice in a batch: accepted, then duplicate).

    Work is done a batch at a time — one identity query, one insert for the new leads, one
    for their events, one for the outbox — so a large import is not a query per row. Where
    a lead repeats an identity seen earlier in the same batch, the batch is split there, so
    the later copy finds the earlier one exactly as if they had come one by one.
    """
    results: list[IntakeResult] = []
    for group in _groups_without_repeats(leads):
        results.extend(_receive_group(session, group, now))
    return results


def receive_lead(session: Session, *, lead: LeadInput, now: datetime) -> IntakeResult:
    """Store a new lead, or recognise a known one and move it forward if it moved."""
    return receive_leads(session, leads=[lead], now=now)[0]


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


def _identity_keys(lead: LeadInput) -> set[tuple[str, str, str]]:
    keys = set()
    if lead.external_id:
        keys.add(("id", lead.platform, lead.external_id))
    if lead.email:
        keys.add(("email", lead.platform, lead.email))
    return keys


def _groups_without_repeats(leads: Sequence[LeadInput]) -> list[list[LeadInput]]:
    groups: list[list[LeadInput]] = [[]]
    seen: set[tuple[str, str, str]] = set()
    for lead in leads:
        keys = _identity_keys(lead)
        if keys & seen:
            groups.append([])
            seen = set()
        groups[-1].append(lead)
        seen |= keys
    return [group for group in groups if group]


class _KnownLeads:
    """The stored leads a batch may be, found with one query per platform."""

    def __init__(self, session: Session, leads: Sequence[LeadInput]):
        self._by_id: dict[tuple[str, str], Row] = {}
        self._by_email: dict[tuple[str, str], Row] = {}
        self._by_email_without_id: dict[tuple[str, str], Row] = {}
        for platform in {lead.platform for lead in leads}:
            mine = [lead for lead in leads if lead.platform == platform]
            for stored in queries.leads_matching_identities(
                session,
                platform=platform,
                external_ids=[lead.external_id for lead in mine if lead.external_id],
                emails=[lead.email for lead in mine if lead.email],
            ):
                if stored.external_id:
                    self._by_id[(platform, stored.external_id)] = stored
                if stored.email:
                    self._by_email.setdefault((platform, stored.email), stored)  # oldest
                    if not stored.external_id:
                        self._by_email_without_id[(platform, stored.email)] = stored

    def find(self, lead: LeadInput) -> Row | None:
        """The stored lead this input is (its id, stage and exit): by platform and external
        id; failing an id on either side, by platform and email."""
        email = (lead.platform, lead.email) if lead.email else None
        if lead.external_id:
            found = self._by_id.get((lead.platform, lead.external_id))
            if found is not None or email is None:
                return found
            return self._by_email_without_id.get(email)
        return self._by_email.get(email) if email else None


def _receive_group(
    session: Session, leads: Sequence[LeadInput], now: datetime
) -> list[IntakeResult]:
    known = _KnownLeads(session, leads)
    results: list[IntakeResult | None] = []
    new: list[tuple[int, LeadInput, dict]] = []  # (result position, input, row)
    events: list[dict] = []
    outbox: list[dict] = []
    for lead in leads:
        existing = known.find(lead)
        if existing is None:
            new.append((len(results), lead, _new_row(lead, now)))
            results.append(None)
        elif not _moves_forward(existing, lead):
            results.append(IntakeResult(existing.id, IntakeStatus.DUPLICATE))
        else:
            # Locked, then asked again: another transaction may have moved it meanwhile.
            stored = session.get(Lead, existing.id, with_for_update=True)
            if not _moves_forward(stored, lead):
                results.append(IntakeResult(existing.id, IntakeStatus.DUPLICATE))
                continue
            _move_forward(stored, lead=lead, now=now, events=events, outbox=outbox)
            results.append(IntakeResult(existing.id, IntakeStatus.UPDATED))
    ids = queries.insert_leads(session, rows=[row for _, _, row in new])
    for lead_id, (position, lead, row) in zip(ids, new, strict=True):
        results[position] = IntakeResult(lead_id, IntakeStatus.ACCEPTED)
        events.append(_event(lead_id, now, kind="captured", from_stage=None, to_stage=Stage.LEAD))
        if lead.stage is Stage.PROFILED:
            _hand_over_row(lead_id, row["profiled_at"], lead.post, events=events, outbox=outbox)
    session.flush()  # forward moves, before their events reference them
    queries.insert_events(session, rows=events)
    queries.insert_outbox_entries(session, rows=outbox)
    return [result for result in results if result is not None]


def _moves_forward(existing: Lead | Row, lead: LeadInput) -> bool:
    if lead.stage is not Stage.PROFILED:
        return False
    if existing.exit in (Exit.REJECTED, Exit.NURTURE):
        return True
    return existing.exit is None and existing.stage == Stage.LEAD


def _new_row(lead: LeadInput, now: datetime) -> dict:
    """A complete `lead` row for a new lead (bulk inserts bypass the model's defaults)."""
    values = {f.name: getattr(lead, f.name) for f in fields(lead) if f.name not in INPUT_ONLY}
    created = min(lead.created_at or now, now)
    profiled = lead.stage is Stage.PROFILED
    return values | {
        "stage": Stage.PROFILED.value if profiled else Stage.LEAD.value,
        # History imports are stamped as handed over when they were created.
        "profiled_at": (now if lead.post else created) if profiled else None,
        "created_at": created,
        "received_at": now,
        "updated_at": now,
        "attempts": 0,
        **{name: None for name in (*JOURNEY_FIELDS, "won_at", "exited_at")},
        **{name: None for name in ("exit", "exit_reason", "owner_id", "won_value")},
    }


def _move_forward(
    existing: Lead, *, lead: LeadInput, now: datetime, events: list[dict], outbox: list[dict]
) -> None:
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
    existing.stage = Stage.PROFILED
    existing.profiled_at = existing.updated_at = now
    _hand_over_row(
        existing.id,
        now,
        lead.post,
        events=events,
        outbox=outbox,
        from_stage=from_stage,
        kind="handed_over_again" if again else "handed_over",
        data={"previous": previous} if again else None,
    )


def _hand_over_row(
    lead_id: int,
    at: datetime,
    post: bool,
    *,
    events: list[dict],
    outbox: list[dict],
    from_stage: str = Stage.LEAD,
    kind: str = "handed_over",
    data: dict | None = None,
) -> None:
    """The hand-off's event and, unless it is history, its card in the outbox."""
    events.append(
        _event(lead_id, at, kind=kind, from_stage=from_stage, to_stage=Stage.PROFILED, data=data)
    )
    if post:
        outbox.append(
            {
                "lead_id": lead_id,
                "kind": LEAD_CARD,
                "payload": {},
                "created_at": at,
                "available_at": at,
                "attempts": 0,
            }
        )


def _event(
    lead_id: int,
    at: datetime,
    *,
    kind: str,
    from_stage: str | None,
    to_stage: str,
    data: dict | None = None,
) -> dict:
    return {
        "lead_id": lead_id,
        "at": at,
        "actor": INTAKE_ACTOR,
        "kind": kind,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "data": data or {},
    }
