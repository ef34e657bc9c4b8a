"""The modals behind a card's buttons and menu (and the marketing message's Contest), and
the reading of what people submit.

Builders are pure: a `Lead`, the team's language and the caller's `private_metadata` in, a
`views.open` view out. The metadata is the caller's to define (typically the lead id and
where its card sits) and is handed back by Slack on submit, so it is passed through exactly
as given; the lead's name is shown at the top, escaped and cut, so the seller sees which lead
the modal is about and the lead cannot ping anyone from it.

Readers take the submitted `view["state"]["values"]` and return clean, typed values, or raise
`ModalErrors` with one translated sentence per faulty block: the listener answers Slack with
`ModalErrors.response()` and the modal stays open with the message under the field, which is
how "bad input gets a clear error naming the field, and changes nothing" looks in a modal.
Slack already refuses to submit an empty required input, but the readers check everything
again: a submission is a request from outside, and what it carries is not trusted.

Every input block holds a single element whose action id is `ids.MODAL_VALUE`, so a block id
alone names a field, both for reading its value and for pointing an error at it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.normalize import LONG_TEXT_LIMIT, clean_text
from bot.domain.numbers import parse_amount
from bot.domain.review import AgendaItemError
from bot.domain.vocabulary import ATTEMPT_CHANNELS, ATTEMPT_OUTCOMES, EXIT_REASONS, Exit
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.blocks import SECTION_TEXT_MAX, escape, mrkdwn, shorten
from storage.models import AGENDA_TEXT_MAX, Lead

# How a seller reached out, and how it went (DESIGN: "connected" makes a lead contacted).
# The seller's rating of a lead, for marketing: 1 (poor) to 5 (excellent).
RATINGS = (1, 2, 3, 4, 5)

# Slack's limits on a modal, and the room given to lead data in its heading.
TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000
OPTION_TEXT_MAX = 75
NOTE_MAX = LONG_TEXT_LIMIT
HEADING_PART_MAX = 150
DEAL_VALUE_INPUT_MAX = 50
# Lead ids as typed: nine digits at most, within every backend's integer column.
_LEAD_ID = re.compile(r"#?([0-9]{1,9})")
LEAD_ID_INPUT_MAX = 20
# A meeting a few minutes old still counts as booked "now": the seller may have filled the
# modal in while the call was ending, and clocks differ.
MEETING_GRACE = timedelta(minutes=5)

_EXIT_TITLE = {
    Exit.REJECTED: "modal.exit.title.rejected",
    Exit.LOST: "modal.exit.title.lost",
    Exit.NURTURE: "modal.exit.title.nurture",
}
_EXIT_HINT = {
    Exit.REJECTED: "modal.exit.hint.rejected",
    Exit.LOST: "modal.exit.hint.lost",
    Exit.NURTURE: "modal.exit.hint.nurture",
}


class ModalErrors(Exception):
    """What was wrong with a submission: block id → one sentence, in the team's language."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{block}: {text}" for block, text in errors.items()))
        self.errors = dict(errors)

    def response(self) -> dict[str, Any]:
        """The answer to the `view_submission` that keeps the modal open, messages shown."""
        return {"response_action": "errors", "errors": dict(self.errors)}


@dataclass(frozen=True)
class AttemptInput:
    """One attempt to reach the lead: `channel` in ATTEMPT_CHANNELS, `outcome` in
    ATTEMPT_OUTCOMES."""

    channel: str
    outcome: str
    note: str | None


@dataclass(frozen=True)
class MeetingInput:
    """The booked meeting; `when` is timezone-aware, in UTC."""

    when: datetime
    note: str | None


@dataclass(frozen=True)
class WonInput:
    """The closed deal: its value (≥ 0) and the seller's optional 1–5 rating of the lead."""

    value: float
    rating: int | None
    note: str | None


@dataclass(frozen=True)
class ExitInput:
    """Why the lead leaves the funnel: a reason code of its exit, and an optional rating."""

    reason: str
    note: str | None
    rating: int | None


# Builders


