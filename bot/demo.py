"""`smarketing demo`: the bot's main job on sample data, with no Slack workspace."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.domain.samples import SELLERS, generate_sample_leads, store_sample_leads
from bot.domain.summary import CohortSummary, summarize_cohort
from bot.i18n import Translator
from bot.terminal import amount, percent, table
from handlers.slack.card import build_card
from handlers.slack.preview import message_as_text
from storage import queries
from storage.db import make_engine, session_factory, session_scope, upgrade
from storage.models import Person

DEMO_DAYS = 90


def run_demo(*, path: Path, now: datetime, locale: str, out: TextIO) -> CohortSummary:
    """Create a fresh sample database at `path`, then print what the bot knows from it."""
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
        with session_scope(sessions) as session:
            summary = summarize_cohort(session, since=now - timedelta(days=DEMO_DAYS), until=now)
            counts = queries.count_leads(session), queries.count_events(session)
            names = queries.person_names(session)
            sample = queries.newest_open_lead(session)
    finally:
        engine.dispose()
    _ = Translator(locale)
    print(render_summary(summary, _, names=names, path=path, counts=counts), file=out)
    if sample is not None:
        print(
            "", _("demo.card"), message_as_text(build_card(sample, _, now=now)), sep="\n", file=out
        )
    return summary


def render_summary(
    summary: CohortSummary,
    _: Translator,
    *,
    names: dict[str, str],
    path: Path,
    counts: tuple[int, int],
    card: dict | None = None,
) -> str:
    """The demo's terminal report, in the translator's language."""
    parts = [
        _("demo.title"),
        "=" * len(_("demo.title")),
        _("demo.database", path=path, leads=counts[0], events=counts[1]),
        "",
        _("demo.funnel", days=DEMO_DAYS),
        table(
            [
                _("demo.col_stage"),
                _("demo.col_leads"),
                _("demo.col_of_previous"),
                _("demo.col_of_all"),
            ],
            [
                (_.stage(s.stage), s.leads, percent(s.of_previous), percent(s.of_all))
                for s in summary.stages
            ],
        ),
        _("demo.revenue", amount=amount(summary.revenue)),
        "",
        _("demo.exits"),
    ]
    for exit_count in summary.exits:
        parts.append(_("demo.exit_line", exit=_.exit(exit_count.exit), count=exit_count.leads))
        parts.extend(f"  - {_.reason(code)}: {n}" for code, n in exit_count.top_reasons)
    for dimension, rows in summary.breakdowns.items():
        label = _(f"dimension.{dimension}")
        parts += [
            "",
            _("demo.by", dimension=label),
            table(
                [
                    label.capitalize(),
                    _("demo.col_leads"),
                    _("demo.col_profiled"),
                    _("demo.col_won"),
                    _("demo.col_revenue"),
                ],
                [
                    (
                        names.get(r.value, r.value) if r.value else _("demo.none"),
                        r.leads,
                        r.profiled,
                        r.won,
                        amount(r.revenue),
                    )
                    for r in rows
                ],
            ),
        ]
    if card is not None:
        parts += ["", _("demo.card"), message_as_text(card)]
    parts += ["", _("demo.next")]
    return "\n".join(parts)
