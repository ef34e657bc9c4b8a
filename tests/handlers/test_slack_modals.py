"""The card's modals as pure builders and readers: every view passes the Block Kit checker in
both languages whatever the lead holds, and every submission comes back either as clean
values or as one translated sentence on exactly the faulty block."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slackkit.blockkit import check_view

from bot.domain.numbers import parse_amount
from bot.domain.vocabulary import EXIT_REASONS, Exit
from bot.i18n import Translator
from handlers.slack import ids
from handlers.slack.modals import (
    ATTEMPT_CHANNELS,
    ATTEMPT_OUTCOMES,
    AttemptInput,
    ExitInput,
    MeetingInput,
    ModalErrors,
    WonInput,
    attempt_modal,
    exit_modal,
    meeting_modal,
    plain_amount,
    read_attempt,
    read_exit,
    read_meeting,
    read_won,
    won_modal,
)
from storage.models import Lead

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
EN, ES = Translator("en"), Translator("es")
LOCALES = [pytest.param(EN, id="en"), pytest.param(ES, id="es")]
METADATA = json.dumps({"lead_id": 42, "channel": "C0SALES", "ts": "1764000000.000100"})
HOSTILE = ("<!channel> <@U0BOSS> <https://evil.example|click> *&* " * 40)[:200]


def lead(**fields) -> Lead:
    values = {"id": 42, "name": "Lucía García", "company": "Grupo Andino", "stage": "accepted"}
    return Lead(**(values | fields))


def hostile_lead() -> Lead:
    return lead(name=HOSTILE, company=HOSTILE * 20, estimated_value=6667)


def every_modal(subject: Lead, _: Translator, metadata: str = METADATA) -> list[dict]:
    return [
        attempt_modal(subject, _, metadata=metadata),
        meeting_modal(subject, _, metadata=metadata, initial=NOW + timedelta(days=2)),
        meeting_modal(subject, _, metadata=metadata, initial=None),
        won_modal(subject, _, metadata=metadata),
        *(exit_modal(exit_, subject, _, metadata=metadata) for exit_ in Exit),
    ]


def block(view: dict, block_id: str) -> dict:
    [found] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return found


def option_values(element: dict) -> list[str]:
    return [o["value"] for o in element["options"]]


def option_labels(element: dict) -> list[str]:
    return [o["text"]["text"] for o in element["options"]]


# What Slack sends back in `view.state.values`, element by element.


def chosen(value: str | None, kind: str = "static_select") -> dict:
    option = {"text": {"type": "plain_text", "text": "…"}, "value": value} if value else None
    return {"type": kind, "selected_option": option}


def typed(text: str | None) -> dict:
    return {"type": "plain_text_input", "value": text}


def picked(moment: datetime | None) -> dict:
    seconds = int(moment.timestamp()) if moment else None
    return {"type": "datetimepicker", "selected_date_time": seconds}


def state(**elements: dict) -> dict:
    """`view.state.values` with one element per block, under the modals' one action id."""
    return {block_id: {ids.MODAL_VALUE: element} for block_id, element in elements.items()}


def errors_of(read, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ModalErrors) as raised:
        read(*args, **kwargs)
    return raised.value.errors


# Builders


@pytest.mark.parametrize("_", LOCALES)
@pytest.mark.parametrize(
    "subject", [lead(), lead(company=None), hostile_lead()], ids=["lead", "no-company", "hostile"]
)
def test_every_modal_is_one_slack_accepts(subject, _):
    for view in every_modal(subject, _):
        assert check_view(view) == [], view["callback_id"]
        assert view["type"] == "modal"
        assert all(len(view[part]["text"]) <= 24 for part in ("title", "submit", "close"))


@pytest.mark.parametrize("_", LOCALES)
def test_hostile_lead_data_shows_as_text_and_pings_nobody(_):
    for view in every_modal(hostile_lead(), _):
        heading = block(view, ids.MODAL_LEAD)
        assert heading["type"] == "context"
        assert heading == view["blocks"][0]
        text = heading["elements"][0]["text"]
        assert "&lt;!channel&gt;" in text
        rendered = json.dumps(view, ensure_ascii=False)
        for markup in ("<!channel>", "<@U0BOSS>", "<https://"):
            assert markup not in rendered


def test_an_over_long_name_is_cut_with_an_ellipsis():
    view = attempt_modal(lead(name="A" * 5000, company=None), EN, metadata="")
    text = block(view, ids.MODAL_LEAD)["elements"][0]["text"]
    assert "…" in text
    assert len(text) < 300
    assert check_view(view) == []


