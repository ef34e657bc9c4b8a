"""Group commit: concurrent intake requests share transactions, and never each other's faults.

The writer runs against a real database (SQLite, and PostgreSQL when available). To make
requests arrive while a transaction is in flight, a test holds the writer inside its first
statement (an engine event waits on a gate) and queues more requests behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import IntegrityError

from bot.domain.intake import IntakeStatus, LeadInput
from handlers.intake.writer import IntakeWriter
from storage.models import Lead, LeadEvent, OutboxEntry

TIMEOUT = 20


def lead(number: int, **fields) -> LeadInput:
    values = {
        "platform": "api",
        "name": f"Lead {number}",
        "external_id": f"crm-{number}",
        "email": f"lead{number}@example.com",
    }
    return LeadInput(**(values | fields))


@pytest.fixture
def writer(engine) -> Iterator[IntakeWriter]:
    writer = IntakeWriter(engine)
    yield writer
    writer.close()


@pytest.fixture
def commits(engine) -> list[int]:
    """One entry per transaction committed on the engine."""
    seen: list[int] = []
    event.listen(engine, "commit", lambda connection: seen.append(1))
    return seen


@contextmanager
def writer_held(engine: Engine) -> Iterator[threading.Event]:
    """Holds the next statement on the engine until the block ends; yields 'it is held'."""
    arrived, gate = threading.Event(), threading.Event()

    def hold(*_):
        if not arrived.is_set():
            arrived.set()
            gate.wait(TIMEOUT)

    # Left listening afterwards (removing it races the writer's own dispatch); it holds once.
    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield arrived
    finally:
        gate.set()
        arrived.set()


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_lone_request_is_stored_and_answered_at_once(writer, sessions):
    [result] = writer.submit([lead(1)]).result(TIMEOUT)
    assert result.status is IntakeStatus.ACCEPTED
    with sessions() as session:
        assert session.get(Lead, result.id).email == "lead1@example.com"
    assert count(sessions, OutboxEntry) == 1


def test_requests_arriving_during_a_transaction_share_the_next_one(
    writer, engine, sessions, commits
):
    with writer_held(engine) as held:
        first = writer.submit([lead(0)])
        assert held.wait(TIMEOUT)
        waiting = [writer.submit([lead(n), lead(n + 100)]) for n in range(1, 6)]
    answers = [first.result(TIMEOUT), *(future.result(TIMEOUT) for future in waiting)]

    assert len(commits) == 2  # the held transaction, then all five waiting requests at once
    assert [len(answer) for answer in answers] == [1, 2, 2, 2, 2, 2]
    assert all(r.status is IntakeStatus.ACCEPTED for answer in answers for r in answer)
    with sessions() as session:
        for number, answer in zip(range(1, 6), answers[1:], strict=True):
            # Each request gets the ids of its own leads, in its own order.
            assert session.get(Lead, answer[0].id).external_id == f"crm-{number}"
            assert session.get(Lead, answer[1].id).external_id == f"crm-{number + 100}"
    assert count(sessions, Lead) == 11
    assert count(sessions, OutboxEntry) == 11


def test_the_same_lead_in_two_waiting_requests_is_accepted_then_a_duplicate(
    writer, engine, sessions
):
    with writer_held(engine) as held:
        first = writer.submit([lead(0)])
        assert held.wait(TIMEOUT)
        earlier, later = writer.submit([lead(7)]), writer.submit([lead(7)])
    first.result(TIMEOUT)
    [accepted], [duplicate] = earlier.result(TIMEOUT), later.result(TIMEOUT)
    assert accepted.status is IntakeStatus.ACCEPTED
    assert duplicate.status is IntakeStatus.DUPLICATE
    assert duplicate.id == accepted.id
    assert count(sessions, OutboxEntry) == 2


def test_a_request_that_cannot_be_stored_fails_alone(writer, engine, sessions):
    with writer_held(engine) as held:
        first = writer.submit([lead(0)])
        assert held.wait(TIMEOUT)
        before = writer.submit([lead(1)])
        broken = writer.submit([lead(2, name=None)])  # the lead table requires a name
        after = writer.submit([lead(3)])
    first.result(TIMEOUT)
    with pytest.raises(IntegrityError):
        broken.result(TIMEOUT)
    assert before.result(TIMEOUT)[0].status is IntakeStatus.ACCEPTED
    assert after.result(TIMEOUT)[0].status is IntakeStatus.ACCEPTED
    with sessions() as session:
        stored = session.scalars(select(Lead.external_id).order_by(Lead.id)).all()
    assert stored == ["crm-0", "crm-1", "crm-3"]
    assert count(sessions, LeadEvent) == 6  # captured and handed over, for three leads


def test_a_request_given_up_before_its_turn_is_not_stored(writer, engine, sessions):
    with writer_held(engine) as held:
        first = writer.submit([lead(0)])
        assert held.wait(TIMEOUT)
        abandoned = writer.submit([lead(1)])
        assert abandoned.cancel()
    first.result(TIMEOUT)
    writer.submit([lead(2)]).result(TIMEOUT)  # the writer has passed the abandoned request
    with sessions() as session:
        assert session.scalars(select(Lead.external_id).order_by(Lead.id)).all() == [
            "crm-0",
            "crm-2",
        ]


def test_closing_stores_what_is_queued_and_refuses_more(engine, sessions):
    writer = IntakeWriter(engine)
    with writer_held(engine) as held:
        first = writer.submit([lead(0)])
        assert held.wait(TIMEOUT)
        queued = writer.submit([lead(1)])
        closing = threading.Thread(target=writer.close)
        closing.start()
    closing.join(TIMEOUT)
    assert first.result(0)[0].status is IntakeStatus.ACCEPTED
    assert queued.result(0)[0].status is IntakeStatus.ACCEPTED
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit([lead(2)])
    assert count(sessions, Lead) == 2


def test_a_broken_connection_is_replaced_without_losing_the_request(
    writer, engine, sessions, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a server connection to break is PostgreSQL's")
    writer.submit([lead(1)]).result(TIMEOUT)
    with engine.connect() as admin:
        ended = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle' AND query = 'COMMIT'"
            )
        ).all()
    assert ended, "the writer's idle connection was not found"
    [result] = writer.submit([lead(2)]).result(TIMEOUT)
    assert result.status is IntakeStatus.ACCEPTED
    assert count(sessions, Lead) == 2
