"""Working a lead in the domain: the whole lifecycle, who may act, and undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from workbench import (
    LOST,
    MANAGER,
    MARKETER,
    NOW,
    OWNER,
    SALES,
    SELLER,
    STRANGER,
    act,
    kinds,
    lead,
    thread_lines,
)

from bot.domain.vocabulary import Exit
from bot.domain.work import WorkAnswer
from storage.models import LeadEvent, OutboxEntry

ATTEMPT = {"how": "call", "outcome": "no_answer", "note": None}
CONNECTED = {"how": "whatsapp", "outcome": "connected", "note": "Talked 10 min"}
MEETING = {"when": NOW + timedelta(days=2), "note": None}
WON = {"value": 7000.0, "rating": 5, "note": None}


def test_the_whole_lifecycle_claim_attempts_meeting_won(sessions, claimed):
    assert act(sessions, "log_attempt", claimed, **ATTEMPT) is WorkAnswer.DONE
    assert lead(sessions, claimed).stage == "accepted"  # no answer is a touch, not contact
    assert lead(sessions, claimed).first_touch_at == NOW
    later = NOW + timedelta(hours=1)
    assert act(sessions, "log_attempt", claimed, at=later, **CONNECTED) is WorkAnswer.DONE
    assert act(sessions, "book_meeting", claimed, **MEETING) is WorkAnswer.DONE
    assert act(sessions, "win", claimed, **WON) is WorkAnswer.DONE

    done = lead(sessions, claimed)
    assert (done.stage, done.attempts, done.won_value, done.quality_rating) == ("won", 2, 7000, 5)
    assert done.first_touch_at == NOW and done.contacted_at == later
    assert kinds(sessions, claimed) == ["claim", "attempt", "attempt", "contact", "qualify", "win"]
    assert thread_lines(sessions) == [
        "thread.claimed",
        "thread.attempt",
        "thread.attempt",
        "thread.meeting",
        "thread.won",
    ]


def test_an_exit_keeps_its_reason_note_and_rating_and_tells_marketing(sessions, claimed):
    assert act(sessions, "close", claimed, **LOST) is WorkAnswer.DONE
    closed = lead(sessions, claimed)
    assert (closed.exit, closed.exit_reason, closed.quality_rating) == ("lost", "price", 3)
    with sessions() as session:
        [told] = session.exec(select(OutboxEntry).where(OutboxEntry.kind == "feedback")).all()
        [verdict] = session.exec(select(LeadEvent).where(LeadEvent.kind == "lose")).all()
    assert told.channel_id == "C0MKT"
    assert told.payload == {
        "card_channel": SALES,
        "user": OWNER,
        "exit": "lost",
        "reason": "price",
        "note": "Too expensive",
        "rating": 3,
        "event": verdict.id,
    }
    assert act(sessions, "log_attempt", claimed, **ATTEMPT) is WorkAnswer.NOT_NOW


ACTIONS = {
    "log_attempt": ATTEMPT,
    "book_meeting": MEETING,
    "win": WON,
    "close": LOST,
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (OWNER, WorkAnswer.DONE),
        (MANAGER, WorkAnswer.DONE),
        (SELLER, WorkAnswer.NOT_YOURS),
        (MARKETER, WorkAnswer.NOT_YOURS),
        (STRANGER, WorkAnswer.NOT_YOURS),
    ],
)
def test_only_the_owner_or_a_manager_works_a_claimed_lead(
    sessions, claimed, action, user, expected
):
    before = lead(sessions, claimed)
    assert act(sessions, action, claimed, user=user, **ACTIONS[action]) is expected
    after = lead(sessions, claimed)
    if expected is not WorkAnswer.DONE:
        assert (after.stage, after.exit, after.attempts) == (
            before.stage,
            before.exit,
            before.attempts,
        )
        assert kinds(sessions, claimed) == ["claim"]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (SELLER, WorkAnswer.DONE),
        (MANAGER, WorkAnswer.DONE),
        (MARKETER, WorkAnswer.NOT_A_SELLER),
        (STRANGER, WorkAnswer.NOT_A_SELLER),
    ],
)
def test_an_unclaimed_lead_is_marked_not_a_fit_by_a_seller_or_a_manager(
    sessions, lead_id, user, expected
):
    rejected = {"exit_": Exit.REJECTED, "reason": "wrong_region", "note": None, "rating": 2}
    assert act(sessions, "close", lead_id, user=user, **rejected) is expected
    assert (lead(sessions, lead_id).exit == "rejected") is (expected is WorkAnswer.DONE)


def test_an_unclaimed_lead_cannot_be_worked_before_it_is_claimed(sessions, lead_id):
    assert act(sessions, "log_attempt", lead_id, user=SELLER, **ATTEMPT) is WorkAnswer.NOT_NOW
    assert act(sessions, "win", lead_id, user=MANAGER, **WON) is WorkAnswer.NOT_NOW


def test_undo_takes_back_a_connected_attempt_and_its_contact(sessions, claimed):
    act(sessions, "log_attempt", claimed, **CONNECTED)
    assert lead(sessions, claimed).stage == "contacted"
    later = NOW + timedelta(minutes=9)
    assert act(sessions, "undo_last", claimed, at=later) is WorkAnswer.DONE
    back = lead(sessions, claimed)
    assert (back.stage, back.attempts, back.contacted_at, back.first_touch_at) == (
        "accepted",
        0,
        None,
        None,
    )
    assert kinds(sessions, claimed)[-1] == "undo"
    assert thread_lines(sessions)[-1] == "thread.undone"


def test_undo_brings_an_exit_back(sessions, claimed):
    act(sessions, "close", claimed, **LOST)
    assert act(sessions, "undo_last", claimed) is WorkAnswer.DONE
    back = lead(sessions, claimed)
    assert (back.exit, back.exit_reason, back.stage, back.owner_id) == (
        None,
        None,
        "accepted",
        OWNER,
    )


def test_undo_after_ten_minutes_or_by_someone_else_changes_nothing(sessions, claimed):
    act(sessions, "book_meeting", claimed, **MEETING)
    late = NOW + timedelta(minutes=10, seconds=1)
    assert act(sessions, "undo_last", claimed, at=late) is WorkAnswer.TOO_LATE
    assert act(sessions, "undo_last", claimed, user=MANAGER) is WorkAnswer.NOTHING_TO_UNDO
    assert lead(sessions, claimed).stage == "qualified"
    assert "undo" not in kinds(sessions, claimed)


def test_an_undo_cannot_itself_be_undone(sessions, claimed):
    act(sessions, "log_attempt", claimed, **ATTEMPT)
    act(sessions, "undo_last", claimed)
    assert act(sessions, "undo_last", claimed) is WorkAnswer.NOTHING_TO_UNDO