def test_the_heading_names_the_lead_and_its_company():
    view = attempt_modal(lead(name="Ana <b>", company="Acme & Co"), EN, metadata="")
    assert block(view, ids.MODAL_LEAD)["elements"][0]["text"] == (
        "Lead: *Ana &lt;b&gt;* · Acme &amp; Co"
    )


@pytest.mark.parametrize(
    "metadata",
    ["", METADATA, '{"lead": 7, "note": "ñ — <!here> \\n"}', "x" * 3000],
    ids=["empty", "json", "odd", "at-limit"],
)
def test_private_metadata_comes_back_exactly_as_given(metadata):
    for view in every_modal(lead(), EN, metadata=metadata):
        assert view["private_metadata"] == metadata
        assert check_view(view) == []


def test_metadata_slack_would_refuse_is_a_callers_bug_not_silently_cut():
    with pytest.raises(ValueError, match="private_metadata"):
        won_modal(lead(), EN, metadata="x" * 3001)


def test_each_modal_has_its_callback_id_and_stable_block_ids():
    expected = {
        ids.VIEW_ATTEMPT: [ids.BLOCK_ATTEMPT_HOW, ids.BLOCK_ATTEMPT_OUTCOME, ids.BLOCK_NOTE],
        ids.VIEW_MEETING: [ids.BLOCK_MEETING_WHEN, ids.BLOCK_NOTE],
        ids.VIEW_WON: [ids.BLOCK_WON_VALUE, ids.BLOCK_RATING, ids.BLOCK_NOTE],
        ids.VIEW_EXIT: [ids.BLOCK_EXIT_REASON, ids.BLOCK_NOTE, ids.BLOCK_RATING],
    }
    for view in every_modal(lead(), EN):
        inputs = [b for b in view["blocks"] if b["type"] == "input"]
        assert [b["block_id"] for b in inputs] == expected[view["callback_id"]]
        assert {b["element"]["action_id"] for b in inputs} == {ids.MODAL_VALUE}
        optional = {b["block_id"] for b in inputs if b["optional"]}
        assert optional <= {ids.BLOCK_NOTE, ids.BLOCK_RATING}
        assert ids.BLOCK_NOTE in optional


def test_the_note_is_an_optional_multiline_text_of_at_most_3000_characters():
    note = block(attempt_modal(lead(), EN, metadata=""), ids.BLOCK_NOTE)
    assert note["optional"] is True
    assert note["element"]["type"] == "plain_text_input"
    assert note["element"]["multiline"] is True
    assert note["element"]["max_length"] == 3000


@pytest.mark.parametrize("_", LOCALES)
def test_the_attempt_modal_asks_how_and_with_what_outcome(_):
    view = attempt_modal(lead(), _, metadata="")
    how = block(view, ids.BLOCK_ATTEMPT_HOW)["element"]
    outcome = block(view, ids.BLOCK_ATTEMPT_OUTCOME)["element"]
    assert how["type"] == "static_select"
    assert option_values(how) == list(ATTEMPT_CHANNELS)
    assert outcome["type"] == "radio_buttons"
    assert option_values(outcome) == list(ATTEMPT_OUTCOMES)
    assert view["title"]["text"] == _("modal.attempt.title")


def test_the_attempt_modal_speaks_spanish():
    view = attempt_modal(lead(), ES, metadata="")
    assert view["title"]["text"] == "Registrar intento"
    assert option_labels(block(view, ids.BLOCK_ATTEMPT_HOW)["element"])[0] == "Llamada"
    assert view["submit"]["text"] == "Guardar"


def test_the_meeting_picker_starts_at_the_suggested_time_in_unix_seconds():
    when = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    view = meeting_modal(lead(), EN, metadata="", initial=when)
    picker = block(view, ids.BLOCK_MEETING_WHEN)["element"]
    assert picker["type"] == "datetimepicker"
    assert picker["initial_date_time"] == int(when.timestamp())
    assert isinstance(picker["initial_date_time"], int)
    naive = meeting_modal(lead(), EN, metadata="", initial=when.replace(tzinfo=None))
    assert block(naive, ids.BLOCK_MEETING_WHEN)["element"]["initial_date_time"] == int(
        when.timestamp()
    )


def test_the_meeting_picker_starts_empty_without_a_suggestion():
    view = meeting_modal(lead(), EN, metadata="", initial=None)
    assert "initial_date_time" not in block(view, ids.BLOCK_MEETING_WHEN)["element"]


