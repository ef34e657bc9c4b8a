"""Corrections after the fact: a manager reassigns or reopens a lead; a marketer contests a
seller's verdict.

Each is checked against who is acting (the role, from the membership cache) and against
the lead as it is in the database, and applied by compare-and-set like every other move,
so a correction never lands on a lead that changed under it. What people are told goes
through the outbox in the same transaction: the card's redraw and thread line, the new
owner's direct message, the marketing message's redraw.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain import notices
from bot.domain.lifecycle import Action, Refusal, perform, snapshot, state_of
from bot.domain.roles import Role
from bot.domain.vocabulary import Exit
from bot.domain.work import EXIT_ACTIONS, Who, WorkAnswer, refuse, tell_everyone
from storage import queries
from storage.models import CARD_MESSAGE, Contest, Lead, LeadEvent

VERDICT_KINDS = tuple(action.value for action in EXIT_ACTIONS.values())


def may_manage(session: Session, lead: Lead | None, who: Who) -> WorkAnswer | None:
    """None if `who` may reassign or reopen `lead`, else why not."""
    if lead is None:
        return WorkAnswer.NOT_FOUND
    if not who.roles.has_role(session, role=Role.MANAGER, user_id=who.user_id):
        return WorkAnswer.NOT_A_MANAGER
    return None


def may_reassign(session: Session, lead: Lead | None, who: Who) -> WorkAnswer | None:
    """None if `who` may give `lead` to another seller now: a manager, and a lead someone
    is working (an unclaimed one is claimed; a closed one is reopened first)."""
    refusal = may_manage(session, lead, who)
    if refusal is None and (lead.owner_id is None or not state_of(lead).is_open):
        return WorkAnswer.NOT_NOW
    return refusal


def may_reopen(session: Session, lead: Lead | None, who: Who) -> WorkAnswer | None:
    """None if `who` may reopen `lead` now: a manager, and a lead that left the funnel."""
    refusal = may_manage(session, lead, who)
    if refusal is None and state_of(lead).exit is None:
        return WorkAnswer.NOT_NOW
    return refusal


def new_owner_problem(session: Session, lead: Lead, who: Who, new_owner: str) -> str | None:
    """Why `new_owner` cannot take `lead` (a catalog key), or None."""
    if new_owner == lead.owner_id:
        return "manage.error.same_owner"
    seller = who.roles.has_role(
        session, role=Role.SELLER, user_id=new_owner, channel_id=who.channel_id
    )
    return None if seller else "manage.error.not_a_seller"


def reassign(
    session: Session,
    *,
    lead_id: int,
    who: Who,
    new_owner: str,
    note: str | None,
    at: datetime,
) -> WorkAnswer:
    """Give the lead to `new_owner`, who is told by direct message; the card and its thread
    show the change."""
    lead = session.get(Lead, lead_id)
    refusal = may_reassign(session, lead, who)
    if refusal is None and new_owner_problem(session, lead, who, new_owner):
        refusal = WorkAnswer.NOT_A_SELLER
    if refusal is not None:
        return refuse(session, lead_id, who, refusal, at, lead)
    state, previous = state_of(lead), lead.owner_id
    before = snapshot(lead, ("owner_id",))
    moved = queries.move_lead(
        session,
        lead_id=lead_id,
        stage=state.stage,
        exit=state.exit,
        owner=previous,
        changes={"owner_id": new_owner, "updated_at": at},
    )
    session.refresh(lead)
    if not moved:
        return refuse(session, lead_id, who, WorkAnswer.NOT_NOW, at, lead)
    session.add(
        LeadEvent(
            lead_id=lead_id,
            at=at,
            actor=who.user_id,
            kind="reassign",
            from_stage=state.label,
            to_stage=state.label,
            note=note,
            data={"from": previous, "to": new_owner, "before": before},
        )
    )
    session.flush()
    tell_everyone(
        session, lead_id, who, at, "thread.reassigned", previous=previous, owner=new_owner,
        note=note or "",
    )  # fmt: skip
    notices.direct(
        session,
        user_id=new_owner,
        lead_id=lead_id,
        card_channel=who.channel_id,
        key="direct.reassigned",
        params={"user": who.user_id, "previous": previous, "note": note or ""},
        at=at,
    )
    return WorkAnswer.DONE


def reopen(session: Session, *, lead_id: int, who: Who, reason: str, at: datetime) -> WorkAnswer:
    """Bring a lead that left (lost, nurture, not a fit) back to the stage it had reached,
    with the manager's reason; its owner keeps it."""
    lead = session.get(Lead, lead_id)
    refusal = may_reopen(session, lead, who)
    if refusal is not None:
        return refuse(session, lead_id, who, refusal, at, lead)
    outcome = perform(
        session, lead_id=lead_id, action=Action.REOPEN, actor=who.user_id, at=at, note=reason
    )
    if not outcome.done:
        answer = (
            WorkAnswer.NOT_FOUND if outcome.refusal is Refusal.NOT_FOUND else WorkAnswer.NOT_NOW
        )
        return refuse(session, lead_id, who, answer, at, outcome.lead)
    tell_everyone(
        session, lead_id, who, at, "thread.reopened", state=state_of(outcome.lead).label,
        note=reason,
    )  # fmt: skip
    return WorkAnswer.DONE


