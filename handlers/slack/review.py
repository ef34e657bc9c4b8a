"""The SLA-review reminder in Block Kit, and the same agenda as terminal text.

Pure builders: an `Agenda` and the team's language in, a Slack message (or text) out. The
scorecard lines are the digest's (`score_cells`, `reason_line`), so the meeting reads the
figures the way the weekly digest shows them. Lead data, agenda items, the people's words,
sources and names are escaped and cut; contests and items take at most a fixed number of
sections each, the rest counted in a "+N more" line, so the message stays within Slack's
limits whatever the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.digest import OpenContest
from bot.domain.review import (
    ALERT_KINDS,
    DEFAULT_SPAN,
    Agenda,
    AgendaEntry,
    ReviewAnswer,
    ReviewOutcome,
    SpanStart,
)
from bot.domain.schedule import Day
from bot.domain.sla import Plan
from bot.i18n import Translator
from bot.terminal import percent, table
from handlers.slack import ids
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    SECTION_TEXT_MAX,
    button,
    context,
    duration,
    escape,
    header,
    mention,
    section,
    shorten,
)
from handlers.slack.card import elapsed
from handlers.slack.digest import (
    lead_label,
    local_time,
    one_line,
    person_label,
    reason_line,
    score_table,
    slack_score,
)
from handlers.slack.funnel import change, reason_label

REVIEW_TITLE = "review_title"
REVIEW_SPAN = "review_span"
REVIEW_MARKETING = "review_marketing"
REVIEW_SALES = "review_sales"
REVIEW_ALERTS = "review_alerts"
REVIEW_REASONS = "review_reasons"
REVIEW_TARGET = "review_target"
REVIEW_CONTESTS = "review_contests"  # numbered: review_contests_0, _1…
REVIEW_ITEMS = "review_items"  # numbered likewise
REVIEW_FOOTER = "review_footer"

# Sections the contested verdicts and the agenda items may take: with the dozen fixed
# blocks this stays well under Slack's 50 per message.
CONTEST_SECTIONS = 10
ITEM_SECTIONS = 20
NAME_SHOWN = 80  # characters of a lead's or a person's name
WORDS_SHOWN = 1200  # characters of each person's words on a contested verdict
ITEM_SHOWN = 2000  # characters of an agenda item (the most it can hold)
DAYS_FROM_HOURS = 48  # from two days ahead, "in 13 d 2 h" rather than "in 314 h"


# -- Slack --------------------------------------------------------------------------------


def build_review_reminder(
    agenda: Agenda,
    _: Translator,
    *,
    tz: ZoneInfo,
    names: Mapping[str, str] | None = None,
    starting: bool,
) -> dict[str, Any]:
    """The reminder of `agenda.meeting` for the managers, marketing and sales channels:
    when it is (`starting`: it starts now; otherwise how long until it starts), what the
    data says since the last meeting, and the buttons to add an item and to mark the meeting
    reviewed. People are mentioned (`<@U…>`); `names` stands in for ids that are not Slack's."""
    if agenda.meeting is None:
        raise ValueError("a reminder needs a meeting: SLA_REVIEW_SCHEDULE is not set")
    names = names or {}

    def who(user_id: str) -> str:
        return mention(user_id) or _inert(person_label(user_id, names), NAME_SHOWN)

    blocks: list[dict[str, Any]] = [
        header(REVIEW_TITLE, review_title(agenda, _, tz=tz, starting=starting)),
        context(REVIEW_SPAN, escape(span_line(agenda, _, tz=tz))),
    ]
    for side, block_id in (("marketing", REVIEW_MARKETING), ("sales", REVIEW_SALES)):
        lines = [
            slack_score(line, _, change="review.score.change")
            for line in agenda.scorecard
            if line.side == side
        ]
        title = _("review.scorecard.side", side=_(f"digest.side.{side}"))
        blocks.append(section(block_id, "\n".join([f"*{title}*", *lines])))
    blocks.append(
        section(REVIEW_ALERTS, "\n".join(
            [f"*{_('review.alerts.title')}*", *(escape(line) for line in alert_lines(agenda, _))]
        ))
    )  # fmt: skip
    reasons = [f"*{_('review.reasons.title')}*", escape(reasons_summary(agenda, _))]
    reasons += [f"• {escape(reason_line(line, _))}" for line in agenda.reasons.by_source]
    blocks.append(section(REVIEW_REASONS, "\n".join(reasons)))
    target = [f"*{_('review.target.title')}*", *(escape(x) for x in target_lines(agenda, _))]
    blocks.append(section(REVIEW_TARGET, "\n".join(target)))
    contests = [_slack_contest(contest, _, tz=tz, who=who) for contest in agenda.contests]
    blocks += _sections(
        REVIEW_CONTESTS,
        f"*{_('review.contests.title', count=f'{agenda.contests_total:,}')}*",
        contests or [_("review.contests.none")],
        hidden=agenda.contests_total - len(agenda.contests),
        limit=CONTEST_SECTIONS,
        _=_,
    )
    items = [f"• {_slack_item(item, _, tz=tz, who=who)}" for item in agenda.items]
    blocks += _sections(
        REVIEW_ITEMS,
        f"*{_('review.items.title', count=f'{agenda.items_total:,}')}*",
        items or [_("review.items.none")],
        hidden=agenda.items_total - len(agenda.items),
        limit=ITEM_SECTIONS,
        _=_,
    )
    value = occurrence_value(agenda.meeting)
    blocks.append({
        "type": "actions",
        "block_id": ids.REVIEW_ACTIONS,
        "elements": [
            button(ids.ACTION_REVIEW_ADD_ITEM, _("review.button.add"), value=value,
                   style="primary"),
            button(ids.ACTION_REVIEW_MARK_REVIEWED, _("review.button.mark"), value=value),
        ],
    })  # fmt: skip
    blocks.append(context(REVIEW_FOOTER, escape(_("review.footer", timezone=str(tz)))))
    text = _("review.text", title=review_title(agenda, _, tz=tz, starting=starting),
             items=f"{agenda.items_total:,}", contests=f"{agenda.contests_total:,}")  # fmt: skip
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": blocks}


