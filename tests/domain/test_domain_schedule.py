"""Schedules as the operator writes them, and when their runs fall on the team's clock: across
daylight-saving changes, through a year of 53 ISO weeks, and against a brute force that walks
local dates one by one and UTC minutes one by one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    Cadence,
    Day,
    ScheduleError,
    Weekly,
    parse_cadence,
    parse_duration,
    parse_optional_cadence,
    parse_weekly,
)

NEW_YORK = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def runs_between(schedule: Weekly | Cadence, tz: ZoneInfo, moment: datetime, count: int):
    """The `count` runs after `moment`, one `next_after` at a time."""
    runs = []
    for _ in range(count):
        moment = schedule.next_after(moment, tz)
        runs.append(moment)
    return runs


# --- Brute force: the oracle the properties are checked against -------------------------


def scheduled_dates(schedule: Weekly | Cadence, start: date, end: date) -> list[date]:
    """The local dates in [start, end] that have a run, found by walking dates one by one."""
    if isinstance(schedule, Weekly):
        days = (start + timedelta(days=n) for n in range((end - start).days + 1))
        return [d for d in days if WEEKDAYS[d.weekday()] == str(schedule.day)]
    found, day, since_last = [], schedule.first, 0
    while day <= end:
        if since_last == 0 and day >= start:
            found.append(day)
        day += timedelta(days=1)
        since_last = (since_last + 1) % (7 * schedule.every_weeks)
    return found


def clock_reads(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The first UTC minute at which the clocks in `tz` read `at` on `day`, or, if they skip
    it, the first minute they read past it: found by scanning minutes."""
    wall = datetime.combine(day, at)
    start = wall.replace(tzinfo=UTC) - timedelta(hours=27)
    before = None
    for minute in range(54 * 60):
        instant = start + timedelta(minutes=minute)
        reading = instant.astimezone(tz).replace(tzinfo=None)
        if reading == wall or (before is not None and before < wall < reading):
            return instant
        before = reading
    raise AssertionError(f"the clocks never read {wall} in {tz}")


# --- Parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("mon 09:00", Day.MONDAY),
        ("Monday 09:00", Day.MONDAY),
        ("MON 09:00", Day.MONDAY),
        ("tue 09:00", Day.TUESDAY),
        ("tuesday 09:00", Day.TUESDAY),
        ("wed 09:00", Day.WEDNESDAY),
        ("Wednesday 09:00", Day.WEDNESDAY),
        ("thu 09:00", Day.THURSDAY),
        ("thursday 09:00", Day.THURSDAY),
        ("fri 09:00", Day.FRIDAY),
        ("FRIDAY 09:00", Day.FRIDAY),
        ("sat 09:00", Day.SATURDAY),
        ("saturday 09:00", Day.SATURDAY),
        ("sun 09:00", Day.SUNDAY),
        ("sunday 09:00", Day.SUNDAY),
        ("lun 09:00", Day.MONDAY),
        ("Lunes 09:00", Day.MONDAY),
        ("mar 09:00", Day.TUESDAY),
        ("martes 09:00", Day.TUESDAY),
        ("mié 09:00", Day.WEDNESDAY),
        ("MIÉ 09:00", Day.WEDNESDAY),
        ("mie 09:00", Day.WEDNESDAY),
        ("miércoles 09:00", Day.WEDNESDAY),
        ("miercoles 09:00", Day.WEDNESDAY),
        ("jue 09:00", Day.THURSDAY),
        ("jueves 09:00", Day.THURSDAY),
        ("vie 09:00", Day.FRIDAY),
        ("viernes 09:00", Day.FRIDAY),
        ("sáb 09:00", Day.SATURDAY),
        ("sab 09:00", Day.SATURDAY),
        ("sábado 09:00", Day.SATURDAY),
        ("sabado 09:00", Day.SATURDAY),
        ("dom 09:00", Day.SUNDAY),
        ("Domingo 09:00", Day.SUNDAY),
    ],
)
def test_weekdays_are_read_in_english_and_spanish_in_any_case(text, day):
    assert parse_weekly(text) == Weekly(day, time(9, 0))


