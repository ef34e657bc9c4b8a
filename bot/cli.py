"""The `smarketing` command: one subcommand per job of DESIGN.md's command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings, hide_password, load_settings, locale_hint
from bot.i18n import Translator, t

logger = logging.getLogger("smarketing")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


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
    routing_commands.add_parser("list")
    routing_add = routing_commands.add_parser("add")
    routing_add.add_argument("rule", metavar="zone=…|service=…")
    routing_add.add_argument("channel", metavar="channel=C…")
    routing_remove = routing_commands.add_parser("remove")
    routing_remove.add_argument("number", type=int)

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
    except ConfigError as error:
        print(t(locale, "cli.config_error", message=error.render(locale)), file=sys.stderr)
        return EXIT_USAGE


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    settings.require_for_serve()
    from bot.server import serve

    serve(settings)
    return EXIT_OK


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    run_demo(path=args.db, now=datetime.now(UTC), locale=settings.bot_locale, out=sys.stdout)
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


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "serve": _serve,
    "demo": _demo,
    "db": _db,
    "manifest": _manifest,
    "import": _import,
}