def attempt_modal(lead: Lead, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Log attempt: how the seller reached out and how it went."""
    return _modal(
        ids.VIEW_ATTEMPT,
        _("modal.attempt.title"),
        lead,
        _,
        metadata,
        [
            _input(
                ids.BLOCK_ATTEMPT_HOW,
                _("modal.attempt.how"),
                _select(
                    [(c, _(f"modal.attempt.channel.{c}")) for c in ATTEMPT_CHANNELS],
                    _("modal.choose"),
                ),
            ),
            _input(
                ids.BLOCK_ATTEMPT_OUTCOME,
                _("modal.attempt.outcome"),
                {
                    "type": "radio_buttons",
                    "action_id": ids.MODAL_VALUE,
                    "options": [
                        _option(o, _(f"modal.attempt.outcome.{o}")) for o in ATTEMPT_OUTCOMES
                    ],
                },
                hint=_("modal.attempt.outcome_hint"),
            ),
            _note(_),
        ],
    )


def meeting_modal(
    lead: Lead, _: Translator, *, metadata: str, initial: datetime | None
) -> dict[str, Any]:
    """Meeting booked: when it is. `initial` (a naive one is read as UTC) pre-fills the
    picker, which Slack shows in the seller's own time zone."""
    picker: dict[str, Any] = {"type": "datetimepicker", "action_id": ids.MODAL_VALUE}
    if initial is not None:
        picker["initial_date_time"] = int(_as_utc(initial).timestamp())
    return _modal(
        ids.VIEW_MEETING,
        _("modal.meeting.title"),
        lead,
        _,
        metadata,
        [_input(ids.BLOCK_MEETING_WHEN, _("modal.meeting.when"), picker), _note(_)],
    )


def won_modal(lead: Lead, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Won: the deal's value (pre-filled with the lead's estimate) and a rating for marketing."""
    value: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.MODAL_VALUE,
        "max_length": DEAL_VALUE_INPUT_MAX,
    }
    estimate = plain_amount(lead.estimated_value)
    if estimate is not None:
        value["initial_value"] = estimate
    return _modal(
        ids.VIEW_WON,
        _("modal.won.title"),
        lead,
        _,
        metadata,
        [
            _input(ids.BLOCK_WON_VALUE, _("modal.won.value"), value, hint=_("modal.won.hint")),
            _rating(_),
            _note(_),
        ],
    )


def exit_modal(exit_: Exit, lead: Lead, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Not a fit, Lost or Back to nurture: the mandatory reason of that exit, in the fixed
    order of its list, so the codes stored are the ones marketing's reports count."""
    exit_ = Exit(exit_)
    reasons = [(code, _.reason(code)) for code in EXIT_REASONS[exit_]]
    return _modal(
        ids.VIEW_EXIT,
        _(_EXIT_TITLE[exit_]),
        lead,
        _,
        metadata,
        [
            _input(
                ids.BLOCK_EXIT_REASON,
                _("modal.exit.reason"),
                _select(reasons, _("modal.exit.reason_placeholder")),
                hint=_(_EXIT_HINT[exit_]),
            ),
            _note(_),
            _rating(_),
        ],
    )


def reassign_modal(lead: Lead, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Reassign (managers): the seller who takes the lead over, and an optional note."""
    picker = {
        "type": "users_select",
        "action_id": ids.MODAL_VALUE,
        "placeholder": _plain(_("modal.reassign.placeholder")),
    }
    return _modal(
        ids.VIEW_REASSIGN,
        _("modal.reassign.title"),
        lead,
        _,
        metadata,
        [
            _input(
                ids.BLOCK_REASSIGN_TO,
                _("modal.reassign.to"),
                picker,
                hint=_("modal.reassign.hint"),
            ),
            _note(_),
        ],
    )


def reopen_modal(lead: Lead, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Reopen (managers): why the lead comes back."""
    return _modal(
        ids.VIEW_REOPEN,
        _("modal.reopen.title"),
        lead,
        _,
        metadata,
        [_text_input(ids.BLOCK_REOPEN_WHY, _("modal.reopen.why"), _("modal.reopen.hint"))],
    )


def contest_modal(lead: Lead, verdict: str, _: Translator, *, metadata: str) -> dict[str, Any]:
    """Contest (marketers): why the lead was a fit after all. `verdict` is the seller's
    verdict as safe mrkdwn (who, which exit, which reason), shown above the field."""
    return _modal(
        ids.VIEW_CONTEST,
        _("modal.contest.title"),
        lead,
        _,
        metadata,
        [
            {"type": "section", "text": mrkdwn(shorten(verdict, SECTION_TEXT_MAX))},
            _text_input(ids.BLOCK_CONTEST_WHY, _("modal.contest.why"), _("modal.contest.hint")),
        ],
    )


def agenda_item_modal(_: Translator, *, metadata: str) -> dict[str, Any]:
    """Add agenda item: what the next SLA review should discuss and, optionally, the id of
    the lead it is about. About no lead itself, so it has no lead heading."""
    _check_metadata(metadata)
    text = {
        "type": "plain_text_input",
        "action_id": ids.MODAL_VALUE,
        "multiline": True,
        "max_length": AGENDA_TEXT_MAX,
    }
    lead = {"type": "plain_text_input", "action_id": ids.MODAL_VALUE,
            "max_length": LEAD_ID_INPUT_MAX}  # fmt: skip
    return {
        "type": "modal",
        "callback_id": ids.VIEW_AGENDA_ITEM,
        "private_metadata": metadata,
        "title": _plain(shorten(_("review.modal.title"), TITLE_MAX)),
        "submit": _plain(shorten(_("modal.submit"), MODAL_BUTTON_MAX)),
        "close": _plain(shorten(_("modal.close"), MODAL_BUTTON_MAX)),
        "blocks": [
            {"type": "context", "block_id": ids.BLOCK_AGENDA_INTRO,
             "elements": [mrkdwn(_("review.modal.intro"))]},
            _input(ids.BLOCK_AGENDA_TEXT, _("review.modal.text"), text),
            _input(ids.BLOCK_AGENDA_LEAD, _("review.modal.lead"), lead, optional=True,
                   hint=_("review.modal.lead_hint")),
        ],
    }  # fmt: skip


def read_agenda_item(values: Mapping[str, Any], _: Translator) -> tuple[str, int | None]:
    """(the item as typed, the lead id or None). The text is cleaned and checked by
    `bot.domain.review.add_agenda_item`; here only its presence and the id's form."""
    text = _typed(values, ids.BLOCK_AGENDA_TEXT) or ""
    typed_lead = (_typed(values, ids.BLOCK_AGENDA_LEAD) or "").strip()
    errors = {}
    if not text.strip():
        errors[ids.BLOCK_AGENDA_TEXT] = _("review.item.empty")
    lead_id = None
    if typed_lead:
        match = _LEAD_ID.fullmatch(typed_lead)
        if match is None:
            errors[ids.BLOCK_AGENDA_LEAD] = _("review.item.lead_number")
        else:
            lead_id = int(match[1])
    if errors:
        raise ModalErrors(errors)
    return text, lead_id


def agenda_item_errors(problem: AgendaItemError, locale: str) -> ModalErrors:
    """The domain's refusal of an item, under the field it is about."""
    block = ids.BLOCK_AGENDA_LEAD if problem.key == "review.item.no_lead" else ids.BLOCK_AGENDA_TEXT
    return ModalErrors({block: problem.render(locale)})


def plain_amount(value: float | None) -> str | None:
    """An amount as a seller would type it back (`6667`, `6667.5`): no thousands separator
    and at most two decimals, so `parse_amount` reads it as the same number. None when there
    is nothing sensible to offer (no value, a negative one, not finite)."""
    if value is None or not math.isfinite(value) or value < 0:
        return None
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _modal(
    callback_id: str,
    title: str,
    lead: Lead,
    _: Translator,
    metadata: str,
    inputs: list[dict[str, Any]],
) -> dict[str, Any]:
    _check_metadata(metadata)
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": _plain(shorten(title, TITLE_MAX)),
        "submit": _plain(shorten(_("modal.submit"), MODAL_BUTTON_MAX)),
        "close": _plain(shorten(_("modal.close"), MODAL_BUTTON_MAX)),
        "blocks": [_heading(lead, _), *inputs],
    }


def _check_metadata(metadata: str) -> None:
    if len(metadata) > PRIVATE_METADATA_MAX:
        # Cutting it would hand the submit listener a different lead or none: the caller's bug.
        raise ValueError(f"private_metadata is {len(metadata)} characters; Slack takes 3000")


def _heading(lead: Lead, _: Translator) -> dict[str, Any]:
    """Which lead this is about: its name (and company), as inert text."""
    name = escape(shorten(lead.name or "", HEADING_PART_MAX))
    if lead.company:
        company = escape(shorten(lead.company, HEADING_PART_MAX))
        text = _("modal.lead_at", name=name, company=company)
    else:
        text = _("modal.lead", name=name)
    return {"type": "context", "block_id": ids.MODAL_LEAD, "elements": [mrkdwn(text)]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(shorten(label, OPTION_TEXT_MAX)), "value": value}


def _select(choices: list[tuple[str, str]], placeholder: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": ids.MODAL_VALUE,
        "placeholder": _plain(placeholder),
        "options": [_option(value, label) for value, label in choices],
    }


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _note(_: Translator) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": ids.MODAL_VALUE,
        "multiline": True,
        "max_length": NOTE_MAX,
        "placeholder": _plain(_("modal.note_placeholder")),
    }
    return _input(ids.BLOCK_NOTE, _("modal.note"), element, optional=True)


