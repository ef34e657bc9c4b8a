"""Funnel report: the report's queries against one hand-written SELECT over the same leads.

What it measures. `/funnel` answers from SQL aggregations over the `lead` table (the
funnel section of `storage/queries.py`, called by `bot.domain.funnel`). This script fills a
database with `--leads` (1,000,000) leads created over the three years before a fixed
"now", each with its history (`--events-per-lead`, 5, `lead_event` rows on average), and
times, each `--runs` (20) times after 2 warm-ups: the counts, conversions and revenue of
`all` and of last month (`funnel_tally`, what `figures` runs but the medians), the
medians apart (`funnel_median` for each of `funnel.CLOCKS`), the breakdowns of `all` by
zone, campaign and hour (`breakdown_rows`), and last month's whole `funnel_report` (its
previous month included).

Why the baseline is in the same run. A time in milliseconds says as much about the machine
and the data as about the report. The baseline is one SELECT written by hand: conditional
aggregates over the whole lead table (every lead, how many reached each stage, each exit,
the revenue won) in one pass, which is about the least any `all` figure can cost on this
machine with these rows right now. Report ÷ baseline is what the report's own shape adds.
The measurements take turns round by round (in one order, then the other), so a change in
the machine's load weighs on all of them alike. The aims, set for SQLite: last month's
counts at p95 under 100 ms; `all` and each breakdown at p95 under 500 ms and, at p50,
within 1.5 times the baseline's p50. They are reported (met / NOT met), not enforced.

What must hold. The report's counts for `all` equal the baseline's (every lead, every
stage, every exit, the revenue); each breakdown adds up to them; last month's report holds
the leads a hand-written count finds between its bounds; the medians are over every lead
that has the figure; and the database holds the leads and events asked for. Any of these
failing makes the run exit non-zero.

The data. Generated from a seeded `random.Random`, so a seed gives the same leads on every
backend: stages reached with a plausible drop-off, exits with their reasons
(`EXIT_REASONS`), zones, services, sources, ~50 campaigns, channels and age ranges with
uneven weights, 30 sellers owning the accepted leads, won values, routing and response
minutes, and stamps consistent with the stage reached (a lead whose next step would fall
after "now" has not taken it yet). The schema comes from the migrations (`upgrade`); rows
go in by `executemany` on SQLite and `COPY` on PostgreSQL, then `ANALYZE`. The SQLite file
is kept in a temporary directory, named by the leads, events, seed, schema head and
generator version, and reused by later runs (`--fresh` makes it again); a
`--database-url` for PostgreSQL gets a schema of its own, filled, measured and dropped.

    .venv/bin/python scripts/bench_funnel.py [--leads 1000000] [--runs 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic.script import ScriptDirectory
from bench_intake import Aim, percentile, positive, postgres_schema, run
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlmodel import Session

from bot.domain import funnel
from bot.domain.funnel_query import Window, parse_query, previous, resolve
from bot.domain.sla import Policy
from bot.domain.vocabulary import EXIT_FROM, EXIT_REASONS, STAGES, Exit, Stage
from storage import queries
from storage.db import MIGRATIONS_DIR, make_engine, session_factory, upgrade

LEADS = 1_000_000
EVENTS_PER_LEAD = 5.0
SEED = 20261215
RUNS = 20
WARMUPS = 2
TIMEZONE = "America/Sao_Paulo"  # the team's zone; it had DST until 2019
# The fixed "now" the leads are generated before and the windows are resolved at.
NOW = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
SPAN_DAYS = 3 * 365
CHUNK = 10_000  # leads generated, written and committed at a time
# Bump when the generated rows change: a cached file of another version is not reused.
GENERATOR = 1
CACHE_DIR = Path(tempfile.gettempdir()) / "smarketing-bench-funnel"
MONTH_AIM_MS = 100.0
ALL_AIM_MS = 500.0
RATIO_AIM = 1.5
BREAKDOWNS = ("zone", "campaign", "hour")

# The hand-written baseline: one pass, conditional aggregates, no cohort condition.
BASELINE_SQL = """
SELECT count(*) AS leads,
       sum(CASE WHEN stage IN ('profiled', 'accepted', 'contacted', 'qualified', 'won')
           THEN 1 ELSE 0 END) AS profiled,
       sum(CASE WHEN stage IN ('accepted', 'contacted', 'qualified', 'won')
           THEN 1 ELSE 0 END) AS accepted,
       sum(CASE WHEN stage IN ('contacted', 'qualified', 'won') THEN 1 ELSE 0 END) AS contacted,
       sum(CASE WHEN stage IN ('qualified', 'won') THEN 1 ELSE 0 END) AS qualified,
       sum(CASE WHEN stage = 'won' THEN 1 ELSE 0 END) AS won,
       sum(CASE WHEN exit = 'rejected' THEN 1 ELSE 0 END) AS rejected,
       sum(CASE WHEN exit = 'lost' THEN 1 ELSE 0 END) AS lost,
       sum(CASE WHEN exit = 'nurture' THEN 1 ELSE 0 END) AS nurture,
       sum(CASE WHEN stage = 'won' THEN coalesce(won_value, 0) ELSE 0 END) AS revenue
