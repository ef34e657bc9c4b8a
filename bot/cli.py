"""The `smarketing` command: one subcommand per job of DESIGN.md's command line."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings, hide_password, load_settings, locale_hint
from bot.domain.routing import ROUTABLE_FIELDS, match_key
from bot.domain.schedule import ScheduleError
from bot.i18n import Translator, t
from bot.terminal import table

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker
    from sqlmodel import Session

    from bot.domain.funnel import Figures, FunnelReport
    from bot.domain.funnel_query import FunnelQuery, Window
    from bot.domain.sla import Change, Policy
    from storage.models import Lead, OutboxEntry, RoutingRule

logger = logging.getLogger("smarketing")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

# A channel a card can be posted to: public (C…) or private (G…), as in SALES_CHANNEL_ID but
# without direct messages, and no longer than the column that keeps it.
_ROUTE_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,31}$")
OUTBOX_WAITING_SHOWN = 50
OUTBOX_DELIVERED_SHOWN = 10
OUTBOX_DELIVERED_WINDOW = timedelta(hours=24)
ERROR_SHOWN = 80


def build_parser(locale: str) -> argparse.ArgumentParser:
    _ = Translator(locale)
    parser = argparse.ArgumentParser(prog="smarketing", description=t(locale, "cli.description"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("serve", help=_("cli.help.serve"))
    demo = commands.add_parser("demo", help=_("cli.help.demo"))
    demo.add_argument(
        "--db", type=Path, default=Path("smarketing-demo.db"), help=_("cli.help.demo_db")
    )

    imports = commands.add_parser("import", help=_("cli.help.import"))
    imports.add_argument("file", type=Path)
    imports.add_argument("--backfill", action="store_true", help=_("cli.help.backfill"))
    imports.add_argument("--post-since", help=_("cli.help.post_since"))
    imports.add_argument("--dry-run", action="store_true", help=_("cli.help.dry_run"))
    metrics = commands.add_parser("import-metrics", help=_("cli.help.import_metrics"))
    metrics.add_argument("file", type=Path)

    funnel = commands.add_parser("funnel", help=_("cli.help.funnel"))
    funnel.add_argument("--period")
    funnel.add_argument("--by")
    funnel.add_argument("--json", action="store_true")
    funnel.add_argument("--chart", type=Path)
    funnel.add_argument("--csv", type=Path)

    digest = commands.add_parser("digest", help=_("cli.help.digest"))
    digest.add_argument("--send", action="store_true")
    digest.add_argument("--force", action="store_true")
    review = commands.add_parser("review", help=_("cli.help.review"))
    review.add_argument("--send", action="store_true")
    commands.add_parser("schedule", help=_("cli.help.schedule"))
    commands.add_parser("outbox", help=_("cli.help.outbox"))

    sla = commands.add_parser("sla", help=_("cli.help.sla"))
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar="ACTION")
    sla_commands.add_parser("show")
    sla_set = sla_commands.add_parser("set")
    sla_set.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    sla_plan = sla_commands.add_parser("plan")
    sla_plan.add_argument("revenue")
    sla_plan.add_argument("deal")
    sla_plan.add_argument("leads_per_sale", metavar="N")

    routing = commands.add_parser("routing", help=_("cli.help.routing"))
    routing_commands = routing.add_subparsers(dest="routing_command", required=True)
    routing_commands.add_parser("list", help=_("cli.routing.help_list"))
    routing_add = routing_commands.add_parser("add", help=_("cli.routing.help_add"))
    # One list rather than two positionals: a missing or misplaced part is then explained in
    # a sentence, and `service=CRM setup` needs no quotes.
    routing_add.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    routing_remove = routing_commands.add_parser("remove", help=_("cli.routing.help_remove"))
    routing_remove.add_argument("number", type=int, metavar="N")

    manifest = commands.add_parser("manifest", help=_("cli.help.manifest"))
    how = manifest.add_mutually_exclusive_group()
    how.add_argument("--url")
    how.add_argument("--socket-mode", action="store_true")

    database = commands.add_parser("db", help=_("cli.help.db"))
    db_commands = database.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help=_("cli.help.db_upgrade"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    locale = locale_hint()
    args = build_parser(locale).parse_args(argv)
    handler = COMMANDS.get(args.command)
    try:
        settings = load_settings()
        locale = settings.bot_locale
        if handler is None:
            print(t(locale, "cli.not_available", command=args.command), file=sys.stderr)
            return EXIT_USAGE
        return handler(args, settings)
    except (ConfigError, ScheduleError) as error:
        print(t(locale, "cli.config_error", message=error.render(locale)), file=sys.stderr)
        return EXIT_USAGE


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    settings.require_for_serve()
    from bot.scheduler import build_jobs
    from bot.server import serve

    build_jobs(settings)  # a bad schedule stops here, with its message

    serve(settings)
    return EXIT_OK


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    run_demo(
        path=args.db,
        now=datetime.now(UTC),
        locale=settings.bot_locale,
        out=sys.stdout,
        tz=settings.timezone,
        chart=Path("funnel.png"),  # beside the terminal the demo runs in
    )
    return EXIT_OK


def _db(args: argparse.Namespace, settings: Settings) -> int:
    _upgrade(settings)
    url = hide_password(settings.database_url)
    print(t(settings.bot_locale, "cli.db_upgraded", url=url))
    return EXIT_OK


def _upgrade(settings: Settings) -> None:
    from storage.db import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _manifest(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.slack.manifest import manifest_yaml

    if args.socket_mode:
        url = None
    elif args.url or settings.public_url:
        url = args.url or settings.public_url
    elif settings.socket_mode:
        url = None
    else:
        print(t(settings.bot_locale, "cli.manifest_needs_url"), file=sys.stderr)
        return EXIT_USAGE
    print(manifest_yaml(Translator(settings.bot_locale), url=url), end="")
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.importer import PostSinceError, import_export, post_cutoff
    from bot.runtime import build_runtime
    from storage.db import upgrade
    from storage.types import utcnow

    locale = settings.bot_locale
    if not args.file.is_file():
        print(t(locale, "import.no_file", path=args.file), file=sys.stderr)
        return EXIT_USAGE
    now = utcnow()
    try:
        since = (
            None
            if args.backfill
            else post_cutoff(args.post_since, now=now, timezone=settings.timezone)
        )
    except PostSinceError:
        print(t(locale, "import.bad_post_since", value=args.post_since), file=sys.stderr)
        return EXIT_USAGE
    runtime = build_runtime(settings)
    try:
        upgrade(runtime.engine)
        report = import_export(
            runtime,
            args.file,
            now=now,
            post_since=since,
            dry_run=args.dry_run,
            progress=_progress_printer(locale),
        )
    finally:
        runtime.engine.dispose()
    delimiter = t(locale, "import.tab") if report.delimiter == "\t" else report.delimiter
    lines = [
        t(locale, "import.summary", file=args.file, platform=report.platform,
          encoding=report.encoding, delimiter=delimiter, rows=report.rows),
        t(locale, "import.new", count=report.imported, posted=report.posted),
        t(locale, "import.updated", count=report.updated),
        t(locale, "import.duplicates", count=report.duplicates),
        t(locale, "import.rejected", count=len(report.rejected)),
        *(t(locale, "import.rejected_line", line=n, reason=why) for n, why in report.rejected),
    ]  # fmt: skip
    if args.dry_run:
        lines.append(t(locale, "import.dry_run"))
    print("\n".join(lines))
    return EXIT_ERROR if report.rejected else EXIT_OK


def _progress_printer(locale: str):
    """Rows read so far, rewritten in place on a terminal; silent when piped."""
    if not sys.stderr.isatty():
        return lambda rows: None

    def show(rows: int) -> None:
        print("\r" + t(locale, "import.progress", rows=f"{rows:,}"), end="", file=sys.stderr)

    return show


def _import_metrics(args: argparse.Namespace, settings: Settings) -> int:
    """`import-metrics FILE`: every row checked first; one bad row stores nothing."""
    from bot.domain.metrics import MetricsFileError, read_metrics_csv, store_figures
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    path = args.file
    if not path.is_file():
        print(_("import.no_file", path=path), file=sys.stderr)
        return EXIT_USAGE
    try:
        figures = read_metrics_csv(path)
    except MetricsFileError as error:
        columns = ", ".join(error.details.get("columns", ()))
        details = {**error.details, "columns": columns}
        print(_(f"cli.import_metrics.{error.reason}", path=path, **details), file=sys.stderr)
        return EXIT_ERROR
    if figures.problems:
        for found in figures.problems:
            problem = _metric_problem(_, found.problem)
            print(_("cli.import_metrics.problem", line=found.line, column=found.column,
                    problem=problem), file=sys.stderr)  # fmt: skip
        count = len(figures.problems)
        print(_("cli.import_metrics.refused", count=count, path=path), file=sys.stderr)
        return EXIT_ERROR
    with _database(settings) as sessions:
        stored = store_figures(sessions, rows=figures.rows, now=utcnow())
    print(_("cli.import_metrics.stored", count=stored, path=path))
    if figures.repeated:
        print(_("cli.import_metrics.repeated", count=figures.repeated))
    return EXIT_OK


# Pydantic's error types, as the figures' problems are told in the team's language.
_METRIC_PROBLEMS = {
    "missing": "metrics.problem.missing",
    "blank": "metrics.problem.blank",
    "string_too_short": "metrics.problem.blank",
    "date_format": "metrics.problem.date",
    "int_parsing": "metrics.problem.whole_number",
    "int_type": "metrics.problem.whole_number",
    "int_from_float": "metrics.problem.whole_number",
    "finite_number": "metrics.problem.whole_number",
    "greater_than_equal": "metrics.problem.negative",
    "less_than_equal": "metrics.problem.too_large",
}


def _metric_problem(_: Translator, problem: Any) -> str:
    """One problem of a figures row in words; one this command does not know, as Pydantic
    put it."""
    key = _METRIC_PROBLEMS.get(problem.kind)
    if key is None:
        return problem.message
    maximum = (problem.limits or {}).get("le", "")
    return _(key, value=problem.input, maximum=maximum)


@contextmanager
def _database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the team's database, its schema brought up to date first, so a command
    works on a database nothing has run against yet."""
    from storage.db import make_engine, session_factory, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