def _text_input(block_id: str, label: str, hint: str) -> dict[str, Any]:
    """A required multi-line text (a reason in the person's words)."""
    element = {
        "type": "plain_text_input",
        "action_id": ids.MODAL_VALUE,
        "multiline": True,
        "max_length": NOTE_MAX,
    }
    return _input(block_id, label, element, hint=hint)


def _rating(_: Translator) -> dict[str, Any]:
    choices = [(str(r), _(f"modal.rating.{r}")) for r in RATINGS]
    return _input(
        ids.BLOCK_RATING,
        _("modal.rating"),
        _select(choices, _("modal.rating_placeholder")),
        optional=True,
        hint=_("modal.rating_hint"),
    )


# Readers


def read_attempt(values: Mapping[str, Any], _: Translator) -> AttemptInput:
    """The attempt a seller logged; errors on the how and outcome blocks when not chosen."""
    errors: dict[str, str] = {}
    channel = _selected(values, ids.BLOCK_ATTEMPT_HOW)
    if channel not in ATTEMPT_CHANNELS:
        errors[ids.BLOCK_ATTEMPT_HOW] = _("modal.error.attempt_how")
    outcome = _selected(values, ids.BLOCK_ATTEMPT_OUTCOME)
    if outcome not in ATTEMPT_OUTCOMES:
        errors[ids.BLOCK_ATTEMPT_OUTCOME] = _("modal.error.attempt_outcome")
    if errors:
        raise ModalErrors(errors)
    return AttemptInput(channel=channel, outcome=outcome, note=read_note(values))


