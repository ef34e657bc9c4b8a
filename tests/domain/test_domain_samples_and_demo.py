"""The demo's sample data covers the whole funnel, and its funnel adds up."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.demo import run_demo
from bot.domain.funnel import breakdown_rows, figures
from bot.domain.funnel_query import ALL_TIME_START, Window
from bot.domain.lifecycle import Action, State, after, allowed, state_of
from bot.domain.samples import generate_sample_leads, store_sample_leads
from bot.domain.vocabulary import ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES, EXIT_REASONS, Exit, Stage
from storage.db import session_scope
from storage.models import Lead, LeadEvent

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_sample_generation_is_deterministic():
    first = generate_sample_leads(now=NOW, count=50)
    second = generate_sample_leads(now=NOW, count=50)
    assert [s.lead.email for s in first] == [s.lead.email for s in second]
    assert [len(s.events) for s in first] == [len(s.events) for s in second]


def test_samples_reach_every_stage_and_every_exit_with_valid_reasons(sessions):
    with session_scope(sessions) as session:
        store_sample_leads(session, samples=generate_sample_leads(now=NOW))
    with sessions() as session:
        stages = dict(session.exec(select(Lead.stage, func.count()).group_by(Lead.stage)).all())
        exits = session.exec(select(Lead.exit, Lead.exit_reason).where(Lead.exit != None)).all()  # noqa: E711
        orphan_events = session.exec(
            select(func.count()).select_from(LeadEvent).where(LeadEvent.lead_id == None)  # noqa: E711
        ).one()
    assert set(stages) == {stage.value for stage in Stage}
    assert {exit_ for exit_, _ in exits} == {exit_.value for exit_ in Exit}
    assert all(reason in EXIT_REASONS[Exit(exit_)] for exit_, reason in exits)
    assert orphan_events == 0


def test_a_stage_counts_every_lead_that_went_past_it(sessions):
    with session_scope(sessions) as session:
        store_sample_leads(session, samples=generate_sample_leads(now=NOW))
    everything = Window(ALL_TIME_START, NOW, "funnel.period.all")
    with sessions() as session:
        funnel = figures(session, window=everything)
        breakdowns = {
            by: breakdown_rows(session, window=everything, by=by, tz=ZoneInfo("UTC"))
            for by in ("zone", "service", "source", "seller", "weekday", "hour")
        }
        won = session.exec(select(func.count()).where(Lead.stage == "won")).one()
    counts = [s.leads for s in funnel.stages]
    assert counts[0] == 320
    assert counts == sorted(counts, reverse=True)
    assert funnel.stages[-1].leads == won
    # A lead at "won" also counts as qualified, contacted, accepted and profiled.
    assert all(count >= won for count in counts)
    for dimension, rows in breakdowns.items():
        assert sum(row.leads for row in rows) == 320, dimension
        assert sum(row.won for row in rows) == won, dimension
    assert funnel.revenue == pytest.approx(sum(r.revenue for r in breakdowns["zone"]))


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["Funnel", "Profiled (MQL)", "Not a fit", "By zone", "Ana Torres"]),
        ("es", ["Embudo", "Perfilado (MQL)", "No encaja", "Por zona", "Ana Torres"]),
    ],
)
def test_the_demo_prints_a_readable_summary(tmp_path, locale, words):
    out = io.StringIO()
    report = run_demo(path=tmp_path / "demo.db", now=NOW, locale=locale, out=out)
    text = out.getvalue()
    for word in words:
        assert word in text
    assert f"{report.current.stages[0].leads}" in text
    assert (tmp_path / "demo.db").exists()


def test_the_demo_draws_its_funnel_as_a_chart_and_says_where(tmp_path):
    out = io.StringIO()
    chart = tmp_path / "funnel.png"
    report = run_demo(path=tmp_path / "demo.db", now=NOW, locale="es", out=out, chart=chart)
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert out.getvalue().rstrip().endswith(f"El embudo en un gráfico (PNG): {chart.resolve()}")
    assert report.current.leads == 320


def test_smarketing_demo_writes_funnel_png_where_it_runs(smarketing, tmp_path):
    result = smarketing("demo", "--db", "demo.db")
    assert result.code == 0, result.err
    assert (tmp_path / "funnel.png").read_bytes().startswith(b"\x89PNG")
    assert f"The funnel as a chart (PNG): {tmp_path / 'funnel.png'}" in result.out


def test_running_the_demo_again_starts_from_a_fresh_database(tmp_path):
    path = tmp_path / "demo.db"
    first = run_demo(path=path, now=NOW, locale="en", out=io.StringIO())
    second = run_demo(path=path, now=NOW, locale="en", out=io.StringIO())
    assert first.current == second.current


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["as its card shows it in Slack", "[Claim]", "[Not a fit]", "handed over"]),
        ("es", ["tal como lo muestra su tarjeta", "[Tomar]", "[No encaja]", "entregado hace"]),
    ],
)
def test_the_demo_shows_a_sample_card_as_text(tmp_path, locale, words):
    out = io.StringIO()
    run_demo(path=tmp_path / "demo.db", now=NOW, locale=locale, out=out)
    text = out.getvalue()
    card = text[text.index(words[0]) :]
    for word in words:
        assert word in card
    frame = [line for line in card.splitlines() if line.startswith(("|", "+"))]
    assert len(frame) > 5 and len({len(line) for line in frame}) == 1  # a closed frame


def test_sample_histories_follow_exactly_the_lifecycles_moves():
    """Replaying every sample lead's events through the lifecycle table ends where the lead
    is: each seller move was allowed from the state it was made in."""
    moves = {action.value: action for action in Action}
    for sample in generate_sample_leads(now=NOW):
        state = State(Stage.LEAD)
        for event in sorted(sample.events, key=lambda e: e.at):
            if event.kind == "handed_over":
                state = State(Stage.PROFILED)
            elif event.kind == "attempt":
                assert state.is_open and state.stage is not Stage.PROFILED
                assert event.data["how"] in ATTEMPT_CHANNELS
                assert event.data["outcome"] in ATTEMPT_OUTCOMES
            else:
                action = moves[event.kind]
                assert allowed(action, state), (event.kind, state)
                state = after(action, state)
                assert event.to_stage == state.label
        assert state == state_of(sample.lead)


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ["By seller", "Weekly digest · 2026-11-16 to 2026-11-22", "Stalled leads",
                "Best closer", "The newest open lead"]),
        ("es", ["Por vendedor", "Resumen semanal · 2026-11-16 a 2026-11-22", "Leads estancados",
                "Mejor cierre", "El lead abierto más reciente"]),
    ],
)  # fmt: skip
def test_the_demo_prints_the_weekly_digest_after_the_funnel(tmp_path, locale, words):
    out = io.StringIO()
    run_demo(path=tmp_path / "demo.db", now=NOW, locale=locale, out=out)
    text = out.getvalue()
    # The funnel's last breakdown, the digest of the week before NOW's Monday, its sections,
    # then the card.
    places = [text.index(word) for word in words]
    assert places == sorted(places)