@pytest.mark.parametrize(
    ("estimate", "shown"),
    [(6667, "6667"), (6667.5, "6667.5"), (0, "0"), (1234567.891, "1234567.89"), (None, None)],
)
def test_the_won_modal_offers_the_estimate_as_the_value(estimate, shown):
    view = won_modal(lead(estimated_value=estimate), EN, metadata="")
    value = block(view, ids.BLOCK_WON_VALUE)["element"]
    assert value["type"] == "plain_text_input"
    assert value.get("initial_value") == shown
    if shown is not None:
        assert parse_amount(shown) == pytest.approx(estimate, abs=0.005)


def test_a_negative_estimate_is_not_offered():
    assert plain_amount(-5) is None
    assert plain_amount(float("nan")) is None


@pytest.mark.parametrize(
    ("_", "best", "worst"),
    [(EN, "5 — excellent lead", "1 — poor lead"), (ES, "5 — lead excelente", "1 — lead malo")],
    ids=["en", "es"],
)
def test_the_rating_runs_from_1_to_5_with_words(_, best, worst):
    for view in (won_modal(lead(), _, metadata=""), exit_modal(Exit.LOST, lead(), _, metadata="")):
        rating = block(view, ids.BLOCK_RATING)
        assert rating["optional"] is True
        assert option_values(rating["element"]) == ["1", "2", "3", "4", "5"]
        labels = option_labels(rating["element"])
        assert (labels[0], labels[-1]) == (worst, best)


@pytest.mark.parametrize("_", LOCALES)
@pytest.mark.parametrize("exit_", list(Exit))
def test_the_exit_modal_offers_exactly_its_exits_reasons_in_order(exit_, _):
    view = exit_modal(exit_, lead(), _, metadata=METADATA)
    reason = block(view, ids.BLOCK_EXIT_REASON)
    assert reason["optional"] is False
    assert reason["element"]["type"] == "static_select"
    assert option_values(reason["element"]) == list(EXIT_REASONS[exit_])
    assert option_labels(reason["element"]) == [_.reason(code) for code in EXIT_REASONS[exit_]]
    assert view["callback_id"] == ids.VIEW_EXIT


@pytest.mark.parametrize(
    ("exit_", "english", "spanish"),
    [
        (Exit.REJECTED, "Not a fit", "No encaja"),
        (Exit.LOST, "Lost", "Perdido"),
        (Exit.NURTURE, "Back to nurture", "De vuelta a nutrición"),
    ],
)
def test_the_exit_modal_is_titled_by_its_exit(exit_, english, spanish):
    assert exit_modal(exit_, lead(), EN, metadata="")["title"]["text"] == english
    assert exit_modal(exit_, lead(), ES, metadata="")["title"]["text"] == spanish


# Readers: valid submissions


def test_an_attempt_is_read_into_clean_values():
    values = state(
        attempt_how=chosen("whatsapp"),
        attempt_outcome=chosen("connected", "radio_buttons"),
        note=typed("  Talked for ten minutes.\n\nCall back Friday.  "),
    )
    assert read_attempt(values, EN) == AttemptInput(
        channel="whatsapp",
        outcome="connected",
        note="Talked for ten minutes.\n\nCall back Friday.",
    )


def test_a_meeting_is_read_as_an_aware_utc_time():
    when = NOW + timedelta(days=1, hours=3)
    result = read_meeting(
        state(meeting_when=picked(when), note=typed(None)),
        EN,
        now=NOW,
    )
    assert result == MeetingInput(when=when, note=None)
    assert result.when.tzinfo is UTC


def test_a_meeting_moments_ago_still_counts_within_the_grace():
    values = state(meeting_when=picked(NOW - timedelta(minutes=4)))
    assert read_meeting(values, EN, now=NOW).when == NOW - timedelta(minutes=4)


def test_a_won_deal_is_read_with_its_value_rating_and_note():
    values = state(won_value=typed(" 6,667.50 "), rating=chosen("4"), note=typed("Signed!"))
    assert read_won(values, EN) == WonInput(value=6667.5, rating=4, note="Signed!")


def test_a_won_deal_without_rating_or_note():
    values = state(won_value=typed("0"), rating=chosen(None), note=typed(""))
    assert read_won(values, EN) == WonInput(value=0.0, rating=None, note=None)


def test_optional_blocks_may_be_missing_altogether():
    assert read_won(state(won_value=typed("12k")), EN) == WonInput(12000.0, None, None)