def read_meeting(values: Mapping[str, Any], _: Translator, *, now: datetime) -> MeetingInput:
    """The meeting's time, in UTC; it must not be in the past (beyond `MEETING_GRACE`).

    A naive `now` is read as UTC."""
    chosen = _picked_time(values, ids.BLOCK_MEETING_WHEN)
    if chosen is None:
        raise ModalErrors({ids.BLOCK_MEETING_WHEN: _("modal.error.meeting_when")})
    if chosen < _as_utc(now) - MEETING_GRACE:
        raise ModalErrors({ids.BLOCK_MEETING_WHEN: _("modal.error.meeting_past")})
    return MeetingInput(when=chosen, note=read_note(values))


def read_won(values: Mapping[str, Any], _: Translator) -> WonInput:
    """The deal's value (see `parse_amount` for what is read as a number) and rating."""
    errors: dict[str, str] = {}
    typed = (_typed(values, ids.BLOCK_WON_VALUE) or "").strip()
    amount = parse_amount(typed) if typed else None
    if not typed:
        errors[ids.BLOCK_WON_VALUE] = _("modal.error.won_value_missing")
    elif amount is None:
        errors[ids.BLOCK_WON_VALUE] = _("modal.error.won_value_number")
    elif amount < 0:
        errors[ids.BLOCK_WON_VALUE] = _("modal.error.won_value_negative")
    rating = _read_rating(values, _, errors)
    if errors:
        raise ModalErrors(errors)
    return WonInput(value=amount, rating=rating, note=read_note(values))


