"""The lead's lifecycle: which actions each state allows, and where each one leads.

A lead's state is its furthest stage plus, once it left the funnel, its exit (a lost lead
keeps the stage it had reached). The table `MOVES` below is the one place the allowed
transitions are written down; `allowed` and `after` read it, the card shows the buttons it
permits, and `perform` applies one to a stored lead.

`perform` is a compare-and-set: it reads the lead's state, checks the move, then updates the
row only if it is still in exactly that state (and, for a claim, still without an owner).
Two sellers clicking Claim at once both read "profiled"; the database lets one update
through and the other finds the row changed, and is told who has the lead instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain.vocabulary import EXIT_FROM, EXIT_REASONS, STAGES, Exit, Stage
from storage import queries
from storage.models import Lead, LeadEvent
from storage.types import UTCDateTime

# Stages at which a lead is with sales and can still move.
OPEN_STAGES = frozenset(STAGES[Stage.PROFILED.rank : Stage.WON.rank])


@dataclass(frozen=True)
class State:
    stage: Stage
    exit: Exit | None = None

    @property
    def label(self) -> str:
        """What the event log records as the from/to of a move: the exit if any, else the
        stage."""
        return (self.exit or self.stage).value

    @property
    def is_open(self) -> bool:
        return self.exit is None and self.stage in OPEN_STAGES


class Action(StrEnum):
    CLAIM = "claim"  # a seller takes an unclaimed lead
    ACCEPT = "accept"  # the assignee takes a lead given to them by round-robin
    CONTACT = "contact"  # the first connected attempt
    QUALIFY = "qualify"  # a meeting or demo booked
    WIN = "win"  # the sale closed, with its value
    REJECT = "reject"  # not a fit
    LOSE = "lose"  # engaged, and the deal did not happen
    NURTURE = "nurture"  # back to marketing for nurturing
    REOPEN = "reopen"  # a manager brings a lead that left back to where it was


@dataclass(frozen=True)
class Move:
    """Where an action may start, and the stage or exit it leads to."""

    from_stages: frozenset[Stage]
    to_stage: Stage | None = None  # None: the stage stays
    exit: Exit | None = None  # the exit it takes, if it is one
    from_exits: bool = False  # True: starts from a lead that left (reopen)


def _stages(*stages: Stage) -> frozenset[Stage]:
    return frozenset(stages)


MOVES: dict[Action, Move] = {
    Action.CLAIM: Move(_stages(Stage.PROFILED), to_stage=Stage.ACCEPTED),
    Action.ACCEPT: Move(_stages(Stage.PROFILED), to_stage=Stage.ACCEPTED),
    Action.CONTACT: Move(_stages(Stage.ACCEPTED), to_stage=Stage.CONTACTED),
    Action.QUALIFY: Move(_stages(Stage.ACCEPTED, Stage.CONTACTED), to_stage=Stage.QUALIFIED),
    Action.WIN: Move(_stages(Stage.ACCEPTED, Stage.CONTACTED, Stage.QUALIFIED), to_stage=Stage.WON),
    Action.REJECT: Move(EXIT_FROM[Exit.REJECTED], exit=Exit.REJECTED),
    Action.LOSE: Move(EXIT_FROM[Exit.LOST], exit=Exit.LOST),
    Action.NURTURE: Move(EXIT_FROM[Exit.NURTURE], exit=Exit.NURTURE),
    Action.REOPEN: Move(OPEN_STAGES, from_exits=True),
}

# Actions that must carry a reason code, and the list it comes from.
REASONS_FOR: dict[Action, Exit] = {
    Action.REJECT: Exit.REJECTED,
    Action.LOSE: Exit.LOST,
    Action.NURTURE: Exit.NURTURE,
}


def every_state() -> list[State]:
    """Every state a lead can be in."""
    states = [State(stage) for stage in STAGES]
    states += [
        State(stage, exit_) for exit_ in Exit for stage in STAGES if stage in EXIT_FROM[exit_]
    ]
    return states


def allowed(action: Action, state: State) -> bool:
    """Whether `action` may be taken on a lead in `state`."""
    move = MOVES[action]
    left = state.exit is not None
    return state.stage in move.from_stages and left == move.from_exits


def after(action: Action, state: State) -> State:
    """The state `action` leads to from `state` (which must allow it)."""
    if not allowed(action, state):
        raise ValueError(f"{action} is not allowed from {state.label}")
    move = MOVES[action]
    if move.from_exits:
        return State(state.stage)
    return State(move.to_stage or state.stage, move.exit)


def state_of(lead: Lead) -> State:
    return State(Stage(lead.stage), Exit(lead.exit) if lead.exit else None)


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # the lead's state does not allow it (any more)
    BAD_REASON = "bad_reason"
    OFFERED_ELSEWHERE = "offered_elsewhere"  # round-robin gave it to another seller


@dataclass(frozen=True)
class Outcome:
    """What `perform` did: the lead as it now is, and the event it wrote or why it refused."""

    lead: Lead | None
    event: LeadEvent | None = None
    refusal: Refusal | None = None

    @property
    def done(self) -> bool:
        return self.refusal is None


def perform(
    session: Session,
    *,
    lead_id: int,
    action: Action,
    actor: str,
    at: datetime,
    reason: str | None = None,
    note: str | None = None,
    value: float | None = None,
    data: dict | None = None,
) -> Outcome:
    """Apply `action` to the stored lead, or say why not; writes the move's event.

    The row is changed only if it is still in the state, and with the owner, the move was
    checked against, so of two concurrent moves exactly one happens; the other gets
    `NOT_ALLOWED` with the lead as the winner left it. The event keeps the columns' values
    from before (`data["before"]`), so the move can be undone.
    """
    lead = session.get(Lead, lead_id)
    if lead is None:
        return Outcome(None, refusal=Refusal.NOT_FOUND)
    state = state_of(lead)
    if not allowed(action, state):
        return Outcome(lead, refusal=Refusal.NOT_ALLOWED)
    exit_for_reason = REASONS_FOR.get(action)
    if exit_for_reason is not None and reason not in EXIT_REASONS[exit_for_reason]:
        return Outcome(lead, refusal=Refusal.BAD_REASON)
    also = None
    if action in (Action.CLAIM, Action.ACCEPT):
        # An offered lead is its assignee's to accept; an unoffered one anyone's to claim.
        if lead.assignee_id not in (actor, None) or (
            action is Action.ACCEPT and lead.assignee_id is None
        ):
            return Outcome(lead, refusal=Refusal.OFFERED_ELSEWHERE)
        also = {"assignee_id": lead.assignee_id}
    target = after(action, state)
    changes = _changes(action, state, target, actor=actor, at=at, reason=reason, value=value)
    before = snapshot(lead, [name for name in changes if name != "updated_at"])
    moved = queries.move_lead(
        session,
        lead_id=lead_id,
        stage=state.stage,
        exit=state.exit,
        owner=lead.owner_id,
        changes=changes,
        also=also,
    )
    session.refresh(lead)
    if not moved:
        return Outcome(lead, refusal=Refusal.NOT_ALLOWED)
    event = LeadEvent(
        lead_id=lead_id,
        at=at,
        actor=actor,
        kind=action.value,
        from_stage=state.label,
        to_stage=target.label,
        reason_code=reason,
        note=note,
        value=value,
        data={**(data or {}), "before": before},
    )
    session.add(event)
    session.flush()
    return Outcome(lead, event)


def expected_move(
    *,
    lead_id: int,
    state: State,
    owner: str | None,
    action: Action,
    actor: str,
    at: datetime,
    outbox: Sequence[dict] = (),
) -> queries.TrailedMove:
    """`action` on a lead the caller expects to be in `state` with `owner`, as a
    compare-and-set that needs no read first (see `perform_expected`).

    The other columns the move sets must still be empty for it to apply, so the event's
    `before` is known without reading the lead.
    """
    target = after(action, state)
    changes = _changes(action, state, target, actor=actor, at=at, reason=None, value=None)
    exit_ = state.exit.value if state.exit else None
    known = {"stage": state.stage.value, "exit": exit_, "owner_id": owner}
    if action is Action.CLAIM:
        known["assignee_id"] = None  # an offered lead is not claimed, but accepted
    moved = [name for name in changes if name != "updated_at"]
    expected = {name: None for name in moved} | known
    event = {
        "at": at,
        "actor": actor,
        "kind": action.value,
        "from_stage": state.label,
        "to_stage": target.label,
        "data": {"before": {name: expected[name] for name in moved}},
    }
    return queries.TrailedMove(
        lead_id=lead_id, expected=expected, changes=changes, event=event, outbox=tuple(outbox)
    )


def perform_expected(session: Session, moves: Sequence[queries.TrailedMove]) -> list[bool]:
    """`perform` for leads the caller expects to be as their `expected_move` says, without
    reading them first: each move, its event and its outbox rows in one compare-and-set, all
    of them in one statement on PostgreSQL (`queries.move_with_trail`), the fewest round
    trips clicks can cost. Per move, True if it applied; False, with nothing written for
    it, when its lead is not exactly so (`perform` then reads it, decides and says why).
    """
    return queries.move_with_trail(session, moves=moves)


def snapshot(lead: Lead, names: list[str] | tuple[str, ...]) -> dict:
    """These columns of the lead as an event's JSON keeps them (timestamps as ISO text), so
    a move can be undone (`restored`)."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name in names
        for value in [getattr(lead, name)]
    }


def restored(before: dict) -> dict:
    """A `snapshot` back in its columns' types."""
    return {
        name: datetime.fromisoformat(value) if name in _TIMESTAMPS and value else value
        for name, value in before.items()
    }


_TIMESTAMPS = frozenset(
    column.name for column in Lead.__table__.columns if isinstance(column.type, UTCDateTime)
)


def _changes(
    action: Action,
    state: State,
    target: State,
    *,
    actor: str,
    at: datetime,
    reason: str | None,
    value: float | None,
) -> dict:
    changes: dict = {"stage": target.stage.value, "updated_at": at}
    if action in (Action.CLAIM, Action.ACCEPT):
        changes["owner_id"] = actor
    if target.stage is not state.stage:
        changes[target.stage.reached_column] = at
    if target.stage is Stage.WON:
        changes["won_value"] = value
    if target.exit is not None:
        changes |= {"exit": target.exit.value, "exit_reason": reason, "exited_at": at}
    if action is Action.REOPEN:
        changes |= {"exit": None, "exit_reason": None, "exited_at": None}
    return changes