def occurrence_value(meeting: datetime) -> str:
    """The meeting a button is about, as its value: the occurrence in UTC, ISO 8601."""
    return meeting.astimezone(UTC).isoformat()


def read_occurrence(value: str) -> datetime:
    """A button's value back as the meeting's occurrence; ValueError if it is not one."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _slack_contest(
    contest: OpenContest, _: Translator, *, tz: ZoneInfo, who: Callable[[str], str]
) -> str:
    head = contest_line(contest, _, tz=tz, who=who, text=_inert)
    seller = _words(contest.seller_words, _, escaped=True)
    marketer = _words(contest.marketer_words, _, escaped=True)
    return "\n".join([
        f"• {head}",
        f"    _{_('review.contests.seller', user=who(contest.seller_id))}_ {seller}",
        f"    _{_('review.contests.marketer', user=who(contest.marketer_id))}_ {marketer}",
    ])  # fmt: skip


def _slack_item(
    item: AgendaEntry, _: Translator, *, tz: ZoneInfo, who: Callable[[str], str]
) -> str:
    return item_line(item, _, tz=tz, who=who, text=_inert)


def _sections(
    block_id: str,
    title: str,
    entries: Sequence[str],
    *,
    hidden: int,
    limit: int,
    _: Translator,
) -> list[dict[str, Any]]:
    """`title` and `entries` packed into at most `limit` sections (an entry never split),
    then "+N more" for the entries left out and `hidden` more never listed."""
    texts: list[str] = []
    current = title
    shown = 0
    for entry in entries:
        entry = shorten(entry, SECTION_TEXT_MAX - 1)
        if len(current) + 1 + len(entry) <= SECTION_TEXT_MAX:
            current = f"{current}\n{entry}"
        elif len(texts) + 1 < limit:
            texts.append(current)
            current = entry
        else:
            break
        shown += 1
    more = len(entries) - shown + hidden
    tail = _("review.more", count=f"{more:,}") if more > 0 else ""
    if tail and len(current) + 1 + len(tail) <= SECTION_TEXT_MAX:
        current, tail = f"{current}\n{tail}", ""
    texts.append(current)
    blocks = [section(f"{block_id}_{index}", text) for index, text in enumerate(texts)]
    if tail:
        blocks.append(context(f"{block_id}_more", tail))
    return blocks


def _inert(text: str, limit: int) -> str:
    """User data on one line, escaped, at most `limit` characters once escaped (cut before
    escaping, so no entity is ever cut in half)."""
    plain = " ".join(text.split())
    cut = limit
    while True:
        made = escape(shorten(plain, cut))
        if len(made) <= limit or cut <= 1:
            return made
        cut = max(1, cut - (len(made) - limit))


# -- The terminal -------------------------------------------------------------------------


def review_as_text(
    agenda: Agenda, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> str:
    """The next meeting and its agenda for `smarketing review`: the same parts as the
    reminder, as plain tables and lines; people by name when `names` knows them."""
    if agenda.meeting is None:
        raise ValueError("an agenda to print needs a meeting: SLA_REVIEW_SCHEDULE is not set")
    names = names or {}

    def who(user_id: str) -> str:
        return person_label(user_id, names)

    def plain(text: str, limit: int) -> str:
        return one_line(text, limit)

    title = review_title(agenda, _, tz=tz, starting=agenda.meeting <= agenda.now)
    lines = [title, "=" * len(title), span_line(agenda, _, tz=tz), ""]
    lines += [_("review.scorecard.title"), table(*_scorecard_cells(agenda, _)), ""]
    lines += [_("review.alerts.title"), *(f"  {line}" for line in alert_lines(agenda, _)), ""]
    lines += [_("review.reasons.title"), f"  {reasons_summary(agenda, _)}"]
    lines += [f"    {reason_line(line, _)}" for line in agenda.reasons.by_source]
    lines += ["", _("review.target.title"), *(f"  {line}" for line in target_lines(agenda, _))]
    lines += ["", _("review.contests.title", count=f"{agenda.contests_total:,}")]
    if not agenda.contests:
        lines.append(f"  {_('review.contests.none')}")
    for contest in agenda.contests:
        lines.append(f"  {contest_line(contest, _, tz=tz, who=who, text=plain)}")
        seller = _words(contest.seller_words, _, escaped=False)
        marketer = _words(contest.marketer_words, _, escaped=False)
        lines.append(f"    {_('review.contests.seller', user=who(contest.seller_id))} {seller}")
        lines.append(
            f"    {_('review.contests.marketer', user=who(contest.marketer_id))} {marketer}"
        )
    if agenda.contests_total > len(agenda.contests):
        lines.append(f"  {_('review.more', count=agenda.contests_total - len(agenda.contests))}")
    lines += ["", _("review.items.title", count=f"{agenda.items_total:,}")]
    if not agenda.items:
        lines.append(f"  {_('review.items.none')}")
    lines += [f"  {item_line(item, _, tz=tz, who=who, text=plain)}" for item in agenda.items]
    if agenda.items_total > len(agenda.items):
        lines.append(f"  {_('review.more', count=agenda.items_total - len(agenda.items))}")
    lines += ["", _("review.times", timezone=str(tz))]
    return "\n".join(lines)


def _scorecard_cells(agenda: Agenda, _: Translator) -> tuple[list[str], list[list[str]]]:
    return score_table(agenda.scorecard, _, spans=(_("review.col.span"), _("review.col.before")))


# -- The parts both share -----------------------------------------------------------------


def meeting_when(meeting: datetime, _: Translator, *, tz: ZoneInfo) -> str:
    """`Thursday 2026-12-03 10:00`, on the team's clock."""
    local = meeting.astimezone(tz)
    day = _(f"schedule.day.{Day.of(local.date())}")
    return _("review.when", day=day, date=local.date().isoformat(), time=f"{local:%H:%M}")


