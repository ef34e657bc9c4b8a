"""Buttons on the lead card and on the SLA-review reminder. Each decides in the database,
acks, and leaves every Slack call to the delivery worker (notices queued in the same
transaction) or to the after-ack executor (opening a modal), so an ack never waits on
Slack."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

from slack_bolt import App

from bot.domain import manage, notices, review, rotation, work
from bot.domain.claim import ClaimAnswer, Click, claim_lead
from bot.domain.numbers import is_ascii_number
from bot.domain.vocabulary import Exit
from bot.runtime import Runtime
from handlers.slack import home, ids, modals
from handlers.slack.blocks import escape, mention
from handlers.slack.listeners import open_after_ack
from handlers.slack.notices import render_notice
from handlers.slack.review import mark_reviewed_text, meeting_when, read_occurrence
from storage.db import session_scope
from storage.models import Lead, LeadEvent
from storage.types import MAX_ROW_ID, utcnow

logger = logging.getLogger(__name__)

# Buttons that open a modal, and the modal each opens.
MODAL_BUTTONS = {
    ids.ACTION_LOG_ATTEMPT: "attempt",
    ids.ACTION_MEETING_BOOKED: "meeting",
    ids.ACTION_WON: "won",
    ids.ACTION_LOST: Exit.LOST,
    ids.ACTION_NURTURE: Exit.NURTURE,
    ids.ACTION_NOT_A_FIT: Exit.REJECTED,
}


def register(app: App) -> None:
    app.action(ids.ACTION_CLAIM)(claim)
    app.action(ids.ACTION_ACCEPT)(accept)
    for action_id in MODAL_BUTTONS:
        app.action(action_id)(open_modal)
    app.action(ids.ACTION_CARD_MENU)(menu)
    app.action(ids.ACTION_CONTEST)(contest)
    # Slack opens the profile link itself; the app only has to acknowledge the click.
    app.action(ids.ACTION_OPEN_PROFILE)(acknowledge)
    app.action(ids.ACTION_OPEN_CARD)(acknowledge)
    app.action(ids.ACTION_TOGGLE_AWAY)(toggle_away)
    app.action(ids.ACTION_REVIEW_ADD_ITEM)(add_agenda_item)
    app.action(ids.ACTION_REVIEW_MARK_REVIEWED)(mark_reviewed)


def claim(ack, body, client, context) -> None:
    _take(ack, body, client, context, accepting=False)


def accept(ack, body, client, context) -> None:
    """Accept: the seller round-robin offered the card to takes it (anyone else is told
    whose it is); the same decision as a claim, before the ack."""
    _take(ack, body, client, context, accepting=True)


def _take(ack, body, client, context, *, accepting: bool) -> None:
    runtime: Runtime = context["runtime"]
    lead_id = _lead_id(body)
    if lead_id is None:
        ack()
        return
    click = Click(
        lead_id=lead_id, user_id=body["user"]["id"], channel_id=body["channel"]["id"], at=utcnow()
    )
    # Most claims: decided with the clicks arriving at the same moment, in one statement.
    answer = ClaimAnswer.CLAIMED if not accepting and runtime.claims.claim(click) else None
    if answer is None:
        with session_scope(runtime.sessions) as session:
            answer = claim_lead(
                session, **asdict(click), roles=runtime.roles, accept=accepting, quick=False
            )
    ack()
    runtime.outbox_bell.ring()
    home.refresh_after_action(context, client, body["user"]["id"])
    what = "accept" if accepting else "claim"
    logger.info("%s of lead %s by %s: %s", what, lead_id, body["user"]["id"], answer)


def open_modal(ack, body, client, context) -> None:
    """Check who is clicking, then open the action's modal right after the ack (Slack's
    trigger id lasts three seconds); someone who may not act is told why instead."""
    runtime: Runtime = context["runtime"]
    kind = MODAL_BUTTONS[body["actions"][0]["action_id"]]

    def build(lead: Lead, _, *, metadata: str) -> dict:
        return _modal(kind, lead, _, metadata)

    exit_ = kind.value if isinstance(kind, Exit) else None
    _checked_modal(ack, body, client, runtime, work.may_work, build, exit_=exit_)


def _checked_modal(ack, body, client, runtime: Runtime, may, build, *, exit_=None) -> None:
    """Ask `may(session, lead, who)` (None: allowed, else the answer to tell), then ack and
    open `build(lead, translate, metadata=…)` after the ack, or tell why not."""
    lead_id, who = _lead_id(body), _who(body, runtime)
    with session_scope(runtime.sessions) as session:
        lead = session.get(Lead, lead_id) if lead_id is not None else None
        refusal = work.WorkAnswer.NOT_FOUND if lead is None else may(session, lead, who)
        if refusal is not None:
            work.refuse(session, lead_id=lead_id, who=who, answer=refusal, at=utcnow(), lead=lead)
        else:
            session.expunge(lead)
    ack()
    if refusal is not None:
        runtime.outbox_bell.ring()
        return
    extra = {"exit": exit_} if exit_ else {}
    metadata = json.dumps({"lead": lead_id, "channel": who.channel_id, **extra})
    view = build(lead, runtime.translate, metadata=metadata)
    open_after_ack(runtime, client, body["trigger_id"], view)


def menu(ack, body, client, context) -> None:
    """The card's menu: Undo at once; Reassign and Reopen open their modal for a manager."""
    runtime: Runtime = context["runtime"]
    choice = (body["actions"][0].get("selected_option") or {}).get("value", "")
    lead_id, who = _lead_id(body), _who(body, runtime)
    if choice.startswith(f"{ids.MENU_REASSIGN}:"):
        _checked_modal(ack, body, client, runtime, manage.may_reassign, modals.reassign_modal)
        return
    if choice.startswith(f"{ids.MENU_REOPEN}:"):
        _checked_modal(ack, body, client, runtime, manage.may_reopen, modals.reopen_modal)
        return
    with session_scope(runtime.sessions) as session:
        if choice.startswith(f"{ids.MENU_UNDO}:") and lead_id is not None:
            work.undo_last(session, lead_id=lead_id, who=who, at=utcnow())
        else:
            _tell_not_yet(session, body, lead_id)
    ack()
    runtime.outbox_bell.ring()
    home.refresh_after_action(context, client, who.user_id)


