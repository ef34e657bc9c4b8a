"""The `/funnel` grammar: what each typed word means, what is refused and why, and the window
of time each period covers on the team's local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.funnel_query import (
    ALL_TIME_START,
    DIMENSIONS,
    MAX_DAYS,
    FunnelQuery,
    PeriodSpec,
    QueryError,
    Window,
    help_text_key,
    parse_query,
    previous,
    resolve,
)
from bot.i18n import CATALOG, Translator

EN, ES = Translator("en"), Translator("es")
SANTIAGO = ZoneInfo("America/Santiago")  # UTC-3 in summer, UTC-4 in winter (April–September)
MADRID = ZoneInfo("Europe/Madrid")  # clocks go forward 2026-03-29 and back 2026-10-25
# Monday 16 November 2026, 12:00 in Santiago (UTC-3).
NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def santiago(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SANTIAGO).astimezone(UTC)


def period_of(text: str) -> PeriodSpec | None:
    return parse_query(text).period


def window(text: str, *, now: datetime = NOW, tz: ZoneInfo = SANTIAGO, sla: str = "month"):
    return resolve(period_of(text), now=now, tz=tz, sla_period=sla)


def span(w: Window | None) -> tuple[datetime, datetime] | None:
    return None if w is None else (w.start, w.end)


def error_of(text: str) -> QueryError:
    with pytest.raises(QueryError) as error:
        parse_query(text)
    return error.value


# -- Periods, as typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", PeriodSpec("days", days=7)),
        ("30d", PeriodSpec("days", days=30)),
        ("1d", PeriodSpec("days", days=1)),
        (f"{MAX_DAYS}d", PeriodSpec("days", days=MAX_DAYS)),
        ("007d", PeriodSpec("days", days=7)),
        ("7D", PeriodSpec("days", days=7)),
        ("7 days", PeriodSpec("days", days=7)),
        ("last 7 days", PeriodSpec("days", days=7)),
        ("14 días", PeriodSpec("days", days=14)),
        ("últimos 30 dias", PeriodSpec("days", days=30)),
        ("this-week", PeriodSpec("this_week")),
        ("esta-semana", PeriodSpec("this_week")),
        ("last-week", PeriodSpec("last_week")),
        ("semana-pasada", PeriodSpec("last_week")),
        ("última-semana", PeriodSpec("last_week")),
        ("this-month", PeriodSpec("this_month")),
        ("este-mes", PeriodSpec("this_month")),
        ("last-month", PeriodSpec("last_month")),
        ("mes-pasado", PeriodSpec("last_month")),
        ("último-mes", PeriodSpec("last_month")),
        ("this-quarter", PeriodSpec("this_quarter")),
        ("este-trimestre", PeriodSpec("this_quarter")),
        ("last-quarter", PeriodSpec("last_quarter")),
        ("trimestre-pasado", PeriodSpec("last_quarter")),
        ("2026-10", PeriodSpec("month", first=date(2026, 10, 1))),
        ("2026-1", PeriodSpec("month", first=date(2026, 1, 1))),
        (
            "2026-10-01..2026-10-15",
            PeriodSpec("range", first=date(2026, 10, 1), last=date(2026, 10, 15)),
        ),
        (
            "2026-10-01 .. 2026-10-15",
            PeriodSpec("range", first=date(2026, 10, 1), last=date(2026, 10, 15)),
        ),
        (
            "2026-10-01…2026-10-15",
            PeriodSpec("range", first=date(2026, 10, 1), last=date(2026, 10, 15)),
        ),
        (
            "2026-10-01..2026-10-01",
            PeriodSpec("range", first=date(2026, 10, 1), last=date(2026, 10, 1)),
        ),
        ("2026-10-05", PeriodSpec("range", first=date(2026, 10, 5), last=date(2026, 10, 5))),
        ("2028-02-29", PeriodSpec("range", first=date(2028, 2, 29), last=date(2028, 2, 29))),
        ("all", PeriodSpec("all")),
        ("todo", PeriodSpec("all")),
    ],
)
def test_every_period_form_and_alias(text, expected):
    assert parse_query(text) == FunnelQuery(period=expected)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("this week", "this_week"),
        ("Last Month", "last_month"),
        ("this_quarter", "this_quarter"),
        ("esta semana", "this_week"),
        ("mes pasado", "last_month"),
        ("este trimestre", "this_quarter"),
        ("trimestre pasado", "last_quarter"),
        ("ESTE-MES", "this_month"),
        ("ÚLTIMO MES", "last_month"),
    ],
)
def test_two_word_periods_read_as_one(text, kind):
    assert period_of(text) == PeriodSpec(kind)


def test_the_period_keeps_the_words_as_typed_for_messages():
    assert period_of("Mes Pasado").text == "Mes Pasado"
    assert period_of("2026-10-01 .. 2026-10-15").text == "2026-10-01..2026-10-15"


def test_no_words_is_the_default_query():
    assert parse_query("") == FunnelQuery()
    assert parse_query("   ") == FunnelQuery(period=None, by=None, chart=False, export=False)


# -- Breakdowns and flags ------------------------------------------------------------------


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_every_dimension_by_its_english_name(dimension):
    assert parse_query(f"by {dimension}") == FunnelQuery(by=dimension)


@pytest.mark.parametrize(
    ("text", "dimension"),
    [
        ("por zona", "zone"),
        ("por edad", "age"),
        ("por servicio", "service"),
        ("por vendedor", "seller"),
        ("por fuente", "source"),
        ("por campaña", "campaign"),
        ("por campana", "campaign"),
        ("por canal", "channel"),
        ("por dia", "weekday"),
        ("por día", "weekday"),
        ("por día de la semana", "weekday"),
        ("por hora", "hour"),
        ("by sellers", "seller"),
        ("POR ZONAS", "zone"),
        ("By Campaña", "campaign"),
    ],
)
def test_every_dimension_by_its_spanish_alias(text, dimension):
    assert parse_query(text).by == dimension


def test_the_dimensions_are_the_contract_ones():
    assert DIMENSIONS == (
        "zone", "age", "service", "seller", "source", "campaign", "channel", "weekday", "hour"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "chart", "export"),
    [
        ("chart", True, False),
        ("grafico", True, False),
        ("gráfico", True, False),
        ("GRÁFICO", True, False),
        ("export", False, True),
        ("exportar", False, True),
        ("chart export", True, True),
        ("exportar gráfico", True, True),
        ("chart chart", True, False),
    ],
)
def test_chart_and_export_flags(text, chart, export):
    assert parse_query(text) == FunnelQuery(chart=chart, export=export)


@pytest.mark.parametrize(
    "text",
    [
        "last-month by zone chart export",
        "export chart by zone last-month",
        "by zone export last-month chart",
        "chart last-month export by zone",
        "  LAST-MONTH   By   ZONE   Chart, Export ",
        "mes-pasado por zona gráfico exportar",
        "exportar por zona grafico mes pasado",
        "Mes-Pasado POR Zona Gráfico EXPORTAR",
    ],
)
def test_words_in_any_order_and_any_case(text):
    assert parse_query(text) == FunnelQuery(
        period=PeriodSpec("last_month"), by="zone", chart=True, export=True
    )


def test_the_same_period_or_dimension_twice_is_taken_once():
    assert parse_query("7d 7 days by zone por zona") == FunnelQuery(
        period=PeriodSpec("days", days=7), by="zone"
    )


@pytest.mark.parametrize(
    "text", ["help", "ayuda", "Ayuda", "HELP", "help by zone", "7d help", "help nonsense 0d"]
)
def test_help_wins_over_every_other_word(text):
    assert parse_query(text) == FunnelQuery(help=True)


# -- What is refused, and the message that says why ----------------------------------------

DIMENSION_LIST = "zone, age, service, seller, source, campaign, channel, weekday, hour"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("weekly", "I did not understand `weekly`. Type `/funnel help` for examples."),
        ("7d Foo chart", "I did not understand `Foo`. Type `/funnel help` for examples."),
        ("2026/10/01", "I did not understand `2026/10/01`. Type `/funnel help` for examples."),
        ("last", "I did not understand `last`. Type `/funnel help` for examples."),
        (
            "zone",
            "`zone` alone is not understood: write `by zone` to break the funnel down by it.",
        ),
        ("7d by", f"`by` needs a breakdown after it, one of: {DIMENSION_LIST}."),
        (
            "by color",
            f"The funnel cannot be broken down by `color`; choose one of: {DIMENSION_LIST}.",
        ),
        (
            "by chart",
            f"The funnel cannot be broken down by `chart`; choose one of: {DIMENSION_LIST}.",
        ),
        ("by zone by seller", "Two breakdowns: `by zone` and `by seller`. Choose one."),
        ("7d this-month", "Two periods: `7d` and `this-month`. Choose one."),
        ("last month all", "Two periods: `last month` and `all`. Choose one."),
        ("2026-02-30", "`2026-02-30` is not a real date."),
        ("2026-02-29..2026-03-05", "`2026-02-29` is not a real date."),
        ("2026-02-01..2026-02-30", "`2026-02-30` is not a real date."),
        ("2026-13", "`2026-13` is not a month: write it as YYYY-MM, e.g. 2026-10."),
        ("2026-00", "`2026-00` is not a month: write it as YYYY-MM, e.g. 2026-10."),
        ("1969-12", "`1969-12`: the year must be between 1970 and 2999."),
        ("0001-01-01..2026-01-01", "`0001-01-01`: the year must be between 1970 and 2999."),
        (
            "2026-10-15..2026-10-01",
            "`2026-10-15..2026-10-01`: the end date 2026-10-01 is before the start date "
            "2026-10-15.",
        ),
        ("0d", "`0d`: the number of days must be between 1 and 3660."),
        ("3661d", "`3661d`: the number of days must be between 1 and 3660."),
        ("99999d", "`99999d`: the number of days must be between 1 and 3660."),
        ("last 0 days", "`last 0 days`: the number of days must be between 1 and 3660."),
    ],
)  # fmt: skip
def test_each_bad_input_is_named_in_english(text, message):
    error = error_of(text)
    assert str(error) == message
    assert error.render(EN) == message


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            "semanal",
            "funnel.error.unknown_word",
            "No entendí `semanal`. Escribe `/funnel ayuda` para ver ejemplos.",
        ),
        (
            "zona",
            "funnel.error.bare_dimension",
            "La palabra `zona` sola no basta: escribe `por zona` para desglosar el embudo.",
        ),
        (
            "por",
            "funnel.error.by_missing",
            "Después de `por` falta el desglose, uno de: zona, edad, servicio, vendedor, "
            "fuente, campaña, canal, día, hora.",
        ),
        (
            "por color",
            "funnel.error.by_unknown",
            "El embudo no se puede desglosar por `color`; elige uno de: zona, edad, servicio, "
            "vendedor, fuente, campaña, canal, día, hora.",
        ),
        (
            "por zona por hora",
            "funnel.error.two_dimensions",
            "Dos desgloses: `por zona` y `por hora`. Elige uno.",
        ),
        (
            "este-mes todo",
            "funnel.error.two_periods",
            "Dos periodos: `este-mes` y `todo`. Elige uno.",
        ),
        ("2026-02-30", "funnel.error.date", "`2026-02-30` no es una fecha real."),
        (
            "2026-13",
            "funnel.error.month",
            "`2026-13` no es un mes: escríbelo como AAAA-MM, p. ej. 2026-10.",
        ),
        ("3000-01", "funnel.error.year", "`3000-01`: el año debe estar entre 1970 y 2999."),
        (
            "2026-10-15..2026-10-01",
            "funnel.error.range_order",
            "`2026-10-15..2026-10-01`: la fecha final 2026-10-01 es anterior a la inicial "
            "2026-10-15.",
        ),
        ("0d", "funnel.error.days", "`0d`: el número de días debe estar entre 1 y 3660."),
    ],
)
def test_each_bad_input_is_named_in_spanish(text, key, message):
    error = error_of(text)
    assert error.key == key
    assert error.render(ES) == message


def test_a_query_error_is_a_value_error_with_its_catalog_entry():
    error = error_of("by color")
    assert isinstance(error, ValueError)
    assert error.key == "funnel.error.by_unknown"
    assert error.params == {"word": "color", "dimensions": DIMENSION_LIST}
    assert EN(error.key, **error.params) == str(error)


def test_the_first_problem_is_the_one_named():
    assert str(error_of("foo bar")) == (
        "I did not understand `foo`. Type `/funnel help` for examples."
    )


# -- Windows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "english", "spanish"),
    [
        (
            "7d",
            santiago(2026, 11, 10),
            NOW,
            "last 7 days (2026-11-10 to 2026-11-16)",
            "últimos 7 días (del 2026-11-10 al 2026-11-16)",
        ),
        (
            "30d",
            santiago(2026, 10, 18),
            NOW,
            "last 30 days (2026-10-18 to 2026-11-16)",
            "últimos 30 días (del 2026-10-18 al 2026-11-16)",
        ),
        ("1d", santiago(2026, 11, 16), NOW, "today (2026-11-16)", "hoy (2026-11-16)"),
        (
            "this-week",
            santiago(2026, 11, 16),
            NOW,
            "this week, from 2026-11-16",
            "esta semana, desde el 2026-11-16",
        ),
        (
            "last-week",
            santiago(2026, 11, 9),
            santiago(2026, 11, 16),
            "week of 2026-11-09",
            "semana del 2026-11-09",
        ),
        (
            "this-month",
            santiago(2026, 11, 1),
            NOW,
            "November 2026 to date",
            "noviembre de 2026 hasta hoy",
        ),
        (
            "last-month",
            santiago(2026, 10, 1),
            santiago(2026, 11, 1),
            "October 2026",
            "octubre de 2026",
        ),
        ("this-quarter", santiago(2026, 10, 1), NOW, "Q4 2026 to date", "T4 2026 hasta hoy"),
        ("last-quarter", santiago(2026, 7, 1), santiago(2026, 10, 1), "Q3 2026", "T3 2026"),
        (
            "2026-10",
            santiago(2026, 10, 1),
            santiago(2026, 11, 1),
            "October 2026",
            "octubre de 2026",
        ),
        (
            "2026-10-01..2026-10-15",
            santiago(2026, 10, 1),
            santiago(2026, 10, 16),
            "2026-10-01 to 2026-10-15",
            "del 2026-10-01 al 2026-10-15",
        ),
        ("2026-10-05", santiago(2026, 10, 5), santiago(2026, 10, 6), "2026-10-05", "2026-10-05"),
        ("all", ALL_TIME_START, NOW, "all time", "todo el historial"),
        ("", santiago(2026, 11, 1), NOW, "November 2026 to date", "noviembre de 2026 hasta hoy"),
    ],
)
def test_resolve_each_form_on_the_local_calendar(text, start, end, english, spanish):
    w = window(text)
    assert (w.start, w.end) == (start, end)
    assert w.start.tzinfo is UTC and w.end.tzinfo is UTC
    assert w.label(EN) == english
    assert w.label(ES) == spanish


@pytest.mark.parametrize(
    ("sla", "start", "english"),
    [
        ("week", santiago(2026, 11, 16), "this week, from 2026-11-16"),
        ("month", santiago(2026, 11, 1), "November 2026 to date"),
        ("quarter", santiago(2026, 10, 1), "Q4 2026 to date"),
    ],
)
def test_the_default_is_the_current_sla_period_so_far(sla, start, english):
    w = resolve(None, now=NOW, tz=SANTIAGO, sla_period=sla)
    assert (w.start, w.end) == (start, NOW)
    assert w.label(EN) == english


def test_an_unknown_sla_period_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown period"):
        resolve(None, now=NOW, tz=SANTIAGO, sla_period="year")


def test_the_label_can_be_rendered_from_its_catalog_entry():
    w = window("7d")
    assert w.label_key == "funnel.period.last_days"
    assert w.label_params == {"days": 7, "start": "2026-11-10", "end": "2026-11-16"}
    month = window("2026-10")
    assert month.label_key == "funnel.period.month"
    assert month.label_params == {"month": 10, "year": 2026}


def test_days_are_local_days_around_midnight():
    # Sunday the 15th, 23:30 in Santiago, is already Monday in UTC; then Monday 00:30.
    before = datetime(2026, 11, 16, 2, 30, tzinfo=UTC)
    after = datetime(2026, 11, 16, 3, 30, tzinfo=UTC)
    assert span(window("1d", now=before)) == (santiago(2026, 11, 15), before)
    assert span(window("1d", now=after)) == (santiago(2026, 11, 16), after)
    assert span(window("7d", now=before)) == (santiago(2026, 11, 9), before)
    assert span(window("7d", now=after)) == (santiago(2026, 11, 10), after)
    # Sunday night is still last week's Sunday; Monday 00:30 begins a new week.
    assert span(window("this-week", now=before)) == (santiago(2026, 11, 9), before)
    assert span(window("last-week", now=before)) == (santiago(2026, 11, 2), santiago(2026, 11, 9))
    assert span(window("this-week", now=after)) == (santiago(2026, 11, 16), after)
    assert span(window("last-week", now=after)) == (santiago(2026, 11, 9), santiago(2026, 11, 16))


def test_the_first_instant_of_a_period_is_an_empty_window():
    monday = santiago(2026, 11, 16)
    w = window("this-week", now=monday)
    assert (w.start, w.end) == (monday, monday)
    assert span(previous(w)) == (santiago(2026, 11, 9), monday)


def test_a_range_across_the_spring_forward_change_counts_local_midnights():
    # Madrid: 2026-03-29 has 23 hours.
    now = datetime(2026, 4, 15, 10, tzinfo=UTC)
    w = window("2026-03-28..2026-03-30", now=now, tz=MADRID)
    assert (w.start, w.end) == (
        datetime(2026, 3, 27, 23, tzinfo=UTC),  # 00:00 CET
        datetime(2026, 3, 30, 22, tzinfo=UTC),  # 00:00 CEST
    )
    assert (w.end - w.start).total_seconds() == (3 * 24 - 1) * 3600


def test_a_week_across_the_fall_back_change_has_169_hours():
    now = datetime(2026, 10, 28, 12, tzinfo=UTC)  # Wednesday
    w = window("last-week", now=now, tz=MADRID)
    assert (w.start, w.end) == (
        datetime(2026, 10, 18, 22, tzinfo=UTC),  # Monday the 19th, 00:00 CEST
        datetime(2026, 10, 25, 23, tzinfo=UTC),  # Monday the 26th, 00:00 CET
    )
    assert (w.end - w.start).total_seconds() == 169 * 3600
    seven = window("7d", now=now, tz=MADRID)
    assert seven.start == datetime(2026, 10, 21, 22, tzinfo=UTC)  # the 22nd, 00:00 CEST


def test_a_day_whose_midnight_the_clocks_skip_starts_when_the_day_does():
    # Santiago springs forward at 00:00 on 2026-09-06: the day starts at 01:00 (-03).
    w = window("2026-09-06")
    assert (w.start, w.end) == (
        datetime(2026, 9, 6, 4, tzinfo=UTC),
        datetime(2026, 9, 7, 3, tzinfo=UTC),
    )
    september = window("2026-09")
    assert september.start == datetime(2026, 9, 1, 4, tzinfo=UTC)  # -04
    assert september.end == datetime(2026, 10, 1, 3, tzinfo=UTC)  # -03


def test_periods_in_the_future_are_clipped_to_now():
    assert span(window("2027-01")) == (NOW, NOW)
    assert span(window("2026-11-10..2026-12-31")) == (santiago(2026, 11, 10), NOW)
    assert window("2026-11-10..2026-12-31").label(EN) == "2026-11-10 to 2026-12-31"


def test_resolve_works_in_utc_too():
    w = window("2026-10", tz=ZoneInfo("UTC"))
    assert span(w) == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


# -- The window before ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "english"),
    [
        ("7d", santiago(2026, 11, 3), santiago(2026, 11, 10), "2026-11-03 to 2026-11-09"),
        ("30d", santiago(2026, 9, 18), santiago(2026, 10, 18), "2026-09-18 to 2026-10-17"),
        ("1d", santiago(2026, 11, 15), santiago(2026, 11, 16), "2026-11-15"),
        ("this-week", santiago(2026, 11, 9), santiago(2026, 11, 16), "week of 2026-11-09"),
        ("last-week", santiago(2026, 11, 2), santiago(2026, 11, 9), "week of 2026-11-02"),
        ("this-month", santiago(2026, 10, 1), santiago(2026, 11, 1), "October 2026"),
        ("last-month", santiago(2026, 9, 1), santiago(2026, 10, 1), "September 2026"),
        ("this-quarter", santiago(2026, 7, 1), santiago(2026, 10, 1), "Q3 2026"),
        ("last-quarter", santiago(2026, 4, 1), santiago(2026, 7, 1), "Q2 2026"),
        ("2026-10", santiago(2026, 9, 1), santiago(2026, 10, 1), "September 2026"),
        ("2026-01", santiago(2025, 12, 1), santiago(2026, 1, 1), "December 2025"),
        ("2026-03", santiago(2026, 2, 1), santiago(2026, 3, 1), "February 2026"),
        (
            "2026-10-01..2026-10-15",
            santiago(2026, 9, 16),
            santiago(2026, 10, 1),
            "2026-09-16 to 2026-09-30",
        ),
        ("2026-10-05", santiago(2026, 10, 4), santiago(2026, 10, 5), "2026-10-04"),
        ("", santiago(2026, 10, 1), santiago(2026, 11, 1), "October 2026"),
    ],
)
def test_previous_is_the_whole_span_just_before(text, start, end, english):
    before = previous(window(text))
    assert before is not None
    assert (before.start, before.end) == (start, end)
    assert before.label(EN) == english


def test_all_time_has_nothing_before_it():
    assert previous(window("all")) is None
    assert previous(window("todo")) is None


def test_previous_of_previous_keeps_stepping_back():
    before = previous(previous(window("last-quarter")))
    assert span(before) == (santiago(2026, 1, 1), santiago(2026, 4, 1))
    assert before.label(ES) == "T1 2026"


def test_previous_of_the_first_quarter_is_last_years_fourth():
    now = santiago(2027, 2, 10, 9)
    assert span(previous(window("this-quarter", now=now))) == (
        santiago(2026, 10, 1),
        santiago(2027, 1, 1),
    )


def test_previous_across_a_dst_change_uses_local_midnights():
    now = datetime(2026, 4, 2, 10, tzinfo=UTC)  # Thursday, after Madrid's spring forward
    before = previous(window("this-week", now=now, tz=MADRID))
    assert span(before) == (
        datetime(2026, 3, 22, 23, tzinfo=UTC),  # Monday the 23rd, 00:00 CET
        datetime(2026, 3, 29, 22, tzinfo=UTC),  # Monday the 30th, 00:00 CEST
    )
    days = previous(window("7d", now=now, tz=MADRID))  # 7d is Mar 27 – Apr 2
    assert span(days) == (
        datetime(2026, 3, 19, 23, tzinfo=UTC),  # Friday the 20th, 00:00 CET
        datetime(2026, 3, 26, 23, tzinfo=UTC),
    )


def test_previous_of_a_future_window_is_clipped_too():
    assert span(previous(window("2027-01"))) == (NOW, NOW)  # December 2026, not begun
    assert span(previous(window("2026-12"))) == (santiago(2026, 11, 1), NOW)


def test_previous_of_a_window_made_by_hand_is_its_local_days_before_it():
    made = Window(datetime(2026, 10, 10, tzinfo=UTC), datetime(2026, 10, 13, tzinfo=UTC), "x", {})
    before = previous(made)
    assert span(before) == (datetime(2026, 10, 7, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC))
    assert before.label(EN) == "2026-10-07 to 2026-10-09"


# -- Help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_help_explains_the_syntax_within_a_section(locale):
    text = CATALOG[locale][help_text_key]
    assert len(text) <= 3000
    assert f"up to {MAX_DAYS}" in text or f"hasta {MAX_DAYS}" in text
    assert "2026-10-01..2026-10-15" in text
    examples = [line for line in text.splitlines() if line.startswith("`/funnel ")]
    assert len(examples) >= 3
    for example in [line for line in examples if "[" not in line]:
        query = example.strip("`").removeprefix("/funnel ")
        assert parse_query(query).help is False  # every example is a valid query


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_the_help_names_every_breakdown_in_both_languages(dimension):
    assert f"`by {dimension}`" in EN(help_text_key)
    assert f"`por {ES(f'funnel.keyword.{dimension}')}`" in ES(help_text_key)
    assert parse_query(f"por {ES(f'funnel.keyword.{dimension}')}").by == dimension