@pytest.mark.parametrize("exit_", list(Exit))
def test_every_reason_of_an_exit_is_read(exit_):
    for code in EXIT_REASONS[exit_]:
        values = state(exit_reason=chosen(code), rating=chosen("2"), note=typed(" why "))
        assert read_exit(exit_, values, ES) == ExitInput(reason=code, note="why", rating=2)


def test_a_submission_of_the_built_modal_reads_back():
    """Builder and reader agree on the ids: answer each input with its first option."""
    view = exit_modal(Exit.NURTURE, lead(), EN, metadata="")
    values = {}
    for b in view["blocks"]:
        if b["type"] == "input" and "options" in b["element"]:
            first = b["element"]["options"][0]
            values[b["block_id"]] = {
                b["element"]["action_id"]: {"type": b["element"]["type"], "selected_option": first}
            }
    assert read_exit(Exit.NURTURE, values, EN) == ExitInput("not_ready", None, 1)


# Notes


def test_a_note_is_trimmed_and_loses_its_control_characters():
    values = state(exit_reason=chosen("price"), note=typed("\x00 Price\x07 was\ttoo high \x1b "))
    assert read_exit(Exit.LOST, values, EN).note == "Price was too high"


def test_a_long_note_is_cut_to_3000_characters():
    values = state(exit_reason=chosen("price"), note=typed("word " * 1000))
    note = read_exit(Exit.LOST, values, EN).note
    assert note is not None
    assert len(note) == 3000
    assert note.endswith("…")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t\x00", None])
def test_an_empty_note_is_none(blank):
    values = state(exit_reason=chosen("price"), note=typed(blank))
    assert read_exit(Exit.LOST, values, EN).note is None


# Readers: what is refused, on which block, in which language


@pytest.mark.parametrize(
    ("_", "how", "outcome"),
    [
        (EN, "Choose how you reached out.", "Choose how the attempt went."),
        (ES, "Elige cómo lo contactaste.", "Elige cómo resultó el intento."),
    ],
    ids=["en", "es"],
)
def test_an_attempt_without_how_or_outcome_names_both_blocks(_, how, outcome):
    assert errors_of(read_attempt, {}, _) == {
        ids.BLOCK_ATTEMPT_HOW: how,
        ids.BLOCK_ATTEMPT_OUTCOME: outcome,
    }
    only_how = state(attempt_how=chosen("call"), attempt_outcome=chosen(None, "radio_buttons"))
    assert errors_of(read_attempt, only_how, _) == {ids.BLOCK_ATTEMPT_OUTCOME: outcome}


def test_an_attempt_channel_or_outcome_outside_the_lists_is_refused():
    values = state(attempt_how=chosen("fax"), attempt_outcome=chosen("maybe", "radio_buttons"))
    assert set(errors_of(read_attempt, values, EN)) == {
        ids.BLOCK_ATTEMPT_HOW,
        ids.BLOCK_ATTEMPT_OUTCOME,
    }


@pytest.mark.parametrize(
    ("_", "message"),
    [(EN, "Choose the meeting's date and time."), (ES, "Elige la fecha y la hora de la reunión.")],
    ids=["en", "es"],
)
def test_a_meeting_without_a_time_is_refused(_, message):
    for values in ({}, state(meeting_when=picked(None))):
        assert errors_of(read_meeting, values, _, now=NOW) == {ids.BLOCK_MEETING_WHEN: message}


def test_a_meeting_time_that_is_not_a_number_is_refused_as_missing():
    values = state(meeting_when={"type": "datetimepicker", "selected_date_time": "tomorrow"})
    assert set(errors_of(read_meeting, values, EN, now=NOW)) == {ids.BLOCK_MEETING_WHEN}


@pytest.mark.parametrize(
    ("_", "message"),
    [(EN, "The meeting must be in the future."), (ES, "La reunión debe ser en el futuro.")],
    ids=["en", "es"],
)
def test_a_meeting_in_the_past_is_refused(_, message):
    for when in (NOW - timedelta(minutes=6), NOW - timedelta(days=3)):
        values = state(meeting_when=picked(when))
        assert errors_of(read_meeting, values, _, now=NOW) == {ids.BLOCK_MEETING_WHEN: message}


