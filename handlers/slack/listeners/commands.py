"""Slash commands. Each acks at once, before any Slack call: `/sla` answers in its ack
(the database's figures take milliseconds), and `/sla edit` opens its modal after it.
`/funnel` answers help and corrections in its ack, and sends the report (a few queries over
a whole cohort) after it, through the command's response URL."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.domain import rotation
from bot.domain import sla as policies
from bot.domain.funnel import NotAllowed, funnel_report, scope_for
from bot.domain.funnel_query import FunnelQuery, QueryError, parse_query, previous, resolve
from bot.domain.roles import Role
from bot.domain.scorecard import scorecard
from bot.runtime import Runtime
from handlers.slack import home, ids
from handlers.slack.funnel import build_funnel_help, build_funnel_report
from handlers.slack.listeners import open_after_ack
from handlers.slack.sla import build_scorecard, policy_modal
from storage.db import session_scope
from storage.queries import person_names
from storage.types import utcnow

logger = logging.getLogger(__name__)

# `/sla` words, English first; Spanish aliases are accepted too.
SHOW, PLAN, EDIT, AWAY, BACK, HELP = (
    ("", "show", "ver"),
    ("plan",),
    ("edit", "editar"),
    ("away", "ausente"),
    ("back", "vuelvo", "regreso"),
    ("help", "ayuda"),
)


def register(app: App) -> None:
    app.command(ids.COMMAND_FUNNEL)(funnel)
    app.command(ids.COMMAND_SLA)(sla)


def sla(ack, command, client, context) -> None:
    """`/sla`, `/sla plan REVENUE DEAL N`, `/sla edit` (managers), `/sla help`."""
    runtime: Runtime = context["runtime"]
    _ = runtime.translate
    words = (command.get("text") or "").split()
    verb = words[0].lower() if words else ""
    if verb in SHOW and len(words) <= 1:
        with session_scope(runtime.sessions) as session:
            policy = policies.current_policy(session)
            card = scorecard(session, policy=policy, now=utcnow(), tz=runtime.settings.timezone)
        message = build_scorecard(card, _, tz=runtime.settings.timezone)
        ack(response_type="ephemeral", **message)
    elif verb in PLAN:
        ack(response_type="ephemeral", text=_plan_answer(words[1:], _))
    elif verb in EDIT:
        _edit(ack, command, client, runtime)
    elif verb in AWAY + BACK:
        ack(response_type="ephemeral", text=_away_or_back(runtime, command, away=verb in AWAY))
        home.refresh_after_action(context, client, command["user_id"])
    elif verb in HELP:
        ack(response_type="ephemeral", text=_("slash.sla.help"))
    else:
        said = " ".join(words)
        ack(
            response_type="ephemeral",
            text=_("slash.sla.not_understood", text=said, help=_("slash.sla.help")),
        )


def _plan_answer(arguments: list[str], _) -> str:
    try:
        revenue, deal, per_sale = policies.parse_plan_args(arguments)
        needed = policies.plan(revenue, deal, per_sale)
    except policies.PlanError as problem:
        return problem.render(_)
    lines = policies.explain_plan(_, needed, revenue=revenue, deal=deal, per_sale=per_sale)
    return "\n".join(lines)


def _edit(ack, command, client, runtime: Runtime) -> None:
    """Managers get the policy in a modal; everyone else is told who may change it."""
    user = command["user_id"]
    with session_scope(runtime.sessions) as session:
        manager = runtime.roles.has_role(session, role=Role.MANAGER, user_id=user)
        policy = policies.current_policy(session) if manager else None
    if not manager:
        ack(response_type="ephemeral", text=runtime.translate("slash.sla.managers_only"))
        return
    ack()
    view = policy_modal(policy, runtime.translate)
    open_after_ack(runtime, client, command["trigger_id"], view)


def _away_or_back(runtime: Runtime, command: dict, *, away: bool) -> str:
    """`/sla away` or `/sla back`: the seller leaves or rejoins the round-robin; the answer
    says where they stand (and, while sellers claim leads, that it counts later)."""
    _ = runtime.translate
    with session_scope(runtime.sessions) as session:
        duty = rotation.change_duty(
            session,
            user_id=command["user_id"],
            away=away,
            roles=runtime.roles,
            at=utcnow(),
            channel_id=command.get("channel_id"),
        )
        claiming = policies.current_policy(session).assignment != "round_robin"
    answer = _(f"away.{duty.value}")
    if claiming and duty is not rotation.Duty.NOT_A_SELLER:
        answer = f"{answer} {_('rotation.claim_mode')}"
    return answer


def funnel(ack, command, respond, context) -> None:
    """`/funnel [period] [by DIMENSION] [chart] [export]` and `/funnel help`: help and a
    malformed query's correction come in the ack; the report comes after it."""
    runtime: Runtime = context["runtime"]
    _ = runtime.translate
    try:
        query = parse_query(command.get("text") or "")
    except QueryError as problem:
        ack(response_type="ephemeral", text=problem.render(_))
        return
    if query.help:
        ack(response_type="ephemeral", **build_funnel_help(_))
        return
    ack()
    runtime.after_ack.submit(_send_funnel, runtime, query, command["user_id"], respond)


def _send_funnel(runtime: Runtime, query: FunnelQuery, user_id: str, respond) -> None:
    """The report (or why not) to the person who asked, privately; failures are logged."""
    try:
        message = funnel_answer(runtime, query, user_id=user_id)
    except Exception:
        logger.exception("the funnel report could not be made")
        message = {"text": runtime.translate("slack.error")}
    try:
        sent = respond(response_type="ephemeral", replace_original=False, **message)
    except Exception:
        logger.exception("the funnel report could not be sent")
        return
    if sent.status_code != 200:
        logger.error("the funnel report was refused: %s %s", sent.status_code, sent.body)


def funnel_answer(runtime: Runtime, query: FunnelQuery, *, user_id: str) -> dict:
    """`query`'s report over the leads `user_id` may see, as a message; a one-line refusal
    for someone `/funnel` is not for."""
    _ = runtime.translate
    tz = runtime.settings.timezone
    with session_scope(runtime.sessions) as session:
        policy = policies.current_policy(session)
        try:
            owner = scope_for(session, user_id=user_id, roles=runtime.roles, policy=policy)
        except NotAllowed:
            return {"text": _("funnel.slack.not_allowed")}
        window = resolve(query.period, now=utcnow(), tz=tz, sla_period=policy.period)
        report = funnel_report(
            session,
            window=window,
            previous_window=previous(window),
            policy=policy,
            tz=tz,
            by=query.by,
            owner=owner,
        )
        names = person_names(session) if query.by == "seller" else {}
    notes = [_("funnel.slack.not_yet")] if query.chart or query.export else []
    return build_funnel_report(report, _, tz=tz, names=names, notes=notes)