@pytest.mark.parametrize(
    ("text", "at"),
    [("mon 9:00", time(9, 0)), ("mon 00:00", time(0, 0)), ("mon 23:59", time(23, 59))],
)
def test_times_are_24_hour_with_or_without_a_leading_zero(text, at):
    assert parse_weekly(text).at == at


def test_a_weekly_schedule_prints_back_in_canonical_english():
    assert str(parse_weekly("  Miércoles   9:05 ")) == "wed 09:05"
    assert parse_weekly(str(parse_weekly("dom 18:30"))) == Weekly(Day.SUNDAY, time(18, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "every 2 weeks thu 10:00 from 2026-12-03",
            Cadence(2, Day.THURSDAY, time(10, 0), date(2026, 12, 3)),
        ),
        (
            "every week mon 9:00 from 2026-11-30",
            Cadence(1, Day.MONDAY, time(9), date(2026, 11, 30)),
        ),
        (
            "every 1 week mon 09:00 from 2026-11-30",
            Cadence(1, Day.MONDAY, time(9), date(2026, 11, 30)),
        ),
        (
            "Every 52 Weeks Thursday 10:00 From 2026-12-03",
            Cadence(52, Day.THURSDAY, time(10), date(2026, 12, 3)),
        ),
        (
            "cada 2 semanas jue 10:00 desde 2026-12-03",
            Cadence(2, Day.THURSDAY, time(10), date(2026, 12, 3)),
        ),
        (
            "cada semana miércoles 8:30 desde 2026-12-02",
            Cadence(1, Day.WEDNESDAY, time(8, 30), date(2026, 12, 2)),
        ),
    ],
)
def test_cadences_are_read_in_english_and_spanish(text, expected):
    assert parse_cadence(text) == expected


def test_a_cadence_prints_back_in_canonical_english():
    assert str(parse_cadence("cada 2 semanas jue 10:00 desde 2026-12-03")) == (
        "every 2 weeks thu 10:00 from 2026-12-03"
    )
    assert str(parse_cadence("every 1 weeks mon 9:00 from 2026-11-30")) == (
        "every week mon 09:00 from 2026-11-30"
    )
    cadence = parse_cadence("every 3 weeks fri 16:45 from 2027-01-08")
    assert parse_cadence(str(cadence)) == cadence


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_unset_review_schedule_means_no_meetings(text):
    assert parse_optional_cadence(text) is None