def contest(ack, body, client, context) -> None:
    """Contest on a marketing message: a marketer says why the lead was a fit."""
    runtime: Runtime = context["runtime"]
    lead_id, verdict_id = _verdict(body)
    who = _who(body, runtime)
    with session_scope(runtime.sessions) as session:
        lead = session.get(Lead, lead_id) if lead_id is not None else None
        refusal, details = manage.may_contest(session, lead, verdict_id or 0, who)
        if refusal is not None:
            work.refuse(session, lead_id, who, refusal, utcnow(), lead, **details)
        else:
            verdict = session.get(LeadEvent, verdict_id)
            session.expunge(lead)
    ack()
    if refusal is not None:
        runtime.outbox_bell.ring()
        return
    _ = runtime.translate
    said = render_notice(
        {
            "key": "modal.contest.verdict",
            "params": {
                "seller": verdict.actor,
                "state": verdict.to_stage,
                "reason": verdict.reason_code or "other",
            },
        },
        _,
    )
    metadata = json.dumps({"lead": lead_id, "verdict": verdict_id, "channel": who.channel_id})
    view = modals.contest_modal(lead, said, _, metadata=metadata)
    open_after_ack(runtime, client, body["trigger_id"], view)


def acknowledge(ack) -> None:
    ack()


def _tell_not_yet(session, body: dict, lead_id: int | None) -> None:
    notices.tell(
        session,
        user_id=body["user"]["id"],
        channel_id=body["channel"]["id"],
        key="card.not_available",
        params={},
        at=utcnow(),
        lead_id=lead_id,
    )


def _modal(kind, lead: Lead, _, metadata: str) -> dict:
    if kind == "attempt":
        return modals.attempt_modal(lead, _, metadata=metadata)
    if kind == "meeting":
        return modals.meeting_modal(lead, _, metadata=metadata, initial=None)
    if kind == "won":
        return modals.won_modal(lead, _, metadata=metadata)
    return modals.exit_modal(kind, lead, _, metadata=metadata)


def _who(body: dict, runtime: Runtime) -> work.Who:
    return work.Who(body["user"]["id"], body["channel"]["id"], runtime.roles)


def _verdict(body: dict) -> tuple[int | None, int | None]:
    """(lead id, verdict event id) from a Contest button's `<lead>:<event>` value."""
    lead, _sep, event = (body["actions"][0].get("value") or "").partition(":")
    return _number(lead), _number(event)


