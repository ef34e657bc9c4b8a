"""Corrections in the domain: reassign and reopen (managers), contest (marketers), each
decided against the lead as stored, and each leaving its trail."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select
from workbench import (
    LOST,
    MANAGER,
    MARKETER,
    NOW,
    OWNER,
    ROLES,
    SELLER,
    STRANGER,
    act,
    kinds,
    lead,
    who,
)

from bot.domain import manage
from bot.domain.work import Who, WorkAnswer
from storage.db import session_scope
from storage.models import Contest, Lead, LeadEvent, OutboxEntry

MKT = "C0MKT"


def manage_(sessions, name: str, lead_id: int, user: str = MANAGER, **details) -> WorkAnswer:
    with session_scope(sessions) as session:
        return getattr(manage, name)(session, lead_id=lead_id, who=who(user), at=NOW, **details)


def outbox(sessions, kind: str) -> list[OutboxEntry]:
    with sessions() as session:
        return list(session.exec(select(OutboxEntry).where(OutboxEntry.kind == kind)))


def verdict_of(sessions, lead_id: int) -> int:
    with sessions() as session:
        statement = select(LeadEvent.id).where(
            LeadEvent.lead_id == lead_id, LeadEvent.kind.in_(manage.VERDICT_KINDS)
        )
        return max(session.exec(statement))


def contest(sessions, lead_id: int, verdict: int, user: str = MARKETER, text: str = "A fit"):
    with session_scope(sessions) as session:
        marketer = Who(user_id=user, channel_id=MKT, roles=ROLES)
        return manage.contest(
            session, lead_id=lead_id, verdict_event=verdict, who=marketer, text=text, at=NOW
        )


def test_reassign_moves_the_owner_tells_the_new_one_and_keeps_the_stage(sessions, claimed):
    assert manage_(sessions, "reassign", claimed, new_owner=SELLER, note=None) is WorkAnswer.DONE
    moved = lead(sessions, claimed)
    assert (moved.owner_id, moved.stage) == (SELLER, "accepted")
    assert kinds(sessions, claimed)[-1] == "reassign"
    [told] = outbox(sessions, "direct")
    assert told.channel_id == SELLER and told.payload["params"]["previous"] == OWNER
    # Giving it to the seller who already has it is refused, and writes nothing.
    assert manage_(sessions, "reassign", claimed, new_owner=SELLER, note=None) is (
        WorkAnswer.NOT_A_SELLER
    )
    assert kinds(sessions, claimed).count("reassign") == 1


@pytest.mark.parametrize("user", [OWNER, SELLER, MARKETER, STRANGER])
def test_only_managers_reassign_or_reopen(sessions, claimed, user):
    assert manage_(sessions, "reassign", claimed, user, new_owner=SELLER, note=None) is (
        WorkAnswer.NOT_A_MANAGER
    )
    act(sessions, "close", claimed, **LOST)
    assert manage_(sessions, "reopen", claimed, user, reason="x") is WorkAnswer.NOT_A_MANAGER
    assert lead(sessions, claimed).exit == "lost"
    assert "reassign" not in kinds(sessions, claimed)


def test_reassign_needs_a_lead_someone_is_working(sessions, lead_id, claimed):
    act(sessions, "close", claimed, **LOST)
    answer = manage_(sessions, "reassign", claimed, new_owner=SELLER, note=None)
    assert answer is WorkAnswer.NOT_NOW
    assert lead(sessions, claimed).owner_id == OWNER


def test_reopen_brings_each_exit_back_to_the_stage_it_left(sessions, claimed):
    with session_scope(sessions) as session:
        session.get(Lead, claimed).stage = "contacted"
    act(sessions, "close", claimed, **LOST)
    assert manage_(sessions, "reopen", claimed, reason="They called") is WorkAnswer.DONE
    back = lead(sessions, claimed)
    assert (back.stage, back.exit, back.exit_reason, back.exited_at) == (
        "contacted", None, None, None,
    )  # fmt: skip
    assert back.owner_id == OWNER
    assert manage_(sessions, "reopen", claimed, reason="again") is WorkAnswer.NOT_NOW
    assert kinds(sessions, claimed)[-2:] == ["lose", "reopen"]


def test_a_contest_is_kept_open_told_in_the_thread_and_on_the_marketing_message(sessions, claimed):
    act(sessions, "close", claimed, **LOST)
    verdict = verdict_of(sessions, claimed)
    assert contest(sessions, claimed, verdict, text="Budget approved") is WorkAnswer.DONE
    with sessions() as session:
        [objection] = session.exec(select(Contest)).all()
    assert (objection.exit, objection.reason_code, objection.seller_id) == ("lost", "price", OWNER)
    assert objection.reviewed_at is None
    [redraw] = outbox(sessions, "feedback_refresh")
    assert redraw.payload["contest"] == {"user": MARKETER, "text": "Budget approved"}
    assert redraw.payload["event"] == verdict and redraw.channel_id == MKT


def test_contests_are_refused_to_non_marketers_twice_and_after_the_verdict_changed(
    sessions, claimed
):
    act(sessions, "close", claimed, **LOST)
    verdict = verdict_of(sessions, claimed)
    assert contest(sessions, claimed, verdict, user=SELLER) is WorkAnswer.NOT_A_MARKETER
    assert contest(sessions, claimed, verdict, user=MANAGER) is WorkAnswer.NOT_A_MARKETER
    assert contest(sessions, claimed, verdict + 999) is WorkAnswer.VERDICT_CHANGED
    assert contest(sessions, claimed, verdict) is WorkAnswer.DONE
    assert contest(sessions, claimed, verdict) is WorkAnswer.ALREADY_CONTESTED
    assert manage_(sessions, "reopen", claimed, reason="right") is WorkAnswer.DONE
    act(sessions, "close", claimed, at=NOW + timedelta(minutes=1), **LOST)
    assert contest(sessions, claimed, verdict) is WorkAnswer.VERDICT_CHANGED  # an older one
    assert contest(sessions, claimed, verdict_of(sessions, claimed)) is WorkAnswer.DONE


def test_two_marketers_contesting_at_once_make_one_contest(sessions, claimed, engine):
    act(sessions, "close", claimed, **LOST)
    verdict = verdict_of(sessions, claimed)
    start, answers = threading.Barrier(2), []

    def contest_now(text: str) -> None:
        start.wait()
        answers.append(contest(sessions, claimed, verdict, text=text))

    threads = [threading.Thread(target=contest_now, args=(t,)) for t in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == sorted([WorkAnswer.DONE, WorkAnswer.ALREADY_CONTESTED])
    with sessions() as session:
        assert len(session.exec(select(Contest)).all()) == 1
    assert kinds(sessions, claimed).count("contest") == 1