def test_a_set_review_schedule_is_a_cadence():
    assert parse_optional_cadence("every week thu 10:00 from 2026-12-03") == Cadence(
        1, Day.THURSDAY, time(10), date(2026, 12, 3)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d 2h 3m", timedelta(days=1, hours=2, minutes=3)),
        ("14d", timedelta(days=14)),
        (" 24H ", timedelta(hours=24)),
    ],
)
def test_reminder_leads_are_days_hours_and_minutes(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("parse", "text", "key", "named"),
    [
        (parse_weekly, "mon 25:00", "schedule.time", "'25:00' is not a time of day"),
        (parse_weekly, "mon 9:60", "schedule.time", "'9:60' is not a time of day"),
        (parse_weekly, "mon 9am", "schedule.time", "'9am' is not a time of day"),
        (parse_weekly, "funday 09:00", "schedule.weekday", "'funday' is not a day of the week"),
        (parse_weekly, "monday", "schedule.weekly", "'monday' is not a day and a time"),
        (parse_weekly, "mon at 09:00", "schedule.weekly", "'mon at 09:00' is not a day"),
        (parse_weekly, "", "schedule.empty", "The schedule is empty"),
        (
            parse_cadence,
            "every 0 weeks thu 10:00 from 2026-12-03",
            "schedule.weeks",
            "'0' is not a number of weeks",
        ),
        (
            parse_cadence,
            "every 53 weeks thu 10:00 from 2026-12-03",
            "schedule.weeks",
            "'53' is not a number of weeks",
        ),
        (
            parse_cadence,
            "every two weeks thu 10:00 from 2026-12-03",
            "schedule.weeks",
            "'two' is not a number of weeks",
        ),
        (
            parse_cadence,
            "every 2 weeks wed 10:00 from 2026-12-03",
            "schedule.first_day",
            "2026-12-03 is a Thursday, not a Wednesday",
        ),
        (
            parse_cadence,
            "every 2 weeks thu 10:00 from 2026-02-30",
            "schedule.date",
            "'2026-02-30' is not a date",
        ),
        (
            parse_cadence,
            "every 2 weeks thu 10:00 from 03/12/2026",
            "schedule.date",
            "'03/12/2026' is not a date",
        ),
        (
            parse_cadence,
            "every 2 weeks thu 10:00",
            "schedule.first_missing",
            "does not say when the first meeting is",
        ),
        (
            parse_cadence,
            "every 2 weeks funday 10:00 from 2026-12-03",
            "schedule.weekday",
            "'funday' is not a day of the week",
        ),
        (parse_cadence, "every 2 weeks thu 24:00 from 2026-12-03", "schedule.time", "'24:00'"),
        (parse_cadence, "thu 10:00", "schedule.cadence", "'thu 10:00' is not a meeting cadence"),
        (parse_cadence, "every fortnight", "schedule.cadence", "is not a meeting cadence"),
        (parse_cadence, "", "schedule.empty", "The schedule is empty"),
        (parse_duration, "24x", "schedule.duration", "'24x' is not a length of time"),
        (parse_duration, "h", "schedule.duration", "'h' is not a length of time"),
        (parse_duration, "-1h", "schedule.duration", "'-1h' is not a length of time"),
        (parse_duration, "30m1h", "schedule.duration", "'30m1h' is not a length of time"),
        (parse_duration, "0h", "schedule.duration_zero", "'0h' is no time at all"),
        (parse_duration, "0d0h0m", "schedule.duration_zero", "'0d0h0m' is no time at all"),
        (parse_duration, "14d1m", "schedule.duration_long", "'14d1m' is too long: at most 14"),
        (parse_duration, "99999999999999999999d", "schedule.duration_long", "is too long"),
        (parse_duration, "", "schedule.empty", "The schedule is empty"),
    ],
)
def test_bad_settings_are_refused_naming_the_problem(parse, text, key, named):
    with pytest.raises(ScheduleError) as refused:
        parse(text)
    assert isinstance(refused.value, ValueError)
    assert refused.value.key == key
    assert named in str(refused.value)


@pytest.mark.parametrize(
    ("parse", "text", "example"),
    [
        (parse_weekly, "funday 09:00", "'mon 09:00'"),
        (parse_weekly, "mon 25:00", "'mon 09:00'"),
        (parse_cadence, "every 0 weeks thu 10:00 from 2026-12-03", "'every 2 weeks thu 10:00"),
        (parse_duration, "24x", "24h, 90m, 2d or 1h30m"),
    ],
)
def test_a_refusal_shows_an_example_to_copy(parse, text, example):
    with pytest.raises(ScheduleError, match=example):
        parse(text)


def test_a_first_date_on_the_wrong_day_suggests_the_day_it_falls_on():
    with pytest.raises(ScheduleError) as refused:
        parse_cadence("every 2 weeks wed 10:00 from 2026-12-03")
    assert "'every 2 weeks thu 10:00 from 2026-12-03'" in str(refused.value)
    assert refused.value.render("es").startswith("2026-12-03 es jueves, no miércoles")


def test_refusals_are_rendered_in_the_teams_language():
    with pytest.raises(ScheduleError) as refused:
        parse_weekly("funday 09:00")
    assert refused.value.params == {"value": "funday", "example": "mon 09:00"}
    assert refused.value.render("es") == (
        "'funday' no es un día de la semana (lun a dom, o mon a sun en inglés); "
        "escríbelo como 'mon 09:00'."
    )
    assert refused.value.render("en") == str(refused.value)


