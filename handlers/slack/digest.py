"""The managers' weekly digest in Block Kit, and the same digest as terminal text.

Pure builders: a `Digest` and the team's language in, a Slack message (or text) out. The
funnel table is the one `/funnel` shows (`funnel_cells`), so managers, marketers and sellers
read the same figures the same way. Lead data, sources, campaigns and names are escaped
and cut, and every list stops where a section would overflow, with a "+N more" line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.digest import Digest, OpenContest, ReasonLine, ScoreLine, StalledLead
from bot.domain.funnel_query import Window
from bot.i18n import Translator
from bot.terminal import percent, table
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    SECTION_TEXT_MAX,
    context,
    duration,
    escape,
    header,
    mention,
    section,
    shorten,
)
from handlers.slack.funnel import MINUS, VALUE_MAX, change, funnel_cells, money, reason_label

DIGEST_TITLE = "digest_title"
DIGEST_NOTE = "digest_note"
DIGEST_MARKETING = "digest_marketing"
DIGEST_SALES = "digest_sales"
DIGEST_FUNNEL = "digest_funnel"
DIGEST_REASONS = "digest_reasons"
DIGEST_STALLED = "digest_stalled"
DIGEST_RECOGNITION = "digest_recognition"
DIGEST_CONTESTS = "digest_contests"
DIGEST_FOOTER = "digest_footer"

NAME_SHOWN = 80  # characters of a lead's or a person's name in a line


# -- Slack --------------------------------------------------------------------------------


def build_digest(
    digest: Digest, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The digest as a channel message: the scorecard of both sides, the week's funnel,
    why leads left, stalled leads, recognition, open contests and the next review.
    Sellers are mentioned (`<@U…>`); `names` stands in for ids that are not Slack's."""
    names = names or {}

    def who(user_id: str | None) -> str:
        if user_id is None:
            return _("digest.no_owner")
        return mention(user_id) or escape(person_label(user_id, names))

    blocks = [
        header(DIGEST_TITLE, digest_title(digest, _)),
        context(DIGEST_NOTE, escape(digest_note(digest, _))),
    ]
    for side, block_id in (("marketing", DIGEST_MARKETING), ("sales", DIGEST_SALES)):
        lines = [slack_score(line, _) for line in digest.scorecard if line.side == side]
        blocks.append(section(block_id, "\n".join([f"*{_(f'digest.side.{side}')}*", *lines])))
    funnel = escape(table(*funnel_cells(digest.funnel, _)))
    blocks.append(
        section(DIGEST_FUNNEL, "\n".join([
            f"*{_('digest.funnel.title')}*", "```", funnel.replace("`", "'"), "```",
            escape(revenue_line(digest, _)),
        ]))
    )  # fmt: skip
    blocks.append(section(DIGEST_REASONS, _reasons_text(digest, _)))
    stalled = digest.stalled
    stalled_lines = [f"• {stalled_line(lead, _, who=who, text=escape)}" for lead in stalled.leads]
    blocks.append(
        section(DIGEST_STALLED, _fitted(
            [f"*{_('digest.stalled.title')}*", escape(stalled_summary(digest, _))],
            stalled_lines, hidden=stalled.total - len(stalled.leads), _=_,
        ))
    )  # fmt: skip
    recognised = recognition_lines(digest, _, who=who)
    if recognised:
        blocks.append(
            section(DIGEST_RECOGNITION, _fitted(
                [f"*{_('digest.recognition.title')}*"], [f"• {line}" for line in recognised],
                hidden=0, _=_,
            ))
        )  # fmt: skip
    contests = digest.contests
    contest_lines = [
        f"• {contest_line(contest, _, tz=tz, who=who, text=escape)}" for contest in contests.oldest
    ]
    blocks.append(
        section(DIGEST_CONTESTS, _fitted(
            [f"*{_('digest.contests.title')}*", escape(contests_summary(digest, _))],
            contest_lines, hidden=contests.total - len(contests.oldest), _=_,
        ))
    )  # fmt: skip
    blocks.append(
        context(DIGEST_FOOTER, escape(review_line(digest, _, tz=tz)),
                escape(_("digest.times", timezone=str(tz))))
    )  # fmt: skip
    return {"text": shorten(fallback_text(digest, _), FALLBACK_TEXT_MAX), "blocks": blocks}


