"""Working a lead from its card: attempts, the meeting, won, lost, nurture, not a fit, undo.

Who may act: on a claimed lead, its owner or a manager; on an unclaimed one (only Not a fit
is offered there), a seller of the card's channel or a manager, and only the assignee or a
manager while round-robin offers it to someone. Everyone else is told why
and nothing changes. Each action is one lifecycle move (or, for an attempt, one counted
attempt that may also be the move to *contacted*), decided by compare-and-set in the
database; the card's redraw and its thread line are queued in the same transaction.

Undo takes back the person's own last action on the lead within ten minutes, provided
nothing happened to the lead since: the event log keeps each move's previous column
values, and undoing writes them back (again compare-and-set) with an `undo` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from bot.domain import notices
from bot.domain.lifecycle import (
    Action,
    Outcome,
    Refusal,
    perform,
    restored,
    snapshot,
    state_of,
)
from bot.domain.roles import Role, RoleDirectory
from bot.domain.vocabulary import Exit, Stage
from storage import queries
from storage.models import Lead, LeadEvent

UNDO_WINDOW = timedelta(minutes=10)
EXIT_ACTIONS = {Exit.REJECTED: Action.REJECT, Exit.LOST: Action.LOSE, Exit.NURTURE: Action.NURTURE}
# Events an owner may take back (an undo itself may not be undone).
UNDOABLE = frozenset(
    {"claim", "accept", "attempt", "contact", "qualify", "win"}
    | {action.value for action in EXIT_ACTIONS.values()}
)


class WorkAnswer(StrEnum):
    DONE = "done"
    NOT_YOURS = "not_yours"  # someone else owns it, and you are not a manager
    NOT_A_SELLER = "not_a_seller"
    NOT_NOW = "not_now"  # the lead's state does not allow it (any more)
    NOT_FOUND = "not_found"
    NOTHING_TO_UNDO = "nothing_to_undo"
    TOO_LATE = "too_late"
    NOT_A_MANAGER = "not_a_manager"  # reassign and reopen are the managers'
    NOT_A_MARKETER = "not_a_marketer"  # contesting a verdict is marketing's
    ALREADY_CONTESTED = "already_contested"
    VERDICT_CHANGED = "verdict_changed"  # the contested verdict no longer stands
    OFFERED_ELSEWHERE = "offered_elsewhere"  # round-robin offered it to another seller


@dataclass(frozen=True)
class Who:
    """The person acting, and the channel of the card they clicked."""

    user_id: str
    channel_id: str
    roles: RoleDirectory


def may_work(session: Session, lead: Lead, who: Who) -> WorkAnswer | None:
    """None if `who` may act on `lead`, else why not."""
    if who.roles.has_role(session, role=Role.MANAGER, user_id=who.user_id):
        return None
    if lead.owner_id is not None:
        return None if lead.owner_id == who.user_id else WorkAnswer.NOT_YOURS
    if lead.assignee_id is not None and lead.assignee_id != who.user_id:
        return WorkAnswer.OFFERED_ELSEWHERE
    seller = who.roles.has_role(
        session, role=Role.SELLER, user_id=who.user_id, channel_id=who.channel_id
    )
    return None if seller else WorkAnswer.NOT_A_SELLER


def log_attempt(
    session: Session,
    *,
    lead_id: int,
    who: Who,
    at: datetime,
    how: str,
    outcome: str,
    note: str | None,
) -> WorkAnswer:
    """Count an attempt; the first `connected` one moves an accepted lead to contacted."""
    lead, refused = _checked(session, lead_id, who, at)
    if refused:
        return refused
    state = state_of(lead)
    if not state.is_open or state.stage is Stage.PROFILED:
        return refuse(session, lead_id, who, WorkAnswer.NOT_NOW, at, lead)
    before = snapshot(lead, ("attempts", "first_touch_at"))
    counted = queries.record_attempt(
        session, lead_id=lead_id, stage=lead.stage, owner=lead.owner_id, at=at
    )
    if not counted:
        session.refresh(lead)
        return refuse(session, lead_id, who, WorkAnswer.NOT_NOW, at, lead)
    attempt = LeadEvent(
        lead_id=lead_id,
        at=at,
        actor=who.user_id,
        kind="attempt",
        from_stage=state.label,
        to_stage=state.label,
        note=note,
        data={"how": how, "outcome": outcome, "before": before},
    )
    session.add(attempt)
    session.flush()
    if outcome == "connected" and state.stage is Stage.ACCEPTED:
        perform(
            session,
            lead_id=lead_id,
            action=Action.CONTACT,
            actor=who.user_id,
            at=at,
            data={"attempt": attempt.id},
        )
    tell_everyone(session, lead_id, who, at, "thread.attempt", how=how, outcome=outcome)
    return WorkAnswer.DONE


def book_meeting(
    session: Session, *, lead_id: int, who: Who, at: datetime, when: datetime, note: str | None
) -> WorkAnswer:
    """A meeting or demo booked: the lead is qualified."""
    return _move(
        session,
        lead_id,
        who,
        at,
        Action.QUALIFY,
        note=note,
        data={"meeting_at": when.isoformat()},
        line=("thread.meeting", {"when": when.isoformat()}),
    )


def win(
    session: Session,
    *,
    lead_id: int,
    who: Who,
    at: datetime,
    value: float,
    rating: int | None,
    note: str | None,
) -> WorkAnswer:
    """The sale closed, for `value`."""
    return _move(
        session,
        lead_id,
        who,
        at,
        Action.WIN,
        note=note,
        value=value,
        rating=rating,
        line=("thread.won", {"value": f"{value:,.2f}".rstrip("0").rstrip(".")}),
    )


def close(
    session: Session,
    *,
    lead_id: int,
    who: Who,
    at: datetime,
    exit_: Exit,
    reason: str,
    note: str | None,
    rating: int | None,
) -> WorkAnswer:
    """Lost, back to nurture, or not a fit, with its reason; marketing is told why."""
    answer = _move(
        session,
        lead_id,
        who,
        at,
        EXIT_ACTIONS[exit_],
        note=note,
        reason=reason,
        rating=rating,
        line=("thread.closed", {"state": exit_.value, "reason": reason}),
    )
    if answer is WorkAnswer.DONE and who.roles.marketing_channel:
        verdict = queries.newest_event_of(
            session, lead_id=lead_id, kinds=[EXIT_ACTIONS[exit_].value]
        )
        notices.feedback(
            session,
            lead_id=lead_id,
            marketing_channel=who.roles.marketing_channel,
            card_channel=who.channel_id,
            user_id=who.user_id,
            exit_=exit_.value,
            reason=reason,
            note=note,
            rating=rating,
            verdict_event=verdict.id,
            at=at,
        )
    return answer


def undo_last(session: Session, *, lead_id: int, who: Who, at: datetime) -> WorkAnswer:
    """Take back `who`'s last action on the lead, within ten minutes and if nothing
    happened since."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return refuse(session, lead_id, who, WorkAnswer.NOT_FOUND, at, None)
    latest = queries.last_event(session, lead_id=lead_id)
    if latest is None or latest.actor != who.user_id or latest.kind not in UNDOABLE:
        return refuse(session, lead_id, who, WorkAnswer.NOTHING_TO_UNDO, at, lead)
    if at - latest.at > UNDO_WINDOW:
        return refuse(session, lead_id, who, WorkAnswer.TOO_LATE, at, lead)
    undone = [latest]
    joined = (latest.data or {}).get("attempt")  # a contact made by an attempt goes with it
    if latest.kind == "contact" and joined:
        undone.append(session.get(LeadEvent, joined))
    state, owner = state_of(lead), lead.owner_id
    changes: dict = {"updated_at": at}
    for event in reversed(undone):
        changes |= restored((event.data or {}).get("before", {}))
    if not queries.move_lead(
        session, lead_id=lead_id, stage=state.stage, exit=state.exit, owner=owner, changes=changes
    ):
        session.refresh(lead)
        return refuse(session, lead_id, who, WorkAnswer.NOT_NOW, at, lead)
    session.refresh(lead)
    session.add(
        LeadEvent(
            lead_id=lead_id,
            at=at,
            actor=who.user_id,
            kind="undo",
            from_stage=state.label,
            to_stage=state_of(lead).label,
            data={"undid": [event.id for event in undone]},
        )
    )
    session.flush()
    tell_everyone(session, lead_id, who, at, "thread.undone", what=undone[-1].kind)
    return WorkAnswer.DONE


