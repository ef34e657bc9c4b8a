"""Modal submissions (the lead card's, the marketing message's Contest, and the SLA
review's Add agenda item): read, validate, decide, ack.

A submission with a problem is answered with Slack's `response_action: errors`, naming the
field, and nothing changes. A valid one is applied in the database (`bot.domain.work`), then
acknowledged, which closes the modal; the card's redraw and its thread line follow through
the outbox.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import App

from bot.domain import manage, notices, review, work
from bot.domain import sla as policies
from bot.domain.roles import Role
from bot.domain.vocabulary import Exit
from bot.runtime import Runtime
from handlers.slack import home, ids, modals
from handlers.slack.sla import policy_errors, read_policy_modal
from storage.db import session_scope
from storage.models import Lead
from storage.types import utcnow

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(ids.VIEW_ATTEMPT)(submit_attempt)
    app.view(ids.VIEW_MEETING)(submit_meeting)
    app.view(ids.VIEW_WON)(submit_won)
    app.view(ids.VIEW_EXIT)(submit_exit)
    app.view(ids.VIEW_REASSIGN)(submit_reassign)
    app.view(ids.VIEW_REOPEN)(submit_reopen)
    app.view(ids.VIEW_CONTEST)(submit_contest)
    app.view(ids.VIEW_SLA_EDIT)(submit_policy)
    app.view(ids.VIEW_AGENDA_ITEM)(submit_agenda_item)


def submit_attempt(ack, body, view, context) -> None:
    def details(values, _):
        attempt = modals.read_attempt(values, _)
        return {"how": attempt.channel, "outcome": attempt.outcome, "note": attempt.note}

    _submitted(ack, body, view, context, work.log_attempt, details)


def submit_meeting(ack, body, view, context) -> None:
    def details(values, _):
        meeting = modals.read_meeting(values, _, now=utcnow())
        return {"when": meeting.when, "note": meeting.note}

    _submitted(ack, body, view, context, work.book_meeting, details)


def submit_won(ack, body, view, context) -> None:
    def details(values, _):
        won = modals.read_won(values, _)
        return {"value": won.value, "rating": won.rating, "note": won.note}

    _submitted(ack, body, view, context, work.win, details)


def submit_exit(ack, body, view, context) -> None:
    exit_ = Exit(_metadata(view)["exit"])

    def details(values, _):
        closing = modals.read_exit(exit_, values, _)
        return {"exit_": exit_, "reason": closing.reason, "note": closing.note,
                "rating": closing.rating}  # fmt: skip

    _submitted(ack, body, view, context, work.close, details)


def submit_reassign(ack, body, view, context) -> None:
    """Reassign: the chosen person must be a seller other than the owner; the field says so
    otherwise, and nothing changes."""
    runtime: Runtime = context["runtime"]
    _ = runtime.translate
    try:
        new_owner, note = modals.read_reassign(view["state"]["values"], _)
    except modals.ModalErrors as problems:
        ack(**problems.response())
        return
    metadata = _metadata(view)
    who = work.Who(body["user"]["id"], metadata["channel"], runtime.roles)
    with session_scope(runtime.sessions) as session:
        lead = session.get(Lead, int(metadata["lead"]))
        problem = None
        if lead is not None and manage.may_reassign(session, lead, who) is None:
            problem = manage.new_owner_problem(session, lead, who, new_owner)
    if problem is not None:
        ack(response_action="errors", errors={ids.BLOCK_REASSIGN_TO: _(problem)})
        return
    _apply(ack, body, view, context, manage.reassign, new_owner=new_owner, note=note)


def submit_reopen(ack, body, view, context) -> None:
    def details(values, _):
        return {"reason": modals.read_reopen(values, _)}

    _submitted(ack, body, view, context, manage.reopen, details)


def submit_contest(ack, body, view, context) -> None:
    verdict = int(_metadata(view).get("verdict") or 0)

    def details(values, _):
        return {"text": modals.read_contest(values, _), "verdict_event": verdict}

    _submitted(ack, body, view, context, manage.contest, details)


def submit_policy(ack, body, view, context) -> None:
    """`/sla edit`: every problem shown under its field and nothing changed, or the new
    policy version written in the manager's name."""
    runtime: Runtime = context["runtime"]
    user = body["user"]["id"]
    with session_scope(runtime.sessions) as session:
        if not runtime.roles.has_role(session, role=Role.MANAGER, user_id=user):
            ack()  # a forged submission: Slack only shows the modal to managers
            logger.warning("SLA policy submission from %s, who is not a manager", user)
            return
        policy = policies.current_policy(session)
        typed = read_policy_modal(view["state"]["values"], policy)
        try:
            changes = policies.read_changes(typed)
        except policies.PolicyErrors as problems:
            ack(response_action="errors", errors=policy_errors(problems, runtime.translate))
            return
        policies.change_policy(session, changes, by=user, at=utcnow())
    ack()
    logger.info("SLA policy changed by %s: %s", user, ", ".join(sorted(typed)) or "nothing")