class _Refusal(Exception):
    """An argument the command will not act on; its text is the sentence to show."""


@dataclass(frozen=True)
class _WantedRule:
    field: str
    value: str
    channel_id: str


def _routing(args: argparse.Namespace, settings: Settings) -> int:
    actions = {"list": _routing_list, "add": _routing_add, "remove": _routing_remove}
    return actions[args.routing_command](args, settings)


def _routing_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import session_scope
    from storage.queries import routing_rules

    _ = Translator(settings.bot_locale)
    with _database(settings) as sessions, session_scope(sessions) as session:
        rules = routing_rules(session)
    to_sales = _to_sales(_, settings)
    if not rules:
        print(_("cli.routing.none", to_sales=to_sales))
        return EXIT_OK
    lines = [
        _("cli.routing.title"),
        *(_rule_line(_, rule) for rule in rules),
        _("cli.routing.others", to_sales=to_sales),
        _("cli.routing.order"),
    ]
    print("\n".join(lines))
    return EXIT_OK


def _routing_add(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import IntegrityError

    from storage.db import session_scope
    from storage.queries import add_routing_rule
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    try:
        wanted = _parse_rule(_, args.assignments)
    except _Refusal as refusal:
        print(refusal, file=sys.stderr)
        return EXIT_ERROR
    with _database(settings) as sessions:
        try:
            with session_scope(sessions) as session:
                rule = add_routing_rule(
                    session,
                    field=wanted.field,
                    value=wanted.value,
                    match_key=match_key(wanted.value),
                    channel_id=wanted.channel_id,
                    at=utcnow(),
                )
        except IntegrityError:
            with session_scope(sessions) as session:
                clash = _rule_like(session, wanted)
            print(_duplicate(_, wanted, clash), file=sys.stderr)
            return EXIT_ERROR
    print(_("cli.routing.added", rule=_rule_line(_, rule)))
    return EXIT_OK


def _routing_remove(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import session_scope
    from storage.queries import remove_routing_rule

    _ = Translator(settings.bot_locale)
    with _database(settings) as sessions, session_scope(sessions) as session:
        rule = remove_routing_rule(session, rule_id=args.number)
    if rule is None:
        print(_("cli.routing.no_such_rule", number=args.number), file=sys.stderr)
        return EXIT_ERROR
    print(_("cli.routing.removed", rule=_rule_line(_, rule)))
    return EXIT_OK


def _parse_rule(_: Translator, assignments: Sequence[str]) -> _WantedRule:
    """The rule `zone=North channel=C0123ABC` asks for, or a `_Refusal` naming what is wrong."""
    from storage.models import NAME_MAX

    given = _assignments(_, assignments)
    unknown = [key for key in given if key not in (*ROUTABLE_FIELDS, "channel")]
    if unknown:
        raise _Refusal(_("cli.routing.unknown_key", option=unknown[0]))
    fields = [key for key in ROUTABLE_FIELDS if key in given]
    if not fields:
        raise _Refusal(_("cli.routing.no_field"))
    if len(fields) > 1:
        raise _Refusal(_("cli.routing.two_fields"))
    field = fields[0]
    label = _(f"dimension.{field}")
    value = given[field].strip()
    if not value:
        raise _Refusal(_("cli.routing.empty_value", option=field, field=label))
    longest = max(len(value), len(match_key(value)))
    if longest > NAME_MAX:
        raise _Refusal(_("cli.routing.too_long", field=label, length=longest, maximum=NAME_MAX))
    return _WantedRule(field=field, value=value, channel_id=_channel_id(_, given))


def _assignments(_: Translator, words: Sequence[str]) -> dict[str, str]:
    """`key=value` words as a mapping; a word without `=` continues the value before it, so
    an unquoted `service=CRM setup` reads as one value."""
    given: dict[str, str] = {}
    last = None
    for word in words:
        key, sign, value = word.partition("=")
        key = key.strip().lower()
        if sign and key:
            if key in given:
                raise _Refusal(_("cli.routing.repeated_key", option=key))
            given[key] = value
            last = key
        elif last is not None:
            given[last] = f"{given[last]} {word}"
        else:
            raise _Refusal(_("cli.routing.not_assignment", word=word))
    return given


def _channel_id(_: Translator, given: dict[str, str]) -> str:
    channel = given.get("channel", "").strip()
    if not channel:
        raise _Refusal(_("cli.routing.no_channel"))
    if not _ROUTE_CHANNEL.match(channel):
        raise _Refusal(_("cli.routing.bad_channel", value=channel))
    return channel


def _rule_like(session: Session, wanted: _WantedRule) -> RoutingRule | None:
    """The stored rule a new one clashes with: same field, same value once compared."""
    from storage.queries import routing_rules

    key = match_key(wanted.value)
    return next(
        (r for r in routing_rules(session) if r.field == wanted.field and r.match_key == key),
        None,
    )


def _duplicate(_: Translator, wanted: _WantedRule, clash: RoutingRule | None) -> str:
    """Why a rule was refused; without a clash, the rule was removed while this one was
    being added, and running the command again will work."""
    field = _(f"dimension.{wanted.field}")
    if clash is None:
        return _("cli.routing.duplicate_race", field=field, value=wanted.value)
    return _(
        "cli.routing.duplicate",
        number=clash.id,
        field=field,
        value=clash.value,
        channel=clash.channel_id,
    )


def _rule_line(_: Translator, rule: RoutingRule) -> str:
    return _(
        "cli.routing.rule",
        number=rule.id,
        field=_(f"dimension.{rule.field}"),
        value=rule.value,
        channel=rule.channel_id,
    )


def _to_sales(_: Translator, settings: Settings) -> str:
    """Where unrouted leads go, said so that a missing SALES_CHANNEL_ID shows here first."""
    if settings.sales_channel_id:
        return _("cli.routing.to_sales", channel=settings.sales_channel_id)
    return _("cli.routing.to_sales_unset")


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import session_scope
    from storage.queries import delivered_outbox_entries, outbox_backlog, undelivered_outbox_entries
    from storage.types import utcnow

    now = utcnow()
    with _database(settings) as sessions, session_scope(sessions) as session:
        backlog = outbox_backlog(session)
        waiting = undelivered_outbox_entries(session, limit=OUTBOX_WAITING_SHOWN)
        delivered_count, delivered = delivered_outbox_entries(
            session, since=now - OUTBOX_DELIVERED_WINDOW, limit=OUTBOX_DELIVERED_SHOWN
        )
    _ = Translator(settings.bot_locale)
    zone = settings.timezone
    lines = [
        *_waiting_lines(_, backlog, waiting, now=now, zone=zone),
        "",
        _("cli.outbox.delivered", count=delivered_count),
        *_delivered_lines(_, delivered, zone=zone),
    ]
    if waiting or delivered:
        lines += ["", _("cli.outbox.times", timezone=settings.bot_timezone)]
    print("\n".join(lines))
    return EXIT_OK


def _waiting_lines(
    _: Translator,
    backlog: dict[str, Any],
    waiting: list[tuple[OutboxEntry, Lead | None]],
    *,
    now: datetime,
    zone: tzinfo,
) -> list[str]:
    """The backlog's summary and its oldest entries: what delivery is stuck on, and why."""
    if not waiting:
        return [_("cli.outbox.nothing_waiting")]
    summary = _(
        "cli.outbox.summary",
        waiting=backlog["pending"],
        failing=backlog["failing"],
        since=_local_time(backlog["oldest"], zone),
    )
    headers = [
        _("cli.outbox.col_entry"),
        _("cli.outbox.col_lead"),
        _("cli.outbox.col_channel"),
        _("cli.outbox.col_attempts"),
        _("cli.outbox.col_next"),
        _("cli.outbox.col_error"),
    ]
    rows = [
        (
            entry.id,
            _entry_subject(_, entry, lead),
            entry.channel_id or _("cli.outbox.not_routed"),
            entry.attempts,
            _("cli.outbox.now")
            if entry.available_at <= now
            else _local_time(entry.available_at, zone),
            _shorten(entry.last_error),
        )
        for entry, lead in waiting
    ]
    lines = [summary, table(headers, rows, figures=False)]
    hidden = backlog["pending"] - len(waiting)
    if hidden > 0:
        lines.append(_("cli.outbox.more", count=hidden))
    return lines


def _delivered_lines(
    _: Translator, delivered: list[tuple[OutboxEntry, Lead | None]], *, zone: tzinfo
) -> list[str]:
    if not delivered:
        return []
    headers = [
        _("cli.outbox.col_entry"),
        _("cli.outbox.col_lead"),
        _("cli.outbox.col_channel"),
        _("cli.outbox.col_delivered"),
    ]
    rows = [
        (
            entry.id,
            _entry_subject(_, entry, lead),
            entry.channel_id or "–",
            _local_time(entry.done_at, zone),
        )
        for entry, lead in delivered
    ]
    return [table(headers, rows, figures=False)]


def _lead_name(lead: Lead | None) -> str:
    return lead.name if lead is not None else "–"


def _entry_subject(_: Translator, entry: OutboxEntry, lead: Lead | None) -> str:
    """The lead an entry is about; for the weekly digest and its chart, which week; for
    a message about no lead (an SLA-review reminder), its label."""
    from bot.domain import notices

    if entry.kind == notices.MESSAGE and entry.payload.get("label"):
        return entry.payload["label"]
    week = entry.payload.get("week") if entry.lead_id is None else None
    if entry.kind in (notices.DIGEST, notices.DIGEST_CHART) and week:
        kind = "digest" if entry.kind == notices.DIGEST else "chart"
        return _(f"cli.digest.outbox_{kind}", week=f"{week['start']}…{week['end']}")
    return _lead_name(lead)


def _local_time(moment: datetime, zone: tzinfo) -> str:
    """A stored UTC instant as the team reads its clock."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _shorten(error: str | None) -> str:
    """An error on one line, cut to fit a table row: Slack's answers can run long."""
    if not error:
        return "–"
    flat = " ".join(error.split())
    return flat if len(flat) <= ERROR_SHOWN else flat[: ERROR_SHOWN - 1] + "…"


def _schedule(args: argparse.Namespace, settings: Settings) -> int:
    """The scheduled jobs, when each runs next, and the latest runs with their outcome."""
    from bot.scheduler import build_jobs
    from storage.db import session_scope
    from storage.queries import latest_runs
    from storage.types import utcnow

    now, zone = utcnow(), settings.timezone
    jobs = build_jobs(settings)
    with _database(settings) as sessions, session_scope(sessions) as session:
        runs = latest_runs(session, limit=SCHEDULE_RUNS_SHOWN)
    _ = Translator(settings.bot_locale)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"

    lines = [
        _("cli.schedule.jobs"),
        table(
            [
                _("cli.schedule.job"),
                _("cli.schedule.when"),
                _("cli.schedule.next"),
                _("cli.schedule.grace"),
            ],
            [
                [job.id, str(job.when), local(job.when.next_after(now, zone)), str(job.grace)]
                for job in jobs
            ],
            figures=False,
        ),
        "",
    ]
    if runs:
        lines += [
            _("cli.schedule.runs"),
            table(
                [
                    _("cli.schedule.job"),
                    _("cli.schedule.period"),
                    _("cli.schedule.status"),
                    _("cli.schedule.finished"),
                    _("cli.schedule.detail"),
                ],
                [
                    [
                        run.job_id,
                        run.period,
                        _(f"cli.schedule.status.{run.status}"),
                        local(run.finished_at),
                        run.detail or "",
                    ]
                    for run in runs
                ],
                figures=False,
            ),
        ]
    else:
        lines.append(_("cli.schedule.no_runs"))
    lines += ["", _("cli.outbox.times", timezone=settings.bot_timezone)]
    print("\n".join(lines))
    return EXIT_OK


def _sla(args: argparse.Namespace, settings: Settings) -> int:
    actions = {"show": _sla_show, "set": _sla_set, "plan": _sla_plan}
    return actions[args.sla_command](args, settings)


def _sla_show(args: argparse.Namespace, settings: Settings) -> int:
    """The policy in force key by key with what each means, the plan it gives, and its
    latest changes."""
    from bot.domain.sla import active_policy, policy_history
    from storage.db import session_scope
    from storage.queries import person_names

    with _database(settings) as sessions, session_scope(sessions) as session:
        active = active_policy(session)
        history = policy_history(session)
        names = person_names(session)
    _ = Translator(settings.bot_locale)
    zone = settings.timezone
    if active.changed_at is None:
        title = _("cli.sla.title_default")
    else:
        by = _actor(_, active.changed_by, names)
        title = _("cli.sla.title", version=active.version, by=by,
                  at=_local_time(active.changed_at, zone))  # fmt: skip
    headers = [_("cli.sla.col_setting"), _("cli.sla.col_value"), _("cli.sla.col_meaning")]
    rows = [
        (key, value or "–", _(f"sla.meaning.{key}"))
        for key, value in active.policy.as_text().items()
    ]
    lines = [title, "", table(headers, rows, figures=False), "", *_policy_plan(_, active.policy)]
    if history:
        lines += ["", _("cli.sla.history")]
        lines += [
            _("cli.sla.history_line", version=change.version,
              at=_local_time(change.changed_at, zone), by=_actor(_, change.changed_by, names),
              changes="; ".join(_change_text(_, item) for item in change.changes))
            for change in history
        ]  # fmt: skip
    lines += ["", _("cli.sla.how_to_change")]
    if active.changed_at is not None:
        lines.append(_("cli.outbox.times", timezone=settings.bot_timezone))
    print("\n".join(lines))
    return EXIT_OK


def _sla_set(args: argparse.Namespace, settings: Settings) -> int:
    """Change the policy: all or nothing, every problem named at once."""
    from bot.domain.sla import (
        CLI_ACTOR,
        PolicyErrors,
        active_policy,
        change_policy,
        differences,
        read_changes,
    )
    from storage.db import session_scope
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    given, problems = _policy_assignments(_, args.assignments)
    changes: dict[str, Any] = {}
    try:
        changes = read_changes(given)
    except PolicyErrors as errors:
        problems += errors.render(_).splitlines()
    if problems:
        lines = [_("cli.sla.not_changed"), *(f"  {problem}" for problem in problems)]
        print("\n".join(lines), file=sys.stderr)
        return EXIT_USAGE
    with _database(settings) as sessions, session_scope(sessions) as session:
        before = active_policy(session)
        after = change_policy(session, changes, by=CLI_ACTOR, at=utcnow())
        version = active_policy(session).version
    made = differences(before.policy, after)
    if not made:
        print(_("cli.sla.unchanged", version=version))
        return EXIT_OK
    lines = [_("cli.sla.changed", version=version), *(f"  {_change_text(_, c)}" for c in made)]
    print("\n".join(lines))
    return EXIT_OK


def _sla_plan(args: argparse.Namespace, settings: Settings) -> int:
    """The sales and profiled leads a revenue goal takes, or what to type instead."""
    from bot.domain.sla import PlanError, explain_plan, parse_plan_args, plan

    _ = Translator(settings.bot_locale)
    try:
        revenue, deal, per_sale = parse_plan_args([args.revenue, args.deal, args.leads_per_sale])
        needed = plan(revenue, deal, per_sale)
    except PlanError as error:
        print(error.render(_), file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(explain_plan(_, needed, revenue=revenue, deal=deal, per_sale=per_sale)))
    return EXIT_OK


def _policy_plan(_: Translator, policy: Policy) -> list[str]:
    """The plan the policy's own numbers give, or how to give it those numbers."""
    from bot.domain.sla import explain_plan

    needed = policy.plan()
    if needed is None:
        return [_("cli.sla.no_plan")]
    figures = explain_plan(
        _,
        needed,
        revenue=policy.revenue_goal,
        deal=policy.average_deal_value,
        per_sale=policy.leads_per_sale,
    )
    return [
        _("cli.sla.plan", period=_(f"sla.period.{policy.period}")),
        *(f"  {line}" for line in figures),
    ]


def _change_text(_: Translator, change: Change) -> str:
    return _("cli.sla.change", setting=change.key, old=change.old or "–", new=change.new or "–")


def _actor(_: Translator, actor: str, names: dict[str, str]) -> str:
    """Who changed the policy: the command line, or a person by name and Slack id."""
    from bot.domain.sla import CLI_ACTOR

    if actor == CLI_ACTOR:
        return _("cli.sla.by_cli")
    name = names.get(actor)
    return f"{name} ({actor})" if name else actor


def _policy_assignments(_: Translator, words: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """`key=value` words as a mapping, and the sentences for words that are not; a word
    without `=` continues the value before it (`holidays=2026-12-25, 2027-01-01`)."""
    given: dict[str, str] = {}
    problems: list[str] = []
    last: str | None = None
    repeated = False
    for word in words:
        key, sign, value = word.partition("=")
        key = key.strip().lower()
        if sign and key:
            repeated = key in given
            if repeated:
                problems.append(_("cli.sla.repeated_key", setting=key))
            else:
                given[key] = value
            last = key
        elif last is None:
            problems.append(_("cli.sla.not_assignment", word=word))
        elif not repeated:
            given[last] = f"{given[last]} {word}"
    return given, problems


def _funnel(args: argparse.Namespace, settings: Settings) -> int:
    """The funnel of the leads created in a period (the current SLA period by default), the
    whole team's, as the tables `/funnel` shows or as JSON (`funnel_json`)."""
    from bot.domain.funnel import funnel_report
    from bot.domain.funnel_query import QueryError, previous, resolve
    from bot.domain.sla import current_policy
    from handlers.slack.funnel import report_as_text
    from storage.db import session_scope
    from storage.queries import person_names
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    try:
        query = _funnel_query(_, period=args.period, by=args.by)
    except QueryError as error:
        print(error.render(_), file=sys.stderr)
        return EXIT_USAGE
    except _Refusal as refusal:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    tz = settings.timezone
    with _database(settings) as sessions, session_scope(sessions) as session:
        policy = current_policy(session)
        window = resolve(query.period, now=utcnow(), tz=tz, sla_period=policy.period)
        report = funnel_report(
            session, window=window, previous_window=previous(window), policy=policy, tz=tz,
            by=query.by,
        )  # fmt: skip
        names = person_names(session) if query.by == "seller" else {}
    if args.json:
        print(json.dumps(funnel_json(report, _), ensure_ascii=False, indent=2))
    else:
        print(report_as_text(report, _, tz=tz, names=names))
    return _funnel_files(args, report, _, tz=tz, names=names)


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    """The weekly digest of the last complete week (Monday to Monday in the team's
    timezone), as managers would read it, printed in the terminal; `--send` posts it
    (`_send_digest`)."""
    if args.send or args.force:
        return _send_digest(args, settings)
    from bot.domain.digest import weekly_digest
    from bot.domain.sla import current_policy
    from handlers.slack.digest import digest_as_text
    from storage.db import session_scope
    from storage.queries import person_names
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    tz = settings.timezone
    with _database(settings) as sessions, session_scope(sessions) as session:
        digest = weekly_digest(
            session, now=utcnow(), tz=tz, policy=current_policy(session),
            sla_review_schedule=settings.sla_review_schedule,
        )  # fmt: skip
        names = person_names(session)
    print(digest_as_text(digest, _, tz=tz, names=names))
    return EXIT_OK


def _send_digest(args: argparse.Namespace, settings: Settings) -> int:
    """`digest --send`: the last complete week's digest queued for every destination, as
    the scheduled run queues it and under the same run record, then delivered from this
    process before it returns (or left in the outbox, said why). A week already sent is
    refused unless `--force` (which implies `--send`)."""
    from bot import digest_delivery
    from handlers.slack.digest import week_label

    _ = Translator(settings.bot_locale)
    if not digest_delivery.destinations(settings):
        print(_("cli.digest.nowhere"), file=sys.stderr)
        return EXIT_USAGE
    if not settings.slack_bot_token:
        raise ConfigError("config.required", name="SLACK_BOT_TOKEN")

    def claim(runtime, now, worker):
        claimed = digest_delivery.claim_week(runtime, now=now, force=args.force, worker=worker)
        return claimed, week_label(claimed.week, _)

    def queue(runtime, _claimed, now, turn):
        return digest_delivery.queue_digest(runtime, now=now, turn=turn)

    def deliver(worker, queued, week):
        return _deliver_digest(_, worker, queued, week=week)

    return _send_now(
        settings, _, claim=claim, queue=queue, deliver=deliver, keys="cli.digest",
        label="week", command="digest --send",
    )  # fmt: skip


def _review(args: argparse.Namespace, settings: Settings) -> int:
    """The next SLA-review meeting and the agenda the data writes for it, in the terminal;
    or that no meeting is scheduled while SLA_REVIEW_SCHEDULE is unset. `--send` posts the
    meeting's reminder now (`_send_review`)."""
    if args.send:
        return _send_review(settings)
    from bot.domain.review import next_meeting, review_agenda
    from bot.domain.schedule import CADENCE_EXAMPLE
    from bot.domain.sla import current_policy
    from handlers.slack.review import review_as_text
    from storage.db import session_scope
    from storage.queries import person_names
    from storage.types import utcnow

    _ = Translator(settings.bot_locale)
    tz, now, schedule = settings.timezone, utcnow(), settings.sla_review_schedule
    meeting = next_meeting(schedule, now=now, tz=tz)
    if meeting is None:
        print(_("review.cli.none", example=CADENCE_EXAMPLE))
        return EXIT_OK
    with _database(settings) as sessions, session_scope(sessions) as session:
        agenda = review_agenda(
            session, now=now, tz=tz, policy=current_policy(session), schedule=schedule,
            meeting=meeting,
        )  # fmt: skip
        names = person_names(session)
    print(review_as_text(agenda, _, tz=tz, names=names))
    return EXIT_OK


def _send_review(settings: Settings) -> int:
    """`review --send`: the next meeting's reminder queued for the managers, marketing and
    sales channels under the scheduled reminder's run record, then delivered from this
    process before it returns (or left in the outbox, said why). Once per meeting."""
    from bot import review_delivery
    from bot.domain.schedule import CADENCE_EXAMPLE, parse_cadence
    from handlers.slack.review import meeting_when

    _ = Translator(settings.bot_locale)
    if not settings.sla_review_schedule:
        print(_("review.cli.no_schedule", example=CADENCE_EXAMPLE), file=sys.stderr)
        return EXIT_USAGE
    parse_cadence(settings.sla_review_schedule)  # an unreadable one is a configuration error
    if not review_delivery.channels(settings):
        print(_("review.cli.nowhere"), file=sys.stderr)
        return EXIT_USAGE
    if not settings.slack_bot_token:
        raise ConfigError("config.required", name="SLACK_BOT_TOKEN")

    def claim(runtime, now, worker):
        claimed = review_delivery.claim_next_meeting(runtime, now=now, worker=worker)
        return claimed, meeting_when(claimed.meeting, _, tz=settings.timezone)

    def queue(runtime, claimed, now, turn):
        return review_delivery.queue_reminder(
            runtime, meeting=claimed.meeting, now=now, starting=claimed.meeting <= now, turn=turn
        )

    def deliver(worker, queued, when):
        return _deliver_review(_, worker, queued, when=when)

    return _send_now(
        settings, _, claim=claim, queue=queue, deliver=deliver, keys="review.cli",
        label="when", command="review --send",
    )  # fmt: skip


def _send_now(
    settings: Settings,
    _: Translator,
    *,
    claim: Callable,
    queue: Callable,
    deliver: Callable,
    keys: str,
    label: str,
    command: str,
) -> int:
    """What `digest --send` and `review --send` share: `claim(runtime, now, worker)` records
    the scheduled job's run for what is due ((claim, its label for messages), or a claim
    without a run when it was already sent: refused, exit 1), `queue(runtime, claim, now,
    turn)` queues it and seals the run with where it went in the same transaction (else the
    run is closed as failed), then `deliver(worker, queued, label)` posts it from this
    process. Messages are `{keys}.already_sent` and `{keys}.not_queued`, the label passed as
    `label`."""
    from bot.runs import Turn
    from bot.runtime import build_runtime
    from handlers.slack.client import make_web_client
    from handlers.slack.delivery import DeliveryWorker
    from storage.db import session_scope, upgrade
    from storage.queries import finish_run
    from storage.types import utcnow

    runtime = build_runtime(settings)
    try:
        upgrade(runtime.engine)
        client = make_web_client(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        worker = DeliveryWorker(runtime, client)
        now = utcnow()
        claimed, what = claim(runtime, now, worker.name)
        if claimed.run_id is None:
            at = claimed.earlier.finished_at or claimed.earlier.started_at
            print(_(f"{keys}.already_sent", **{label: what},
                    at=_local_time(at, settings.timezone), timezone=settings.bot_timezone),
                  file=sys.stderr)  # fmt: skip
            return EXIT_ERROR
        try:
            queued = queue(runtime, claimed, now, Turn(claimed.run_id, worker.name, by=command))
        except Exception as error:
            logger.exception("%s: %s could not be queued", command, what)
            with session_scope(runtime.sessions) as session:
                detail = f"{type(error).__name__}: {error}"[:500]
                finish_run(session, run_id=claimed.run_id, worker=worker.name, status="failed",
                           at=utcnow(), detail=detail)  # fmt: skip
            print(_(f"{keys}.not_queued", **{label: what}, error=error), file=sys.stderr)
            return EXIT_ERROR
        return deliver(worker, queued, what)
    finally:
        runtime.engine.dispose()


def _deliver_review(_: Translator, worker: Any, queued: list, *, when: str) -> int:
    """Deliver the reminder to each channel now; one line each on what happened."""
    import time

    deadline = time.monotonic() + DIGEST_SEND_PATIENCE.total_seconds()
    delivered = True
    for channel, entry_id in queued:
        patience = max(deadline - time.monotonic(), 0.0)
        [entry] = worker.deliver_now([entry_id], patience=patience) or [None]
        if entry is None or entry.done_at is None:
            print(_("review.cli.not_posted", when=when, channel=channel,
                    error=_entry_error(_, entry)), file=sys.stderr)  # fmt: skip
            delivered = False
        else:
            print(_("review.cli.posted", when=when, channel=channel))
    return EXIT_OK if delivered else EXIT_ERROR


DIGEST_SEND_PATIENCE = timedelta(minutes=2)


def _deliver_digest(_: Translator, worker: Any, queued: Any, *, week: str) -> int:
    """Deliver each destination's digest and chart now; one line each on what happened."""
    import time

    from bot.domain.notices import is_person

    deadline = time.monotonic() + DIGEST_SEND_PATIENCE.total_seconds()
    delivered = True
    for destination, digest_id, chart_id in queued.entries:
        ids = [digest_id] if chart_id is None else [digest_id, chart_id]
        patience = max(deadline - time.monotonic(), 0.0)
        done = {entry.id: entry for entry in worker.deliver_now(ids, patience=patience)}
        where = (
            _("cli.digest.to_person", user=destination)
            if is_person(destination)
            else _("cli.digest.to_channel", channel=destination)
        )
        digest, chart = done.get(digest_id), done.get(chart_id)
        if digest is None or digest.done_at is None:
            error = _entry_error(_, digest)
            print(_("cli.digest.not_posted", week=week, destination=where, error=error),
                  file=sys.stderr)  # fmt: skip
            delivered = False
        elif chart is not None and (chart.done_at is None or chart.last_error):
            print(_("cli.digest.posted", week=week, destination=where))
            print(_("cli.digest.chart_not_posted", destination=where,
                    error=_entry_error(_, chart)), file=sys.stderr)  # fmt: skip
            delivered = False
        elif chart is not None:
            print(_("cli.digest.posted_with_chart", week=week, destination=where))
        else:
            print(_("cli.digest.posted", week=week, destination=where))
    return EXIT_OK if delivered else EXIT_ERROR


def _entry_error(_: Translator, entry: OutboxEntry | None) -> str:
    return _shorten(entry.last_error) if entry and entry.last_error else _("cli.digest.no_answer")


def _funnel_files(
    args: argparse.Namespace,
    report: FunnelReport,
    _: Translator,
    *,
    tz: tzinfo,
    names: dict[str, str],
) -> int:
    """`--chart FILE` (PNG) and `--csv FILE`, each said on stderr where it went."""
    from handlers.funnel_chart import chart_png
    from handlers.funnel_csv import report_csv

    files = []
    if args.chart:
        files.append((args.chart, chart_png, "funnel.cli.chart_written"))
    if args.csv:
        files.append((args.csv, report_csv, "funnel.cli.csv_written"))
    for path, render, written in files:
        try:
            path.write_bytes(render(report, _, tz=tz, names=names))
        except OSError as error:
            print(_("funnel.cli.not_written", path=path, error=error.strerror or error),
                  file=sys.stderr)  # fmt: skip
            return EXIT_ERROR
        print(_(written, path=path.resolve()), file=sys.stderr)
    return EXIT_OK


def _funnel_query(_: Translator, *, period: str | None, by: str | None) -> FunnelQuery:
    """`--period` and `--by` read with `/funnel`'s grammar, each holding only its own part."""
    from bot.domain.funnel_query import DIMENSIONS, FunnelQuery, parse_query

    query = FunnelQuery()
    if period is not None:
        asked = parse_query(period)
        if asked.period is None or asked != FunnelQuery(period=asked.period):
            raise _Refusal(_("funnel.cli.only_period", value=period))
        query = FunnelQuery(period=asked.period)
    if by is not None:
        asked = parse_query(f"by {by}")
        if asked != FunnelQuery(by=asked.by):
            raise _Refusal(_("funnel.cli.only_by", value=by, dimensions=", ".join(DIMENSIONS)))
        query = FunnelQuery(period=query.period, by=asked.by)
    return query


def funnel_json(report: FunnelReport, _: Translator) -> dict[str, Any]:
    """`smarketing funnel --json`: the report as plain data (README, "The funnel"). Codes,
    not labels, name stages, exits and reasons; shares are 0–1 (null when there is nothing
    to divide by); times are ISO 8601 in the team's timezone."""
    return {
        "window": _window_json(report.window, _),
        "previous_window": _window_json(report.previous_window, _),
        "current": _figures_json(report.current),
        "previous": _figures_json(report.previous),
        "sla": {"profiled": report.sla.profiled, "needed": report.sla.needed},
        "by": report.by,
        "breakdown": [
            {
                "value": row.value,
                "folded": row.folded,
                "leads": row.leads,
                "qualified": row.qualified,
                "won": row.won,
                "revenue": row.revenue,
                "qualified_share": row.qualified / row.leads if row.leads else None,
                "impressions": row.impressions,
            }
            for row in report.breakdown
        ],
    }


def _window_json(window: Window | None, _: Translator) -> dict[str, Any] | None:
    if window is None:
        return None
    return {
        "start": window.start.astimezone(window.tz).isoformat(),
        "end": window.end.astimezone(window.tz).isoformat(),
        "label": window.label(_),
        "timezone": window.tz.key,
    }


def _figures_json(figures: Figures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {
        "leads": figures.leads,
        "stages": {
            stage.stage.value: {
                "leads": stage.leads,
                "of_previous": stage.of_previous,
                "of_first": stage.of_first,
            }
            for stage in figures.stages
        },
        "exits": {
            figure.exit.value: {
                "leads": figure.leads,
                "top_reasons": [
                    {"reason": reason, "leads": count} for reason, count in figure.top_reasons
                ],
            }
            for figure in figures.exits
        },
        "revenue": figures.revenue,
        "platform": _platform_json(figures),
        "medians": {
            clock.name: {"minutes": clock.median_minutes, "leads": clock.leads}
            for clock in figures.clocks
        },
    }


def _platform_json(figures: Figures) -> dict[str, Any] | None:
    platform = figures.platform
    if platform is None:
        return None
    return {
        "impressions": platform.impressions,
        "clicks": platform.clicks,
        "leads": platform.leads,
        "days": platform.days,
        "leads_per_thousand": platform.per_thousand(figures.leads),
    }


SCHEDULE_RUNS_SHOWN = 20

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "serve": _serve,
    "demo": _demo,
    "db": _db,
    "manifest": _manifest,
    "import": _import,
    "import-metrics": _import_metrics,
    "routing": _routing,
    "outbox": _outbox,
    "schedule": _schedule,
    "sla": _sla,
    "funnel": _funnel,
    "digest": _digest,
    "review": _review,
}