def review_title(agenda: Agenda, _: Translator, *, tz: ZoneInfo, starting: bool) -> str:
    """`SLA review starts now · Thursday 2026-12-03 10:00`, or `SLA review in 24 h · …`."""
    assert agenda.meeting is not None
    when = meeting_when(agenda.meeting, _, tz=tz)
    if starting:
        return _("review.title.starting", when=when)
    return _("review.title.ahead", when=when, within=time_until(agenda.meeting, agenda.now, _))


def time_until(meeting: datetime, now: datetime, _: Translator) -> str:
    """`24 h`, `1 h 30 min`, or from two days ahead `13 d 2 h`."""
    left = max(meeting - now, timedelta(0))
    if left >= timedelta(hours=DAYS_FROM_HOURS):
        return elapsed(now, meeting, _)
    return duration(left.total_seconds() / 60, _)


def span_line(agenda: Agenda, _: Translator, *, tz: ZoneInfo) -> str:
    """What span the data covers, and why it starts there."""
    since, until = local_time(agenda.since, tz), local_time(agenda.now, tz)
    if agenda.since_kind is SpanStart.DEFAULT:
        return _("review.span.default", since=since, now=until, days=DEFAULT_SPAN.days)
    return _(f"review.span.{agenda.since_kind.value}", since=since, now=until)


def alert_lines(agenda: Agenda, _: Translator) -> list[str]:
    """What the SLA sweep did in the span, by kind, and the breaches still open."""
    raised = [
        _(f"review.alert.{kind}", count=f"{agenda.alerts[kind]:,}")
        for kind in ALERT_KINDS
        if agenda.alerts.get(kind)
    ]
    lines = [", ".join(raised) if raised else _("review.alerts.none")]
    lines.append(_("review.alerts.open", count=f"{agenda.open_breaches:,}"))
    return lines