def test_a_cadence_built_in_code_keeps_the_same_rules():
    with pytest.raises(ScheduleError, match="is a Thursday, not a Monday"):
        Cadence(2, Day.MONDAY, time(10), date(2026, 12, 3))
    with pytest.raises(ScheduleError, match="'0' is not a number of weeks"):
        Cadence(0, Day.THURSDAY, time(10), date(2026, 12, 3))


# --- Runs across daylight-saving changes -------------------------------------------------


def test_a_weekly_run_keeps_its_wall_time_when_new_york_springs_forward():
    digest = parse_weekly("mon 09:00")
    assert runs_between(digest, NEW_YORK, utc(2026, 2, 27), 3) == [
        utc(2026, 3, 2, 14, 0),  # 09:00 EST
        utc(2026, 3, 9, 13, 0),  # 09:00 EDT: the clocks moved on Sunday 8 March
        utc(2026, 3, 16, 13, 0),
    ]


def test_a_weekly_run_keeps_its_wall_time_when_new_york_falls_back():
    digest = parse_weekly("mon 09:00")
    assert runs_between(digest, NEW_YORK, utc(2026, 10, 25), 2) == [
        utc(2026, 10, 26, 13, 0),  # 09:00 EDT
        utc(2026, 11, 2, 14, 0),  # 09:00 EST
    ]


def test_a_time_the_clocks_skip_runs_at_the_first_instant_after_the_gap():
    # New York, Sunday 8 March 2026: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    sunday = parse_weekly("sun 02:30")
    first, second = runs_between(sunday, NEW_YORK, utc(2026, 3, 7, 12), 2)
    assert first == utc(2026, 3, 8, 7, 0)
    assert first.astimezone(NEW_YORK).time() == time(3, 0)
    assert sunday.period_key(first, NEW_YORK) == "2026-03-08T02:30"
    assert second == utc(2026, 3, 15, 6, 30)  # 02:30 EDT, back on the clock
    assert sunday.latest_at_or_before(utc(2026, 3, 8, 7, 0), NEW_YORK) == first
    assert sunday.latest_at_or_before(utc(2026, 3, 8, 6, 59), NEW_YORK) == utc(2026, 3, 1, 7, 30)