# -- the pieces ----------------------------------------------------------------------------


def _move(
    session: Session,
    lead_id: int,
    who: Who,
    at: datetime,
    action: Action,
    *,
    line: tuple[str, dict],
    note: str | None = None,
    reason: str | None = None,
    value: float | None = None,
    rating: int | None = None,
    data: dict | None = None,
) -> WorkAnswer:
    _lead, refused = _checked(session, lead_id, who, at)
    if refused:
        return refused
    details = {**(data or {}), **({"rating": rating} if rating is not None else {})}
    outcome: Outcome = perform(
        session,
        lead_id=lead_id,
        action=action,
        actor=who.user_id,
        at=at,
        reason=reason,
        note=note,
        value=value,
        data=details,
    )
    if not outcome.done:
        answer = (
            WorkAnswer.NOT_FOUND if outcome.refusal is Refusal.NOT_FOUND else WorkAnswer.NOT_NOW
        )
        return refuse(session, lead_id, who, answer, at, outcome.lead)
    if rating is not None:
        queries.rate_lead(session, lead_id=lead_id, rating=rating)
    key, params = line
    tell_everyone(session, lead_id, who, at, key, **params)
    return WorkAnswer.DONE


def _checked(
    session: Session, lead_id: int, who: Who, at: datetime
) -> tuple[Lead | None, WorkAnswer | None]:
    lead = session.get(Lead, lead_id)
    if lead is None:
        return None, refuse(session, lead_id, who, WorkAnswer.NOT_FOUND, at, None)
    refusal = may_work(session, lead, who)
    if refusal is not None:
        return lead, refuse(session, lead_id, who, refusal, at, lead)
    return lead, None


def refuse(
    session: Session,
    lead_id: int | None,
    who: Who,
    answer: WorkAnswer,
    at: datetime,
    lead: Lead | None,
    **details: str,
) -> WorkAnswer:
    """Tell `who` privately why they cannot act on the lead (`details` fill the answer's
    text beside the lead's owner and state); returns `answer`."""
    params: dict = dict(details)
    if lead is not None:
        params |= {
            "owner": lead.owner_id or "",
            "assignee": lead.assignee_id or "",
            "state": state_of(lead).label,
        }
    notices.tell(
        session,
        user_id=who.user_id,
        channel_id=who.channel_id,
        key=f"work.{answer.value}",
        params=params,
        at=at,
        lead_id=lead_id if lead is not None else None,
    )
    return answer


def tell_everyone(
    session: Session, lead_id: int, who: Who, at: datetime, key: str, **params
) -> None:
    """Redraw the lead's card where `who` clicked, and add `key` (with `who` as its `user`)
    to its thread."""
    notices.refresh_card(session, lead_id=lead_id, channel_id=who.channel_id, at=at)
    notices.thread_line(
        session,
        lead_id=lead_id,
        channel_id=who.channel_id,
        key=key,
        params={"user": who.user_id, **params},
        at=at,
    )
