"""`smarketing demo`: the bot's main job on sample data, with no Slack workspace."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.digest import weekly_digest
from bot.domain.funnel import FunnelReport, breakdown_rows, funnel_report
from bot.domain.funnel_query import Window
from bot.domain.samples import (
    SELLERS,
    generate_sample_leads,
    generate_sample_metrics,
    store_sample_leads,
)
from bot.domain.scorecard import store_durations
from bot.domain.sla import current_policy
from bot.i18n import Translator
from bot.terminal import table
from handlers.funnel_chart import chart_png
from handlers.slack.card import build_card
from handlers.slack.digest import digest_as_text
from handlers.slack.funnel import breakdown_cells, breakdown_title, report_as_text
from handlers.slack.preview import message_as_text
from storage import queries
from storage.db import make_engine, session_factory, session_scope, upgrade
from storage.models import Person

DEMO_DAYS = 90
# The breakdowns the demo prints under its funnel, as `/funnel by …` shows them.
DEMO_BREAKDOWNS = ("zone", "service", "source", "seller")
TEAM_TIMEZONE = ZoneInfo("UTC")  # BOT_TIMEZONE's default


def run_demo(
    *,
    path: Path,
    now: datetime,
    locale: str,
    out: TextIO,
    tz: ZoneInfo = TEAM_TIMEZONE,
    chart: Path | None = None,
) -> FunnelReport:
    """Create a fresh sample database at `path`, then print what the bot knows from it: the
    funnel of every sample lead as `/funnel` reports it (days and hours in `tz`), its
    breakdowns, the managers' weekly digest of the last complete week, and a card; and draw
    the funnel as a PNG at `chart` when given, saying where. Returns the sample cohort's
    report."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        with session_scope(sessions) as session:
            queries.add_all(
                session, rows=[Person(user_id=u, display_name=n) for u, n in SELLERS.items()]
            )
            store_sample_leads(session, samples=generate_sample_leads(now=now))
            queries.store_metrics(session, generate_sample_metrics(now=now, tz=tz), now)
        with session_scope(sessions) as session:  # what the `sla-clocks` job would store
            while store_durations(session, policy=current_policy(session), tz=tz):
                pass
        with session_scope(sessions) as session:
            report = demo_funnel(session, now=now, tz=tz)
            breakdowns = [
                replace(report, by=by, breakdown=breakdown_rows(
                    session, window=report.window, by=by, tz=tz))
                for by in DEMO_BREAKDOWNS
            ]  # fmt: skip
            counts = queries.count_leads(session), queries.count_events(session)
            names = queries.person_names(session)
            sample = queries.newest_open_lead(session)
            digest = weekly_digest(session, now=now, tz=tz, policy=current_policy(session))
    finally:
        engine.dispose()
    _ = Translator(locale)
    print(
        render_demo(report, _, breakdowns=breakdowns, names=names, path=path, counts=counts),
        file=out,
    )
    print("", _("digest.demo"), "", digest_as_text(digest, _, tz=tz, names=names), sep="\n",
          file=out)  # fmt: skip
    if sample is not None:
        print(
            "", _("demo.card"), message_as_text(build_card(sample, _, now=now)), sep="\n", file=out
        )
    if chart is not None:
        chart.write_bytes(chart_png(report, _, tz=tz, names=names))
        print("", _("funnel.cli.demo_chart", path=chart.resolve()), sep="\n", file=out)
    return report


def demo_funnel(session: Session, *, now: datetime, tz: ZoneInfo) -> FunnelReport:
    """The funnel of the sample cohort: every lead created in the `DEMO_DAYS` before `now`,
    compared with nothing (the samples start there)."""
    window = Window(
        now - timedelta(days=DEMO_DAYS),
        now,
        "funnel.cli.demo_window",
        {"days": DEMO_DAYS},
        tz=tz,
        as_of=now,
    )
    policy = current_policy(session)
    return funnel_report(session, window=window, previous_window=None, policy=policy, tz=tz)


def render_demo(
    report: FunnelReport,
    _: Translator,
    *,
    breakdowns: list[FunnelReport],
    names: dict[str, str],
    path: Path,
    counts: tuple[int, int],
) -> str:
    """The demo's terminal report, in the translator's language: the funnel and each
    breakdown with the same tables as `/funnel` and `smarketing funnel`."""
    parts = [
        _("demo.title"),
        "=" * len(_("demo.title")),
        _("demo.database", path=path, leads=counts[0], events=counts[1]),
        "",
        report_as_text(report, _, tz=report.window.tz, names=names),
    ]
    for broken_down in breakdowns:
        parts += [
            "",
            breakdown_title(broken_down, _),
            table(*breakdown_cells(broken_down, _, names=names)),
        ]
    parts += ["", _("demo.next")]
    return "\n".join(parts)