def test_a_time_the_clocks_repeat_runs_once_at_the_first_reading():
    # New York, Sunday 1 November 2026: 01:30 is read at 05:30 UTC (EDT), then at 06:30 (EST).
    sunday = parse_weekly("sun 01:30")
    assert runs_between(sunday, NEW_YORK, utc(2026, 10, 31), 2) == [
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 8, 6, 30),  # not the second reading an hour later
    ]
    assert sunday.latest_at_or_before(utc(2026, 11, 1, 6, 45), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert sunday.period_key(utc(2026, 11, 1, 5, 30), NEW_YORK) == "2026-11-01T01:30"
    with pytest.raises(ValueError, match="not a run"):
        sunday.period_key(utc(2026, 11, 1, 6, 30), NEW_YORK)


def test_madrid_keeps_wall_times_through_its_spring_gap_and_autumn_fold():
    # Madrid, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    # Madrid, 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 is read twice.
    digest = parse_weekly("mon 09:00")
    assert runs_between(digest, MADRID, utc(2026, 3, 20), 2) == [
        utc(2026, 3, 23, 8, 0),
        utc(2026, 3, 30, 7, 0),
    ]
    assert runs_between(digest, MADRID, utc(2026, 10, 20), 2) == [
        utc(2026, 10, 26, 8, 0),
        utc(2026, 11, 2, 8, 0),
    ]
    assert runs_between(digest, MADRID, utc(2026, 10, 13), 1) == [utc(2026, 10, 19, 7, 0)]
    early = parse_weekly("dom 02:30")
    assert runs_between(early, MADRID, utc(2026, 3, 22), 3) == [
        utc(2026, 3, 22, 1, 30),  # 02:30 CET
        utc(2026, 3, 29, 1, 0),  # skipped: 03:00 CEST, the end of the gap
        utc(2026, 4, 5, 0, 30),  # 02:30 CEST
    ]
    assert runs_between(early, MADRID, utc(2026, 10, 18, 12), 2) == [
        utc(2026, 10, 25, 0, 30),  # the first 02:30 (CEST), not 01:30 UTC
        utc(2026, 11, 1, 1, 30),
    ]


def test_a_cadence_keeps_its_wall_time_across_both_new_york_changes():
    review = parse_cadence("every 2 weeks thu 10:00 from 2026-02-26")
    assert runs_between(review, NEW_YORK, utc(2026, 1, 1), 2) == [
        utc(2026, 2, 26, 15, 0),  # 10:00 EST
        utc(2026, 3, 12, 14, 0),  # 10:00 EDT
    ]
    night = parse_cadence("every 2 weeks sun 01:30 from 2026-10-18")
    assert runs_between(night, NEW_YORK, utc(2026, 10, 1), 3) == [
        utc(2026, 10, 18, 5, 30),
        utc(2026, 11, 1, 5, 30),  # the fold: first reading
        utc(2026, 11, 15, 6, 30),
    ]
    gap = parse_cadence("every 2 weeks sun 02:30 from 2026-02-22")
    assert runs_between(gap, NEW_YORK, utc(2026, 2, 1), 3) == [
        utc(2026, 2, 22, 7, 30),
        utc(2026, 3, 8, 7, 0),  # the gap: 03:00 EDT
        utc(2026, 3, 22, 6, 30),
    ]
    assert gap.period_key(utc(2026, 3, 8, 7, 0), NEW_YORK) == "2026-03-08T02:30"


def test_a_cadence_keeps_its_wall_time_across_both_madrid_changes():
    review = parse_cadence("cada semana dom 02:30 desde 2026-03-22")
    assert runs_between(review, MADRID, utc(2026, 3, 1), 3) == [
        utc(2026, 3, 22, 1, 30),
        utc(2026, 3, 29, 1, 0),
        utc(2026, 4, 5, 0, 30),
    ]
    assert review.next_after(utc(2026, 10, 24), MADRID) == utc(2026, 10, 25, 0, 30)
    assert review.next_after(utc(2026, 10, 25, 0, 30), MADRID) == utc(2026, 11, 1, 1, 30)


def test_a_skipped_day_runs_at_the_start_of_the_next_one_and_keeps_its_key():
    # Samoa skipped Friday 30 December 2011: Thursday 23:59 was followed by Saturday 00:00.
    apia = ZoneInfo("Pacific/Apia")
    friday = parse_weekly("fri 09:00")
    run = friday.next_after(utc(2011, 12, 28), apia)
    assert run.astimezone(apia) == datetime(2011, 12, 31, 0, 0, tzinfo=apia)
    assert friday.period_key(run, apia) == "2011-12-30T09:00"
    assert friday.latest_at_or_before(run, apia) == run


# --- Cadences counted on local dates -----------------------------------------------------


def test_a_two_week_cadence_runs_on_through_a_year_of_53_iso_weeks():
    review = parse_cadence("every 2 weeks thu 10:00 from 2026-12-17")
    runs = runs_between(review, MADRID, utc(2026, 12, 1), 4)
    assert [run.astimezone(MADRID).date() for run in runs] == [
        date(2026, 12, 17),
        date(2026, 12, 31),  # ISO week 53 of 2026…
        date(2027, 1, 14),  # …then week 2 of 2027: week parity is no guide
        date(2027, 1, 28),
    ]
    assert all(run.astimezone(MADRID).time() == time(10, 0) for run in runs)
    assert [review.period_key(run, MADRID) for run in runs[:2]] == [
        "2026-12-17T10:00",
        "2026-12-31T10:00",
    ]


def test_a_cadence_anchored_long_ago_stays_fourteen_local_days_apart_across_new_year():
    review = parse_cadence("every 2 weeks thu 10:00 from 2025-01-02")
    runs = runs_between(review, NEW_YORK, utc(2026, 11, 20), 8)
    dates = [run.astimezone(NEW_YORK).date() for run in runs]
    assert dates == scheduled_dates(review, date(2026, 11, 21), dates[-1])
    assert {(later - earlier).days for earlier, later in pairwise(dates)} == {14}
    # 700 days after the first meeting, then through ISO week 53 into 2027.
    assert dates[:4] == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2027, 1, 14),
    ]
    assert all(run.astimezone(NEW_YORK).time() == time(10, 0) for run in runs)