def fallback_text(digest: Digest, _: Translator) -> str:
    """One line for notifications and screen readers."""
    figures = digest.funnel.current
    return _(
        "digest.text",
        title=digest_title(digest, _),
        leads=f"{figures.leads:,}",
        won=f"{figures.stages[-1].leads:,}",
        revenue=money(figures.revenue),
        stalled=f"{digest.stalled.total:,}",
    )


def slack_score(line: ScoreLine, _: Translator, *, change: str = "digest.score.change") -> str:
    """`• *Figure:* value (target ✓) · change on the week before`: one scorecard line as a
    bullet; `change` is the key naming what the change is against."""
    label, value, _before, moved, target, mark = score_cells(line, _)
    text = f"• *{label}:* {value}"
    if target:
        text += " " + _("digest.score.target", target=target) + (f" {mark}" if mark else "")
    if moved:
        text += " · " + _(change, change=moved)
    return text


def _reasons_text(digest: Digest, _: Translator) -> str:
    reasons = digest.reasons
    lines = [f"*{_('digest.reasons.title')}*", escape(reasons_summary(digest, _))]
    for key, found in (("source", reasons.by_source), ("campaign", reasons.by_campaign)):
        if found:
            lines.append(f"_{_(f'digest.reasons.by_{key}')}_")
            lines += [f"• {escape(reason_line(line, _))}" for line in found]
    return _fitted(lines, [], hidden=0, _=_)


def _fitted(head: Sequence[str], lines: Sequence[str], *, hidden: int, _: Translator) -> str:
    """`head` and as many of `lines` as fit in one section, then "+N more" for the rest
    (`hidden` more that were never listed)."""

    def text(count: int) -> str:
        more = len(lines) - count + hidden
        tail = [_("digest.more", count=f"{more:,}")] if more > 0 else []
        return "\n".join([*head, *lines[:count], *tail])

    count = len(lines)
    while count and len(text(count)) > SECTION_TEXT_MAX:
        count -= 1
    return text(count)


# -- The terminal -------------------------------------------------------------------------


def digest_as_text(
    digest: Digest, _: Translator, *, tz: ZoneInfo, names: Mapping[str, str] | None = None
) -> str:
    """The digest for `smarketing digest` and the demo: the same sections as in Slack, as
    plain tables and lines; sellers by name when `names` knows them."""
    names = names or {}

    def who(user_id: str | None) -> str:
        return _("digest.no_owner") if user_id is None else person_label(user_id, names)

    title = digest_title(digest, _)
    lines = [title, "=" * len(title), digest_note(digest, _), ""]
    lines += [_("digest.scorecard.title"), table(*scorecard_cells(digest, _)), ""]
    lines += [_("digest.funnel.title"), table(*funnel_cells(digest.funnel, _))]
    lines += [revenue_line(digest, _), ""]
    lines += [_("digest.reasons.title"), reasons_summary(digest, _)]
    reasons = digest.reasons
    for key, found in (("source", reasons.by_source), ("campaign", reasons.by_campaign)):
        if found:
            lines += [f"  {_(f'digest.reasons.by_{key}')}"]
            lines += [f"    {reason_line(line, _)}" for line in found]
    lines += ["", _("digest.stalled.title"), stalled_summary(digest, _)]
    stalled = digest.stalled
    if stalled.leads:
        rows = [
            [lead_label(lead.name, lead.company), _.stage(lead.stage),
             who(lead.owner_id), f"{lead.business_days:,}",
             lead.idle_since.astimezone(tz).strftime("%Y-%m-%d %H:%M")]
            for lead in stalled.leads
        ]  # fmt: skip
        headers = [_("digest.col.lead"), _("digest.col.stage"), _("digest.col.owner"),
                   _("digest.col.idle_days"), _("digest.col.last_activity")]  # fmt: skip
        lines.append(table(headers, rows, figures=False))
        if stalled.total > len(stalled.leads):
            lines.append(_("digest.more", count=f"{stalled.total - len(stalled.leads):,}"))
    recognised = recognition_lines(digest, _, who=who)
    if recognised:
        lines += ["", _("digest.recognition.title"), *(f"  {line}" for line in recognised)]
    contests = digest.contests
    lines += ["", _("digest.contests.title"), contests_summary(digest, _)]
    lines += [f"  {contest_line(c, _, tz=tz, who=who, text=str)}" for c in contests.oldest]
    if contests.total > len(contests.oldest):
        lines.append(_("digest.more", count=f"{contests.total - len(contests.oldest):,}"))
    lines += ["", review_line(digest, _, tz=tz), _("digest.times", timezone=str(tz))]
    return "\n".join(lines)


