"""Named queries over a `Session`: keyword-only arguments, one statement each where possible."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal_column,
    not_,
    or_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    BREAKDOWN_INDEXES,
    CARD_MESSAGE,
    UTC_HOUR_TEXT,
    AgendaItem,
    ChannelMember,
    Contest,
    JobRun,
    Lead,
    LeadEvent,
    MarketingMetric,
    OutboxEntry,
    Person,
    ProcessedEvent,
    ReviewMeeting,
    RotationSlot,
    RoutingRule,
    SchedulerLease,
    SentMessage,
    SlaAlert,
    SlaPolicy,
)
from storage.types import UTCDateTime

# Columns a cohort can be broken down by (the domain's names for them).
BREAKDOWN_COLUMNS = {name: Lead.__table__.c[column] for name, column in BREAKDOWN_INDEXES.items()}


def add_lead(session: Session, *, lead: Lead) -> Lead:
    """Store a new lead and give it its id."""
    session.add(lead)
    session.flush()
    return lead


def add_event(session: Session, *, event: LeadEvent) -> LeadEvent:
    """Append one event to a lead's history."""
    session.add(event)
    session.flush()
    return event


def add_all(session: Session, *, rows: Sequence[Any]) -> None:
    """Store many rows in one flush (sample data, imports)."""
    session.add_all(rows)
    session.flush()


def lead_events(session: Session, *, lead_id: int) -> list[LeadEvent]:
    """A lead's history, oldest first."""
    statement = (
        select(LeadEvent)
        .where(LeadEvent.lead_id == lead_id)
        .order_by(col(LeadEvent.at), col(LeadEvent.id))
    )
    return list(session.exec(statement))


def count_leads(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Lead)).one()


def count_events(session: Session) -> int:
    return session.exec(select(func.count()).select_from(LeadEvent)).one()


def newest_open_lead(session: Session) -> Lead | None:
    """The lead most recently handed to sales that is still open with them."""
    statement = (
        select(Lead)
        .where(
            col(Lead.profiled_at).is_not(None),
            col(Lead.exit).is_(None),
            col(Lead.stage) != "won",
        )
        .order_by(col(Lead.profiled_at).desc(), col(Lead.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def person_names(session: Session) -> dict[str, str]:
    """Display names of the people the bot knows, by Slack user id."""
    statement = select(Person.user_id, Person.display_name).where(
        col(Person.display_name).is_not(None)
    )
    return dict(session.exec(statement).all())


def claim_event(session: Session, *, event_id: str, received_at: datetime) -> bool:
    """Record `event_id` as handled; False when it was recorded before (a retry)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, received_at=received_at))
    except IntegrityError:
        return False
    return True


def forget_events_before(session: Session, *, before: datetime) -> int:
    """Drop handled-event records older than Slack's retry horizon; returns how many."""
    statement = delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < before)
    return session.exec(statement).rowcount


def is_channel_member(session: Session, *, channel_id: str, user_id: str) -> bool:
    """True when the membership cache has `user_id` in `channel_id`."""
    return session.get(ChannelMember, (channel_id, user_id)) is not None


def channel_members_among(
    session: Session, *, channel_ids: set[str], user_ids: set[str]
) -> set[tuple[str, str]]:
    """The (channel, user) pairs of the membership cache among these channels and users."""
    if not channel_ids or not user_ids:
        return set()
    statement = select(ChannelMember.channel_id, ChannelMember.user_id).where(
        col(ChannelMember.channel_id).in_(sorted(channel_ids)),
        col(ChannelMember.user_id).in_(sorted(user_ids)),
    )
    return {(channel, user) for channel, user in session.exec(statement)}


def add_channel_member(session: Session, *, channel_id: str, user_id: str, at: datetime) -> None:
    """Cache that `user_id` is in `channel_id` (a no-op when already cached)."""
    member = session.get(ChannelMember, (channel_id, user_id))
    if member is None:
        session.add(ChannelMember(channel_id=channel_id, user_id=user_id, synced_at=at))
    else:
        member.synced_at = at
    session.flush()


def remove_channel_member(session: Session, *, channel_id: str, user_id: str) -> None:
    """Forget that `user_id` is in `channel_id`."""
    statement = delete(ChannelMember).where(
        ChannelMember.channel_id == channel_id, ChannelMember.user_id == user_id
    )
    session.exec(statement)


def replace_channel_members(
    session: Session, *, channel_id: str, user_ids: Sequence[str], at: datetime
) -> None:
    """Make the cache for `channel_id` exactly `user_ids` (a full sync from Slack)."""
    session.exec(delete(ChannelMember).where(ChannelMember.channel_id == channel_id))
    session.add_all(
        ChannelMember(channel_id=channel_id, user_id=user_id, synced_at=at)
        for user_id in dict.fromkeys(user_ids)
    )
    session.flush()


def add_outbox_entry(session: Session, *, entry: OutboxEntry) -> OutboxEntry:
    """Queue something for delivery, in the caller's transaction."""
    session.add(entry)
    session.flush()
    return entry


def claim_outbox_entries(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    skip_channels: Sequence[str] = (),
    skip_kinds: Sequence[str] = (),
    only_ids: Sequence[int] | None = None,
) -> list[int]:
    """Lease up to `limit` due entries to `worker`; returns their ids, oldest first.

    One UPDATE whose sub-select skips rows another worker has locked (PostgreSQL), so two
    workers never take the same entry; on SQLite the statement is atomic by itself. An
    entry whose lease ran out (a worker died) is due again. Entries of `skip_kinds` already
    routed to one of `skip_channels` (the worker has enough of those) are left for later.
    `only_ids`: take none but these (a command delivering what it just queued).
    """
    conditions = [
        col(OutboxEntry.done_at).is_(None),
        col(OutboxEntry.available_at) <= now,
        or_(col(OutboxEntry.locked_until).is_(None), col(OutboxEntry.locked_until) < now),
    ]
    if only_ids is not None:
        conditions.append(col(OutboxEntry.id).in_(list(only_ids)))
    if skip_channels and skip_kinds:
        conditions.append(
            or_(
                col(OutboxEntry.channel_id).is_(None),
                col(OutboxEntry.channel_id).not_in(list(skip_channels)),
                col(OutboxEntry.kind).not_in(list(skip_kinds)),
            )
        )
    due = (
        select(OutboxEntry.id)
        .where(*conditions)
        .order_by(col(OutboxEntry.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(OutboxEntry)
        .where(col(OutboxEntry.id).in_(due.scalar_subquery()))
        .values(locked_by=worker, locked_until=now + lease, attempts=OutboxEntry.attempts + 1)
        .returning(OutboxEntry.id)
    )
    return sorted(session.execute(statement).scalars())


def outbox_entries_with_leads(
    session: Session, *, ids: Sequence[int]
) -> list[tuple[OutboxEntry, Lead | None]]:
    """The entries `ids` with the lead each concerns, oldest first."""
    statement = (
        select(OutboxEntry, Lead)
        .join(Lead, col(Lead.id) == col(OutboxEntry.lead_id), isouter=True)
        .where(col(OutboxEntry.id).in_(list(ids)))
        .order_by(col(OutboxEntry.id))
    )
    return [(entry, lead) for entry, lead in session.exec(statement)]


def route_outbox_entries(session: Session, *, channels: dict[int, str]) -> None:
    """Record where each entry goes (`{entry id: channel}`), unless it already has a channel."""
    by_channel: dict[str, list[int]] = {}
    for entry_id, channel_id in channels.items():
        by_channel.setdefault(channel_id, []).append(entry_id)
    for channel_id, ids in by_channel.items():
        session.exec(
            update(OutboxEntry)
            .where(col(OutboxEntry.id).in_(ids), col(OutboxEntry.channel_id).is_(None))
            .values(channel_id=channel_id)
        )


def give_back_outbox_entries(session: Session, *, ids: Sequence[int], worker: str) -> None:
    """Release entries `worker` took but will not try now; the claim does not count."""
    if ids:
        session.exec(
            update(OutboxEntry)
            .where(col(OutboxEntry.id).in_(list(ids)), col(OutboxEntry.locked_by) == worker)
            .values(locked_by=None, locked_until=None, attempts=OutboxEntry.attempts - 1)
        )


def renew_outbox_leases(
    session: Session, *, ids: Sequence[int], worker: str, until: datetime
) -> set[int]:
    """Extend `worker`'s leases on `ids`; returns the ids it still holds."""
    if not ids:
        return set()
    statement = (
        update(OutboxEntry)
        .where(
            col(OutboxEntry.id).in_(list(ids)),
            col(OutboxEntry.locked_by) == worker,
            col(OutboxEntry.done_at).is_(None),
        )
        .values(locked_until=until)
        .returning(OutboxEntry.id)
    )
    return set(session.execute(statement).scalars())


def begin_posting(
    session: Session, *, entry_id: int, worker: str, at: datetime, held_until: datetime
) -> bool:
    """Mark that a post of this entry is about to be sent; False (nothing marked) unless
    `worker` still holds the entry's lease until at least `held_until`."""
    statement = (
        update(OutboxEntry)
        .where(
            col(OutboxEntry.id) == entry_id,
            col(OutboxEntry.locked_by) == worker,
            col(OutboxEntry.locked_until) >= held_until,
            col(OutboxEntry.done_at).is_(None),
        )
        .values(posting_since=at)
    )
    return session.exec(statement).rowcount == 1


def not_posted(session: Session, *, entry_id: int, worker: str) -> None:
    """Slack's answer says the post did not happen (a rate limit): nothing is in flight."""
    session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id) == entry_id, col(OutboxEntry.locked_by) == worker)
        .values(posting_since=None)
    )


def finish_delivery(
    session: Session,
    *,
    entry: OutboxEntry,
    channel_id: str,
    ts: str,
    at: datetime,
    message_kind: str,
    thread_ts: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """The entry is in Slack as (channel, ts): done, and the message remembered; `payload`,
    when given, replaces the entry's (a digest keeps its ts there for its chart's thread).

    Recorded whoever holds the lease now: the message exists, so the entry is delivered.
    """
    values: dict[str, Any] = {} if payload is None else {"payload": payload}
    session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id) == entry.id)
        .values(
            done_at=at,
            channel_id=channel_id,
            posting_since=None,
            locked_by=None,
            locked_until=None,
            last_error=None,
            **values,
        )
    )
    known = session.exec(
        select(SentMessage.id).where(SentMessage.channel_id == channel_id, SentMessage.ts == ts)
    ).first()
    if known is None:
        session.add(
            SentMessage(
                lead_id=entry.lead_id,
                kind=message_kind,
                channel_id=channel_id,
                ts=ts,
                created_at=at,
            )
        )