def test_nothing_runs_before_the_first_meeting():
    review = parse_cadence("every 2 weeks thu 10:00 from 2026-12-03")
    first = utc(2026, 12, 3, 15, 0)
    assert review.next_after(utc(2020, 1, 1), NEW_YORK) == first
    assert review.latest_at_or_before(first - timedelta(seconds=1), NEW_YORK) is None
    assert review.latest_at_or_before(first, NEW_YORK) == first
    assert review.latest_at_or_before(utc(2026, 12, 17, 14, 59), NEW_YORK) == first
    assert review.period_key(first, NEW_YORK) == "2026-12-03T10:00"
    with pytest.raises(ValueError, match="not a run"):
        review.period_key(first - timedelta(weeks=2), NEW_YORK)


def test_runs_are_reported_in_utc():
    run = parse_weekly("mon 09:00").next_after(datetime(2026, 3, 2, tzinfo=MADRID), NEW_YORK)
    assert run.tzinfo is UTC


@pytest.mark.parametrize(
    "schedule", [parse_weekly("mon 09:00"), parse_cadence("every week thu 10:00 from 2026-12-03")]
)
def test_a_moment_without_a_time_zone_is_refused(schedule):
    naive = datetime(2026, 12, 3, 10, 0)
    for ask in (schedule.next_after, schedule.latest_at_or_before, schedule.period_key):
        with pytest.raises(ValueError, match="no time zone"):
            ask(naive, NEW_YORK)


# --- Properties, against the brute force -------------------------------------------------

ZONES = [
    NEW_YORK,
    MADRID,
    ZoneInfo("UTC"),
    ZoneInfo("Asia/Kolkata"),  # +05:30, no changes
    ZoneInfo("Australia/Lord_Howe"),  # moves by half an hour
    ZoneInfo("America/Santiago"),  # changes at midnight
    ZoneInfo("Pacific/Chatham"),  # +12:45 / +13:45
]


def clock_changes(tz: ZoneInfo) -> list[datetime]:
    """The instants from 2025 to 2028 the clocks in `tz` change, to the minute: a day at a
    time, then halving the day."""

    def offset(instant: datetime) -> timedelta | None:
        return instant.astimezone(tz).utcoffset()

    found = []
    for n in range(4 * 366):
        day = utc(2025, 1, 1) + timedelta(days=n)
        if offset(day) == offset(day + timedelta(days=1)):
            continue
        low, high = 0, 24 * 60
        while high - low > 1:
            middle = (low + high) // 2
            if offset(day + timedelta(minutes=middle)) == offset(day):
                low = middle
            else:
                high = middle
        found.append(day + timedelta(minutes=high))
    return found


CHANGES = {tz: changes for tz in ZONES if (changes := clock_changes(tz))}

wall_times = st.one_of(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    # The hours the clocks change in, more often than chance would pick them.
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 15, 30, 45])),
)


def on_the_weekday_of(day: date) -> Day:
    return Day(WEEKDAYS[day.weekday()])


@st.composite
def cadences(draw) -> Cadence:
    first = draw(st.dates(date(2024, 1, 1), date(2028, 12, 31)))
    every = draw(st.one_of(st.integers(1, 4), st.integers(1, 52)))
    return Cadence(every, on_the_weekday_of(first), draw(wall_times), first)


@st.composite
def anywhere(draw) -> tuple[Weekly | Cadence, ZoneInfo, datetime]:
    """Any schedule, zone and moment from 2024 to 2029."""
    schedule = draw(
        st.one_of(st.builds(Weekly, st.sampled_from(list(Day)), wall_times), cadences())
    )
    moment = draw(
        st.datetimes(datetime(2024, 1, 1), datetime(2029, 12, 31), timezones=st.just(UTC))
    )
    return schedule, draw(st.sampled_from(ZONES)), moment