# -- contests ------------------------------------------------------------------------------


def standing_verdict(session: Session, lead: Lead | None, verdict_event: int) -> LeadEvent | None:
    """The verdict (exit event) if it still stands: the lead is still out by it, not
    reopened, undone or closed again since."""
    if lead is None or lead.exit is None:
        return None
    latest = queries.newest_event_of(session, lead_id=lead.id, kinds=VERDICT_KINDS)
    if latest is None or latest.id != verdict_event or latest.to_stage != lead.exit:
        return None
    return latest


def may_contest(
    session: Session, lead: Lead | None, verdict_event: int, who: Who
) -> tuple[WorkAnswer | None, dict[str, str]]:
    """(None if `who` may contest the verdict now, else why not; details for the answer)."""
    if lead is None:
        return WorkAnswer.NOT_FOUND, {}
    if not who.roles.has_role(session, role=Role.MARKETER, user_id=who.user_id):
        return WorkAnswer.NOT_A_MARKETER, {}
    verdict = standing_verdict(session, lead, verdict_event)
    if verdict is None:
        return WorkAnswer.VERDICT_CHANGED, {}
    earlier = queries.contest_of(session, exit_event_id=verdict.id)
    if earlier is not None:
        return WorkAnswer.ALREADY_CONTESTED, {"marketer": earlier.marketer_id}
    return None, {}


def contest(
    session: Session,
    *,
    lead_id: int,
    verdict_event: int,
    who: Who,
    text: str,
    at: datetime,
) -> WorkAnswer:
    """A marketer says the seller's verdict was wrong, and why. Kept open for the next SLA
    review; the seller reads it in the card's thread, and the marketing message shows it.

    `who.channel_id` is the marketing channel the Contest button was clicked in."""
    lead = session.get(Lead, lead_id)
    refusal, details = may_contest(session, lead, verdict_event, who)
    if refusal is not None:
        return refuse(session, lead_id, who, refusal, at, lead, **details)
    verdict = session.get(LeadEvent, verdict_event)
    objection = Contest(
        lead_id=lead_id,
        exit_event_id=verdict.id,
        exit=verdict.to_stage,
        reason_code=verdict.reason_code,
        seller_id=verdict.actor,
        marketer_id=who.user_id,
        text=text,
        created_at=at,
    )
    if not queries.add_contest(session, contest=objection):
        earlier = queries.contest_of(session, exit_event_id=verdict.id)
        marketer = earlier.marketer_id if earlier else ""
        return refuse(
            session, lead_id, who, WorkAnswer.ALREADY_CONTESTED, at, lead, marketer=marketer
        )
    label = state_of(lead).label
    card = queries.newest_message(session, lead_id=lead_id, kind=CARD_MESSAGE)
    card_channel = card.channel_id if card else None
    session.add(
        LeadEvent(
            lead_id=lead_id,
            at=at,
            actor=who.user_id,
            kind="contest",
            from_stage=label,
            to_stage=label,
            reason_code=verdict.reason_code,
            note=text,
            data={"verdict": verdict.id, "contest": objection.id},
        )
    )
    session.flush()
    if card_channel:
        notices.thread_line(
            session,
            lead_id=lead_id,
            channel_id=card_channel,
            key="thread.contested",
            params={
                "user": who.user_id,
                "seller": verdict.actor,
                "state": Exit(verdict.to_stage).value,
                "reason": verdict.reason_code or "",
                "note": text,
            },
            at=at,
        )
    notices.refresh_feedback(
        session,
        lead_id=lead_id,
        marketing_channel=who.channel_id,
        verdict={
            "card_channel": card_channel,
            "user": verdict.actor,
            "exit": verdict.to_stage,
            "reason": verdict.reason_code,
            "note": verdict.note,
            "rating": (verdict.data or {}).get("rating"),
            "event": verdict.id,
        },
        contest={"user": who.user_id, "text": text},
        at=at,
    )
    return WorkAnswer.DONE
