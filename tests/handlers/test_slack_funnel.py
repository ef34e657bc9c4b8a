"""The `/funnel` report as Block Kit: the figures it shows, in English and Spanish, breakdown
values as people read them, and Slack's limits kept whatever the data."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from funnel_reports import EN, ES, NOW, TZ, figures
from slackkit.blockkit import check_message

from bot.domain.funnel import (
    BreakdownRow,
    ClockFigure,
    ExitFigure,
    FunnelReport,
    PlatformFigures,
    SlaLine,
)
from bot.domain.funnel_query import parse_query, previous, resolve
from bot.domain.vocabulary import Exit
from handlers.slack.blocks import SECTION_TEXT_MAX
from handlers.slack.funnel import (
    FUNNEL_BREAKDOWN,
    FUNNEL_EXITS,
    FUNNEL_FIGURES,
    FUNNEL_NOTE,
    FUNNEL_STAGES,
    FUNNEL_TITLE,
    build_funnel_help,
    build_funnel_report,
    report_as_text,
)


def report(text: str = "this-month", **changes) -> FunnelReport:
    """November so far against October: 42 leads (39 before), 3 won, two exits with reasons,
    both clocks, 30 of the 78 profiled leads the SLA asks for by now."""
    window = resolve(parse_query(text).period, now=NOW, tz=TZ, sla_period="month")
    current = figures(
        [42, 30, 20, 15, 8, 3],
        revenue=18_000,
        exits=(
            ExitFigure(Exit.REJECTED, 3, (("not_icp", 2), (None, 1))),
            ExitFigure(Exit.LOST, 1, (("price", 1),)),
            ExitFigure(Exit.NURTURE, 0, ()),
        ),
        clocks=(ClockFigure("routing", 90.0, 4), ClockFigure("response", 25.0, 1)),
    )
    made = FunnelReport(
        window=window,
        current=current,
        previous_window=previous(window),
        previous=figures([39, 32, 20, 10, 8, 2], revenue=12_000),
        sla=SlaLine(30, 78),
        by=None,
        breakdown=(),
        owner=None,
    )
    return replace(made, **changes)


def blocks(message: dict) -> dict[str, dict]:
    return {block["block_id"]: block for block in message["blocks"]}


def text_of(message: dict, block_id: str) -> str:
    return blocks(message)[block_id]["text"]["text"]


def table(text: str) -> dict[str, list[str]]:
    """The code block's rows by their first column, past the header and its rule."""
    inside = text.split("```")[1]
    rows = [re.split(r"\s{2,}", line.strip()) for line in inside.strip().splitlines()]
    return {row[0]: row[1:] for row in rows[2:]}


def test_the_report_shows_each_stage_its_change_and_its_conversions():
    message = build_funnel_report(report(), EN, tz=TZ)
    assert check_message(message) == []
    assert blocks(message)[FUNNEL_TITLE]["text"]["text"] == "Funnel · November 2026 to date"
    stages = table(text_of(message, FUNNEL_STAGES))
    assert stages == {
        "Lead": ["42", "+3"],
        "Profiled (MQL)": ["30", "−2", "71.4%", "71.4%"],
        "Accepted (SAL)": ["20", "0", "66.7%", "47.6%"],
        "Contacted": ["15", "+5", "75.0%", "35.7%"],
        "Qualified (SQL)": ["8", "0", "53.3%", "19.0%"],
        "Won": ["3", "+1", "37.5%", "7.1%"],
    }
    note = blocks(message)[FUNNEL_NOTE]["elements"][0]["text"]
    assert "leads created in the period" in note and "/sla counts the hand-offs" in note
    assert note.endswith("Change is against October 2026.")
    assert text_of(message, FUNNEL_EXITS).splitlines() == [
        "*Exits and their top reasons*",
        "• Not a fit: 3 — Not our ideal customer 2, no reason given 1",
        "• Lost: 1 — Price 1",
        "• Back to nurture: 0",
    ]
    assert text_of(message, FUNNEL_FIGURES).splitlines() == [
        "*Revenue won:* 18,000 (+6,000 against the previous period)",
        "*Routing delay (card posted → accepted):* 1 h 30 min, the exact median over 4 leads",
        "*Response time (accepted → first touch):* 25 min, from a single lead",
        "*Profiled leads against the SLA:* 30 of the 78 marketing committed to for these dates",
    ]
    assert message["text"] == "Funnel · November 2026 to date: 42 leads, 3 won, revenue 18,000."


def with_platform(made: FunnelReport, now: PlatformFigures, before: PlatformFigures | None):
    return replace(
        made,
        current=replace(made.current, platform=now),
        previous=replace(made.previous, platform=before),
    )


