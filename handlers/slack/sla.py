"""`/sla` in Block Kit: the scorecard and the policy's modal. Pure builders and readers:
domain values and the team's language in, Slack messages and views out."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.enforcement import ESCALATIONS
from bot.domain.scorecard import Scorecard
from bot.domain.sla import KEYS, Policy, PolicyErrors
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import (
    FALLBACK_TEXT_MAX,
    context,
    duration,
    field,
    mrkdwn,
    section,
    shorten,
)
from handlers.slack.modals import MODAL_BUTTON_MAX, TITLE_MAX

SCORECARD_TITLE = "sla_title"
SCORECARD_MARKETING = "sla_marketing"
SCORECARD_SALES = "sla_sales"
SCORECARD_NOTE = "sla_note"


def build_scorecard(card: Scorecard, _: Translator, *, tz: ZoneInfo) -> dict[str, Any]:
    """The scorecard as an ephemeral message: both sides, each figure against its aim."""
    period = _period(card, _)
    marketing = [
        field(_("scorecard.handed_over"), _handed_over(card, _)),
        field(_("scorecard.profiled_share"), _profiled_share(card, _)),
        field(_("scorecard.missing_fields"), str(card.missing_fields)),
    ]
    sales = [
        field(_("scorecard.routing"), _minutes(card.routing_median, _)),
        field(_("scorecard.response"), _minutes(card.response_median, _)),
        field(_("scorecard.in_time", limit=_minutes(card.first_touch_minutes, _)),
              _in_time(card, _)),
        field(_("scorecard.attempts"), _decimal(card.attempts_per_lead)),
        field(_("scorecard.breaches"), _breaches(card, _)),
    ]  # fmt: skip
    blocks = [
        section(SCORECARD_TITLE, _("scorecard.title", period=period)),
        {"type": "section", "block_id": SCORECARD_MARKETING, "text": mrkdwn(
            f"*{_('scorecard.marketing')}*"), "fields": marketing},
        {"type": "section", "block_id": SCORECARD_SALES, "text": mrkdwn(
            f"*{_('scorecard.sales')}*"), "fields": sales},
        context(SCORECARD_NOTE, _("scorecard.note", timezone=str(tz))),
    ]  # fmt: skip
    text = _("scorecard.text", period=period, handed_over=_handed_over(card, _))
    return {"text": shorten(text, FALLBACK_TEXT_MAX), "blocks": blocks}


def _period(card: Scorecard, _: Translator) -> str:
    first = card.period.first_day
    if card.period.kind == "week":
        return _("scorecard.period.week", date=first.isoformat())
    if card.period.kind == "quarter":
        return _("scorecard.period.quarter", quarter=(first.month - 1) // 3 + 1, year=first.year)
    return _("scorecard.period.month", month=_(f"scorecard.month.{first.month}"), year=first.year)


def _handed_over(card: Scorecard, _: Translator) -> str:
    if card.leads_needed is None:
        return _("scorecard.handed_over_no_goal", count=card.handed_over)
    return _("scorecard.handed_over_of", count=card.handed_over, needed=card.leads_needed,
             projected=card.projected)  # fmt: skip


def _profiled_share(card: Scorecard, _: Translator) -> str:
    share = card.profiled_share
    aim = _percent(card.profiled_share_min)
    if share is None:
        return _("scorecard.no_leads_aim", aim=aim)
    return _("scorecard.share_of", share=_percent(share), captured=card.captured, aim=aim)


def _breaches(card: Scorecard, _: Translator) -> str:
    raised = ", ".join(
        _(f"scorecard.breach.{kind}", count=card.breaches[kind])
        for kind in ESCALATIONS
        if card.breaches.get(kind)
    )
    return _("scorecard.breaches_of", open=card.open_breaches, raised=raised or "0")


def _in_time(card: Scorecard, _: Translator) -> str:
    share = card.in_time_share
    if share is None:
        return "—"
    return _("scorecard.in_time_of", share=_percent(share), count=card.touched_in_time,
             touched=card.touched)  # fmt: skip


def _minutes(minutes: float | None, _: Translator) -> str:
    """Business minutes as people read them: `45 min`, `3 h 20 min`."""
    return "—" if minutes is None else duration(minutes, _)


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


POLICY_BLOCK_PREFIX = "sla_"
POLICY_INTRO = "sla_intro"
HINT_MAX = 2000


def policy_modal(policy: Policy, _: Translator) -> dict[str, Any]:
    """`/sla edit`: every setting as a person would type it, to change in place."""
    current = policy.as_text()
    blocks = [_input(key, current[key], _(f"sla.meaning.{key}")) for key in KEYS]
    return {
        "type": "modal",
        "callback_id": ids.VIEW_SLA_EDIT,
        "title": {"type": "plain_text", "text": shorten(_("modal.sla.title"), TITLE_MAX)},
        "submit": {"type": "plain_text", "text": shorten(_("modal.submit"), MODAL_BUTTON_MAX)},
        "close": {"type": "plain_text", "text": shorten(_("modal.close"), MODAL_BUTTON_MAX)},
        "blocks": [section(POLICY_INTRO, _("modal.sla.intro")), *blocks],
    }


def read_policy_modal(values: dict[str, Any], policy: Policy) -> dict[str, str]:
    """The settings the manager changed, as typed (`KEY=VALUE` for `read_changes`); an
    emptied field is a change to empty (no holidays, no cap)."""
    current = policy.as_text()
    typed = {}
    for key in KEYS:
        block = values.get(POLICY_BLOCK_PREFIX + key)
        if not isinstance(block, dict):
            continue  # not sent back: left as it is
        value = ((block.get(ids.MODAL_VALUE) or {}).get("value") or "").strip()
        if value != current[key]:
            typed[key] = value
    return typed


def policy_errors(problems: PolicyErrors, _: Translator) -> dict[str, str]:
    """The answer's `errors`: each problem under its setting's field."""
    return {
        POLICY_BLOCK_PREFIX + key: shorten(_(message, **params), 300)
        for key, (message, params) in problems.problems.items()
    }


def _input(key: str, value: str, meaning: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ids.MODAL_VALUE}
    if value:
        element["initial_value"] = value
    return {
        "type": "input",
        "block_id": POLICY_BLOCK_PREFIX + key,
        "label": {"type": "plain_text", "text": key},
        "hint": {"type": "plain_text", "text": shorten(meaning, HINT_MAX)},
        "element": element,
        "optional": True,
    }