def complete_outbox_entry(
    session: Session, *, entry_id: int, at: datetime, error: str | None = None
) -> None:
    """Done with an entry that leaves no message to remember (a redraw, a private answer),
    or that is given up for good, with the reason."""
    session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id) == entry_id)
        .values(done_at=at, posting_since=None, locked_by=None, locked_until=None, last_error=error)
    )


def postpone_delivery(
    session: Session,
    *,
    entry_id: int,
    worker: str,
    until: datetime,
    error: str,
    maybe_posted: bool,
) -> None:
    """Release the entry until `until`, keeping `error`; if the post may have happened, the
    mark stays so the next try looks for the message before posting again."""
    values: dict[str, Any] = {
        "locked_by": None,
        "locked_until": None,
        "available_at": until,
        "last_error": error,
    }
    if not maybe_posted:
        values["posting_since"] = None
    session.exec(
        update(OutboxEntry)
        .where(col(OutboxEntry.id) == entry_id, col(OutboxEntry.locked_by) == worker)
        .values(**values)
    )


def outbox_entry(session: Session, *, entry_id: int) -> OutboxEntry | None:
    """One outbox entry, as it is now."""
    return session.get(OutboxEntry, entry_id, populate_existing=True)


def outbox_backlog(session: Session) -> dict[str, Any]:
    """Entries not delivered yet: how many, how many with an error, and the oldest's time."""
    waiting = col(OutboxEntry.done_at).is_(None)
    pending, failing, oldest = session.exec(
        select(
            func.count(),
            func.count(OutboxEntry.last_error),
            func.min(OutboxEntry.created_at),
        ).where(waiting)
    ).one()
    return {"pending": pending, "failing": failing, "oldest": oldest}


def undelivered_outbox_entries(
    session: Session, *, limit: int
) -> list[tuple[OutboxEntry, Lead | None]]:
    """Entries not delivered yet with their leads, oldest first."""
    statement = (
        select(OutboxEntry, Lead)
        .join(Lead, col(Lead.id) == col(OutboxEntry.lead_id), isouter=True)
        .where(col(OutboxEntry.done_at).is_(None))
        .order_by(col(OutboxEntry.id))
        .limit(limit)
    )
    return [(entry, lead) for entry, lead in session.exec(statement)]


def delivered_outbox_entries(
    session: Session, *, since: datetime, limit: int
) -> tuple[int, list[tuple[OutboxEntry, Lead | None]]]:
    """How many entries were delivered since `since`, and the latest `limit` of them."""
    delivered = col(OutboxEntry.done_at) >= since
    total = session.exec(select(func.count()).select_from(OutboxEntry).where(delivered)).one()
    statement = (
        select(OutboxEntry, Lead)
        .join(Lead, col(Lead.id) == col(OutboxEntry.lead_id), isouter=True)
        .where(delivered)
        .order_by(col(OutboxEntry.done_at).desc(), col(OutboxEntry.id).desc())
        .limit(limit)
    )
    return total, [(entry, lead) for entry, lead in session.exec(statement)]


def routing_rules(session: Session) -> list[RoutingRule]:
    """Every routing rule, by number."""
    return list(session.exec(select(RoutingRule).order_by(col(RoutingRule.id))))


def add_routing_rule(
    session: Session, *, field: str, value: str, match_key: str, channel_id: str, at: datetime
) -> RoutingRule:
    """Store a rule (a second rule for the same field and value is an IntegrityError)."""
    rule = RoutingRule(
        field=field, value=value, match_key=match_key, channel_id=channel_id, created_at=at
    )
    session.add(rule)
    session.flush()
    return rule


def remove_routing_rule(session: Session, *, rule_id: int) -> RoutingRule | None:
    """Delete rule `rule_id`; the rule as it was, or None if there is no such rule."""
    rule = session.get(RoutingRule, rule_id)
    if rule is not None:
        session.delete(rule)
        session.flush()
    return rule


_LEAD = Lead.__table__
_IDENTITY_COLUMNS = (_LEAD.c.id, _LEAD.c.external_id, _LEAD.c.email, _LEAD.c.stage, _LEAD.c.exit)
# Built once: intake runs this for every request, and most leads match nothing. Two lookups
# joined by UNION ALL rather than one `external_id IN … OR email IN …`: with the OR, SQLite uses
# only the platform prefix of an index and reads every lead of the platform; each half here
# is a search of its own index, (platform, external_id) and (platform, email).
_IDENTITIES = union_all(
    select(*_IDENTITY_COLUMNS).where(
        _LEAD.c.platform == bindparam("platform"),
        _LEAD.c.external_id.in_(bindparam("external_ids", expanding=True)),
    ),
    select(*_IDENTITY_COLUMNS).where(
        _LEAD.c.platform == bindparam("platform"),
        _LEAD.c.email.in_(bindparam("emails", expanding=True)),
    ),
).order_by("id")


def leads_matching_identities(
    session: Session, *, platform: str, external_ids: Sequence[str], emails: Sequence[str]
) -> list[Row]:
    """(id, external_id, email, stage, exit) of the leads of `platform` whose external id or
    email is among these, oldest first (a lead matching on both comes twice)."""
    if not external_ids and not emails:
        return []
    parameters = {"platform": platform, "external_ids": list(external_ids), "emails": list(emails)}
    return list(session.connection().execute(_IDENTITIES, parameters))


def insert_leads(session: Session, *, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert complete lead rows in one statement; their ids, in the rows' order."""
    if not rows:
        return []
    # Core, not the ORM's bulk path: one multi-row INSERT … RETURNING per page of rows.
    table = Lead.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.connection().execute(statement, list(rows)).scalars())