def _number(text: str) -> int | None:
    """A row id from a control's value; None for anything else (a forged or stale value)."""
    if not is_ascii_number(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def _lead_id(body: dict) -> int | None:
    """The lead a card control was clicked for (its value, or a menu option's `x:<id>`)."""
    action = body["actions"][0]
    raw = action.get("value") or (action.get("selected_option") or {}).get("value", "")
    return _number(raw.rsplit(":", 1)[-1])


def toggle_away(ack, body, client, context) -> None:
    """The App Home's button: a seller steps away from the round-robin or comes back. The
    button says which (a second click on a stale Home changes nothing); the Home is then
    published afresh, showing where they stand."""
    ack()
    runtime: Runtime = context["runtime"]
    user = body["user"]["id"]
    away = body["actions"][0].get("value") == home.GO_AWAY
    with session_scope(runtime.sessions) as session:
        duty = rotation.change_duty(
            session, user_id=user, away=away, roles=runtime.roles, at=utcnow()
        )
    home.publish_home_after_ack(context, client, user_id=user)
    logger.info("%s from the App Home: %s", user, duty)


def add_agenda_item(ack, body, client, context) -> None:
    """Add agenda item (on a review reminder, or in the App Home): anyone with a role gets
    the modal, opened right after the ack; anyone else is told why."""
    runtime: Runtime = context["runtime"]
    user, channel = body["user"]["id"], _channel(body)
    with session_scope(runtime.sessions) as session:
        allowed = review.may_add_item(session, user_id=user, roles=runtime.roles)
        if not allowed and channel is not None:
            refusal = runtime.translate("review.answer.no_role")
            notices.tell_text(session, user_id=user, channel_id=channel, text=refusal, at=utcnow())
    ack()
    if not allowed:
        runtime.outbox_bell.ring()
        logger.info("agenda item refused to %s: no role", user)
        return
    view = modals.agenda_item_modal(runtime.translate, metadata=json.dumps({"channel": channel}))
    open_after_ack(runtime, client, body["trigger_id"], view)


def mark_reviewed(ack, body, client, context) -> None:
    """Mark reviewed (managers): the meeting the reminder is about is recorded as held, its
    items and contests closed; the clicker is told what happened, and on success a line in
    the reminder's thread says who marked it. Anyone else is told why; nothing changes."""
    runtime: Runtime = context["runtime"]
    _, tz = runtime.translate, runtime.settings.timezone
    user, channel = body["user"]["id"], _channel(body)
    message_ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get(
        "message_ts"
    )
    now = utcnow()
    with session_scope(runtime.sessions) as session:
        meeting = _meeting(body, runtime)
        if meeting is None:
            text, outcome = _("review.answer.unknown_meeting"), None
        else:
            outcome = review.mark_reviewed(
                session, meeting=meeting, user_id=user, roles=runtime.roles, at=now
            )
            text = mark_reviewed_text(outcome, _, tz=tz, who=_person)
        when = meeting_when(meeting, _, tz=tz) if meeting is not None else "—"
        label = _("review.outbox.marked", when=when)
        _answer(session, user=user, channel=channel, text=text, label=label, at=now)
        if outcome is not None and outcome.answer is review.ReviewAnswer.DONE and channel:
            line = {"text": _("review.marked", user=_person(user), when=when)}
            notices.prebuilt(session, destinations=[channel], message=line, label=label,
                             at=now, thread_ts=message_ts)  # fmt: skip
    ack()
    runtime.outbox_bell.ring()
    logger.info("mark reviewed by %s: %s", user, outcome.answer if outcome else "unknown meeting")


def _meeting(body: dict, runtime: Runtime):
    """The meeting a review button names, if SLA_REVIEW_SCHEDULE holds it."""
    try:
        occurrence = read_occurrence(body["actions"][0].get("value") or "")
    except ValueError:
        return None
    settings = runtime.settings
    return review.meeting_at(
        settings.sla_review_schedule, occurrence=occurrence, tz=settings.timezone
    )


def _answer(session, *, user: str, channel: str | None, text: str, label: str, at) -> None:
    """`text` privately to `user` where they clicked, or in a direct message (`label`
    naming it in the outbox)."""
    if channel is not None:
        notices.tell_text(session, user_id=user, channel_id=channel, text=text, at=at)
        return
    notices.prebuilt(session, destinations=[user], message={"text": text}, label=label, at=at)


def _person(user_id: str) -> str:
    return mention(user_id) or escape(user_id)


def _channel(body: dict) -> str | None:
    """The channel a button was clicked in; None in the App Home."""
    return (body.get("channel") or {}).get("id") or None
