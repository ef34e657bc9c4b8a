"""The SLA-review reminder as Block Kit and the agenda as terminal text: what each part says,
in English and Spanish, the buttons and what they carry, and Slack's limits kept whatever
the data (hundreds of items, 10,000-character texts, Slack markup in what people wrote)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slackkit.blockkit import check_message

from bot.domain.digest import OpenContest, ReasonLine, Reasons, ScoreLine
from bot.domain.review import (
    Agenda,
    AgendaEntry,
    ProposedTarget,
    ReviewAnswer,
    ReviewOutcome,
    SpanStart,
)
from bot.domain.sla import Plan
from bot.domain.vocabulary import Exit
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import SECTION_TEXT_MAX
from handlers.slack.review import (
    REVIEW_ALERTS,
    REVIEW_MARKETING,
    REVIEW_REASONS,
    REVIEW_SALES,
    REVIEW_TARGET,
    build_review_reminder,
    mark_reviewed_text,
    read_occurrence,
    review_as_text,
)

TZ = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
EN, ES = Translator("en"), Translator("es")
MEETING = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # Thursday 10:00 local
NOW = MEETING - timedelta(hours=24)
SINCE = datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
NAMES = {"M1": "Marta Ruiz", "S1": "Ana Torres"}


def sample(**changes) -> Agenda:
    """The agenda of 3 December with one of everything."""
    made = Agenda(
        meeting=MEETING,
        since=SINCE,
        since_kind=SpanStart.REVIEWED,
        now=NOW,
        scorecard=(
            ScoreLine("marketing", "handed_over", "count", 5, 2, 49),
            ScoreLine("marketing", "profiled_share", "share", 0.8, 0.5, 0.6),
            ScoreLine("marketing", "missing_fields", "count", 1, 0, 0, higher_is_better=False),
            ScoreLine("sales", "routing", "minutes", 30.0, 45.0, 30, higher_is_better=False),
            ScoreLine("sales", "response", "minutes", 90.0, 45.0, 60, higher_is_better=False),
            ScoreLine("sales", "in_time", "share", 0.5, 1.0),
            ScoreLine("sales", "attempts", "decimal", 1.75, 1.5),
        ),
        open_breaches=2,
        alerts={"first_touch_reminder": 3, "first_touch_late": 1},
        reasons=Reasons(
            rejected=2,
            lost=1,
            by_source=(
                ReasonLine("google <!channel>", Exit.REJECTED, "not_icp", 2),
                ReasonLine("meta", Exit.LOST, "price", 1),
            ),
            by_campaign=(),
        ),
        contests=(
            OpenContest(
                lead_id=7,
                lead_name="Bea <!channel>",
                company="Grupo Andino",
                exit="rejected",
                reason="not_icp",
                seller_id="S1",
                seller_words="Five employees, <b>no</b> budget.",
                marketer_id="U0MARTA",
                marketer_words="They asked for a quote <@U0BOSS>.",
                since=datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
            ),
        ),
        contests_total=1,
        target=ProposedTarget(
            handed_over=5,
            won=1,
            leads_per_sale=8,
            current=Plan(sales_needed=15, leads_needed=120),
            proposed=Plan(sales_needed=15, leads_needed=75),
        ),
        items=(
            AgendaEntry(
                id=1,
                text="Google leads: budget check <!here>?",
                added_by="M1",
                added_at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC),
                lead_id=7,
                lead_name="Bea <!channel>",
                company="Grupo Andino",
            ),
            AgendaEntry(
                id=2,
                text="Raise the revenue goal?",
                added_by="U0BOSS",
                added_at=datetime(2026, 11, 30, 19, 0, tzinfo=UTC),
            ),
        ),
        items_total=2,
    )
    return replace(made, **changes)


def texts(message: dict) -> str:
    """Every text a user could read in the message, joined."""
    return json.dumps(message, ensure_ascii=False)


def block(message: dict, block_id: str) -> dict:
    (found,) = [b for b in message["blocks"] if b.get("block_id") == block_id]
    return found


@pytest.mark.parametrize("_", [EN, ES], ids=["en", "es"])
@pytest.mark.parametrize("starting", [False, True])
def test_the_reminder_is_valid_block_kit(_, starting):
    message = build_review_reminder(sample(), _, tz=TZ, names=NAMES, starting=starting)
    assert check_message(message) == []
    assert message["text"]


def test_the_reminder_in_english():
    message = build_review_reminder(sample(), EN, tz=TZ, names=NAMES, starting=False)
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "SLA review in 24 h · Thursday 2026-12-03 10:00"
    span = message["blocks"][1]["elements"][0]["text"]
    assert span == (
        "Data since the last meeting marked reviewed (2026-11-19 10:00) to 2026-12-02 10:00."
    )
    marketing = block(message, REVIEW_MARKETING)["text"]["text"]
    assert "• *Profiled leads handed over:* 5 (target ≥ 49) ✗ · +3 on the span before" in (
        marketing
    )
    assert (
        "*Sales: attainment since the last review*" in block(message, REVIEW_SALES)["text"]["text"]
    )
    alerts = block(message, REVIEW_ALERTS)["text"]["text"]
    assert "3 first-touch reminders, 1 first touch late" in alerts
    assert "2 leads with a breach still open." in alerts
    reasons = block(message, REVIEW_REASONS)["text"]["text"]
    assert "• google &lt;!channel&gt; — Not a fit: Not our ideal customer (2)" in reasons
    target = block(message, REVIEW_TARGET)["text"]["text"]
    assert "Now: 120 profiled leads a period (15 sales × 8 leads per sale)." in target
    assert "1 sale every 5 leads (20.0% close rate)" in target
    assert "Proposed: 75 profiled leads a period (15 sales × 5 leads per sale), −45 on now." in (
        target
    )
    contests = block(message, "review_contests_0")["text"]["text"]
    assert "Contested verdicts (1 open)" in contests
    assert "Bea &lt;!channel&gt; · Grupo Andino — Not a fit: Not our ideal customer" in contests
    assert "verdict by Ana Torres, contested by <@U0MARTA> on 2026-11-25" in contests
    assert "“Five employees, &lt;b&gt;no&lt;/b&gt; budget.”" in contests
    assert "“They asked for a quote &lt;@U0BOSS&gt;.”" in contests
    items = block(message, "review_items_0")["text"]["text"]
    assert "• Google leads: budget check &lt;!here&gt;? — Marta Ruiz, 2026-11-30 15:00" in items
    assert "(lead 7: Bea &lt;!channel&gt; · Grupo Andino)" in items
    assert "• Raise the revenue goal? — <@U0BOSS>, 2026-11-30 16:00" in items


def test_the_reminder_at_the_start_and_in_spanish():
    message = build_review_reminder(sample(now=MEETING), ES, tz=TZ, names=NAMES, starting=True)
    header = message["blocks"][0]["text"]["text"]
    assert header == "La revisión del SLA empieza ahora · jueves 2026-12-03 10:00"
    assert "Veredictos impugnados (1 abiertos)" in texts(message)
    assert "Añadir punto a la agenda" in texts(message)
    assert "Proposed" not in texts(message)


def test_the_buttons_carry_the_meetings_occurrence():
    message = build_review_reminder(sample(), EN, tz=TZ, names=NAMES, starting=False)
    actions = block(message, ids.REVIEW_ACTIONS)
    assert [e["action_id"] for e in actions["elements"]] == [
        "review_add_item",
        "review_mark_reviewed",
    ]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Add agenda item", "Mark reviewed"]
    assert {read_occurrence(e["value"]) for e in actions["elements"]} == {MEETING}


def test_user_data_never_pings_or_links():
    message = build_review_reminder(sample(), EN, tz=TZ, names=NAMES, starting=False)
    written = texts(message)
    for markup in ("<!channel>", "<!here>", "<b>", "<@U0BOSS>."):
        assert markup not in written
    # People the bot mentions on purpose are still mentioned.
    assert "<@U0MARTA>" in written


def test_hostile_data_stays_within_slacks_limits():
    huge = "<!channel> " * 1000  # 11,000 characters, each `<` escaped to four
    items = tuple(
        AgendaEntry(id=n, text=huge, added_by=f"U{n:08d}", added_at=NOW, lead_id=n,
                    lead_name=huge, company=huge)
        for n in range(300)
    )  # fmt: skip
    contests = tuple(
        replace(sample().contests[0], lead_name=huge, company=huge, seller_words=huge,
                marketer_words=huge, reason=huge)
        for _n in range(20)
    )  # fmt: skip
    agenda = sample(items=items, items_total=300, contests=contests, contests_total=45)
    for _ in (EN, ES):
        message = build_review_reminder(agenda, _, tz=TZ, names={}, starting=False)
        assert check_message(message) == []
        assert len(message["blocks"]) <= 50
        for each in message["blocks"]:
            if each["type"] == "section":
                assert len(each["text"]["text"]) <= SECTION_TEXT_MAX
        written = texts(message)
        assert "<!channel>" not in written
        # What did not fit is counted, not dropped silently.
        assert re.search(r"\+[0-9,]+ (more|más)", written)


def test_hostile_data_more_lines_count_what_was_left_out():
    items = tuple(
        AgendaEntry(id=n, text="x" * 2000, added_by="M1", added_at=NOW) for n in range(100)
    )
    message = build_review_reminder(
        sample(items=items, items_total=300), EN, tz=TZ, names=NAMES, starting=False
    )
    shown = texts(message).count("x" * 2000)
    assert 0 < shown < 100
    assert f"+{300 - shown:,} more" in texts(message)


def test_an_empty_agenda_says_so():
    agenda = sample(
        contests=(), contests_total=0, items=(), items_total=0, alerts={}, open_breaches=0,
        reasons=Reasons(0, 0, (), ()),
        target=ProposedTarget(handed_over=0, won=0, leads_per_sale=8, current=None,
                              proposed=None),
        since_kind=SpanStart.DEFAULT,
    )  # fmt: skip
    message = build_review_reminder(agenda, EN, tz=TZ, names=NAMES, starting=False)
    assert check_message(message) == []
    written = texts(message)
    for sentence in (
        "Data of the last 30 days",
        "The SLA sweep raised nothing in this span.",
        "No lead was marked not a fit or lost in this span.",
        "No target yet: set revenue_goal and average_deal_value",
        "there is no observed close rate",
        "No contested verdict awaits a review.",
        "Nobody has added an item yet.",
    ):
        assert sentence in written


def test_a_reminder_needs_a_meeting():
    with pytest.raises(ValueError, match="SLA_REVIEW_SCHEDULE"):
        build_review_reminder(sample(meeting=None), EN, tz=TZ, names=NAMES, starting=False)


def test_the_agenda_as_terminal_text():
    text = review_as_text(sample(), EN, tz=TZ, names=NAMES)
    lines = text.splitlines()
    assert lines[0] == "SLA review in 24 h · Thursday 2026-12-03 10:00"
    assert set(lines[1]) == {"="}
    assert any(line.startswith("Marketing: Profiled leads handed over") and "49" in line
               for line in lines)  # fmt: skip
    assert "  Bea <!channel> · Grupo Andino — Not a fit: Not our ideal customer; verdict by " \
           "Ana Torres, contested by U0MARTA on 2026-11-25" in lines  # fmt: skip
    assert "    Seller (Ana Torres): “Five employees, <b>no</b> budget.”" in lines
    assert "    Marketer (U0MARTA): “They asked for a quote <@U0BOSS>.”" in lines
    assert (
        "  Google leads: budget check <!here>? — Marta Ruiz, 2026-11-30 15:00 "
        "(lead 7: Bea <!channel> · Grupo Andino)"
    ) in lines
    assert lines[-1] == "Times in America/Sao_Paulo; durations in business time."


def test_the_terminal_counts_the_meeting_days_ahead():
    text = review_as_text(sample(now=MEETING - timedelta(days=13, hours=2)), ES, tz=TZ)
    assert text.splitlines()[0] == "Revisión del SLA en 13 d 2 h · jueves 2026-12-03 10:00"


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (ReviewOutcome(ReviewAnswer.DONE, MEETING, "U0BOSS", NOW, 3, 1),
         "The meeting of Thursday 2026-12-03 10:00 is marked reviewed: 3 agenda items and 1 "
         "contested verdicts closed."),
        (ReviewOutcome(ReviewAnswer.ALREADY_REVIEWED, MEETING, "U0BOSS", MEETING),
         "The meeting of Thursday 2026-12-03 10:00 was already marked reviewed by boss at "
         "2026-12-03 10:00."),
        (ReviewOutcome(ReviewAnswer.NOT_A_MANAGER, MEETING),
         "Only managers mark an SLA review meeting reviewed."),
        (ReviewOutcome(ReviewAnswer.NOT_STARTED, MEETING),
         "The meeting of Thursday 2026-12-03 10:00 has not started yet: mark it reviewed once "
         "it is held."),
    ],
)  # fmt: skip
def test_what_marking_a_meeting_says(outcome, expected):
    assert mark_reviewed_text(outcome, EN, tz=TZ, who=lambda user: "boss") == expected
