"""Realistic sample leads with their histories, for the demo and for trying the bot.

Generation is deterministic for a given seed and instant, so the demo prints the same
summary every time it runs at the same moment, and tests can rely on its shape.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.lifecycle import Action, after, state_of
from bot.domain.vocabulary import (
    ATTEMPT_CHANNELS,
    EXIT_FROM,
    EXIT_REASONS,
    STAGES,
    Exit,
    Stage,
)
from bot.domain.work import EXIT_ACTIONS as EXIT_ACTION
from storage import queries
from storage.models import Lead, LeadEvent

SELLERS = {
    "U0SELLER01": "Ana Torres",
    "U0SELLER02": "Bruno Díaz",
    "U0SELLER03": "Carla Méndez",
    "U0SELLER04": "Diego Ramos",
}
FIRST_NAMES = (
    "Lucía Mateo Sofía Santiago Valentina Sebastián Camila Nicolás Isabella Emiliano "
    "Mariana Joaquín Daniela Tomás Renata Andrés Paula Gabriel Fernanda Martín Olivia Liam "
    "Emma Noah Ava James Mia Lucas Chloe Ethan"
).split()
LAST_NAMES = (
    "García Martínez López Hernández González Pérez Rodríguez Sánchez Ramírez Cruz Flores "
    "Morales Vargas Castillo Ortiz Silva Rojas Navarro Smith Johnson Brown Walker Young"
).split()
COMPANIES = (
    "Grupo Andino",
    "Logística Pacífico",
    "Clínica Santa Fe",
    "Northwind Foods",
    "Contoso Retail",
    "Fabrikam Industrial",
    "Estudio Lumen",
    "AgroVerde",
    "Constructora Ébano",
    "Tailspin Travel",
    "Colegio Horizonte",
    "Hotel Miramar",
    "Farmacias Vida",
    "Finanzas Claras",
    "Blue Yonder Air",
)
JOB_TITLES = (
    "CEO",
    "Operations manager",
    "Marketing director",
    "Head of IT",
    "Purchasing lead",
    "Founder",
    "CFO",
    "Office manager",
)
ZONES = {"North": 3, "Center": 5, "South": 2, "Bajío": 2}
SERVICES = {"CRM setup": 4, "Marketing automation": 3, "Sales training": 2, "Consulting": 1}
AGE_RANGES = {"18-24": 1, "25-34": 4, "35-44": 5, "45-54": 3, "55+": 1}
ORIGINS = (  # (source, channel, campaign, weight)
    ("google", "paid-search", "black-friday", 5),
    ("google", "paid-search", "brand-search", 3),
    ("meta", "paid-social", "black-friday", 4),
    ("linkedin", "paid-social", "webinar-crm", 3),
    ("organic", "organic-search", "ebook-automation", 3),
    ("newsletter", "email", "webinar-crm", 2),
    ("referral", "referral", "partners", 1),
)
PLATFORMS = {"api": 2, "rdstation": 3, "hubspot": 3}
NOTES = {
    "not_icp": "Freelancer, too small for our packages.",
    "wrong_region": "Based outside the regions we serve.",
    "price": "Went with a cheaper local provider.",
    "competitor": "Signed with a competitor last week.",
    "not_ready": "Interested, but revisiting next quarter.",
    "unreachable": "Six attempts, no answer.",
}


@dataclass
class SampleLead:
    """A lead to store and the events of its history, in order."""

    lead: Lead
    events: list[LeadEvent] = field(default_factory=list)


def generate_sample_leads(*, now: datetime, count: int = 320, seed: int = 7) -> list[SampleLead]:
    """`count` leads created over the 90 days before `now`, at every stage and every exit."""
    rng = random.Random(seed)
    return [_sample_lead(rng, now, number) for number in range(count)]


def generate_sample_metrics(
    *, now: datetime, tz: ZoneInfo, days: int = 90, seed: int = 7
) -> list[dict]:
    """What the marketing platforms would report for the sample leads' origins, day by day
    over the `days` local days to `now`'s: impressions in proportion to each origin's share
    of the leads, 2–3% of them clicked, and 6–10% of the clicks counted as leads."""
    rng = random.Random(seed)
    today = now.astimezone(tz).date()
    rows = []
    for back in range(days):
        for source, channel, campaign, weight in ORIGINS:
            shown = round(weight * rng.uniform(70, 100))
            clicked = round(shown * rng.uniform(0.02, 0.03))
            rows.append(
                {"date": today - timedelta(days=back), "channel": channel, "source": source,
                 "campaign": campaign, "impressions": shown, "clicks": clicked,
                 "leads": round(clicked * rng.uniform(0.06, 0.1))}
            )  # fmt: skip
    return rows


def store_sample_leads(session: Session, *, samples: list[SampleLead]) -> None:
    """Store the leads, then their events (which need the leads' ids)."""
    queries.add_all(session, rows=[s.lead for s in samples])
    for sample in samples:
        for event in sample.events:
            event.lead_id = sample.lead.id
    queries.add_all(session, rows=[e for s in samples for e in s.events])


def _pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _sample_lead(rng: random.Random, now: datetime, number: int) -> SampleLead:
    created = now - timedelta(days=rng.uniform(0, 89), hours=rng.uniform(0, 8))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = rng.choice(COMPANIES)
    source, channel, campaign, _ = rng.choices(ORIGINS, weights=[o[3] for o in ORIGINS])[0]
    platform = _pick(rng, PLATFORMS)
    domain = company.lower().replace(" ", "").replace("í", "i").replace("é", "e")
    profiled = rng.random() < 0.72
    lead = Lead(
        platform=platform,
        external_id=f"{platform}-{10000 + number}",
        source=source,
        campaign=campaign,
        channel=channel,
        name=f"{first} {last}",
        email=f"{first}.{last}{number}@{domain}.example".lower(),
        phone=f"+52155{rng.randint(10000000, 99999999)}",
        company=company,
        job_title=rng.choice(JOB_TITLES),
        zone=_pick(rng, ZONES),
        age_range=_pick(rng, AGE_RANGES),
        service=_pick(rng, SERVICES),
        score=round(rng.uniform(55, 98) if profiled else rng.uniform(10, 60)),
        summary=f"{company} is looking at {campaign.replace('-', ' ')} offers.",
        history="Downloaded two ebooks; attended one webinar." if rng.random() < 0.5 else None,
        approach="Open with the case study of a similar company.",
        profile_url=f"https://crm.example/contacts/{10000 + number}",
        estimated_value=float(rng.choice((3000, 5000, 6667, 8000, 12000))),
        created_at=created,
        received_at=created,
        updated_at=created,
    )
    sample = SampleLead(lead=lead)
    if profiled:
        _live_through_funnel(rng, now, sample)
    return sample


def _live_through_funnel(rng: random.Random, now: datetime, sample: SampleLead) -> None:
    """Move a profiled lead forward until it stops, wins or exits, stamping each step."""
    lead = sample.lead
    at = lead.created_at
    _reach(sample, Stage.PROFILED, at, actor="intake", kind="handed_over")
    seller = rng.choice(list(SELLERS))
    # Chance of moving on from each stage; the rest stay or leave by an exit.
    onward = {
        Stage.PROFILED: 0.8,
        Stage.ACCEPTED: 0.75,
        Stage.CONTACTED: 0.55,
        Stage.QUALIFIED: 0.5,
    }
    stage = Stage.PROFILED
    while stage is not Stage.WON:
        at = at + timedelta(hours=rng.uniform(0.3, 30) * (stage.rank or 1))
        if at >= now:
            return
        if rng.random() >= onward[stage]:
            if rng.random() < 0.7:  # most leads that stop here leave the funnel
                _leave(rng, sample, stage, at, seller)
            return
        stage = STAGES[stage.rank + 1]
        if stage is Stage.ACCEPTED:
            lead.owner_id = seller
            _move(sample, Action.CLAIM, at, actor=seller)
        elif stage is Stage.CONTACTED:
            _attempts(rng, sample, at, seller)
        elif stage is Stage.QUALIFIED:
            _move(sample, Action.QUALIFY, at, actor=seller)
        else:
            lead.won_value = lead.estimated_value * rng.uniform(0.8, 1.3)
            _move(sample, Action.WIN, at, actor=seller, value=round(lead.won_value, 2))


def _reach(
    sample: SampleLead, stage: Stage, at: datetime, *, actor: str, kind: str, value=None
) -> None:
    lead = sample.lead
    sample.events.append(
        LeadEvent(
            at=at,
            actor=actor,
            kind=kind,
            from_stage=lead.stage,
            to_stage=stage.value,
            value=value,
        )
    )
    setattr(lead, stage.reached_column, at)
    lead.stage = stage.value
    lead.updated_at = at


def _move(sample: SampleLead, action: Action, at: datetime, *, actor: str, value=None) -> None:
    """A seller's move, exactly as the lifecycle table allows it (an error otherwise)."""
    target = after(action, state_of(sample.lead))  # raises if the move is not allowed
    _reach(sample, target.stage, at, actor=actor, kind=action.value, value=value)


def _attempts(rng: random.Random, sample: SampleLead, at: datetime, seller: str) -> None:
    """A few unanswered attempts, then the one that connects."""
    lead = sample.lead
    misses = rng.choice((0, 0, 1, 1, 2, 3))
    accepted = lead.accepted_at or at
    for miss in range(misses):
        when = accepted + (at - accepted) * (miss + 1) / (misses + 1)
        outcome = rng.choice(("no_answer", "left_message"))
        how = rng.choice(ATTEMPT_CHANNELS)
        sample.events.append(_attempt(lead, when, seller, how=how, outcome=outcome))
        lead.first_touch_at = lead.first_touch_at or when
    lead.first_touch_at = lead.first_touch_at or at
    lead.attempts = misses + 1
    how = rng.choice(ATTEMPT_CHANNELS)
    sample.events.append(_attempt(lead, at, seller, how=how, outcome="connected"))
    _move(sample, Action.CONTACT, at, actor=seller)


def _attempt(lead: Lead, at: datetime, seller: str, *, how: str, outcome: str) -> LeadEvent:
    return LeadEvent(
        at=at,
        actor=seller,
        kind="attempt",
        from_stage=lead.stage,
        to_stage=lead.stage,
        data={"how": how, "outcome": outcome},
    )


def _leave(rng: random.Random, sample: SampleLead, stage: Stage, at: datetime, seller: str) -> None:
    exits = [exit_ for exit_ in Exit if stage in EXIT_FROM[exit_]]
    exit_ = rng.choice(exits)
    reason = rng.choice(EXIT_REASONS[exit_])
    lead = sample.lead
    action = EXIT_ACTION[exit_]
    after(action, state_of(lead))  # raises if the move is not allowed
    lead.exit, lead.exit_reason, lead.exited_at = exit_.value, reason, at
    actor = lead.owner_id or seller
    sample.events.append(
        LeadEvent(
            at=at,
            actor=actor,
            kind=action.value,
            from_stage=lead.stage,
            to_stage=exit_.value,
            reason_code=reason,
            note=NOTES.get(reason),
        )
    )