def submit_agenda_item(ack, body, view, context) -> None:
    """Add agenda item: the item kept for the next SLA review and the person told so, or
    the problem shown under its field (an empty item, no such lead) and nothing kept."""
    runtime: Runtime = context["runtime"]
    _, user = runtime.translate, body["user"]["id"]
    try:
        text, lead_id = modals.read_agenda_item(view["state"]["values"], _)
    except modals.ModalErrors as problems:
        ack(**problems.response())
        return
    channel = _metadata(view).get("channel") or None
    now, problem, allowed = utcnow(), None, True
    with session_scope(runtime.sessions) as session:
        allowed = review.may_add_item(session, user_id=user, roles=runtime.roles)
        try:
            if allowed:
                review.add_agenda_item(session, text=text, lead_id=lead_id, user_id=user, at=now)
                _item_added(session, runtime, user=user, channel=channel, at=now)
        except review.AgendaItemError as refused:
            problem = modals.agenda_item_errors(refused, runtime.settings.bot_locale)
    if problem is not None:
        ack(**problem.response())
        return
    ack()
    if not allowed:  # a forged submission: the button tells others why before opening it
        logger.warning("agenda item from %s, who has no role", user)
        return
    runtime.outbox_bell.ring()
    logger.info("agenda item added by %s (lead %s)", user, lead_id)


def _item_added(session, runtime: Runtime, *, user: str, channel: str | None, at) -> None:
    """Tell `user` their item is on the agenda: privately where they clicked, or in a
    direct message when they added it from the App Home."""
    if channel is not None:
        notices.tell(session, user_id=user, channel_id=channel, key="review.item.added",
                     params={}, at=at)  # fmt: skip
        return
    _ = runtime.translate
    notices.prebuilt(session, destinations=[user], message={"text": _("review.item.added")},
                     label=_("review.outbox.added"), at=at)  # fmt: skip


def _submitted(ack, body, view, context, action, details) -> None:
    """Read the modal (`details`), answer its problems, or apply `action` and close it."""
    runtime: Runtime = context["runtime"]
    try:
        read = details(view["state"]["values"], runtime.translate)
    except modals.ModalErrors as problems:
        ack(**problems.response())
        return
    _apply(ack, body, view, context, action, **read)


def _apply(ack, body, view, context, action, **details) -> None:
    runtime: Runtime = context["runtime"]
    metadata = _metadata(view)
    who = work.Who(body["user"]["id"], metadata["channel"], runtime.roles)
    with session_scope(runtime.sessions) as session:
        answer = action(session, lead_id=int(metadata["lead"]), who=who, at=utcnow(), **details)
    ack()
    runtime.outbox_bell.ring()
    # The person's own home, and a new owner's (their open leads changed).
    people = [who.user_id, *([details["new_owner"]] if "new_owner" in details else [])]
    home.refresh_after_action(context, context.client, *people)
    logger.info("%s on lead %s by %s: %s", action.__name__, metadata["lead"], who.user_id, answer)


def _metadata(view: dict) -> dict:
    return json.loads(view.get("private_metadata") or "{}")