@st.composite
def around_a_change(draw) -> tuple[Weekly | Cadence, ZoneInfo, datetime]:
    """A run due on the day the clocks change, within two hours of the change on the clock
    (in the gap or the fold, often), asked about from up to nine days before."""
    tz = draw(st.sampled_from(list(CHANGES)))
    change = draw(st.sampled_from(CHANGES[tz]))
    shift = timedelta(minutes=15 * draw(st.integers(-8, 8)))
    wall = change.astimezone(tz).replace(tzinfo=None) + shift
    if draw(st.booleans()):
        schedule = Weekly(on_the_weekday_of(wall.date()), wall.time())
    else:
        every = draw(st.integers(1, 4))
        first = wall.date() - timedelta(weeks=every * draw(st.integers(0, 3)))
        schedule = Cadence(every, on_the_weekday_of(first), wall.time(), first)
    moment = change - timedelta(minutes=draw(st.integers(-24 * 60, 9 * 24 * 60)))
    return schedule, tz, moment


cases = st.one_of(anywhere(), around_a_change())


def brute_runs(schedule: Weekly | Cadence, tz: ZoneInfo, moment: datetime) -> dict[datetime, date]:
    """Every run, by brute force, on local dates from one period before `moment` to one
    period after it (or after the first meeting): run instant → scheduled date."""
    step = 7 if isinstance(schedule, Weekly) else 7 * schedule.every_weeks
    local = moment.astimezone(tz).date()
    first = schedule.first if isinstance(schedule, Cadence) else local
    start, end = local - timedelta(days=step + 2), max(local, first) + timedelta(days=step + 2)
    return {clock_reads(d, schedule.at, tz): d for d in scheduled_dates(schedule, start, end)}


@settings(max_examples=150, deadline=None)
@given(case=cases)
def test_the_next_run_is_the_first_run_after_the_moment(case):
    schedule, tz, moment = case
    runs = brute_runs(schedule, tz, moment)
    run = schedule.next_after(moment, tz)

    assert run > moment
    assert run == min(r for r in runs if r > moment)  # none lies between
    scheduled = runs[run]
    local = run.astimezone(tz)
    on_the_clock = local.time() == schedule.at and local.date() == scheduled
    after_a_gap = (run - timedelta(seconds=1)).astimezone(tz).utcoffset() != local.utcoffset()
    assert on_the_clock or after_a_gap
    assert WEEKDAYS[scheduled.weekday()] == str(schedule.day)
    assert schedule.period_key(run, tz) == f"{scheduled.isoformat()}T{schedule.at:%H:%M}"


@settings(max_examples=150, deadline=None)
@given(case=cases)
def test_the_latest_run_is_the_last_run_at_or_before_the_moment(case):
    schedule, tz, moment = case
    runs = brute_runs(schedule, tz, moment)
    latest = schedule.latest_at_or_before(moment, tz)

    assert latest == max((r for r in runs if r <= moment), default=None)
    if latest is not None:
        assert schedule.next_after(latest, tz) == schedule.next_after(moment, tz)
        assert schedule.latest_at_or_before(latest, tz) == latest


@given(
    days=st.integers(0, 14),
    hours=st.integers(0, 23),
    minutes=st.integers(0, 59),
    spaced=st.booleans(),
)
def test_any_written_duration_within_two_weeks_reads_back_exactly(days, hours, minutes, spaced):
    total = timedelta(days=days, hours=hours, minutes=minutes)
    text = (" " if spaced else "").join(
        f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n
    )
    if total == timedelta(0):
        with pytest.raises(ScheduleError, match=r"is no time at all|is empty"):
            parse_duration(text or "0m")
    elif total > timedelta(days=14):
        with pytest.raises(ScheduleError, match="too long"):
            parse_duration(text)
    else:
        assert parse_duration(text) == total