def test_the_platforms_figures_top_the_funnel_and_stand_beside_the_bots_count():
    made = with_platform(
        report(), PlatformFigures(14_000, 350, 45, 20), PlatformFigures(10_000, 250, 40, 31)
    )
    message = build_funnel_report(made, EN, tz=TZ)
    assert check_message(message) == []
    stages = table(text_of(message, FUNNEL_STAGES))
    assert list(stages)[:2] == ["Impressions", "Lead"]
    assert stages["Impressions"] == ["14,000", "+4,000"]
    assert stages["Lead"] == ["42", "+3", "0.3%"]  # 42 leads of 14,000 impressions
    figures = text_of(message, FUNNEL_FIGURES).splitlines()
    assert figures[1:4] == [
        "*Clicks (click-through):* 350 (2.5%)",
        "*Leads per 1,000 impressions:* 3.00",
        "*Leads the platforms counted:* 45 (the bot received 42; figures for 20 days)",
    ]
    spanish = text_of(build_funnel_report(made, ES, tz=TZ), FUNNEL_FIGURES)
    assert "*Leads por cada mil impresiones:* 3.00" in spanish
    # No figures the window before: its change is left blank rather than made up.
    alone = table(
        text_of(
            build_funnel_report(with_platform(report(), made.current.platform, None), EN, tz=TZ),
            FUNNEL_STAGES,
        )
    )
    assert alone["Impressions"] == ["14,000"]


def test_a_campaign_breakdown_gives_each_values_impressions():
    rows = (
        BreakdownRow("Spring", 10, 4, 1, 900.0, impressions=5_000),
        BreakdownRow("Autumn", 0, 0, 0, 0.0, impressions=7_000),
        BreakdownRow(None, 2, 0, 0, 0.0),
    )
    message = build_funnel_report(report(by="campaign", breakdown=rows), EN, tz=TZ)
    assert check_message(message) == []
    assert table(text_of(message, FUNNEL_BREAKDOWN)) == {
        "Spring": ["10", "4", "1", "900", "40.0%", "5,000"],
        "Autumn": ["0", "0", "0", "0", "–", "7,000"],
        "(none)": ["2", "0", "0", "0", "0.0%"],
    }


def test_the_report_in_spanish():
    message = build_funnel_report(report(by="zone", breakdown=(BreakdownRow(None, 2, 1, 0, 0),)),
                                  ES, tz=TZ)  # fmt: skip
    assert check_message(message) == []
    assert blocks(message)[FUNNEL_TITLE]["text"]["text"] == "Embudo · noviembre de 2026 hasta hoy"
    stages = table(text_of(message, FUNNEL_STAGES))
    assert stages["Perfilado (MQL)"] == ["30", "−2", "71.4%", "71.4%"]
    assert "• No encaja: 3 — No es nuestro cliente ideal 2, sin motivo 1" in text_of(
        message, FUNNEL_EXITS
    )
    assert "la mediana exacta de 4 leads" in text_of(message, FUNNEL_FIGURES)
    breakdown = text_of(message, FUNNEL_BREAKDOWN)
    assert breakdown.startswith("*Por zona*")
    assert table(breakdown) == {"(ninguno)": ["2", "1", "0", "0", "50.0%"]}
    assert message["text"].endswith(": 42 leads, 3 ganados, ingresos 18,000.")


def test_all_time_has_no_change_column_and_an_empty_period_says_so():
    empty = report(
        "all", current=figures([0] * 6), previous_window=None, previous=None,
        sla=SlaLine(0, None),
    )  # fmt: skip
    message = build_funnel_report(empty, EN, tz=TZ)
    assert check_message(message) == []
    lines = text_of(message, FUNNEL_STAGES).split("```")[1].strip().splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["Stage", "Leads", "Of previous", "Of all"]
    assert table(text_of(message, FUNNEL_STAGES))["Won"] == ["0", "–", "–"]
    note = blocks(message)[FUNNEL_NOTE]["elements"][0]["text"]
    assert note.endswith("No leads were created in this period.")
    assert "against" not in text_of(message, FUNNEL_FIGURES)
    assert "SLA" not in text_of(message, FUNNEL_FIGURES)  # no target for all time
    assert "not measured for any of these leads yet" in text_of(message, FUNNEL_FIGURES)


def test_a_sellers_own_report_says_so_and_leaves_the_teams_sla_out():
    message = build_funnel_report(report(owner="U0ALICE"), EN, tz=TZ)
    title = blocks(message)[FUNNEL_TITLE]["text"]["text"]
    assert title == "Funnel · November 2026 to date · your leads only"
    assert "SLA" not in text_of(message, FUNNEL_FIGURES)