def scorecard_cells(digest: Digest, _: Translator) -> tuple[list[str], list[list[str]]]:
    """The scorecard table: side, figure, this week, the week before, change, target, met."""
    return score_table(digest.scorecard, _, spans=(_("digest.col.week"), _("digest.col.previous")))


def score_table(
    lines: Sequence[ScoreLine], _: Translator, *, spans: tuple[str, str]
) -> tuple[list[str], list[list[str]]]:
    """Scorecard lines as a table, marketing's first: figure, the span and the one before
    it (`spans` names both columns), change, target, met."""
    headers = [
        _("digest.col.figure"),
        *spans,
        _("digest.col.change"),
        _("digest.col.target"),
        _("digest.col.met"),
    ]
    rows = []
    for side in ("marketing", "sales"):
        for line in lines:
            if line.side == side:
                label, value, before, moved, target, mark = score_cells(line, _)
                rows.append([f"{_(f'digest.side.{side}')}: {label}", value, before, moved or "",
                             target, mark])  # fmt: skip
    return headers, rows


# -- The parts both share -----------------------------------------------------------------


def digest_title(digest: Digest, _: Translator) -> str:
    """`Weekly digest · 2026-11-16 to 2026-11-22`."""
    return _("digest.title", week=week_label(digest.week, _))


def week_label(week: Window, _: Translator) -> str:
    """A week's local Monday and Sunday."""
    first = week.start.astimezone(week.tz).date()
    last = (week.end - timedelta(microseconds=1)).astimezone(week.tz).date()
    return _("digest.week", start=first.isoformat(), end=last.isoformat())


def digest_note(digest: Digest, _: Translator) -> str:
    """What each part counts, and against which week."""
    note = _("digest.note", previous=week_label(digest.previous_week, _))
    if not digest.funnel.current.leads:
        note += " " + _("digest.no_leads")
    return note


def score_cells(line: ScoreLine, _: Translator) -> tuple[str, str, str, str, str, str]:
    """(label, this week, the week before, change, target, ✓/✗) as people read them."""
    label = _(f"digest.score.{line.code}")
    target = ""
    if line.target is not None:
        sign = "≥" if line.higher_is_better else "≤"
        target = f"{sign} {_figure(line.unit, line.target, _)}"
    mark = {True: "✓", False: "✗", None: ""}[line.met]
    moved = "" if line.change is None else _change(line.unit, line.value, line.previous, _)
    return (label, _figure(line.unit, line.value, _), _figure(line.unit, line.previous, _),
            moved, target, mark)  # fmt: skip


def _figure(unit: str, value: float | None, _: Translator) -> str:
    if value is None:
        return "–"
    if unit == "share":
        return percent(value)
    if unit == "minutes":
        return duration(value, _)
    if unit == "decimal":
        return f"{value:.1f}"
    return money(value)


def _change(unit: str, now: float | None, before: float | None, _: Translator) -> str:
    assert now is not None and before is not None
    if unit == "count":
        return change(now, before)
    difference = now - before
    if unit == "share":
        points = round(difference * 100, 1)
        text = _("digest.points", points=f"{abs(points):.1f}")
    elif unit == "minutes":
        points = round(difference)
        text = duration(abs(difference), _)
    else:
        points = round(difference, 1)
        text = f"{abs(points):.1f}"
    if not points:
        return "0"
    return f"{'+' if points > 0 else MINUS}{text}"


def revenue_line(digest: Digest, _: Translator) -> str:
    """`Revenue won: 6,000 (+1,000 against the previous period)` for the week's cohort."""
    report = digest.funnel
    amount = money(report.current.revenue)
    if report.previous is not None:
        amount = _("funnel.report.revenue_change", amount=amount,
                   change=change(report.current.revenue, report.previous.revenue))  # fmt: skip
    return f"{_('funnel.report.revenue')}: {amount}"


