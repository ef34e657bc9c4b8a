"""Slash commands. Each acks at once, before any Slack call: `/sla` answers in its ack
(the database's figures take milliseconds), and `/sla edit` opens its modal after it.
`/funnel` answers help and corrections in its ack, and sends the report (a few queries over
a whole cohort) after it, through the command's response URL; a chart or an export asked
for goes to the asker's direct messages as a file."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.domain import rotation
from bot.domain import sla as policies
from bot.domain.funnel import FunnelReport, NotAllowed, funnel_report, scope_for
from bot.domain.funnel_query import FunnelQuery, QueryError, parse_query, previous, resolve
from bot.domain.roles import Role
from bot.domain.scorecard import scorecard
from bot.runtime import Runtime
from handlers.funnel_chart import chart_png
from handlers.funnel_csv import report_csv
from handlers.slack import home, ids
from handlers.slack.files import Attachment, send_privately
from handlers.slack.funnel import (
    build_funnel_help,
    build_funnel_report,
    file_stem,
    report_as_text,
    report_title,
)
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


def funnel(ack, command, respond, client, context) -> None:
    """`/funnel [period] [by DIMENSION] [chart] [export]` and `/funnel help`: help and a
    malformed query's correction come in the ack; the report comes after it, and the chart
    and the export as files in the asker's direct messages."""
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
    runtime.after_ack.submit(_send_funnel, runtime, query, command["user_id"], respond, client)


def _send_funnel(runtime: Runtime, query: FunnelQuery, user_id: str, respond, client) -> None:
    """The report (or why not) to the person who asked, privately, then the files they
    asked for; failures are logged, and a file that could not be sent is said so."""
    _ = runtime.translate
    files = query.chart or query.export
    try:
        found = funnel_for(runtime, query, user_id=user_id)
        if found is None:
            message, files = {"text": _("funnel.slack.not_allowed")}, False
        else:
            report, names = found
            notes = [_("funnel.slack.files_coming")] if files else []
            message = build_funnel_report(
                report, _, tz=runtime.settings.timezone, names=names, notes=notes
            )
    except Exception:
        logger.exception("the funnel report could not be made")
        message, files = {"text": _("slack.error")}, False
    if not _respond(respond, message) or not files:
        return
    try:
        send_privately(
            client,
            user_id=user_id,
            attachments=funnel_attachments(runtime, query, report, names),
            comment=_("funnel.slack.files_comment", window=report.window.label(_)),
        )
    except Exception:
        logger.exception("the funnel's files could not be sent")
        _respond(respond, {"text": _("funnel.slack.files_failed")})


def _respond(respond, message: dict) -> bool:
    """`message` to the asker through the command's response URL; False if it failed."""
    try:
        sent = respond(response_type="ephemeral", replace_original=False, **message)
    except Exception:
        logger.exception("the funnel report could not be sent")
        return False
    if sent.status_code != 200:
        logger.error("the funnel report was refused: %s %s", sent.status_code, sent.body)
        return False
    return True


def funnel_for(
    runtime: Runtime, query: FunnelQuery, *, user_id: str
) -> tuple[FunnelReport, dict[str, str]] | None:
    """`query`'s report over the leads `user_id` may see, and the names its seller rows
    need; None for someone `/funnel` is not for."""
    tz = runtime.settings.timezone
    with session_scope(runtime.sessions) as session:
        policy = policies.current_policy(session)
        try:
            owner = scope_for(session, user_id=user_id, roles=runtime.roles, policy=policy)
        except NotAllowed:
            return None
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
    return report, names


def funnel_attachments(
    runtime: Runtime, query: FunnelQuery, report: FunnelReport, names: dict[str, str]
) -> list[Attachment]:
    """The chart (PNG) and the export (CSV) `query` asked for."""
    _, tz = runtime.translate, runtime.settings.timezone
    stem = file_stem(report)
    title = report_title(report, _)
    attachments = []
    if query.chart:
        png = chart_png(report, _, tz=tz, names=names)
        alt = report_as_text(report, _, tz=tz, names=names)
        attachments.append(Attachment(f"{stem}.png", png, title, alt_text=alt))
    if query.export:
        rows = report_csv(report, _, tz=tz, names=names)
        attachments.append(Attachment(f"{stem}.csv", rows, title))
    return attachments
