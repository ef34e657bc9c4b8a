"""SQLite writers of one process queue on a lock from their first write to their commit or
rollback, instead of polling a locked file with sleeps."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from storage.db import _WRITE_LOCKS, make_engine, upgrade


@pytest.fixture
def sqlite_engine(tmp_path):
    path = tmp_path / "writes.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine, _WRITE_LOCKS[str(path)]
    engine.dispose()


INSERT = text("INSERT INTO person (user_id, away, updated_at) VALUES (:u, 0, '2026-11-30')")


def test_the_lock_is_held_from_the_first_write_to_the_commit(sqlite_engine):
    engine, lock = sqlite_engine
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM person"))
        assert not lock.locked()  # reading takes no turn
        connection.execute(INSERT, {"u": "U1"})
        assert lock.locked()
        connection.commit()
        assert not lock.locked()
        connection.execute(INSERT, {"u": "U2"})
        connection.rollback()
        assert not lock.locked()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM person")).scalars().all() == ["U1"]


def test_a_second_writer_waits_its_turn_and_goes_when_the_first_is_done(sqlite_engine):
    engine, lock = sqlite_engine
    started, finished = threading.Event(), threading.Event()

    def second() -> None:
        with engine.begin() as connection:
            started.set()
            connection.execute(INSERT, {"u": "U2"})
        finished.set()

    with engine.connect() as first:
        first.execute(INSERT, {"u": "U1"})
        thread = threading.Thread(target=second)
        thread.start()
        assert started.wait(5)
        assert not finished.wait(0.3)  # in line behind the first writer
        first.commit()
    assert finished.wait(5)
    thread.join()
    assert not lock.locked()
    with engine.connect() as connection:
        assert sorted(connection.execute(text("SELECT user_id FROM person")).scalars()) == [
            "U1", "U2",
        ]  # fmt: skip


def test_a_failed_write_gives_the_turn_back(sqlite_engine):
    engine, lock = sqlite_engine
    with engine.begin() as connection:
        connection.execute(INSERT, {"u": "U1"})
    with pytest.raises(Exception, match="UNIQUE"), engine.begin() as connection:
        connection.execute(INSERT, {"u": "U1"})
    assert not lock.locked()