def reasons_summary(agenda: Agenda, _: Translator) -> str:
    reasons = agenda.reasons
    if not reasons.by_source:
        return _("review.reasons.none")
    return _("review.reasons.summary", rejected=f"{reasons.rejected:,}",
             lost=f"{reasons.lost:,}")  # fmt: skip


def target_lines(agenda: Agenda, _: Translator) -> list[str]:
    """The target now, what the span observed, and the target that observation proposes."""
    target = agenda.target
    lines = []
    if target.current is None:
        lines.append(_("review.target.no_goal"))
    else:
        lines.append(_plan_line("review.target.current", target.current,
                                _per_sale(target.leads_per_sale), _))  # fmt: skip
    observed = target.observed_leads_per_sale
    if observed is None:
        lines.append(_("review.target.no_wins", handed=f"{target.handed_over:,}"))
        return lines
    lines.append(
        _("review.target.observed", handed=f"{target.handed_over:,}", won=f"{target.won:,}",
          per_sale=_per_sale(observed), rate=percent(target.observed_close_rate))
    )  # fmt: skip
    if target.proposed is not None and target.current is not None:
        lines.append(_plan_line("review.target.proposed", target.proposed,
                                _per_sale(observed), _,
                                change=change(target.proposed.leads_needed,
                                              target.current.leads_needed)))  # fmt: skip
    elif target.current is not None:
        lines.append(_("review.target.unusable"))
    return lines


def _plan_line(key: str, needed: Plan, per_sale: str, _: Translator, **extra: str) -> str:
    return _(key, leads=f"{needed.leads_needed:,}", sales=f"{needed.sales_needed:,}",
             per_sale=per_sale, **extra)  # fmt: skip


def _per_sale(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def contest_line(
    contest: OpenContest,
    _: Translator,
    *,
    tz: ZoneInfo,
    who: Callable[[str], str],
    text: Callable[[str, int], str],
) -> str:
    """`Lucía · Grupo Andino — Not a fit: Wrong region; verdict by Ana, contested by Marta
    on 2026-11-18`: `who` renders a person, `text` user data, each for where it goes."""
    lead = text(lead_label(contest.lead_name, contest.company), 2 * NAME_SHOWN + 3)
    return _("review.contests.line", lead=lead, exit=_.exit(contest.exit),
             reason=text(reason_label(contest.reason, _), NAME_SHOWN),
             seller=who(contest.seller_id), marketer=who(contest.marketer_id),
             date=contest.since.astimezone(tz).date().isoformat())  # fmt: skip


def item_line(
    item: AgendaEntry,
    _: Translator,
    *,
    tz: ZoneInfo,
    who: Callable[[str], str],
    text: Callable[[str, int], str],
) -> str:
    """`Price objections from the webinar — Ana, 2026-11-20 14:00 (lead 12: Lucía)`."""
    line = _("review.items.line", text=text(item.text, ITEM_SHOWN), user=who(item.added_by),
             date=local_time(item.added_at, tz))  # fmt: skip
    if item.lead_id is not None:
        lead = text(lead_label(item.lead_name or "", item.company), 2 * NAME_SHOWN + 3)
        line += " " + _("review.items.lead", id=item.lead_id, lead=lead)
    return line


def _words(words: str | None, _: Translator, *, escaped: bool) -> str:
    if not words or not words.strip():
        return _("review.contests.no_words")
    said = _inert(words, WORDS_SHOWN) if escaped else one_line(words, WORDS_SHOWN)
    return f"“{said}”"


def mark_reviewed_text(
    outcome: ReviewOutcome, _: Translator, *, tz: ZoneInfo, who: Callable[[str], str]
) -> str:
    """One sentence on what marking a meeting reviewed did, or why it did nothing."""
    when = meeting_when(outcome.meeting, _, tz=tz)
    if outcome.answer is ReviewAnswer.DONE:
        return _("review.answer.done", when=when, items=f"{outcome.items_closed:,}",
                 contests=f"{outcome.contests_closed:,}")  # fmt: skip
    if outcome.answer is ReviewAnswer.ALREADY_REVIEWED:
        at = local_time(outcome.reviewed_at, tz) if outcome.reviewed_at else "—"
        return _("review.answer.already_reviewed", when=when,
                 user=who(outcome.reviewed_by or "—"), at=at)  # fmt: skip
    return _(f"review.answer.{outcome.answer.value}", when=when)