@pytest.mark.parametrize(
    ("translate", "monday", "sunday"), [(EN, "Monday", "Sunday"), (ES, "lunes", "domingo")]
)
def test_weekdays_are_named_in_the_teams_language(translate, monday, sunday):
    rows = (BreakdownRow(0, 4, 2, 1, 1500.5), BreakdownRow(6, 1, 0, 0, 0.0))
    message = build_funnel_report(report(by="weekday", breakdown=rows), translate, tz=TZ)
    assert table(text_of(message, FUNNEL_BREAKDOWN)) == {
        monday: ["4", "2", "1", "1,500.50", "50.0%"],
        sunday: ["1", "0", "0", "0", "0.0%"],
    }


def test_hours_read_as_a_span_and_the_tail_as_other():
    hours = (BreakdownRow(9, 3, 1, 0, 0.0), BreakdownRow(23, 1, 0, 0, 0.0))
    message = build_funnel_report(report(by="hour", breakdown=hours), EN, tz=TZ)
    assert list(table(text_of(message, FUNNEL_BREAKDOWN))) == ["09:00–09:59", "23:00–23:59"]
    campaigns = (
        BreakdownRow("black-friday", 9, 3, 1, 2000.0),
        BreakdownRow(None, 2, 0, 0, 0.0),
        BreakdownRow(None, 5, 1, 1, 700.0, folded=14),
    )
    message = build_funnel_report(report(by="campaign", breakdown=campaigns), EN, tz=TZ)
    assert table(text_of(message, FUNNEL_BREAKDOWN)) == {
        "black-friday": ["9", "3", "1", "2,000", "33.3%"],
        "(none)": ["2", "0", "0", "0", "0.0%"],
        "other (14 values)": ["5", "1", "1", "700", "20.0%"],
    }
    assert text_of(message, FUNNEL_BREAKDOWN).startswith("*By campaign*")


def test_sellers_are_shown_by_name_when_the_bot_knows_it():
    rows = (BreakdownRow("U0ANA", 2, 1, 1, 100.0), BreakdownRow("U0NEW", 1, 0, 0, 0.0))
    message = build_funnel_report(
        report(by="seller", breakdown=rows), EN, tz=TZ, names={"U0ANA": "Ana Torres"}
    )
    assert list(table(text_of(message, FUNNEL_BREAKDOWN))) == ["Ana Torres", "U0NEW"]


def test_500_values_of_10000_characters_stay_within_every_limit_and_stay_text():
    hostile = "<!channel> ```x``` & <@U0BOSS> " * 320  # about 10,000 characters
    rows = tuple(
        BreakdownRow(f"{index:03d} {hostile}", 1000 - index, index, 1, 1e9) for index in range(500)
    )
    long_reason = "made_up_" * 1250  # a code the catalog does not know, 10,000 characters
    exits = (ExitFigure(Exit.REJECTED, 5, ((long_reason, 5),)),)
    swollen = report(by="source", breakdown=rows)
    swollen = replace(swollen, current=replace(swollen.current, exits=exits))
    for translate in (EN, ES):
        message = build_funnel_report(swollen, translate, tz=TZ)
        assert check_message(message) == []
        assert len(message["blocks"]) <= 50
        breakdown = text_of(message, FUNNEL_BREAKDOWN)
        assert len(breakdown) <= SECTION_TEXT_MAX
        assert breakdown.count("```") == 2  # a value cannot close the code block
        assert "<!channel>" not in breakdown and "&lt;!channel&gt;" in breakdown
        shown = len(table(breakdown))
        assert 10 < shown < 500
        more = {EN: f"_+{500 - shown} more not shown_", ES: f"_+{500 - shown} más sin mostrar_"}
        assert breakdown.endswith(more[translate])
        assert "000 &lt;!channel&gt;" in breakdown  # the biggest first, cut to fit a cell
        assert "1,000,000,000" in breakdown


def test_help_lists_the_grammar_with_examples_in_both_languages():
    examples = {EN: "`/funnel last-month by campaign`", ES: "`/funnel mes-pasado por campaña`"}
    for translate, example in examples.items():
        message = build_funnel_help(translate)
        assert check_message(message) == []
        assert example in message["blocks"][0]["text"]["text"]
        assert example in message["text"]


def test_the_terminal_shows_the_same_tables():
    rows = (BreakdownRow("North & <South>", 3, 1, 1, 5000.0),)
    made = report(by="zone", breakdown=rows)
    slack = build_funnel_report(made, EN, tz=TZ)
    text = report_as_text(made, EN, tz=TZ)
    stages = text_of(slack, FUNNEL_STAGES).split("```")[1].strip()
    assert stages in text
    assert "North & <South>" in text  # plain text in a terminal: nothing to escape
    assert "North &amp; &lt;South&gt;" in text_of(slack, FUNNEL_BREAKDOWN)
    assert text.splitlines()[0] == "Funnel · November 2026 to date"
    assert "Exits and their top reasons\n  Not a fit: 3 — Not our ideal customer 2" in text
    assert text.endswith("Days and hours in America/Sao_Paulo; clocks in business time.")