@pytest.mark.parametrize(
    ("typed_value", "english", "spanish"),
    [
        ("abc", "Deal value must be a number, e.g. 6667.", "debe ser un número"),
        ("12a", "Deal value must be a number, e.g. 6667.", "debe ser un número"),
        ("$6667", "Deal value must be a number, e.g. 6667.", "debe ser un número"),
        ("1,5.000", "Deal value must be a number, e.g. 6667.", "debe ser un número"),
        ("-6667", "Deal value cannot be negative.", "no puede ser negativo"),
        ("-1.5k", "Deal value cannot be negative.", "no puede ser negativo"),
        ("", "Enter the deal value, e.g. 6667.", "Indica el valor"),
        ("   ", "Enter the deal value, e.g. 6667.", "Indica el valor"),
    ],
)
def test_a_deal_value_that_is_not_a_plain_amount_is_refused(typed_value, english, spanish):
    values = state(won_value=typed(typed_value))
    assert errors_of(read_won, values, EN) == {ids.BLOCK_WON_VALUE: english}
    assert spanish in errors_of(read_won, values, ES)[ids.BLOCK_WON_VALUE]


def test_a_missing_value_block_is_refused_on_that_block():
    assert errors_of(read_won, {}, EN) == {ids.BLOCK_WON_VALUE: "Enter the deal value, e.g. 6667."}


@pytest.mark.parametrize("rating", ["0", "6", "five", "4.5", "-1"])
def test_a_rating_outside_1_to_5_is_refused_on_the_rating_block(rating):
    won = state(won_value=typed("6667"), rating=chosen(rating))
    assert errors_of(read_won, won, EN) == {
        ids.BLOCK_RATING: "Lead quality must be a whole number from 1 to 5."
    }
    lost = state(exit_reason=chosen("price"), rating=chosen(rating))
    assert errors_of(read_exit, Exit.LOST, lost, ES) == {
        ids.BLOCK_RATING: "La calidad del lead debe ser un número entero del 1 al 5."
    }


def test_every_problem_in_a_submission_is_reported_at_once():
    values = state(won_value=typed("lots"), rating=chosen("9"))
    assert set(errors_of(read_won, values, EN)) == {ids.BLOCK_WON_VALUE, ids.BLOCK_RATING}


@pytest.mark.parametrize(
    ("exit_", "foreign"),
    [
        (Exit.REJECTED, "price"),
        (Exit.LOST, "spam_test"),
        (Exit.NURTURE, "competitor"),
        (Exit.LOST, "not_a_code"),
    ],
)
def test_a_reason_from_another_exits_list_is_refused(exit_, foreign):
    values = state(exit_reason=chosen(foreign))
    assert errors_of(read_exit, exit_, values, EN) == {
        ids.BLOCK_EXIT_REASON: f"Choose one of the reasons listed for “{EN.exit(exit_)}”."
    }
    assert errors_of(read_exit, exit_, values, ES) == {
        ids.BLOCK_EXIT_REASON: f"Elige uno de los motivos de «{ES.exit(exit_)}»."
    }


@pytest.mark.parametrize(("_", "message"), [(EN, "Choose a reason."), (ES, "Elige un motivo.")])
def test_an_exit_without_a_reason_is_refused(_, message):
    for values in ({}, state(exit_reason=chosen(None)), {"exit_reason": {}}):
        assert errors_of(read_exit, Exit.REJECTED, values, _) == {ids.BLOCK_EXIT_REASON: message}


def test_the_errors_are_the_answer_slack_expects():
    with pytest.raises(ModalErrors) as raised:
        read_exit(Exit.LOST, {}, EN)
    assert raised.value.response() == {
        "response_action": "errors",
        "errors": {ids.BLOCK_EXIT_REASON: "Choose a reason."},
    }


# Amounts


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("6667", 6667),
        ("6,667", 6667),
        ("6.667", 6667),
        ("6667.5", 6667.5),
        ("6667,5", 6667.5),
        ("12k", 12_000),
        ("12K", 12_000),
        ("1.5m", 1_500_000),
        ("2,5 m", 2_500_000),
        (" 7 000 ", 7000),
        ("7\u00a0000", 7000),
        ("1.234.567", 1_234_567),
        ("1,234,567.89", 1_234_567.89),
        ("6.667,50", 6667.5),
        ("0.1k", 100),
        ("0", 0),
        ("-0", 0),
    ],
)
def test_amounts_are_read_by_the_thousands_rule(text, amount):
    assert parse_amount(text) == amount
    assert read_won(state(won_value=typed(text)), EN).value == amount


@pytest.mark.parametrize(
    "text",
    ["abc", "12a", "", "k", ".5", "5.", "7  000", "7 5", "1,234,5", "1.5.5", "1e6", "١٢", "--5"],
)
def test_anything_else_is_not_an_amount(text):
    assert parse_amount(text) is None


def test_a_negative_amount_is_read_so_the_caller_can_say_so():
    assert parse_amount("-6,667") == -6667
