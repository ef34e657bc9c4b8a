"""The weekly digest as Block Kit and as terminal text: what each section says, in English
and Spanish, and Slack's limits kept whatever the data (hundreds of stalled leads, huge
names, Slack markup in lead data)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from funnel_reports import EN, ES, NOW, TZ, figures
from slackkit.blockkit import check_message

from bot.domain.digest import (
    BestCloser,
    Contests,
    Digest,
    FastestResponder,
    MostImproved,
    OpenContest,
    ReasonLine,
    Reasons,
    Recognition,
    ScoreLine,
    Stalled,
    StalledLead,
    last_week,
)
from bot.domain.funnel import FunnelReport, SlaLine
from bot.domain.funnel_query import previous
from bot.domain.vocabulary import Exit, Stage
from handlers.slack.blocks import HEADER_TEXT_MAX, SECTION_TEXT_MAX
from handlers.slack.digest import (
    DIGEST_CONTESTS,
    DIGEST_FOOTER,
    DIGEST_FUNNEL,
    DIGEST_MARKETING,
    DIGEST_REASONS,
    DIGEST_RECOGNITION,
    DIGEST_SALES,
    DIGEST_STALLED,
    DIGEST_TITLE,
    build_digest,
    digest_as_text,
)

IDLE = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)


def sample(**changes) -> Digest:
    """The week of 9 November (NOW is Friday 20th, so the last complete week) against the
    week of 2 November, with one of everything."""
    week = last_week(now=NOW, tz=TZ, sla_period="month")
    before = previous(week)
    funnel = FunnelReport(
        window=week,
        current=figures([6, 5, 4, 3, 3, 2], revenue=8000),
        previous_window=before,
        previous=figures([4, 3, 2, 2, 2, 1], revenue=2000),
        sla=SlaLine(5, 28),
        by=None,
        breakdown=(),
        owner=None,
    )
    made = Digest(
        week=week,
        previous_week=before,
        now=NOW,
        scorecard=(
            ScoreLine("marketing", "handed_over", "count", 5, 3, 28),
            ScoreLine("marketing", "profiled_share", "share", 5 / 6, 0.75, 0.6),
            ScoreLine("marketing", "missing_fields", "count", 1, 1, 0, higher_is_better=False),
            ScoreLine("sales", "routing", "minutes", 30.0, 45.0, 30, higher_is_better=False),
            ScoreLine("sales", "response", "minutes", 60.0, 45.0, 60, higher_is_better=False),
            ScoreLine("sales", "in_time", "share", 0.5, 1.0),
            ScoreLine("sales", "attempts", "decimal", 1.75, 1.5),
        ),
        funnel=funnel,
        reasons=Reasons(
            rejected=2,
            lost=1,
            by_source=(ReasonLine("google", Exit.REJECTED, "not_icp", 2),),
            by_campaign=(ReasonLine(None, Exit.LOST, "price", 1),),
        ),
        stalled=Stalled(
            after_days=3,
            total=2,
            leads=(
                StalledLead(9, "Iris", "Grupo Andino", Stage.QUALIFIED, "U0ANA", IDLE, 6),
                StalledLead(11, "Kai", None, Stage.CONTACTED, None, IDLE, 3),
            ),
        ),
        recognition=Recognition(
            best_closer=BestCloser("U0BRUNO", 5000.0, 2),
            fastest_responder=FastestResponder("U0ANA", 25.0, 2),
            most_improved=MostImproved("U0ANA", 2, 0),
        ),
        contests=Contests(
            total=4,
            oldest=(
                OpenContest(
                    5,
                    "Eva",
                    None,
                    "rejected",
                    "not_icp",
                    "U0BRUNO",
                    "U0MARTA",
                    datetime(2026, 11, 18, 13, 0, tzinfo=UTC),
                ),
            ),
        ),
        next_review=datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
    )
    return replace(made, **changes)


def block(message: dict, block_id: str) -> dict:
    return next(b for b in message["blocks"] if b.get("block_id") == block_id)


def text_of(message: dict, block_id: str) -> str:
    found = block(message, block_id)
    if found["type"] == "context":
        return "\n".join(element["text"] for element in found["elements"])
    return found["text"]["text"]


def test_the_digest_in_english_says_every_figure():
    message = build_digest(sample(), EN, tz=TZ)
    assert check_message(message) == []
    assert block(message, DIGEST_TITLE)["text"]["text"] == (
        "Weekly digest · 2026-11-09 to 2026-11-15"
    )
    assert text_of(message, DIGEST_MARKETING).splitlines() == [
        "*Marketing*",
        "• *Profiled leads handed over:* 5 (target ≥ 28) ✗ · +2 on the week before",
        "• *Captured leads that arrived profiled:* 83.3% (target ≥ 60.0%) ✓ · +8.3 pts on "
        "the week before",
        "• *Hand-offs missing a required field:* 1 (target ≤ 0) ✗ · 0 on the week before",
    ]
    sales = text_of(message, DIGEST_SALES).splitlines()
    assert sales[1] == (
        "• *Routing delay (median):* 30 min (target ≤ 30 min) ✓ · −15 min on the week before"
    )
    assert sales[3] == "• *First touches within the limit:* 50.0% · −50.0 pts on the week before"
    assert sales[4] == "• *Attempts per accepted lead:* 1.8 · +0.2 on the week before"
    funnel = text_of(message, DIGEST_FUNNEL)
    assert re.search(r"Won\s+2\s+\+1\s+66\.7%\s+33\.3%", funnel)
    assert "Revenue won: 8,000 (+6,000 against the previous period)" in funnel
    reasons = text_of(message, DIGEST_REASONS)
    assert "2 not a fit, 1 lost." in reasons
    assert "• google — Not a fit: Not our ideal customer (2)" in reasons
    assert "• (none) — Lost: Price (1)" in reasons
    stalled = text_of(message, DIGEST_STALLED).splitlines()
    assert stalled[2:] == [
        "• Iris · Grupo Andino — Qualified (SQL), <@U0ANA>, 6 business days idle",
        "• Kai — Contacted, no owner, 3 business days idle",
    ]
    assert text_of(message, DIGEST_RECOGNITION).splitlines()[1:] == [
        "• Best closer: <@U0BRUNO>, 5,000 won in 2 deals",
        "• Fastest responder: <@U0ANA>, a median response of 25 min over 2 first touches",
        "• Most improved: <@U0ANA>, 2 leads qualified or won (from 0 the week before)",
    ]
    contests = text_of(message, DIGEST_CONTESTS).splitlines()
    assert contests[1] == "4 open; the oldest:"
    assert contests[2] == (
        "• Eva — Not a fit: Not our ideal customer, contested by <@U0MARTA> on 2026-11-18 "
        "(verdict by <@U0BRUNO>)"
    )
    assert contests[3] == "+3 more"
    footer = text_of(message, DIGEST_FOOTER)
    assert "Next SLA review: 2026-11-26 10:00" in footer  # 13:00 UTC in São Paulo
    assert message["text"] == (
        "Weekly digest · 2026-11-09 to 2026-11-15: 6 leads, 2 won, 8,000 revenue; 2 stalled leads."
    )


def test_the_digest_in_spanish():
    message = build_digest(sample(next_review=None), ES, tz=TZ)
    assert check_message(message) == []
    assert block(message, DIGEST_TITLE)["text"]["text"] == (
        "Resumen semanal · 2026-11-09 a 2026-11-15"
    )
    assert "• *Leads perfilados entregados:* 5 (meta ≥ 28) ✗" in text_of(message, DIGEST_MARKETING)
    assert text_of(message, DIGEST_SALES).startswith("*Ventas*")
    assert "Calificado (SQL), <@U0ANA>, 6 días hábiles sin actividad" in text_of(
        message, DIGEST_STALLED
    )
    assert "Mejor cierre: <@U0BRUNO>, 5,000 ganados en 2 ventas" in text_of(
        message, DIGEST_RECOGNITION
    )
    assert "No hay reuniones de revisión del SLA programadas" in text_of(message, DIGEST_FOOTER)
    assert "Embudo de los leads creados esta semana" in text_of(message, DIGEST_FUNNEL)


def test_recognition_is_left_out_when_nobody_earned_it():
    nobody = Recognition(None, None, None)
    message = build_digest(sample(recognition=nobody), EN, tz=TZ)
    assert DIGEST_RECOGNITION not in [b.get("block_id") for b in message["blocks"]]
    assert "Recognition" not in digest_as_text(sample(recognition=nobody), EN, tz=TZ)


def test_people_without_a_slack_id_are_named_not_mentioned():
    stalled = Stalled(3, 1, (StalledLead(1, "Ana's lead", None, Stage.ACCEPTED, "cli", IDLE,
                                         4),))  # fmt: skip
    message = build_digest(sample(stalled=stalled), EN, tz=TZ, names={"cli": "<!here> Ops"})
    line = text_of(message, DIGEST_STALLED).splitlines()[-1]
    assert line == "• Ana's lead — Accepted (SAL), &lt;!here&gt; Ops, 4 business days idle"


@pytest.mark.parametrize("_", [EN, ES], ids=["en", "es"])
def test_hostile_data_stays_within_every_limit(_):
    huge = "<!channel> " + "Ñ" * 10_000
    stalled = Stalled(
        after_days=3,
        total=5_000,
        leads=tuple(
            StalledLead(n, f"{huge} {n}", huge, Stage.CONTACTED, "U0ANA", IDLE, n)
            for n in range(200)
        ),
    )
    hostile = ReasonLine(huge, Exit.REJECTED, "<!everyone> made-up", 7)
    contests = Contests(
        total=300,
        oldest=tuple(
            OpenContest(n, huge, huge, "lost", huge, "U0BRUNO", "<@U0MARTA>", IDLE)
            for n in range(50)
        ),
    )
    digest = sample(
        stalled=stalled,
        contests=contests,
        reasons=Reasons(9, 9, (hostile,) * 5, (hostile,) * 5),
    )
    message = build_digest(digest, _, tz=TZ, names={"U0ANA": huge})
    assert check_message(message) == []
    assert len(message["blocks"]) <= 50
    assert len(message["text"]) <= 3000
    assert len(block(message, DIGEST_TITLE)["text"]["text"]) <= HEADER_TEXT_MAX
    for found in message["blocks"]:
        texts = [found["text"]["text"]] if "text" in found else []
        texts += [element["text"] for element in found.get("elements", [])]
        for text in texts:
            assert len(text) <= SECTION_TEXT_MAX
            assert "<!" not in text  # no ping reaches anyone
            assert "<@U0MARTA>" not in text  # a marketer id that is not one is not mentioned
    stalled_text = text_of(message, DIGEST_STALLED)
    shown = stalled_text.count("<@U0ANA>")
    assert 1 <= shown < 200
    more = "more" if _ is EN else "más"
    assert stalled_text.endswith(f"+{5_000 - shown:,} {more}")
    contest_text = text_of(message, DIGEST_CONTESTS)
    listed = contest_text.count("<@U0BRUNO>")
    assert contest_text.endswith(f"+{300 - listed:,} {more}")
    # The terminal takes the same data without a traceback, names cut to one line each.
    text = digest_as_text(digest, _, tz=TZ, names={"U0ANA": huge})
    assert all(len(line) < 1_000 for line in text.splitlines())


def test_the_digest_as_terminal_text():
    text = digest_as_text(sample(), EN, tz=TZ, names={"U0ANA": "Ana Torres",
                                                      "U0BRUNO": "Bruno Díaz"})  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "Weekly digest · 2026-11-09 to 2026-11-15"
    assert re.search(r"Marketing: Profiled leads handed over\s+5\s+3\s+\+2\s+≥ 28\s+✗", text)
    assert re.search(r"Sales: Response time \(median\)\s+1 h\s+45 min\s+\+15 min\s+≤ 1 h\s+✓",
                     text)  # fmt: skip
    assert re.search(r"Iris · Grupo Andino\s+Qualified \(SQL\)\s+Ana Torres\s+6\s+"
                     r"2026-11-12 12:00", text)  # fmt: skip
    assert "  Best closer: Bruno Díaz, 5,000 won in 2 deals" in lines
    assert (
        "  Eva — Not a fit: Not our ideal customer, contested by U0MARTA on 2026-11-18 "
        "(verdict by Bruno Díaz)" in lines
    )
    assert "Next SLA review: 2026-11-26 10:00" in lines
    assert lines[-1] == "Times in America/Sao_Paulo; durations and idle days in business time."