FROM lead
"""
COUNTED = ("leads", *(stage.value for stage in STAGES[1:]), *(exit_.value for exit_ in Exit))


# -- the leads ---------------------------------------------------------------------------------

# (value, weight): a few values carry most leads, as they do in a real pipeline.
ZONES = (
    ("Center", 30), ("North", 18), ("South", 14), ("Bajío", 10), ("West", 8), ("East", 7),
    ("Coast", 6), ("Highlands", 4), ("Islands", 2), (None, 1),
)  # fmt: skip
SERVICES = (
    ("CRM setup", 30), ("Marketing automation", 22), ("Sales training", 15),
    ("Consulting", 12), ("Data migration", 8), ("Support plan", 6), ("Analytics", 5),
    (None, 2),
)  # fmt: skip
AGE_RANGES = (
    ("18-24", 6), ("25-34", 28), ("35-44", 30), ("45-54", 20), ("55-64", 10), ("65+", 3),
    (None, 3),
)  # fmt: skip
ORIGINS = (  # (source, channel)
    ("google", "paid-search"), ("meta", "paid-social"), ("linkedin", "paid-social"),
    ("organic", "organic-search"), ("newsletter", "email"), ("referral", "referral"),
    ("events", "offline"),
)  # fmt: skip
THEMES = (
    "black-friday", "brand-search", "webinar-crm", "ebook-automation", "partners",
    "case-study", "retargeting", "free-trial", "demo-day", "price-page",
)  # fmt: skip
# ~50 campaigns, each of one origin; the first ones far bigger than the last (Zipf-like).
CAMPAIGNS = tuple(
    (f"{THEMES[n % len(THEMES)]}-{n // len(THEMES) + 1}", *ORIGINS[n % len(ORIGINS)])
    for n in range(50)
)
CAMPAIGN_WEIGHTS = tuple(1 / (n + 1) ** 0.9 for n in range(len(CAMPAIGNS)))
SELLERS = tuple(f"U0SELL{n:02d}" for n in range(30))
SELLER_WEIGHTS = tuple(2 + n % 5 for n in range(len(SELLERS)))
PLATFORMS = (("api", 2), ("rdstation", 3), ("hubspot", 3))
COMPANIES = (
    "Grupo Andino", "Logística Pacífico", "Clínica Santa Fe", "Northwind Foods",
    "Contoso Retail", "Fabrikam Industrial", "Estudio Lumen", "AgroVerde",
    "Constructora Ébano", "Tailspin Travel", "Colegio Horizonte", "Hotel Miramar",
)  # fmt: skip
JOB_TITLES = ("CEO", "Operations manager", "Marketing director", "Head of IT", "Founder", "CFO")
# Local hour of conversion: mostly the working day, little at night.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2)
# Of the leads at a stage, the share that moves on to the next one.
ONWARD = {
    Stage.LEAD: 0.62,
    Stage.PROFILED: 0.80,
    Stage.ACCEPTED: 0.72,
    Stage.CONTACTED: 0.45,
    Stage.QUALIFIED: 0.32,
}
LEAVES = 0.75  # of the profiled-or-later leads that stop, the share that leaves by an exit
EXIT_WEIGHTS = {Exit.REJECTED: 3, Exit.LOST: 3, Exit.NURTURE: 2}
ATTEMPT_DATA = tuple(
    json.dumps({"how": how, "outcome": outcome})
    for how in ("call", "email", "whatsapp")
    for outcome in ("no_answer", "left_message")
)
CONNECTED = json.dumps({"how": "call", "outcome": "connected"})

LEAD_COLUMNS = (
    "id", "platform", "external_id", "source", "campaign", "channel", "name", "email",
    "phone", "phone_valid", "company", "job_title", "zone", "age_range", "service", "score",
    "summary", "history", "approach", "profile_url", "estimated_value", "custom_fields",
    "stage", "exit", "exit_reason", "owner_id", "assignee_id", "attempts", "won_value",
    "quality_rating", "routing_minutes", "response_minutes", "profile_minutes",
    "contact_minutes", "qualify_minutes", "win_minutes", "created_at", "received_at",
    "updated_at", "profiled_at", "accepted_at", "first_touch_at", "contacted_at",
    "qualified_at", "won_at", "exited_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "lead_id", "at", "actor", "kind", "from_stage", "to_stage", "reason_code", "note",
    "value", "data",
)  # fmt: skip
# The stamps of a lead's stages, by rank (`lead` is `created_at`).
_STAMP_OF = {stage.rank: stage.reached_column for stage in STAGES}
_NOW_SECONDS = int(NOW.timestamp())
_EPOCH = date(1970, 1, 1)


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values = [value for value, _ in pairs]
    return values, list(itertools.accumulate(weight for _, weight in pairs))


class Stamps:
    """Seconds since the epoch (UTC) as the text a backend stores: SQLAlchemy's SQLite
    format (naive UTC, microseconds always written), or a `timestamptz` literal."""

    def __init__(self, dialect: str):
        self._suffix = "+00" if dialect == "postgresql" else ""
        self._days: dict[int, str] = {}

    def __call__(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        day, second = divmod(seconds, 86_400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (_EPOCH + timedelta(days=day)).isoformat()
        hour, rest = divmod(second, 3600)
        minute, second = divmod(rest, 60)
        return f"{prefix} {hour:02d}:{minute:02d}:{second:02d}.000000{self._suffix}"


def creation_times(rng: random.Random, count: int, tz: ZoneInfo) -> list[int]:
    """`count` creation instants (epoch seconds, ascending) over the `SPAN_DAYS` before
    `NOW`: more leads as time goes on (linear growth), fewer at weekends, by local hour."""
    offset = int(NOW.astimezone(tz).utcoffset().total_seconds())  # the zone's offset today
    first_day = (NOW + timedelta(seconds=offset)).date() - timedelta(days=SPAN_DAYS)
    first_midnight = (first_day - _EPOCH).days * 86_400 - offset
    hours = list(itertools.accumulate(HOUR_WEIGHTS))
    growth = 0.4  # the first day gets 0.4 / 1.4 of the last day's leads
    times: list[int] = []
    while len(times) < count:
        share = -growth + math.sqrt(growth * growth + (2 * growth + 1) * rng.random())
        day = min(int(share * SPAN_DAYS), SPAN_DAYS)
        if (first_day + timedelta(days=day)).weekday() >= 5 and rng.random() < 0.6:
            continue
        hour = bisect.bisect(hours, rng.random() * hours[-1])
        moment = first_midnight + day * 86_400 + hour * 3600 + rng.randrange(3600)
        if moment < _NOW_SECONDS:
            times.append(moment)
    times.sort()
    return times


def _event(
    at: int,
    actor: str,
    kind: str,
    from_stage: str | None,
    to_stage: str | None,
    *,
    reason: str | None = None,
    value: float | None = None,
    data: str = "{}",
) -> tuple:
    """An event without its ids, at `at` (epoch seconds): the rest of `EVENT_COLUMNS`."""
    return (at, actor, kind, from_stage, to_stage, reason, None, value, data)


def _business(wall_minutes: float) -> float:
    """Rough business minutes of a wall-clock span: all of a short one, a quarter of a long
    one (45 working hours in a week's 168)."""
    return round(wall_minutes if wall_minutes < 240 else 240 + (wall_minutes - 240) * 0.27, 1)


@dataclass
class History:
    """One generated lead: its row (by `LEAD_COLUMNS`) and its events (without ids)."""

    row: list[Any]
    events: list[tuple]
    rank: int  # the stage reached
    accepted_at: int | None
    last_at: int


class Generator:
    """Leads and their events, chunk by chunk, from one seeded random sequence."""

    def __init__(self, seed: int, dialect: str):
        self.rng = random.Random(seed)
        self.stamp = Stamps(dialect)
        self.zones = _weighted(ZONES)
        self.services = _weighted(SERVICES)
        self.ages = _weighted(AGE_RANGES)
        self.platforms = _weighted(PLATFORMS)
        self.campaigns = list(CAMPAIGNS), list(itertools.accumulate(CAMPAIGN_WEIGHTS))
        self.sellers = list(SELLERS), list(itertools.accumulate(SELLER_WEIGHTS))

    def pick(self, weighted: tuple[list[Any], list[float]]) -> Any:
        values, cumulative = weighted
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def minutes(self, median: float, sigma: float) -> float:
        return self.rng.lognormvariate(math.log(median), sigma)

    def attempt(self, at: int, seller: str, *, data: str | None = None) -> tuple:
        """A seller's attempt on an accepted lead; unanswered unless `data` says otherwise."""
        data = data or ATTEMPT_DATA[self.rng.randrange(len(ATTEMPT_DATA))]
        return _event(at, seller, "attempt", "accepted", "accepted", data=data)

    def lead(self, lead_id: int, created: int) -> History:
        """A lead created at `created` and what happened to it up to `NOW`."""
        rng = self.rng
        platform_ = self.pick(self.platforms)
        campaign, source, channel = self.pick(self.campaigns)
        company = COMPANIES[lead_id % len(COMPANIES)]
        values: dict[str, Any] = {
            "id": lead_id,
            "platform": platform_,
            "external_id": f"{platform_}-{lead_id}",
            "source": source,
            "campaign": campaign,
            "channel": channel,
            "name": f"Bench lead {lead_id}",
            "email": f"lead{lead_id}@bench.example",
            "phone": f"+5511{rng.randrange(10**8, 10**9)}",
            "phone_valid": True,
            "company": company,
            "job_title": JOB_TITLES[lead_id % len(JOB_TITLES)],
            "zone": self.pick(self.zones),
            "age_range": self.pick(self.ages),
            "service": self.pick(self.services),
            "score": round(rng.uniform(10, 98)),
            "summary": f"{company} is looking at {campaign.replace('-', ' ')} offers.",
            "history": "Downloaded two ebooks; attended one webinar."
            if rng.random() < 0.4
            else None,
            "approach": "Open with the case study of a similar company.",
            "profile_url": f"https://crm.example/contacts/{lead_id}",
            "estimated_value": float(rng.choice((3000, 5000, 6667, 8000, 12000))),
            "custom_fields": "{}",
            "stage": "lead",
            "attempts": 0,
            "created_at": created,
            "received_at": created,
        }
        events = [_event(created, "intake", "captured", None, "lead")]
        seller = self.pick(self.sellers)
        at, rank, accepted_at = created, 0, None

        def reach(stage: Stage, moment: int, actor: str, kind: str, value=None) -> None:
            events.append(_event(moment, actor, kind, values["stage"], stage.value, value=value))
            values["stage"], values[_STAMP_OF[stage.rank]] = stage.value, moment

        while rank < Stage.WON.rank:
            stage = STAGES[rank]
            if rng.random() >= ONWARD[stage]:
                break
            if rank == Stage.LEAD.rank:  # profiled: handed over to sales
                wall = self.minutes(30, 1.2)
                step = int(wall * 60)
                if at + step >= _NOW_SECONDS:
                    break
                values["profile_minutes"] = _business(wall)
                at += step
                reach(Stage.PROFILED, at, "intake", "handed_over")
            elif rank == Stage.PROFILED.rank:  # accepted: a seller claims it
                routing = self.minutes(15, 1.0)
                step = int(routing * 60)
                if at + step >= _NOW_SECONDS:
                    break
                values["routing_minutes"] = _business(routing)
                at += step
                accepted_at = at
                values["owner_id"] = values["assignee_id"] = seller
                reach(Stage.ACCEPTED, at, seller, "claim")
            elif rank == Stage.ACCEPTED.rank:  # contacted: attempts, the last one connects
                misses = rng.choice((0, 0, 1, 1, 2, 3))
                response = self.minutes(45, 1.1)
                first = at + int(response * 60)
                gap = int(self.minutes(600, 1.2) * 60)
                contacted = first + misses * gap
                if contacted >= _NOW_SECONDS:
                    break
                values["response_minutes"] = _business(response)
                values["first_touch_at"] = first
                values["attempts"] = misses + 1
                values["contact_minutes"] = _business((contacted - at) / 60)
                for miss in range(misses):
                    events.append(self.attempt(first + miss * gap, seller))
                events.append(self.attempt(contacted, seller, data=CONNECTED))
                at = contacted
                reach(Stage.CONTACTED, at, seller, "contact")
            elif rank == Stage.CONTACTED.rank:  # qualified: a meeting booked
                wall = self.minutes(3 * 1440, 0.9)
                if at + int(wall * 60) >= _NOW_SECONDS:
                    break
                values["qualify_minutes"] = _business(wall)
                at += int(wall * 60)
                reach(Stage.QUALIFIED, at, seller, "qualify")
            else:  # won
                wall = self.minutes(14 * 1440, 0.8)
                if at + int(wall * 60) >= _NOW_SECONDS:
                    break
                values["win_minutes"] = _business(wall)
                at += int(wall * 60)
                won = round(values["estimated_value"] * rng.uniform(0.6, 1.6), 2)
                values["won_value"] = won
                values["quality_rating"] = rng.randint(3, 5)
                reach(Stage.WON, at, seller, "win", won)
            rank += 1

        stage = STAGES[rank]
        if stage is Stage.ACCEPTED and rng.random() < 0.6:  # tried, not reached yet
            response = self.minutes(60, 1.2)
            first = at + int(response * 60)
            if first < _NOW_SECONDS:
                values["response_minutes"] = _business(response)
                values["first_touch_at"] = first
                values["attempts"] = 1
                events.append(self.attempt(first, seller))
                at = first
        if stage not in (Stage.LEAD, Stage.WON) and rng.random() < LEAVES:
            exits = [exit_ for exit_ in Exit if stage in EXIT_FROM[exit_]]
            exit_ = rng.choices(exits, weights=[EXIT_WEIGHTS[e] for e in exits])[0]
            reasons = EXIT_REASONS[exit_]
            # The first reasons of each list are the usual ones.
            reason = rng.choices(reasons, weights=[1 / (n + 1) for n in range(len(reasons))])[0]
            left = at + int(self.minutes(5 * 1440, 1.0) * 60)
            if left < _NOW_SECONDS:
                values["exit"], values["exit_reason"], values["exited_at"] = (
                    exit_.value,
                    reason,
                    left,
                )
                if exit_ is Exit.LOST:
                    values["quality_rating"] = rng.randint(1, 4)
                actor = values.get("owner_id") or "U0MARKETING"
                kind = {Exit.REJECTED: "reject", Exit.LOST: "lose", Exit.NURTURE: "nurture"}[exit_]
                events.append(_event(left, actor, kind, stage.value, exit_.value, reason=reason))
                at = left
        values["updated_at"] = at
        stamp = self.stamp
        for column in (
            "created_at", "received_at", "updated_at", "profiled_at", "accepted_at",
            "first_touch_at", "contacted_at", "qualified_at", "won_at", "exited_at",
        ):  # fmt: skip
            values[column] = stamp(values.get(column))
        row = [values.get(column) for column in LEAD_COLUMNS]
        return History(row, events, rank, accepted_at, at)

    def extra_events(self, history: History, count: int) -> None:
        """`count` more events in the lead's life: attempts once a seller has it, re-offers
        before that."""
        rng = self.rng
        if history.accepted_at is not None:
            start = history.accepted_at
            end = min(max(history.last_at, start + 30 * 86_400), _NOW_SECONDS - 1)
            seller = history.row[LEAD_COLUMNS.index("owner_id")]
            for _ in range(count):
                history.events.append(self.attempt(rng.randint(start, max(start, end)), seller))
        else:
            # Offered again by the SLA sweep in the two days after the hand-over.
            start = history.events[min(1, len(history.events) - 1)][0]
            end = min(start + 2 * 86_400, _NOW_SECONDS - 1)
            stage = history.row[LEAD_COLUMNS.index("stage")]
            for _ in range(count):
                moment = rng.randint(start, max(start, end))
                history.events.append(_event(moment, "sla", "reoffered", stage, stage))

    def chunk(self, first_id: int, created: Sequence[int], events: int) -> list[History]:
        """The leads `first_id`… created at `created`, with `events` events between them:
        each lead's own history, then more attempts and re-offers spread over the profiled
        leads, or the histories cut short, to make the count."""
        histories = [self.lead(first_id + n, moment) for n, moment in enumerate(created)]
        natural = sum(len(h.events) for h in histories)
        if events >= natural:
            profiled = [n for n, h in enumerate(histories) if h.rank >= Stage.PROFILED.rank]
            candidates = profiled or list(range(len(histories)))
            for index, count in Counter(self.rng.choices(candidates, k=events - natural)).items():
                self.extra_events(histories[index], count)
        else:  # keep each lead's first events, in proportion
            kept_before = 0
            total = 0
            for history in histories:
                total += len(history.events)
                kept = total * events // natural
                del history.events[kept - kept_before :]
                kept_before = kept
        return histories


def expected_events(leads: int, per_lead: float) -> int:
    return round(leads * per_lead)


def write_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence]
) -> None:
    """Bulk rows: `COPY` on PostgreSQL, one `executemany` of plain tuples elsewhere."""
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with (
            connection.connection.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


def generate(
    engine: Engine, *, leads: int, events_per_lead: float, seed: int, tz: ZoneInfo
) -> tuple[int, int]:
    """Migrate, fill and analyse; (leads, events) written."""
    upgrade(engine)
    dialect = engine.dialect.name
    present = {column["name"] for column in inspect(engine).get_columns("lead")}
    # Columns of a newer or older schema than the generator's are left to their default.
    kept = [n for n, column in enumerate(LEAD_COLUMNS) if column in present]
    lead_columns = [LEAD_COLUMNS[n] for n in kept]
    generator = Generator(seed, dialect)
    created = creation_times(generator.rng, leads, tz)
    stamp = generator.stamp
    event_id = 0
    for start in range(0, leads, CHUNK):
        end = min(start + CHUNK, leads)
        wanted = expected_events(end, events_per_lead) - expected_events(start, events_per_lead)
        histories = generator.chunk(start + 1, created[start:end], wanted)
        lead_rows = [tuple(h.row[n] for n in kept) for h in histories]
        event_rows = []
        for history in histories:
            lead_id = history.row[0]
            for at, *rest in sorted(history.events, key=lambda e: e[0]):
                event_id += 1
                event_rows.append((event_id, lead_id, stamp(at), *rest))
        with engine.begin() as connection:
            write_rows(connection, "lead", lead_columns, lead_rows)
            write_rows(connection, "lead_event", EVENT_COLUMNS, event_rows)
    if dialect == "postgresql":
        # Explicit ids leave the sequences behind; VACUUM sets the visibility map an
        # autovacuum would have set by now, without which no index-only scan pays.
        with engine.begin() as connection:
            for table in ("lead", "lead_event"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": max(1, leads if table == "lead" else event_id)},
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE lead"))
            connection.execute(text("VACUUM ANALYZE lead_event"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return leads, event_id


@dataclass
class Database:
    url: str
    description: str
    generation: str  # how the rows came to be there, with the time it took


def schema_head() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or "none"


@contextmanager
def filled_database(arguments: argparse.Namespace, tz: ZoneInfo) -> Iterator[Database]:
    """The database to measure: the cached SQLite file (made first when missing or with
    `--fresh`), or a PostgreSQL schema of its own, filled, and dropped after."""
    shape = {
        "leads": arguments.leads,
        "events_per_lead": arguments.events_per_lead,
        "seed": arguments.seed,
    }
    with ExitStack() as stack:
        if arguments.database_url:
            url = stack.enter_context(postgres_schema(arguments.database_url))
            engine = make_engine(url)
            try:
                began = time.perf_counter()
                generate(engine, tz=tz, **shape)
                took = time.perf_counter() - began
            finally:
                engine.dispose()
            description = "postgresql (dedicated schema, dropped after)"
            yield Database(url, description, f"generated in {took:.1f} s")
            return
        cache = Path(arguments.cache_dir)
        cache.mkdir(parents=True, exist_ok=True)
        name = (
            f"funnel-{arguments.leads}l-{arguments.events_per_lead:g}e-seed{arguments.seed}"
            f"-schema{schema_head()}-g{GENERATOR}"
        )
        path, facts = cache / f"{name}.db", cache / f"{name}.json"
        if arguments.fresh or not (path.is_file() and facts.is_file()):
            for stale in (path, facts):
                stale.unlink(missing_ok=True)
            # Made under another name and renamed once complete: an interrupted run leaves
            # nothing a later one would take for a cache.
            partial = cache / f"{name}.partial.db"
            for leftover in cache.glob(f"{name}.partial.db*"):
                leftover.unlink()
            engine = make_engine(f"sqlite:///{partial}")
            try:
                began = time.perf_counter()
                generate(engine, tz=tz, **shape)
                took = time.perf_counter() - began
            finally:
                engine.dispose()  # the last connection closed checkpoints and drops the WAL
            os.replace(partial, path)
            facts.write_text(json.dumps({"generation_seconds": round(took, 1)}))
            generation = f"generated in {took:.1f} s"
        else:
            took = json.loads(facts.read_text())["generation_seconds"]
            generation = f"reused (generated in {took:.1f} s)"
        description = f"sqlite {sqlite3.sqlite_version} (cached file {path})"
        yield Database(f"sqlite:///{path}", description, generation)


# -- the measurements --------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    runs: int


@dataclass
class Measurement:
    """One thing to time: a call, its durations, and what its first call returned."""

    name: str
    call: Callable[[], Any]
    seconds: list[float] = field(default_factory=list)
    result: Any = None

    def timing(self) -> Timing:
        values = self.seconds or [math.nan]
        return Timing(
            self.name,
            round(percentile(values, 0.50) * 1000, 2),
            round(percentile(values, 0.95) * 1000, 2),
            len(self.seconds),
        )


def time_in_turns(measurements: list[Measurement], *, runs: int, warmups: int) -> None:
    """Every measurement once per round, the order reversed every other round; the first
    `warmups` rounds are not counted."""
    for number in range(warmups + runs):
        turn = measurements if number % 2 == 0 else measurements[::-1]
        for measurement in turn:
            began = time.perf_counter()
            result = measurement.call()
            took = time.perf_counter() - began
            if measurement.result is None:
                measurement.result = result
            if number >= warmups:
                measurement.seconds.append(took)


def baseline(session: Session) -> dict[str, float]:
    row = session.connection().execute(text(BASELINE_SQL)).one()
    return {key: value or 0 for key, value in row._mapping.items()}


def counts(session: Session, window: Window) -> tuple[dict[str, float], list]:
    """What `figures` asks the database but the medians (`funnel_tally`: counts, exits,
    reasons, revenue in one pass), folded as `figures` folds it."""
    tally = queries.funnel_tally(session, since=window.start, until=window.end, owner=None)
    found: dict[str, float] = {"leads": sum(row[3] for row in tally)}
    for stage in STAGES[1:]:
        found[stage.value] = sum(row[3] for row in tally if Stage(row[0]).rank >= stage.rank)
    for exit_ in Exit:
        found[exit_.value] = sum(row[3] for row in tally if row[1] == exit_.value)
    found["revenue"] = sum(row[4] for row in tally if row[0] == Stage.WON.value)
    return found, tally


def medians(session: Session, window: Window) -> dict[str, tuple[float | None, int]]:
    return {
        column: queries.funnel_median(
            session, column=column, since=window.start, until=window.end, owner=None
        )
        for _name, column in funnel.CLOCKS
    }


def plan_measurements(
    session: Session, *, tz: ZoneInfo, all_time: Window, month: Window
) -> list[Measurement]:
    policy = Policy()
    measurements = [
        Measurement("baseline: one SELECT, all", lambda: baseline(session)),
        Measurement("counts, all", lambda: counts(session, all_time)),
        Measurement("counts, month", lambda: counts(session, month)),
        Measurement("medians, all", lambda: medians(session, all_time)),
        Measurement("medians, month", lambda: medians(session, month)),
    ]
    for by in BREAKDOWNS:
        measurements.append(
            Measurement(
                f"by {by}, all",
                lambda by=by: funnel.breakdown_rows(session, window=all_time, by=by, tz=tz),
            )
        )
    measurements.append(
        Measurement(
            "funnel_report, month",
            lambda: funnel.funnel_report(
                session, window=month, previous_window=previous(month), policy=policy, tz=tz
            ),
        )
    )
    return measurements


def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.01)


def check_counts(label: str, found: dict[str, float], expected: dict[str, float]) -> list[str]:
    """`found` against the baseline's figures: every count and the revenue."""
    errors = [
        f"{label}: {key} {int(found[key])} against the baseline's {int(expected[key])}"
        for key in COUNTED
        if int(found[key]) != int(expected[key])
    ]
    if not _close(found["revenue"], expected["revenue"]):
        errors.append(
            f"{label}: revenue {found['revenue']:.2f} against the baseline's "
            f"{expected['revenue']:.2f}"
        )
    return errors


def check_breakdown(
    label: str, rows: Sequence[funnel.BreakdownRow], expected: dict[str, float]
) -> list[str]:
    """A breakdown of every lead adds up to the baseline's leads, qualified, won, revenue."""
    sums = {
        "leads": sum(row.leads for row in rows),
        "qualified": sum(row.qualified for row in rows),
        "won": sum(row.won for row in rows),
        "revenue": sum(row.revenue for row in rows),
    }
    return [
        f"{label}: {key} add up to {value:g} against the baseline's {expected[key]:g}"
        for key, value in sums.items()
        if not _close(value, expected[key])
    ]


def check(
    session: Session,
    measurements: dict[str, Measurement],
    *,
    month: Window,
    leads: int,
    events: int,
) -> list[str]:
    """What must hold (see the module's docstring); the errors found, none when all holds."""
    expected = measurements["baseline: one SELECT, all"].result
    errors = []
    if int(expected["leads"]) != leads:
        errors.append(f"the database holds {int(expected['leads'])} leads, not {leads}")
    stored_events = session.connection().execute(text("SELECT count(*) FROM lead_event")).one()[0]
    if stored_events != events:
        errors.append(f"the database holds {stored_events} events, not {events}")
    errors += check_counts("counts, all", measurements["counts, all"].result[0], expected)
    for by in BREAKDOWNS:
        name = f"by {by}, all"
        errors += check_breakdown(name, measurements[name].result, expected)
    # The month's bounds as the generator wrote stamps: the stored text and the bound
    # parameters must agree for the cohort to be the right one.
    stamp = Stamps(session.get_bind().dialect.name)
    bounds = [stamp(int(moment.timestamp())) for moment in (month.start, month.end)]
    if session.get_bind().dialect.name == "postgresql":
        statement = "SELECT count(*) FROM lead WHERE created_at >= %s AND created_at < %s"
    else:
        statement = "SELECT count(*) FROM lead WHERE created_at >= ? AND created_at < ?"
    in_month = session.connection().exec_driver_sql(statement, tuple(bounds)).one()[0]
    month_counts = measurements["counts, month"].result[0]
    report = measurements["funnel_report, month"].result
    if not in_month:
        errors.append("no lead was created in the month measured")
    for label, found in (
        ("counts, month", month_counts["leads"]),
        ("report", report.current.leads),
    ):
        if int(found) != in_month:
            errors.append(f"{label}: {int(found)} leads, {in_month} created in the month")
    if report.current.reached(Stage.WON) != int(month_counts["won"]):
        errors.append("the month's report and its counts disagree on the leads won")
    for column, (_median, over) in measurements["medians, all"].result.items():
        having = session.connection().execute(text(f"SELECT count({column}) FROM lead")).one()[0]
        if over != having:
            errors.append(f"the median of {column} is over {over} leads; {having} have one")
    return errors


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def query_plans(engine: Engine, measurements: list[Measurement]) -> dict[str, list[str]]:
    """Each measurement's statements with the plan the database chose for them."""
    plans: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for measurement in measurements:
            with statements_run(engine) as seen:
                measurement.call()
            lines = plans.setdefault(measurement.name, [])
            for statement, parameters in seen:
                lines.append("  " + " ".join(statement.split())[:160] + " …")
                lines += ["      " + line for line in explain(connection, statement, parameters)]
    return plans


def explain(connection: Connection, statement: str, parameters: Any) -> list[str]:
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return [row[0] for row in rows]
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _unused, detail in connection.exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters
    ):
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return lines


# -- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    machine: str
    cpus: int | None
    python: str
    database: str
    generation: str
    leads: int
    events: int
    timezone: str
    now: str
    month: str
    runs: int
    warmups: int
    timings: list[Timing]
    ratios: dict[str, dict[str, float]]
    aims: list[Aim]
    errors: list[str]
    plans: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        lines = [
            "Funnel report: the report's queries against one hand-written SELECT, same leads",
            f"machine    {self.machine}, {self.cpus} CPUs, Python {self.python}",
            f"database   {self.database}",
            f"rows       {self.leads:,} leads, {self.events:,} events; {self.generation}",
            f"windows    all, and last month ({self.month}); now {self.now}, {self.timezone}",
            f"runs       {self.runs} per measurement after {self.warmups} warm-ups, in turns",
            f"{'':26}{'p50':>9}{'p95':>9}  ms",
        ]
        for timing in self.timings:
            lines.append(f"{timing.name:26}{timing.p50_ms:9.2f}{timing.p95_ms:9.2f}")
        for name, ratio in self.ratios.items():
            label = f"{name} / baseline"
            lines.append(f"ratio      {label:28} p50 {ratio['p50']:.2f}   p95 {ratio['p95']:.2f}")
        for aim in self.aims:
            verdict = "met" if aim.met else "NOT met"
            lines.append(f"aim        {aim.name}: {aim.value:.2f} (limit {aim.limit:g}) {verdict}")
        for name, plan in self.plans.items():
            lines += [f"plan       {name}", *plan]
        lines += [f"ERROR      {error}" for error in self.errors]
        return "\n".join(lines)


def aims_of(timings: dict[str, Timing]) -> list[Aim]:
    base = timings["baseline: one SELECT, all"]
    month = timings["counts, month"]
    aims = [Aim("counts, month p95 in ms", month.p95_ms, MONTH_AIM_MS, month.p95_ms < MONTH_AIM_MS)]
    for name in ("counts, all", *(f"by {by}, all" for by in BREAKDOWNS)):
        timing = timings[name]
        ratio = round(timing.p50_ms / base.p50_ms, 2)
        aims += [
            Aim(f"{name} p95 in ms", timing.p95_ms, ALL_AIM_MS, timing.p95_ms < ALL_AIM_MS),
            Aim(f"{name} p50 / baseline p50", ratio, RATIO_AIM, ratio <= RATIO_AIM),
        ]
    return aims


def benchmark(arguments: argparse.Namespace) -> Report:
    tz = ZoneInfo(arguments.tz)
    all_time = resolve(parse_query("all").period, now=NOW, tz=tz, sla_period="month")
    month = resolve(parse_query("last-month").period, now=NOW, tz=tz, sla_period="month")
    with filled_database(arguments, tz) as database:
        engine = make_engine(database.url)
        try:
            with session_factory(engine)() as session:
                measurements = plan_measurements(session, tz=tz, all_time=all_time, month=month)
                time_in_turns(measurements, runs=arguments.runs, warmups=WARMUPS)
                by_name = {m.name: m for m in measurements}
                events = expected_events(arguments.leads, arguments.events_per_lead)
                errors = check(session, by_name, month=month, leads=arguments.leads, events=events)
                plans = query_plans(engine, measurements) if arguments.explain else {}
        finally:
            engine.dispose()

    timings = {m.name: m.timing() for m in measurements}
    base = timings["baseline: one SELECT, all"]
    ratios = {
        name: {
            "p50": round(timings[name].p50_ms / base.p50_ms, 2),
            "p95": round(timings[name].p95_ms / base.p95_ms, 2),
        }
        for name in ("counts, all", *(f"by {by}, all" for by in BREAKDOWNS))
    }
    return Report(
        machine=platform.platform(),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        database=database.description,
        generation=database.generation,
        leads=arguments.leads,
        events=events,
        timezone=tz.key,
        now=NOW.isoformat(),
        month=f"{month.start:%Y-%m-%d %H:%M}Z .. {month.end:%Y-%m-%d %H:%M}Z",
        runs=arguments.runs,
        warmups=WARMUPS,
        timings=list(timings.values()),
        ratios=ratios,
        aims=aims_of(timings),
        errors=errors,
        plans=plans,
    )


def non_negative(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {raw}")
    return value


def postgres_url(raw: str) -> str:
    if not raw.startswith("postgresql"):
        raise argparse.ArgumentTypeError("only a postgresql URL (SQLite is the default)")
    return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--leads", type=positive(int), default=LEADS, help=f"leads generated ({LEADS:,})"
    )
    parser.add_argument(
        "--events-per-lead",
        type=non_negative,
        default=EVENTS_PER_LEAD,
        help=f"lead_event rows per lead, on average ({EVENTS_PER_LEAD:g})",
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"seed of the generated data ({SEED})"
    )
    parser.add_argument(
        "--runs",
        type=positive(int),
        default=RUNS,
        help=f"timed runs of each measurement, after {WARMUPS} warm-ups ({RUNS})",
    )
    parser.add_argument(
        "--database-url",
        type=postgres_url,
        help="default: the cached SQLite file; a postgresql+psycopg:// URL gets its own schema",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="generate the SQLite file again even if cached"
    )
    parser.add_argument(
        "--cache-dir", default=str(CACHE_DIR), help=f"where SQLite files are kept ({CACHE_DIR})"
    )
    parser.add_argument("--tz", default=TIMEZONE, help=f"the team's time zone ({TIMEZONE})")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print each query's plan, as the database chose it",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    arguments = parser.parse_args(argv)
    return run(benchmark, arguments, name="bench_funnel")


if __name__ == "__main__":
    sys.exit(main())
