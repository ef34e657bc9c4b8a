"""A report of every lead is grouped from indexes in the order of what it groups by: the
same figures as any other window's, and, on SQLite, no sorting of the whole table."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.domain.funnel import utc_offsets
from storage import queries
from storage.db import session_scope
from storage.models import BREAKDOWN_INDEXES, Lead

FIRST = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
BEFORE_ALL = datetime(1970, 1, 1, tzinfo=UTC)
# (stage, exit, reason): open leads at every stage, and every way out.
OUTCOMES = [
    ("lead", None, None), ("profiled", None, None), ("accepted", None, None),
    ("contacted", None, None), ("qualified", None, None), ("won", None, None),
    ("profiled", "rejected", "not_icp"), ("profiled", "rejected", "spam_test"),
    ("accepted", "nurture", "unreachable"), ("qualified", "lost", "price"),
    ("contacted", "lost", "competitor"),
]  # fmt: skip
VALUES = {
    "zone": ["North", "South", "Center", None],
    "service": ["CRM setup", "Consulting", None],
    "source": ["google", "facebook", "linkedin", None],
    "campaign": [f"campaign-{n}" for n in range(7)] + [None],
    "channel": ["paid", "organic", None],
    "age_range": ["25-34", "35-44", None],
}
SELLERS = ["U0ALICE", "U0BRUNO", None]


@pytest.fixture
def leads(sessions) -> list[Lead]:
    """Three hundred leads over two years, every combination of outcome and column."""
    chosen = random.Random(20261130)
    rows = []
    for n in range(300):
        stage, exit_, reason = chosen.choice(OUTCOMES)
        rows.append(
            Lead(
                name=f"Lead {n}",
                created_at=FIRST + timedelta(minutes=chosen.randrange(0, 16_000 * 60)),
                stage=stage,
                exit=exit_,
                exit_reason=reason,
                won_value=chosen.choice([1200.0, 850.5, None]) if stage == "won" else None,
                owner_id=None if stage in ("lead", "profiled") else chosen.choice(SELLERS),
                **{column: chosen.choice(values) for column, values in VALUES.items()},
            )
        )
    rows[0].created_at = FIRST  # the oldest lead
    with session_scope(sessions) as session:
        session.add_all(rows)
    with sessions() as session:
        return list(session.exec(select(Lead)))


def tally_of(leads: list[Lead], since: datetime) -> list[tuple]:
    groups: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for lead in leads:
        if since <= lead.created_at < NOW:
            group = groups[(lead.stage, lead.exit, lead.exit_reason)]
            group[0] += 1
            group[1] += lead.won_value or 0.0
    return sorted(((*key, count, round(won, 2)) for key, (count, won) in groups.items()), key=str)


def breakdown_of(leads: list[Lead], key: Callable[[Lead], Any], since: datetime) -> list[tuple]:
    """Per `key(lead)` over the leads created in [since, NOW): leads, qualified, won,
    revenue; most leads first."""
    groups: dict = defaultdict(lambda: [0, 0, 0, 0.0])
    for lead in leads:
        if since <= lead.created_at < NOW:
            group = groups[key(lead)]
            group[0] += 1
            group[1] += lead.stage in ("qualified", "won")
            group[2] += lead.stage == "won"
            group[3] += (lead.won_value or 0.0) if lead.stage == "won" else 0.0
    return sorted(
        ((value, *figures[:3], round(figures[3], 2)) for value, figures in groups.items()),
        key=lambda row: (-row[1], str(row[0])),
    )


def tally(sessions, since: datetime) -> list[tuple]:
    with sessions() as session:
        rows = queries.funnel_tally(session, since=since, until=NOW, owner=None)
    return sorted(((s, e, r, n, round(float(w), 2)) for s, e, r, n, w in rows), key=str)


def breakdown(sessions, name: str, since: datetime) -> list[tuple]:
    with sessions() as session:
        rows = queries.funnel_breakdown(
            session, dimension=name, since=since, until=NOW, owner=None, offsets=[]
        )
    return sorted(
        ((v, n, q, w, round(float(r), 2)) for v, n, q, w, r in rows),
        key=lambda row: (-row[1], str(row[0])),
    )


@pytest.mark.parametrize("since", [BEFORE_ALL, FIRST, FIRST + timedelta(days=300)])
def test_the_tally_of_every_lead_and_of_a_later_window_count_each_lead_once(sessions, leads, since):
    assert tally(sessions, since) == tally_of(leads, since)


@pytest.mark.parametrize("name", sorted(BREAKDOWN_INDEXES))
@pytest.mark.parametrize("since", [BEFORE_ALL, FIRST + timedelta(days=300)])
def test_each_breakdown_of_every_lead_and_of_a_later_window_is_exact(sessions, leads, name, since):
    column = BREAKDOWN_INDEXES[name]
    expected = breakdown_of(leads, lambda lead: getattr(lead, column), since)
    assert breakdown(sessions, name, since) == expected


def local_breakdown(sessions, name: str, since: datetime, tz: ZoneInfo) -> list[tuple]:
    offsets = utc_offsets(tz, max(since, FIRST), NOW)
    with sessions() as session:
        rows = queries.funnel_breakdown(
            session, dimension=name, since=since, until=NOW, owner=None, offsets=offsets
        )
    return sorted(
        ((v, n, q, w, round(float(r), 2)) for v, n, q, w, r in rows),
        key=lambda row: (-row[1], str(row[0])),
    )


def local_part(name: str, tz: ZoneInfo) -> Callable[[Lead], int]:
    def part(lead: Lead) -> int:
        local = lead.created_at.astimezone(tz)
        return local.hour if name == "hour" else local.weekday()

    return part


# Whole hours without and with summer time; half hours without and with it.
ZONES = ["America/Sao_Paulo", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("name", ["hour", "weekday"])
@pytest.mark.parametrize("since", [BEFORE_ALL, FIRST + timedelta(days=300)])
def test_each_local_breakdown_of_every_lead_and_of_a_later_window_is_exact(
    sessions, leads, zone, name, since
):
    tz = ZoneInfo(zone)
    # Leads in the first hour after each change of offset, and in the hour before it.
    changes = [start for start, _minutes in utc_offsets(tz, FIRST, NOW)[1:]]
    with session_scope(sessions) as session:
        for n, change in enumerate(changes):
            for minutes in (-50, 0, 10, 59):
                session.add(Lead(name=f"Around a change {n}", stage="won", won_value=100.0,
                                 created_at=change + timedelta(minutes=minutes)))  # fmt: skip
    with sessions() as session:
        leads = list(session.exec(select(Lead)))
    expected = breakdown_of(leads, local_part(name, tz), since)
    assert local_breakdown(sessions, name, since, tz) == expected


def plans(engine, sessions, ask) -> list[str]:
    """The steps SQLite plans for the last statement `ask(session)` sends."""
    sent: list[tuple[str, tuple]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with sessions() as session:
            ask(session)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    with engine.connect() as connection:
        return [row[-1] for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters
        )]  # fmt: skip


def test_sqlite_groups_every_lead_in_index_order_and_a_window_by_creation(
    engine, sessions, leads, database_url
):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL groups by hashing; this pins SQLite's plans")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()

    def tally_since(since):
        return lambda s: queries.funnel_tally(s, since=since, until=NOW, owner=None)

    def zone_since(since):
        return lambda s: queries.funnel_breakdown(
            s, dimension="zone", since=since, until=NOW, owner=None, offsets=[]
        )

    every_lead = plans(engine, sessions, tally_since(BEFORE_ALL))
    assert any("COVERING INDEX ix_lead_outcome" in step for step in every_lead), every_lead
    assert not any("GROUP BY" in step for step in every_lead), every_lead  # no sorting
    by_zone = plans(engine, sessions, zone_since(BEFORE_ALL))
    assert any("COVERING INDEX ix_lead_by_zone" in step for step in by_zone), by_zone
    assert not any("GROUP BY" in step for step in by_zone), by_zone
    new_york = utc_offsets(ZoneInfo("America/New_York"), FIRST, NOW)  # summer time: 4 changes
    by_hour = plans(engine, sessions, lambda s: queries.funnel_breakdown(
        s, dimension="hour", since=BEFORE_ALL, until=NOW, owner=None, offsets=new_york
    ))  # fmt: skip
    assert any("COVERING INDEX ix_lead_by_utc_hour" in step for step in by_hour), by_hour
    later = plans(engine, sessions, tally_since(FIRST + timedelta(days=300)))
    assert any("ix_lead_funnel (created_at>? AND created_at<?)" in step for step in later), later


def test_postgresql_plans_each_report_statement_for_its_own_window(sessions, database_url, engine):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL planner setting")
    settings_sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "plan_cache_mode =" in statement:
            settings_sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)

    def mode(session) -> str:
        return session.connection().exec_driver_sql("SHOW plan_cache_mode").scalar_one()

    with sessions() as session:
        before = mode(session)
        queries.funnel_tally(session, since=BEFORE_ALL, until=NOW, owner=None)
        during = mode(session)
        session.commit()
        after = mode(session)
        session.commit()
        queries.funnel_tally(session, since=BEFORE_ALL, until=NOW, owner=None)
        queries.funnel_tally(session, since=BEFORE_ALL, until=NOW, owner=None)
        next_transaction = mode(session)
    event.remove(engine, "before_cursor_execute", count)
    assert (before, during, after) == ("auto", "force_custom_plan", "auto")
    assert next_transaction == "force_custom_plan"  # set again in each transaction
    assert len(settings_sent) == 2  # once in each, however many statements it plans