def reasons_summary(digest: Digest, _: Translator) -> str:
    reasons = digest.reasons
    if not reasons.by_source and not reasons.by_campaign:
        return _("digest.reasons.none")
    return _("digest.reasons.summary", rejected=f"{reasons.rejected:,}",
             lost=f"{reasons.lost:,}")  # fmt: skip


def reason_line(line: ReasonLine, _: Translator) -> str:
    """`google — Not a fit: Not our ideal customer (3)`."""
    value = _("funnel.report.none") if line.value is None else one_line(line.value, VALUE_MAX)
    return _("digest.reasons.line", value=value, exit=_.exit(line.exit),
             reason=reason_label(line.reason, _), count=f"{line.leads:,}")  # fmt: skip


def stalled_summary(digest: Digest, _: Translator) -> str:
    stalled = digest.stalled
    if not stalled.total:
        return _("digest.stalled.none", days=stalled.after_days)
    return _("digest.stalled.summary", count=f"{stalled.total:,}", days=stalled.after_days)


def stalled_line(
    lead: StalledLead,
    _: Translator,
    *,
    who: Callable[[str | None], str],
    text: Callable[[str], str],
) -> str:
    """`Lucía García · Grupo Andino — Contacted, Ana Torres, 4 business days idle`: `who`
    renders a person, `text` the lead's data, each for where the line goes."""
    return _("digest.stalled.line", lead=text(lead_label(lead.name, lead.company)),
             stage=_.stage(lead.stage), owner=who(lead.owner_id),
             days=f"{lead.business_days:,}")  # fmt: skip


def recognition_lines(
    digest: Digest, _: Translator, *, who: Callable[[str | None], str]
) -> list[str]:
    """One line for each recognition someone earned, with the figures behind it."""
    found = digest.recognition
    lines = []
    if found.best_closer is not None:
        closer = found.best_closer
        lines.append(_("digest.recognition.best_closer", seller=who(closer.user_id),
                       revenue=money(closer.revenue), count=f"{closer.won:,}"))  # fmt: skip
    if found.fastest_responder is not None:
        fastest = found.fastest_responder
        lines.append(_("digest.recognition.fastest_responder", seller=who(fastest.user_id),
                       duration=duration(fastest.median_minutes, _),
                       count=f"{fastest.touches:,}"))  # fmt: skip
    if found.most_improved is not None:
        improved = found.most_improved
        lines.append(_("digest.recognition.most_improved", seller=who(improved.user_id),
                       count=f"{improved.moved:,}",
                       before=f"{improved.moved_before:,}"))  # fmt: skip
    return lines


def contests_summary(digest: Digest, _: Translator) -> str:
    contests = digest.contests
    if not contests.total:
        return _("digest.contests.none")
    return _("digest.contests.summary", count=f"{contests.total:,}")


def contest_line(
    contest: OpenContest,
    _: Translator,
    *,
    tz: ZoneInfo,
    who: Callable[[str | None], str],
    text: Callable[[str], str],
) -> str:
    """`Lucía García — Not a fit: Wrong region, contested by Marta on 2026-11-18 (verdict by
    Ana)`: `who` renders a person, `text` the lead's data, each for where the line goes."""
    return _("digest.contests.line", lead=text(lead_label(contest.lead_name, contest.company)),
             exit=_.exit(contest.exit), reason=text(reason_label(contest.reason, _)),
             marketer=who(contest.marketer_id),
             seller=who(contest.seller_id),
             date=contest.since.astimezone(tz).date().isoformat())  # fmt: skip


def review_line(digest: Digest, _: Translator, *, tz: ZoneInfo) -> str:
    if digest.next_review is None:
        return _("digest.review.none")
    return _("digest.review.next", when=local_time(digest.next_review, tz))


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """`2026-11-30 09:00` on the team's clock."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def lead_label(name: str, company: str | None) -> str:
    """`name · company`, each on one line and cut."""
    text = one_line(name, NAME_SHOWN)
    return f"{text} · {one_line(company, NAME_SHOWN)}" if company else text


def person_label(user_id: str, names: Mapping[str, str]) -> str:
    """A person's name when known, else their id; on one line and cut."""
    return one_line(names.get(user_id) or user_id, NAME_SHOWN)


def one_line(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters."""
    return shorten(" ".join(text.split()), limit)