def insert_events(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Append many events in one statement."""
    if rows:
        session.connection().execute(insert(LeadEvent.__table__), list(rows))


def insert_outbox_entries(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Queue many deliveries in one statement."""
    if rows:
        session.connection().execute(insert(OutboxEntry.__table__), list(rows))


def move_lead(
    session: Session,
    *,
    lead_id: int,
    stage: str,
    exit: str | None,
    owner: str | None,
    changes: dict[str, Any],
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Apply `changes` to the lead only if it is still at `stage` and `exit` with `owner`
    (None: no owner), and its columns named in `also` still hold those values (None: NULL);
    True if it was. One conditional UPDATE, so of two concurrent moves the database lets
    exactly one through."""
    expected = {"stage": stage, "exit": exit, "owner_id": owner, **(also or {})}
    conditions = [col(Lead.id) == lead_id] + [
        Lead.__table__.c[name].is_(None) if value is None else Lead.__table__.c[name] == value
        for name, value in expected.items()
    ]
    statement = update(Lead).where(*conditions).values(**changes)
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount == 1


@dataclass(frozen=True)
class TrailedMove:
    """One lead's compare-and-set for `move_with_trail`: apply `changes` if its columns
    still hold `expected` (None: NULL), and then append `event` (a `lead_event` row) and the
    `outbox` rows."""

    lead_id: int
    expected: Mapping[str, Any]
    changes: Mapping[str, Any]
    event: Mapping[str, Any]
    outbox: Sequence[Mapping[str, Any]] = ()

    @property
    def shape(self) -> tuple:
        """What the SQL depends on: the names involved, and which expected values are NULL."""
        rows = self.outbox
        return (
            tuple((name, value is None) for name, value in sorted(self.expected.items())),
            tuple(sorted(self.changes)),
            tuple(sorted(self.event)),
            tuple(sorted(rows[0])) if rows else (),
            len(rows),
        )


def move_with_trail(session: Session, *, moves: Sequence[TrailedMove]) -> list[bool]:
    """Each move applied if its lead still holds what it expects, with its event and outbox
    rows; whether it was, move by move. Moves of one lead after the first to apply find it
    changed. The moves must share one `shape`.

    `move_lead` and two inserts for every move, in as few round trips as the backend allows:
    one statement for all of them on PostgreSQL (an UPDATE joined to the moves' values, sent
    as one array per column, whose rows feed the INSERTs), three per move on SQLite; all in
    the session's transaction. The hot path of a click, so no ORM: values go through the
    columns' own types, as an insert of the model would store them.
    """
    if not moves:
        return []
    shape = moves[0].shape
    if any(move.shape != shape for move in moves[1:]):
        raise ValueError("moves of different shapes cannot share one statement")
    connection = session.connection()
    dialect = connection.dialect
    statements = _trail_statements(dialect.name, dialect.paramstyle, shape)
    if dialect.name == "postgresql":
        # In the order of their leads, so that two processes moving the same leads at once
        # lock them in the same order rather than each waiting for the other.
        order = sorted(range(len(moves)), key=lambda row: moves[row].lead_id)
        rows = [dict(_move_values(moves[row], dialect, row=row)) for row in order]
        [statement] = statements
        params = {
            "moves": json.dumps(rows, default=_json_value),
            "leads": sorted({move.lead_id for move in moves}),
        }
        applied = {k for (k,) in connection.exec_driver_sql(statement, params)}
        return [row in applied for row in range(len(moves))]
    update_lead, insert_event, insert_outbox = statements
    done = []
    for move in moves:
        params = dict(_move_values(move, dialect, row=0, outbox=False))
        if connection.exec_driver_sql(update_lead, params).rowcount != 1:
            done.append(False)
            continue
        connection.exec_driver_sql(insert_event, params)
        if move.outbox:
            rows = [
                {f"o0_{n}": _bound(OutboxEntry.__table__, n, v, dialect) for n, v in row.items()}
                for row in move.outbox
            ]
            connection.exec_driver_sql(insert_outbox, rows)
        done.append(True)
    return done


def _move_values(
    move: TrailedMove, dialect: Any, *, row: int, outbox: bool = True
) -> Iterator[tuple[str, Any]]:
    """A move's values, bound by their columns' types, under `_trail_statements`' names."""
    lead, events, queued = Lead.__table__, LeadEvent.__table__, OutboxEntry.__table__
    # PostgreSQL takes them as JSON text: its JSON columns' values stay as they are.
    bind = _bound if dialect.name != "postgresql" else _json_bound
    yield "k", row
    yield "lead_id", move.lead_id
    for name, value in move.expected.items():
        if value is not None:
            yield f"e_{name}", bind(lead, name, value, dialect)
    for name, value in move.changes.items():
        yield f"c_{name}", bind(lead, name, value, dialect)
    for name, value in move.event.items():
        yield f"v_{name}", bind(events, name, value, dialect)
    if outbox:
        for index, entry in enumerate(move.outbox):
            for name, value in entry.items():
                yield f"o{index}_{name}", bind(queued, name, value, dialect)


def _json_bound(table: Any, column: str, value: Any, dialect: Any) -> Any:
    """`_bound` for a value sent inside a JSON document."""
    if isinstance(table.c[column].type, JSON):
        return value
    return _bound(table, column, value, dialect)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form")


@lru_cache(maxsize=64)
def _trail_statements(backend: str, paramstyle: str, shape: tuple) -> tuple[str, ...]:
    """The SQL of `move_with_trail` for one shape of its moves: on PostgreSQL one statement
    for any number of them, elsewhere three statements run for each."""
    expected, changed, event_columns, outbox_columns, outbox_rows = shape
    mark = "%({})s" if paramstyle == "pyformat" else ":{}"
    lead, events, queued = Lead.__table__, LeadEvent.__table__, OutboxEntry.__table__
    event_names = ", ".join(event_columns)
    outbox_names = ", ".join(outbox_columns)
    if backend != "postgresql":
        where = [f"id = {mark.format('lead_id')}"]
        where += [
            f"{n} IS NULL" if is_null else f"{n} = {mark.format(f'e_{n}')}"
            for n, is_null in expected
        ]
        assignments = ", ".join(f"{n} = {mark.format(f'c_{n}')}" for n in changed)
        event_values = ", ".join(mark.format(f"v_{n}") for n in event_columns)
        outbox_values = ", ".join(mark.format(f"o0_{n}") for n in outbox_columns)
        return (
            f"UPDATE lead SET {assignments} WHERE {' AND '.join(where)}",
            f"INSERT INTO lead_event (lead_id, {event_names}) "
            f"VALUES ({mark.format('lead_id')}, {event_values})",
            f"INSERT INTO outbox ({outbox_names}) VALUES ({outbox_values})",
        )

    # The moves as a table, `m`, from one JSON array of objects: k (the move's place),
    # lead_id, then e_* (expected), c_* (changes), v_* (the event), o<i>_* (outbox row i).
    columns: list[tuple[str, str]] = [("k", "INTEGER"), ("lead_id", "INTEGER")]
    columns += [(f"e_{n}", _postgres_type(lead, n)) for n, is_null in expected if not is_null]
    columns += [(f"c_{n}", _postgres_type(lead, n)) for n in changed]
    columns += [(f"v_{n}", _postgres_type(events, n)) for n in event_columns]
    columns += [
        (f"o{i}_{n}", _postgres_type(queued, n)) for i in range(outbox_rows) for n in outbox_columns
    ]
    record = ", ".join(f"{name} {kind}" for name, kind in columns)
    # The leads' ids once more as an array, for the planner: it reads them by key rather
    # than guessing how many rows the JSON holds and scanning the table.
    where = [f"lead.id = ANY(CAST({mark.format('leads')} AS INTEGER[]))", "lead.id = m.lead_id"]
    where += [f"lead.{n} IS NULL" if is_null else f"lead.{n} = m.e_{n}" for n, is_null in expected]
    assignments = ", ".join(f"{n} = m.c_{n}" for n in changed)
    parts = [
        f"m AS (SELECT * FROM json_to_recordset(CAST({mark.format('moves')} AS JSON)) "
        f"AS m ({record}))",
        f"moved AS (UPDATE lead SET {assignments} FROM m WHERE {' AND '.join(where)} "
        "RETURNING m.*)",
        f"logged AS (INSERT INTO lead_event (lead_id, {event_names}) "
        f"SELECT lead_id, {', '.join(f'v_{n}' for n in event_columns)} FROM moved)",
    ]
    if outbox_rows:
        selects = " UNION ALL ".join(
            f"SELECT {', '.join(f'o{i}_{n}' for n in outbox_columns)} FROM moved"
            for i in range(outbox_rows)
        )
        parts.append(f"queued AS (INSERT INTO outbox ({outbox_names}) {selects})")
    return (f"WITH {', '.join(parts)} SELECT k FROM moved",)


def _postgres_type(table: Any, column: str) -> str:
    return table.c[column].type.dialect_impl(_POSTGRES).compile(dialect=_POSTGRES)


_POSTGRES = postgresql.dialect()
_PROCESSORS: dict[tuple[str, str, str], Any] = {}


def _bound(table: Any, column: str, value: Any, dialect: Any) -> Any:
    """`value` as the column's type binds it on `dialect` (a timestamp made naive UTC for
    SQLite, JSON serialised...)."""
    key = (table.name, column, dialect.name)
    if key not in _PROCESSORS:
        column_type = table.c[column].type
        _PROCESSORS[key] = column_type.dialect_impl(dialect).bind_processor(dialect)
    process = _PROCESSORS[key]
    return value if process is None or value is None else process(value)


def record_attempt(
    session: Session, *, lead_id: int, stage: str, owner: str | None, at: datetime
) -> bool:
    """Count one more attempt (the first one is the first touch) if the lead is still open at
    `stage` with `owner`; True if it was."""
    statement = (
        update(Lead)
        .where(
            col(Lead.id) == lead_id,
            col(Lead.stage) == stage,
            col(Lead.exit).is_(None),
            col(Lead.owner_id).is_(None) if owner is None else col(Lead.owner_id) == owner,
        )
        .values(
            attempts=Lead.attempts + 1,
            first_touch_at=func.coalesce(Lead.first_touch_at, at),
            updated_at=at,
        )
    )
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount == 1


def last_event(session: Session, *, lead_id: int) -> LeadEvent | None:
    """The lead's latest event."""
    statement = (
        select(LeadEvent)
        .where(LeadEvent.lead_id == lead_id)
        .order_by(col(LeadEvent.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def newest_event_of(session: Session, *, lead_id: int, kinds: Sequence[str]) -> LeadEvent | None:
    """The lead's latest event of one of `kinds`."""
    statement = (
        select(LeadEvent)
        .where(LeadEvent.lead_id == lead_id, col(LeadEvent.kind).in_(kinds))
        .order_by(col(LeadEvent.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def newest_message(
    session: Session, *, lead_id: int, kind: str, channel_id: str | None = None
) -> SentMessage | None:
    """The latest message of `kind` the bot posted about the lead (in `channel_id`, if
    given): its card, or its latest feedback message."""
    statement = select(SentMessage).where(SentMessage.lead_id == lead_id, SentMessage.kind == kind)
    if channel_id is not None:
        statement = statement.where(SentMessage.channel_id == channel_id)
    return session.exec(statement.order_by(col(SentMessage.id).desc()).limit(1)).first()


def add_contest(session: Session, *, contest: Contest) -> bool:
    """Record the objection; False when its verdict was already contested (the unique key
    on the verdict decides between two marketers at once)."""
    try:
        with session.begin_nested():
            session.add(contest)
    except IntegrityError:
        return False
    return True


def contest_of(session: Session, *, exit_event_id: int) -> Contest | None:
    """The objection to this verdict, if any."""
    statement = select(Contest).where(Contest.exit_event_id == exit_event_id)
    return session.exec(statement).first()


def rate_lead(session: Session, *, lead_id: int, rating: int) -> None:
    """Keep the seller's 1-5 view of the lead's quality."""
    session.exec(update(Lead).where(col(Lead.id) == lead_id).values(quality_rating=rating))


# -- The SLA scorecard -----------------------------------------------------------------------


def scorecard_counts(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    required: Sequence[Sequence[str]],
    first_touch_minutes: float,
) -> dict[str, Any]:
    """The scorecard's counts over [since, until), by the time each thing happened: leads
    captured (and of those, profiled), handed over (and of those, missing a `required`
    group: a group is met when any of its fields has a value), accepted, first touched (and
    within `first_touch_minutes` business minutes), and attempts per accepted lead."""

    def within(column: Any) -> ColumnElement[bool]:
        return and_(col(column) >= since, col(column) < until)

    def has(name: str) -> ColumnElement[bool]:
        column = col(getattr(Lead, name))
        return and_(column.is_not(None), func.trim(cast(column, String)) != "")

    met = [or_(*(has(name) for name in group)) for group in required if group]
    missing = not_(and_(*met)) if met else false()
    statement = select(
        func.count().filter(within(Lead.created_at)),
        func.count().filter(within(Lead.created_at), col(Lead.profiled_at).is_not(None)),
        func.count().filter(within(Lead.profiled_at)),
        func.count().filter(within(Lead.profiled_at), missing),
        func.count().filter(within(Lead.accepted_at)),
        func.count().filter(within(Lead.first_touch_at)),
        func.count().filter(
            within(Lead.first_touch_at), col(Lead.response_minutes) <= first_touch_minutes
        ),
        func.avg(Lead.attempts).filter(within(Lead.accepted_at)),
    ).select_from(Lead)
    row = session.exec(statement).one()
    names = ("captured", "captured_profiled", "handed_over", "missing_fields", "accepted",
             "touched", "touched_in_time")  # fmt: skip
    counts: dict[str, Any] = dict(zip(names, row[:7], strict=True))
    counts["attempts_per_lead"] = float(row[7]) if row[7] is not None else None
    return counts


def durations_between(
    session: Session, *, column: str, stamped: str, since: datetime, until: datetime
) -> list[float]:
    """The stored durations `column` of the leads whose `stamped` time is in [since, until)."""
    value, moment = col(getattr(Lead, column)), col(getattr(Lead, stamped))
    statement = select(value).where(value.is_not(None), moment >= since, moment < until)
    return [float(minutes) for minutes in session.exec(statement)]


def leads_without_routing_minutes(
    session: Session, *, limit: int
) -> list[tuple[int, datetime, datetime]]:
    """(lead id, card posted, accepted) of accepted leads without their routing delay; the
    posting is the lead's first card, or its hand-off when it has none."""
    card = SentMessage.__table__.alias("first_card")
    posted = (
        select(func.min(card.c.created_at))
        .where(card.c.lead_id == Lead.id, card.c.kind == CARD_MESSAGE)
        .scalar_subquery()
    )
    # An expression keeps no column type: the timestamps' own type reads the result back.
    posted_or_handed = type_coerce(
        func.coalesce(posted, Lead.profiled_at, Lead.created_at), UTCDateTime()
    )
    statement = (
        select(Lead.id, posted_or_handed, Lead.accepted_at)
        .where(col(Lead.accepted_at).is_not(None), col(Lead.routing_minutes).is_(None))
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(statement)]


def leads_without_response_minutes(
    session: Session, *, limit: int
) -> list[tuple[int, datetime, datetime]]:
    """(lead id, accepted, first touch) of first-touched leads without their response time."""
    statement = (
        select(Lead.id, Lead.accepted_at, Lead.first_touch_at)
        .where(
            col(Lead.first_touch_at).is_not(None),
            col(Lead.accepted_at).is_not(None),
            col(Lead.response_minutes).is_(None),
        )
        .limit(limit)
    )
    return list(session.exec(statement))


def leads_without_stage_minutes(
    session: Session, *, column: str, since: Sequence[str], until: str, limit: int
) -> list[tuple[int, datetime, datetime]]:
    """(lead id, start, end) of the leads whose `until` column is stamped and whose duration
    `column` is not stored yet; the start is the first stamped of the `since` columns."""
    end = col(getattr(Lead, until))
    stamps = [getattr(Lead, name) for name in since]
    first = func.coalesce(*stamps) if len(stamps) > 1 else stamps[0]
    start = type_coerce(first, UTCDateTime())
    statement = (
        select(Lead.id, start, end)
        .where(end.is_not(None), col(getattr(Lead, column)).is_(None))
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(statement)]


def set_lead_minutes(session: Session, *, lead_id: int, **minutes: float) -> None:
    """Store a lead's routing delay or response time (business minutes)."""
    session.exec(update(Lead).where(col(Lead.id) == lead_id).values(**minutes))


# -- Scheduled jobs --------------------------------------------------------------------------


def start_run(
    session: Session, *, job_id: str, period: str, due_at: datetime, worker: str, at: datetime
) -> JobRun | None:
    """Record that `worker` runs `job_id` for `period`; None when that period already has a
    run (done, running, failed or skipped): the unique key decides between replicas."""
    run = JobRun(job_id=job_id, period=period, due_at=due_at, status="running", worker=worker,
                 started_at=at)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    return run


# How many runs of one period a send asked by hand may add (`…#2` up to `…#1000`).
RUNS_BY_HAND_MAX = 1000


def start_run_by_hand(
    session: Session,
    *,
    job_id: str,
    period: str,
    due_at: datetime,
    worker: str,
    at: datetime,
    nothing_sent: str,
    force: bool = False,
) -> tuple[JobRun | None, JobRun | None]:
    """A run of `job_id` for `period` that a command records to send now, as the scheduled
    run would: (the run recorded, None); or (None, the period's earlier run) when that run
    sent (or is sending): done or running, with a detail other than `nothing_sent`. When the
    earlier run sent nothing, or with `force`, the new run goes under the period with a
    suffix (`2026-12-03T10:00#2`, `#3`…)."""
    run = start_run(session, job_id=job_id, period=period, due_at=due_at, worker=worker, at=at)
    if run is not None:
        return run, None
    earlier = job_run(session, job_id=job_id, period=period)
    sent = earlier is not None and earlier.status in ("done", "running")
    if sent and earlier.detail != nothing_sent and not force:
        session.expunge(earlier)
        return None, earlier
    for number in range(2, RUNS_BY_HAND_MAX + 1):
        run = start_run(
            session, job_id=job_id, period=f"{period}#{number}", due_at=due_at, worker=worker,
            at=at,
        )  # fmt: skip
        if run is not None:
            return run, None
    raise RuntimeError(f"no free run key left for {job_id} {period}")


def job_run(session: Session, *, job_id: str, period: str) -> JobRun | None:
    """The run of `job_id` for `period`, if it has one."""
    statement = select(JobRun).where(JobRun.job_id == job_id, JobRun.period == period)
    return session.exec(statement).first()


def finish_run(
    session: Session,
    *,
    run_id: int,
    worker: str,
    status: str,
    at: datetime,
    detail: str | None = None,
) -> bool:
    """The run ended: done, failed (with what went wrong) or skipped. Only while it is still
    running and `worker`'s: False when it already ended (its work sealed it) or another
    worker took it over, and then nothing changes."""
    ended = session.exec(
        update(JobRun)
        .where(*_running_for(run_id, worker))
        .values(status=status, finished_at=at, detail=detail)
    )
    return ended.rowcount == 1


def _running_for(run_id: int, worker: str | None) -> list[ColumnElement[bool]]:
    """The run `run_id`, while it is still running and still `worker`'s."""
    return [col(JobRun.id) == run_id, col(JobRun.worker) == worker, col(JobRun.status) == "running"]


def take_over_run(
    session: Session, *, job_id: str, period: str, worker: str, at: datetime
) -> tuple[int, str] | None:
    """The period's run when another worker left it running, now `worker`'s: (its id, the
    worker it was taken from). None when it is not running or already `worker`'s, or when
    another worker took it over first."""
    run = job_run(session, job_id=job_id, period=period)
    if run is None or run.status != "running" or run.worker == worker:
        return None
    run_id, previous = run.id, run.worker
    taken = session.exec(
        update(JobRun)
        .where(*_running_for(run_id, previous))
        .values(worker=worker, started_at=at)
        .execution_options(synchronize_session=False)
    )
    session.expire(run)
    return (run_id, previous) if taken.rowcount == 1 else None


def forget_runs_before(session: Session, *, before: datetime) -> int:
    """Drop the records of runs due before `before`; returns how many."""
    return session.exec(delete(JobRun).where(col(JobRun.due_at) < before)).rowcount


def latest_runs(session: Session, *, limit: int) -> list[JobRun]:
    """The newest runs of every job, newest first."""
    statement = select(JobRun).order_by(col(JobRun.due_at).desc(), col(JobRun.id).desc())
    return list(session.exec(statement.limit(limit)))


def hold_lease(session: Session, *, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew the lease `name` for `holder` until `until`; False while another
    holder's lease has not expired."""
    renewed = session.exec(
        update(SchedulerLease)
        .where(
            col(SchedulerLease.name) == name,
            or_(col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) < now),
        )
        .values(holder=holder, expires_at=until)
    )
    if renewed.rowcount == 1:
        return True
    try:
        with session.begin_nested():
            session.add(SchedulerLease(name=name, holder=holder, expires_at=until))
    except IntegrityError:
        return False  # someone else holds it
    return True


def let_go_of_lease(session: Session, *, name: str, holder: str) -> None:
    """Give the lease up now (a clean stop), so another replica need not wait for it to
    expire."""
    session.exec(
        delete(SchedulerLease).where(
            col(SchedulerLease.name) == name, col(SchedulerLease.holder) == holder
        )
    )


def lease_holder(session: Session, *, name: str, now: datetime) -> str | None:
    """Who holds the lease now, if anyone."""
    lease = session.get(SchedulerLease, name)
    return lease.holder if lease is not None and lease.expires_at >= now else None


# -- App Home ---------------------------------------------------------------------------------


def _newest_card_id(lead_id: Any) -> Any:
    """The id of the lead's newest card message, as a sub-select correlated on `lead_id`."""
    card = SentMessage.__table__.alias("newest_card")
    return (
        select(func.max(card.c.id))
        .where(card.c.lead_id == lead_id, card.c.kind == CARD_MESSAGE)
        .scalar_subquery()
    )


def _held_open_by(owner_id: str, stages: Sequence[str]) -> list[ColumnElement[bool]]:
    return [
        col(Lead.owner_id) == owner_id,
        col(Lead.exit).is_(None),
        col(Lead.stage).in_(list(stages)),
    ]


def open_leads_of_owner(
    session: Session, *, owner_id: str, stages: Sequence[str], limit: int
) -> list[Row]:
    """(id, name, company, stage, handed_over_at, card_channel, card_ts) of the leads
    `owner_id` holds open at one of `stages`, oldest hand-off first (creation when never
    handed over); the card is the lead's newest, None when it has none."""
    handed_over = func.coalesce(Lead.profiled_at, Lead.created_at)
    statement = (
        select(
            Lead.id,
            Lead.name,
            Lead.company,
            Lead.stage,
            handed_over.label("handed_over_at"),
            col(SentMessage.channel_id).label("card_channel"),
            col(SentMessage.ts).label("card_ts"),
        )
        .outerjoin(SentMessage, col(SentMessage.id) == _newest_card_id(Lead.id))
        .where(*_held_open_by(owner_id, stages))
        .order_by(handed_over, col(Lead.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def count_open_leads_of_owner(session: Session, *, owner_id: str, stages: Sequence[str]) -> int:
    """How many leads `owner_id` holds open at one of `stages`."""
    statement = select(func.count()).select_from(Lead).where(*_held_open_by(owner_id, stages))
    return session.exec(statement).one()


def _between(column: Any, since: datetime, until: datetime) -> tuple[ColumnElement[bool], ...]:
    return (col(column) >= since, col(column) < until)


def count_stamped_between(
    session: Session, *, columns: Sequence[str], since: datetime, until: datetime
) -> list[int]:
    """For each of the lead's timestamp `columns`: how many leads it stamps in [since, until)."""
    counts = [func.count().filter(*_between(getattr(Lead, name), since, until)) for name in columns]
    return list(session.exec(select(*counts).select_from(Lead)).one())


def revenue_won_between(session: Session, *, since: datetime, until: datetime) -> float:
    """Value of the leads won in [since, until)."""
    statement = select(func.coalesce(func.sum(Lead.won_value), 0.0)).where(
        *_between(Lead.won_at, since, until)
    )
    return float(session.exec(statement).one())


def exits_between(session: Session, *, since: datetime, until: datetime) -> dict[str, int]:
    """{exit: leads} of the leads that left the funnel in [since, until) and are still out."""
    statement = (
        select(Lead.exit, func.count())
        .where(col(Lead.exit).is_not(None), *_between(Lead.exited_at, since, until))
        .group_by(Lead.exit)
    )
    return dict(session.exec(statement).all())


def exit_reasons_between(
    session: Session, *, exit: str, since: datetime, until: datetime, limit: int
) -> list[tuple[str | None, int]]:
    """The `limit` most frequent reasons of the leads that took `exit` in [since, until),
    with their counts, most frequent first."""
    leads = func.count()
    statement = (
        select(Lead.exit_reason, leads)
        .where(col(Lead.exit) == exit, *_between(Lead.exited_at, since, until))
        .group_by(Lead.exit_reason)
        .order_by(leads.desc(), Lead.exit_reason)
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(statement)]


def open_contests(session: Session, *, limit: int) -> list[Row]:
    """(contest, lead name, lead company, card_channel, card_ts) of the contests no review
    has discussed yet, newest first; the card is the lead's newest, None when it has none."""
    statement = (
        select(
            Contest,
            Lead.name,
            Lead.company,
            col(SentMessage.channel_id).label("card_channel"),
            col(SentMessage.ts).label("card_ts"),
        )
        .join(Lead, col(Lead.id) == col(Contest.lead_id))
        .outerjoin(SentMessage, col(SentMessage.id) == _newest_card_id(Contest.lead_id))
        .where(col(Contest.reviewed_at).is_(None))
        .order_by(col(Contest.created_at).desc(), col(Contest.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def count_open_contests(session: Session) -> int:
    """How many contests no review has discussed yet."""
    statement = select(func.count()).select_from(Contest).where(col(Contest.reviewed_at).is_(None))
    return session.exec(statement).one()


# -- Round-robin -----------------------------------------------------------------------------


def channel_member_ids(session: Session, *, channel_id: str) -> list[str]:
    """The members the cache holds for `channel_id`, by user id."""
    statement = (
        select(ChannelMember.user_id)
        .where(col(ChannelMember.channel_id) == channel_id)
        .order_by(col(ChannelMember.user_id))
    )
    return list(session.exec(statement))


def away_user_ids(session: Session, *, user_ids: Sequence[str]) -> set[str]:
    """Those of `user_ids` who said they are away from the round-robin."""
    statement = select(Person.user_id).where(
        col(Person.user_id).in_(list(user_ids)), col(Person.away).is_(True)
    )
    return set(session.exec(statement))


def is_person_away(session: Session, *, user_id: str) -> bool:
    """True when `user_id` said they are away (someone the bot does not know is not)."""
    return bool(session.exec(select(Person.away).where(col(Person.user_id) == user_id)).first())


def set_person_away(session: Session, *, user_id: str, away: bool, at: datetime) -> bool:
    """Record whether `user_id` is away (their person row made if need be); True when that
    changed it. A conditional UPDATE, then (to go away) an INSERT that a row made meanwhile
    turns into nothing, so of two concurrent toggles one changes it and one finds it done."""
    changed = session.exec(
        update(Person)
        .where(col(Person.user_id) == user_id, col(Person.away) != away)
        .values(away=away, updated_at=at)
    )
    if changed.rowcount or not away:
        return bool(changed.rowcount)  # someone unknown is not away: nothing to bring back
    row = {"user_id": user_id, "away": True, "updated_at": at}
    made = _insert_new(session, Person).values(row).returning(Person.__table__.c.user_id)
    return session.connection().execute(made).first() is not None


def _insert_new(session: Session, model: Any) -> Any:
    """An INSERT that skips rows whose key is taken, in the backend's own dialect."""
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    return dialect.insert(model.__table__).on_conflict_do_nothing()


def count_open_leads_held(
    session: Session, *, user_ids: Sequence[str], stages: Sequence[str]
) -> dict[str, int]:
    """{user: open leads} for those of `user_ids` who hold any: owned, or offered to them by
    round-robin and not yet accepted by anyone, still at one of `stages` and not left."""
    holder = func.coalesce(Lead.owner_id, Lead.assignee_id)
    statement = (
        select(holder, func.count())
        .where(
            col(Lead.exit).is_(None),
            col(Lead.stage).in_(list(stages)),
            or_(
                col(Lead.owner_id).in_(list(user_ids)),
                and_(col(Lead.owner_id).is_(None), col(Lead.assignee_id).in_(list(user_ids))),
            ),
        )
        .group_by(holder)
    )
    return dict(session.exec(statement).all())


def add_rotation_slots(
    session: Session, *, channel_id: str, user_ids: Sequence[str], at: datetime
) -> None:
    """Give each of `user_ids` a place in `channel_id`'s rotation (no credit, no leads),
    unless they have one: one INSERT that skips the places already there, or being made by
    a concurrent transaction (it waits for that one to end)."""
    if not user_ids:
        return
    rows = [
        {"channel_id": channel_id, "user_id": user, "credit": 0.0, "assigned": 0, "updated_at": at}
        for user in sorted(set(user_ids))
    ]
    session.connection().execute(_insert_new(session, RotationSlot), rows)


def lock_rotation_slots(session: Session, *, channel_id: str) -> list[RotationSlot]:
    """Every place in `channel_id`'s rotation, by user id, locked until the transaction
    ends (PostgreSQL: two replicas assigning in one channel take turns; SQLite has a single
    writer already). Read afresh, whatever the session held."""
    statement = (
        select(RotationSlot)
        .where(col(RotationSlot.channel_id) == channel_id)
        .order_by(col(RotationSlot.user_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement))


def save_rotation_slots(
    session: Session,
    *,
    channel_id: str,
    slots: Mapping[str, tuple[float, int]],
    at: datetime,
) -> None:
    """Store {user: (credit, assigned)} for places in `channel_id`'s rotation."""
    if not slots:
        return
    table = RotationSlot.__table__
    statement = (
        update(table)
        .where(table.c.channel_id == bindparam("b_channel"), table.c.user_id == bindparam("b_user"))
        .values(credit=bindparam("b_credit"), assigned=bindparam("b_assigned"), updated_at=at)
    )
    rows = [
        {"b_channel": channel_id, "b_user": user, "b_credit": credit, "b_assigned": assigned}
        for user, (credit, assigned) in slots.items()
    ]
    session.connection().execute(statement, rows)


# -- SLA policy ------------------------------------------------------------------------------


def latest_sla_policy(session: Session) -> SlaPolicy | None:
    """The policy version in force: the highest; None while the defaults are."""
    statement = select(SlaPolicy).order_by(col(SlaPolicy.version).desc()).limit(1)
    return session.exec(statement).first()


def sla_policy_versions(session: Session, *, limit: int) -> list[SlaPolicy]:
    """The `limit` newest policy versions, newest first."""
    statement = select(SlaPolicy).order_by(col(SlaPolicy.version).desc()).limit(limit)
    return list(session.exec(statement))


def add_sla_policy(
    session: Session,
    *,
    version: int,
    values: dict[str, Any],
    changed: list[str],
    changed_by: str,
    changed_at: datetime,
) -> SlaPolicy | None:
    """Store policy `version`; None when that version exists already (someone else changed
    the policy meanwhile): the unique version decides between two writers."""
    row = SlaPolicy(version=version, values=values, changed=changed, changed_by=changed_by,
                    changed_at=changed_at)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


# -- SLA sweep -------------------------------------------------------------------------------


def _first_card(lead_id: Any) -> Any:
    """The id of the lead's first card message, as a sub-select correlated on `lead_id`."""
    card = SentMessage.__table__.alias("first_card")
    return (
        select(func.min(card.c.id))
        .where(card.c.lead_id == lead_id, card.c.kind == CARD_MESSAGE)
        .scalar_subquery()
    )


def _alerts_since(kind: str, since: Any) -> Any:
    """How many `kind` alerts the lead (correlated on `lead.id`) got for deadlines after
    `since`, as a scalar sub-select."""
    alert = SlaAlert.__table__.alias(f"done_{kind}")
    return (
        select(func.count())
        .where(alert.c.lead_id == Lead.id, alert.c.kind == kind, alert.c.deadline > since)
        .scalar_subquery()
    )


def accepted_without_contact(
    session: Session, *, accepted_before: datetime, finished: str, limit: int
) -> list[Row]:
    """(lead, card_channel) of the leads accepted before `accepted_before` that are still at
    accepted (no connected attempt, not left) and have no `finished` alert since their
    acceptance (the last thing the sweep does to such a lead), oldest first; the card is
    the lead's first, its channel None when it has none."""
    statement = (
        select(Lead, col(SentMessage.channel_id).label("card_channel"))
        .outerjoin(SentMessage, col(SentMessage.id) == _first_card(Lead.id))
        .where(
            col(Lead.stage) == "accepted",
            col(Lead.exit).is_(None),
            col(Lead.owner_id).is_not(None),
            col(Lead.accepted_at) <= accepted_before,
            _alerts_since(finished, Lead.accepted_at) == 0,
        )
        .order_by(col(Lead.accepted_at), col(Lead.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def unclaimed_cards(
    session: Session,
    *,
    posted_before: datetime,
    escalated: str,
    reoffered: str,
    reoffers: int,
    limit: int,
) -> list[Row]:
    """(lead, card_channel, posted_at) of the handed-over leads nobody accepted whose first
    card was posted before `posted_before`, oldest first; leads the sweep is done with
    (an `escalated` alert and `reoffers` `reoffered` ones since the card) are left out."""
    done = and_(
        _alerts_since(escalated, SentMessage.created_at) > 0,
        _alerts_since(reoffered, SentMessage.created_at) >= reoffers,
    )
    statement = (
        select(
            Lead,
            col(SentMessage.channel_id).label("card_channel"),
            col(SentMessage.created_at).label("posted_at"),
        )
        .join(SentMessage, col(SentMessage.id) == _first_card(Lead.id))
        .where(
            col(Lead.stage) == "profiled",
            col(Lead.exit).is_(None),
            col(Lead.owner_id).is_(None),
            col(SentMessage.created_at) <= posted_before,
            not_(done),
        )
        .order_by(col(SentMessage.created_at), col(Lead.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def add_sla_alert(
    session: Session,
    *,
    lead_id: int,
    kind: str,
    deadline: datetime,
    user_id: str | None,
    at: datetime,
) -> bool:
    """Record that the sweep acts on `lead_id`'s `deadline` for `kind`; False when that was
    recorded before (or is being, by a concurrent sweep that then commits): the unique key
    makes each reminder, escalation and re-offer happen once."""
    try:
        with session.begin_nested():
            session.add(SlaAlert(lead_id=lead_id, kind=kind, deadline=deadline,
                                 user_id=user_id, created_at=at))  # fmt: skip
    except IntegrityError:
        return False
    return True


def sla_alerts(session: Session, *, lead_id: int) -> list[SlaAlert]:
    """Everything the sweep did about one lead, in order."""
    statement = select(SlaAlert).where(SlaAlert.lead_id == lead_id).order_by(col(SlaAlert.id))
    return list(session.exec(statement))


def count_alerts_between(
    session: Session, *, kinds: Sequence[str], since: datetime, until: datetime
) -> dict[str, int]:
    """How many alerts of each of `kinds` the sweep raised in [since, until)."""
    statement = (
        select(SlaAlert.kind, func.count())
        .where(
            col(SlaAlert.kind).in_(list(kinds)),
            col(SlaAlert.created_at) >= since,
            col(SlaAlert.created_at) < until,
        )
        .group_by(SlaAlert.kind)
    )
    return dict(session.exec(statement).all())


def count_open_breaches(
    session: Session, *, first_touch_late: str, unclaimed_late: str, attempts_missing: str
) -> int:
    """How many leads have a breach still open: an escalation (of the three kinds named)
    whose lead is still as it was escalated — not touched yet, still unclaimed, still
    without a connected attempt — and has not left."""
    still = {
        first_touch_late: col(Lead.first_touch_at).is_(None),
        unclaimed_late: col(Lead.owner_id).is_(None),
        attempts_missing: col(Lead.contacted_at).is_(None),
    }
    open_alert = or_(
        *(and_(col(SlaAlert.kind) == kind, condition) for kind, condition in still.items())
    )
    statement = (
        select(func.count(func.distinct(SlaAlert.lead_id)))
        .select_from(SlaAlert)
        .join(Lead, col(Lead.id) == col(SlaAlert.lead_id))
        .where(open_alert, col(Lead.exit).is_(None), col(Lead.won_at).is_(None))
    )
    return session.exec(statement).one()


# -- The funnel -------------------------------------------------------------------------------

# Codes of the stages from each one onwards: a lead counts for every stage up to the one it
# reached (its `stage`, kept when it leaves), the funnel's counting rule.
_REACH_ORDER = ("lead", "profiled", "accepted", "contacted", "qualified", "won")


def _reached(stage: str) -> ColumnElement[bool]:
    return col(Lead.stage).in_(_REACH_ORDER[_REACH_ORDER.index(stage) :])


def _cohort_of(
    since: datetime, until: datetime, owner: str | None, *, by_creation: bool = True
) -> list[ColumnElement[bool]]:
    """The cohort's conditions. `by_creation=False`: the same, written so that SQLite does
    not read the cohort through an index on the creation time (`+created_at`)."""
    created: Any = col(Lead.created_at)
    if not by_creation:
        created = literal_column("+lead.created_at", UTCDateTime())
    conditions = [created >= since, created < until]
    if owner is not None:
        conditions.append(col(Lead.owner_id) == owner)
    return conditions


def _grouped_by_creation(
    session: Session, *, since: datetime, owner: str | None, grouped_index: bool
) -> bool:
    """Whether a grouped count of the cohort should read it through an index on the
    creation time. Not on SQLite, for the whole team's cohort starting no later than the
    oldest lead, when an index on the grouped columns (carrying the rest) exists: SQLite
    groups by sorting, and its planner, unable to tell that the range holds every lead,
    would read it by creation time and sort it all; read in that index's order instead,
    the groups come one after the other (on a million leads, 90 ms instead of 580)."""
    if not grouped_index or owner is not None or session.get_bind().dialect.name != "sqlite":
        return True
    first = first_created_at(session)
    return first is None or since > first


def _planned_for_its_window(session: Session) -> None:
    """On PostgreSQL, the transaction's next statements are planned for the values they
    are given. A report's statement is the same for a month and for every lead, and the
    driver prepares a statement it has run five times; the server would then plan it once
    for any window, and read every lead through the index on creation time as it reads a
    month (twice the time of a full scan). Said once per transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    transaction = connection.get_transaction()
    if session.info.get(_PLANNED_IN) is not transaction:
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        session.info[_PLANNED_IN] = transaction


# The transaction in which `_planned_for_its_window` last set the planner (session.info key).
_PLANNED_IN = "smarketing.planned_for_window_in"


def funnel_tally(
    session: Session, *, since: datetime, until: datetime, owner: str | None
) -> list[tuple[str, str | None, str | None, int, float]]:
    """(stage, exit, reason, leads, value won) per combination over the cohort created in
    [since, until) (only `owner`'s leads when given): about a hundred rows that hold every
    count, exit, reason and the revenue, in one pass over the funnel's covering index."""
    _planned_for_its_window(session)
    by_creation = _grouped_by_creation(session, since=since, owner=owner, grouped_index=True)
    statement = (
        select(
            Lead.stage,
            Lead.exit,
            Lead.exit_reason,
            func.count(),
            func.coalesce(func.sum(Lead.won_value), 0.0),
        )
        .where(*_cohort_of(since, until, owner, by_creation=by_creation))
        .group_by(Lead.stage, Lead.exit, Lead.exit_reason)
    )
    return [tuple(row) for row in session.exec(statement)]


def funnel_median(
    session: Session, *, column: str, since: datetime, until: datetime, owner: str | None
) -> tuple[float | None, int]:
    """(exact median, how many) of the stored duration `column` over the cohort's leads
    that have it: PostgreSQL's `percentile_cont`; on SQLite the middle one or two values."""
    _planned_for_its_window(session)
    value = col(getattr(Lead, column))
    conditions = [value.is_not(None), *_cohort_of(since, until, owner)]
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(value.asc())
        found, count = session.exec(select(median, func.count()).where(*conditions)).one()
        return (None if found is None else float(found)), count
    count = session.exec(select(func.count()).select_from(Lead).where(*conditions)).one()
    if not count:
        return None, 0
    middle = (
        select(value).where(*conditions).order_by(value).offset((count - 1) // 2)
        .limit(2 - count % 2)
    )  # fmt: skip
    values = [float(v) for v in session.exec(middle)]
    return sum(values) / len(values), count


def first_created_at(session: Session) -> datetime | None:
    """When the oldest lead was created."""
    return session.exec(select(func.min(Lead.created_at))).one()


def _local_part(
    part: str,
    offsets: Sequence[tuple[datetime, int]],
    dialect: str,
    utc_hour: ColumnElement[str] | None = None,
) -> ColumnElement[int]:
    """The local weekday (0 = Monday) or hour of `created_at`, from its UTC time and the
    zone's offset over each stretch `offsets` lists ((from, minutes) in order, the first from
    the window's start), in whole numbers: no zone conversion per lead. PostgreSQL counts
    minutes from the Unix epoch; SQLite, from the stored UTC text (no date parsing but the
    day's), or from `utc_hour`, a UTC hour as `YYYY-MM-DD HH` (its minutes are 0; only for
    offsets and stretches in whole hours)."""
    at: Any = col(Lead.created_at) if utc_hour is None else utc_hour
    shift: Any = offsets[0][1] if offsets else 0
    if len(offsets) > 1:
        shift = case(
            *[
                (at >= (start if utc_hour is None else _hour_text(start)), minutes)
                for start, minutes in reversed(offsets[1:])
            ],
            else_=offsets[0][1],
        )
    if dialect == "postgresql":
        # Local minutes since 1970-01-01 00:00 (a Thursday), never negative for a lead.
        epoch = func.date_part("epoch", col(Lead.created_at), type_=Float)
        minutes = cast(func.floor(epoch / 60.0), Integer) + shift
        if part == "hour":
            return minutes % 1440 // 60
        return (minutes // 1440 + 3) % 7
    # Minutes since the UTC midnight of the stored day, moved to local time: -1440..2879
    # (a `YYYY-MM-DD HH` text has no minutes: its substr is '', cast to 0).
    minutes = (
        cast(func.substr(at, 12, 2), Integer) * 60 + cast(func.substr(at, 15, 2), Integer) + shift
    )
    if part == "hour":
        return (minutes + 1440) % 1440 // 60
    # The Julian day number of the UTC day, moved by the day the offset crosses into; its
    # remainder by 7 counts from Monday.
    day = cast(func.julianday(func.substr(at, 1, 10)) + 0.5, Integer)
    return (day + (minutes + 1440) // 1440 - 1) % 7


def _hour_text(moment: datetime) -> str:
    """`moment`'s UTC hour as SQLite's stored text begins: `2026-11-30 14`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def _in_whole_hours(offsets: Sequence[tuple[datetime, int]]) -> bool:
    """Every offset is whole hours and every change of offset falls on a UTC hour: a UTC
    hour's leads then share one local hour."""
    changes = [start for start, _minutes in offsets[1:]]
    return all(minutes % 60 == 0 for _start, minutes in offsets) and all(
        (start.minute, start.second, start.microsecond) == (0, 0, 0) for start in changes
    )


def funnel_breakdown(
    session: Session,
    *,
    dimension: str,
    since: datetime,
    until: datetime,
    owner: str | None,
    offsets: Sequence[tuple[datetime, int]],
) -> list[tuple[Any, int, int, int, float]]:
    """Per value of `dimension` (a lead column, or the local `weekday` or `hour` of its
    creation): (value, leads, qualified, won, revenue) over the cohort, most leads first."""
    _planned_for_its_window(session)
    local = dimension in ("weekday", "hour")
    dialect = session.get_bind().dialect.name
    by_hours = local and dialect == "sqlite" and _in_whole_hours(offsets)
    by_creation = _grouped_by_creation(
        session, since=since, owner=owner, grouped_index=not local or by_hours
    )
    if by_hours and not by_creation:
        return _breakdown_by_utc_hour(session, dimension, since, until, offsets)
    key = _local_part(dimension, offsets, dialect) if local else BREAKDOWN_COLUMNS[dimension]
    statement = (
        select(key.label("value"), *_breakdown_figures())
        .where(*_cohort_of(since, until, owner, by_creation=by_creation))
        .group_by(literal_column("value"))  # the key computed once per lead, by its label
        .order_by(func.count().desc(), literal_column("value"))
    )
    return [tuple(row) for row in session.exec(statement)]


def _breakdown_figures() -> list[ColumnElement[Any]]:
    """A breakdown's figures per group: leads, qualified, won, revenue."""
    won = case((col(Lead.stage) == "won", func.coalesce(Lead.won_value, 0.0)), else_=0.0)
    return [
        func.count(),
        func.coalesce(func.sum(case((_reached("qualified"), 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Lead.stage) == "won", 1), else_=0)), 0),
        func.coalesce(func.sum(won), 0.0),
    ]


def _breakdown_by_utc_hour(
    session: Session,
    dimension: str,
    since: datetime,
    until: datetime,
    offsets: Sequence[tuple[datetime, int]],
) -> list[tuple[Any, int, int, int, float]]:
    """`funnel_breakdown` by local hour or weekday of the whole team's cohort on SQLite:
    the leads grouped by their UTC hour in `ix_lead_by_utc_hour`'s order (no sorting; about
    26,000 groups for three years), then those groups by the local hour or weekday."""
    utc_hour = literal_column(UTC_HOUR_TEXT, String)  # spelled as the index spells it
    hours = (
        select(utc_hour.label("utc_hour"), *[f.label(f"f{n}") for n, f in
                                             enumerate(_breakdown_figures())])
        .where(*_cohort_of(since, until, None, by_creation=False))
        .group_by(literal_column("utc_hour"))
        .subquery()
    )  # fmt: skip
    key = _local_part(dimension, offsets, "sqlite", utc_hour=hours.c.utc_hour)
    leads = func.sum(hours.c.f0)
    statement = (
        select(key.label("value"), leads, func.sum(hours.c.f1), func.sum(hours.c.f2),
               func.sum(hours.c.f3))
        .group_by(literal_column("value"))
        .order_by(leads.desc(), literal_column("value"))
    )  # fmt: skip
    return [tuple(row) for row in session.exec(statement)]


# -- Platform figures ------------------------------------------------------------------------

_METRIC = MarketingMetric.__table__
_METRIC_KEY = ("date", "channel", "source", "campaign")
_METRIC_FIGURES = ("impressions", "clicks", "leads")
# The columns the platforms' figures can be broken down by (the same values as the leads').
PLATFORM_COLUMNS = {name: _METRIC.c[name] for name in ("channel", "source", "campaign")}


def store_metrics(session: Session, rows: Sequence[Mapping[str, Any]], at: datetime) -> int:
    """Store each row's figures for its (date, channel, source, campaign), replacing what an
    earlier send stored for that key; returns how many rows were stored. A missing or None
    source or campaign is stored as "". Rows with the same key: the last one wins."""
    if not rows:
        return 0
    values = [
        {
            "date": _calendar_day(row["date"]),
            "channel": row["channel"],
            "source": row.get("source") or "",
            "campaign": row.get("campaign") or "",
            **{name: row[name] for name in _METRIC_FIGURES},
            "updated_at": at,
        }
        for row in rows
    ]
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_METRIC)
    statement = statement.on_conflict_do_update(
        index_elements=list(_METRIC_KEY),
        set_={name: statement.excluded[name] for name in (*_METRIC_FIGURES, "updated_at")},
    )
    session.connection().execute(statement, values)
    return len(values)


def _calendar_day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _metric_days(first_day: date, last_day: date) -> ColumnElement[bool]:
    return _METRIC.c.date.between(first_day, last_day)


def _total(column: Any) -> Any:
    # PostgreSQL sums BIGINT as NUMERIC; the figures are whole numbers either way.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def platform_totals(
    session: Session, *, first_day: date, last_day: date
) -> tuple[int, int, int, int] | None:
    """(impressions, clicks, leads, days with at least one row) the platforms reported from
    `first_day` to `last_day`, both included; None when they reported nothing for those days."""
    statement = select(
        *(_total(_METRIC.c[name]) for name in _METRIC_FIGURES),
        func.count(func.distinct(_METRIC.c.date)),
    ).where(_metric_days(first_day, last_day))
    impressions, clicks, leads, days = session.exec(statement).one()
    if not days:
        return None
    return int(impressions), int(clicks), int(leads), int(days)


def platform_by(
    session: Session, *, dimension: str, first_day: date, last_day: date
) -> dict[str | None, int]:
    """Impressions from `first_day` to `last_day` (both included) per value of `dimension`
    (channel, source or campaign); rows without a value are under None, as leads without
    one are."""
    column = PLATFORM_COLUMNS.get(dimension)
    if column is None:
        raise ValueError(f"the platforms' figures cannot be broken down by {dimension!r}")
    statement = (
        select(func.nullif(column, ""), _total(_METRIC.c.impressions))
        .where(_metric_days(first_day, last_day))
        .group_by(column)
    )
    return {value: int(impressions) for value, impressions in session.exec(statement)}


# -- The weekly digest -----------------------------------------------------------------------


def top_closer_between(
    session: Session, *, since: datetime, until: datetime
) -> tuple[str, float, int] | None:
    """(seller, revenue, leads won) of the seller who won the most revenue in
    [since, until), ties broken by more leads won, then by id; None when nobody won."""
    revenue = func.coalesce(func.sum(Lead.won_value), 0.0)
    won = func.count()
    statement = (
        select(Lead.owner_id, revenue, won)
        .where(col(Lead.owner_id).is_not(None), *_between(Lead.won_at, since, until))
        .group_by(Lead.owner_id)
        .order_by(revenue.desc(), won.desc(), Lead.owner_id)
        .limit(1)
    )
    found = session.exec(statement).first()
    return None if found is None else (found[0], float(found[1]), int(found[2]))


def fastest_responder_between(
    session: Session, *, since: datetime, until: datetime, at_least: int
) -> tuple[str, float, int] | None:
    """(seller, exact median response time, first touches) of the seller with the lowest
    median response time (business minutes) over their first touches in [since, until),
    among those with at least `at_least` measured ones; ties by more touches, then by id.
    The median is taken by window functions (the middle one or two of each seller's
    ordered times), the same on SQLite and PostgreSQL."""
    minutes = col(Lead.response_minutes)
    ranked = (
        select(
            col(Lead.owner_id).label("seller"),
            minutes.label("minutes"),
            func.row_number()
            .over(partition_by=Lead.owner_id, order_by=(minutes, col(Lead.id)))
            .label("position"),
            func.count().over(partition_by=Lead.owner_id).label("touches"),
        )
        .where(
            col(Lead.owner_id).is_not(None),
            minutes.is_not(None),
            *_between(Lead.first_touch_at, since, until),
        )
        .subquery()
    )
    median = func.avg(ranked.c.minutes)
    touches = func.max(ranked.c.touches)
    statement = (
        select(ranked.c.seller, median, touches)
        .where(
            ranked.c.touches >= at_least,
            # The middle position(s): p with touches <= 2p <= touches + 2.
            ranked.c.position * 2 >= ranked.c.touches,
            ranked.c.position * 2 <= ranked.c.touches + 2,
        )
        .group_by(ranked.c.seller)
        .order_by(median, touches.desc(), ranked.c.seller)
        .limit(1)
    )
    found = session.exec(statement).first()
    return None if found is None else (found[0], float(found[1]), int(found[2]))


def most_improved_between(
    session: Session, *, since: datetime, middle: datetime, until: datetime
) -> tuple[str, int, int] | None:
    """(seller, leads, leads before) of the seller whose leads reaching qualified or won in
    [middle, until) grew the most over [since, middle); a lead counts once per span it
    moved in. None when nobody grew. Ties by more leads, then by id."""

    def moved(start: datetime, end: datetime) -> ColumnElement[bool]:
        return or_(
            and_(*_between(Lead.qualified_at, start, end)),
            and_(*_between(Lead.won_at, start, end)),
        )

    now_count = func.count().filter(moved(middle, until))
    before_count = func.count().filter(moved(since, middle))
    growth = now_count - before_count
    statement = (
        select(Lead.owner_id, now_count, before_count)
        .where(col(Lead.owner_id).is_not(None), moved(since, until))
        .group_by(Lead.owner_id)
        .having(growth > 0)
        .order_by(growth.desc(), now_count.desc(), Lead.owner_id)
        .limit(1)
    )
    found = session.exec(statement).first()
    return None if found is None else (found[0], int(found[1]), int(found[2]))


def top_exit_reasons_by(
    session: Session,
    *,
    dimension: str,
    exits: Sequence[str],
    since: datetime,
    until: datetime,
    limit: int,
) -> list[tuple[str | None, str, str | None, int]]:
    """(value of `dimension`, exit, reason, leads) of the leads that took one of `exits` in
    [since, until) and are still out, the `limit` most frequent combinations first; a
    dimension is a `BREAKDOWN_COLUMNS` name (source, campaign…), None for leads without one."""
    column = BREAKDOWN_COLUMNS[dimension]
    leads = func.count()
    statement = (
        select(column, Lead.exit, Lead.exit_reason, leads)
        .where(col(Lead.exit).in_(list(exits)), *_between(Lead.exited_at, since, until))
        .group_by(column, Lead.exit, Lead.exit_reason)
        .order_by(leads.desc(), Lead.exit, Lead.exit_reason, col(column).is_(None), column)
        .limit(limit)
    )
    return [
        (value, exit_, reason, int(count))
        for value, exit_, reason, count in session.exec(statement)
    ]


def _last_event_at(lead_id: Any) -> Any:
    """When the lead's latest event happened, as a sub-select correlated on `lead_id` (the
    lead's own index on (lead_id, at) answers it)."""
    event = LeadEvent.__table__.alias("latest_event")
    return select(func.max(event.c.at)).where(event.c.lead_id == lead_id).scalar_subquery()


def _idle_since() -> Any:
    """A lead's last activity: its latest event, or when it was accepted or created."""
    return type_coerce(
        func.coalesce(_last_event_at(Lead.id), Lead.accepted_at, Lead.created_at), UTCDateTime()
    )


def _open_at(stages: Sequence[str]) -> list[ColumnElement[bool]]:
    return [col(Lead.stage).in_(list(stages)), col(Lead.exit).is_(None)]


def count_stalled_leads(session: Session, *, stages: Sequence[str], idle_before: datetime) -> int:
    """How many leads open at one of `stages` had their last activity at or before
    `idle_before`."""
    idle = _idle_since()
    statement = select(func.count()).select_from(Lead).where(*_open_at(stages), idle <= idle_before)
    return session.exec(statement).one()


def stalled_leads(
    session: Session, *, stages: Sequence[str], idle_before: datetime, limit: int
) -> list[Row]:
    """(id, name, company, stage, owner_id, idle_since) of the leads open at one of `stages`
    whose last activity was at or before `idle_before`, the longest idle first."""
    idle = _idle_since().label("idle_since")
    statement = (
        select(Lead.id, Lead.name, Lead.company, Lead.stage, Lead.owner_id, idle)
        .where(*_open_at(stages), _idle_since() <= idle_before)
        .order_by(idle, col(Lead.id))
        .limit(limit)
    )
    return list(session.exec(statement))


# -- SLA reviews -----------------------------------------------------------------------------


def add_agenda_item(session: Session, *, item: AgendaItem) -> AgendaItem:
    """Keep an item for the next SLA review."""
    session.add(item)
    session.flush()
    return item


def open_agenda_items(session: Session, *, limit: int) -> list[Row]:
    """(item, lead name, lead company) of the agenda items no meeting has reviewed yet,
    oldest first; the lead's name and company are None for an item without a lead."""
    statement = (
        select(AgendaItem, Lead.name, Lead.company)
        .outerjoin(Lead, col(Lead.id) == col(AgendaItem.lead_id))
        .where(col(AgendaItem.reviewed_in).is_(None))
        .order_by(col(AgendaItem.added_at), col(AgendaItem.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def count_open_agenda_items(session: Session) -> int:
    """How many agenda items no meeting has reviewed yet."""
    statement = (
        select(func.count()).select_from(AgendaItem).where(col(AgendaItem.reviewed_in).is_(None))
    )
    return session.exec(statement).one()


def agenda_items_of(session: Session, *, meeting_id: int) -> list[AgendaItem]:
    """The items a meeting reviewed, in the order they were added."""
    statement = (
        select(AgendaItem)
        .where(AgendaItem.reviewed_in == meeting_id)
        .order_by(col(AgendaItem.added_at), col(AgendaItem.id))
    )
    return list(session.exec(statement))


def contests_for_review(session: Session, *, limit: int) -> list[Row]:
    """(contest, lead name, lead company, the verdict's note) of the contests no review has
    discussed yet, oldest first: the marketer's words are the contest's text, the seller's
    the note of the verdict contested (None when they left none)."""
    statement = (
        select(Contest, Lead.name, Lead.company, LeadEvent.note)
        .join(Lead, col(Lead.id) == col(Contest.lead_id))
        .join(LeadEvent, col(LeadEvent.id) == col(Contest.exit_event_id))
        .where(col(Contest.reviewed_at).is_(None))
        .order_by(col(Contest.created_at), col(Contest.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def review_meeting(session: Session, *, scheduled_for: datetime) -> ReviewMeeting | None:
    """The meeting held at the occurrence `scheduled_for`, if one was recorded."""
    statement = select(ReviewMeeting).where(ReviewMeeting.scheduled_for == scheduled_for)
    return session.exec(statement).first()


def latest_reviewed_meeting(session: Session, *, before: datetime) -> ReviewMeeting | None:
    """The latest meeting scheduled before `before` that was marked reviewed."""
    statement = (
        select(ReviewMeeting)
        .where(
            col(ReviewMeeting.reviewed_at).is_not(None),
            col(ReviewMeeting.scheduled_for) < before,
        )
        .order_by(col(ReviewMeeting.scheduled_for).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def add_review_meeting(session: Session, *, scheduled_for: datetime) -> None:
    """Record the meeting of the occurrence `scheduled_for` unless it is recorded already
    (the unique key decides between two recorders at once)."""
    if review_meeting(session, scheduled_for=scheduled_for) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ReviewMeeting(scheduled_for=scheduled_for))
    except IntegrityError:
        pass


def mark_meeting_reviewed(
    session: Session, *, scheduled_for: datetime, by: str, at: datetime
) -> bool:
    """Mark the recorded meeting reviewed by `by` at `at`; False when it was marked already
    (a compare-and-set: of two managers at once, one wins)."""
    statement = (
        update(ReviewMeeting)
        .where(
            col(ReviewMeeting.scheduled_for) == scheduled_for,
            col(ReviewMeeting.reviewed_at).is_(None),
        )
        .values(reviewed_at=at, reviewed_by=by)
    )
    return session.exec(statement).rowcount == 1


def close_agenda_items(session: Session, *, meeting_id: int, added_until: datetime) -> int:
    """Give the open agenda items added at or before `added_until` to the meeting; how many."""
    statement = (
        update(AgendaItem)
        .where(col(AgendaItem.reviewed_in).is_(None), col(AgendaItem.added_at) <= added_until)
        .values(reviewed_in=meeting_id)
    )
    return session.exec(statement).rowcount


def close_contests(session: Session, *, created_until: datetime, at: datetime) -> int:
    """Mark the open contests made at or before `created_until` reviewed at `at`; how many."""
    statement = (
        update(Contest)
        .where(col(Contest.reviewed_at).is_(None), col(Contest.created_at) <= created_until)
        .values(reviewed_at=at)
    )
    return session.exec(statement).rowcount