def read_exit(exit_: Exit, values: Mapping[str, Any], _: Translator) -> ExitInput:
    """The exit's reason, which must be one of that exit's codes (a code of another exit,
    say `price` for Not a fit, would be counted under a reason the exit does not have)."""
    exit_ = Exit(exit_)
    errors: dict[str, str] = {}
    reason = _selected(values, ids.BLOCK_EXIT_REASON)
    if reason is None:
        errors[ids.BLOCK_EXIT_REASON] = _("modal.error.reason_missing")
    elif reason not in EXIT_REASONS[exit_]:
        errors[ids.BLOCK_EXIT_REASON] = _("modal.error.reason_other_exit", exit=_.exit(exit_))
    rating = _read_rating(values, _, errors)
    if errors:
        raise ModalErrors(errors)
    return ExitInput(reason=reason, note=read_note(values), rating=rating)


def read_reassign(values: Mapping[str, Any], _: Translator) -> tuple[str, str | None]:
    """(the chosen user id, the optional note)."""
    chosen = _element_state(values, ids.BLOCK_REASSIGN_TO).get("selected_user")
    if not isinstance(chosen, str) or not _USER_ID.fullmatch(chosen):
        raise ModalErrors({ids.BLOCK_REASSIGN_TO: _("modal.error.reassign_to")})
    return chosen, read_note(values)


def read_reopen(values: Mapping[str, Any], _: Translator) -> str:
    """Why the lead is reopened: required."""
    return _required_text(values, ids.BLOCK_REOPEN_WHY, _("modal.error.reopen_why"))


def read_contest(values: Mapping[str, Any], _: Translator) -> str:
    """Why the lead was a fit: required."""
    return _required_text(values, ids.BLOCK_CONTEST_WHY, _("modal.error.contest_why"))


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def _required_text(values: Mapping[str, Any], block_id: str, problem: str) -> str:
    text = clean_text(_typed(values, block_id) or "", limit=NOTE_MAX, multiline=True)
    if not text:
        raise ModalErrors({block_id: problem})
    return text


def read_note(values: Mapping[str, Any]) -> str | None:
    """The optional note: trimmed, without control characters (line breaks kept), at most
    `NOTE_MAX` characters; None when nothing is left. A note is never an error."""
    return clean_text(_typed(values, ids.BLOCK_NOTE) or "", limit=NOTE_MAX, multiline=True)


def _read_rating(values: Mapping[str, Any], _: Translator, errors: dict[str, str]) -> int | None:
    chosen = _selected(values, ids.BLOCK_RATING)
    if chosen is None:
        return None
    if chosen not in {str(r) for r in RATINGS}:
        errors[ids.BLOCK_RATING] = _("modal.error.rating")
        return None
    return int(chosen)


def _element_state(values: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    """The submitted state of a block's element; empty when the block did not come back."""
    block = values.get(block_id) if isinstance(values, Mapping) else None
    state = block.get(ids.MODAL_VALUE) if isinstance(block, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def _selected(values: Mapping[str, Any], block_id: str) -> str | None:
    """The chosen option's value, from a select or radio buttons."""
    option = _element_state(values, block_id).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) and value else None


def _typed(values: Mapping[str, Any], block_id: str) -> str | None:
    value = _element_state(values, block_id).get("value")
    return value if isinstance(value, str) else None


def _picked_time(values: Mapping[str, Any], block_id: str) -> datetime | None:
    seconds = _element_state(values, block_id).get("selected_date_time")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
