"""Business time: deadlines and elapsed working minutes on the team's clock, by hand, across
daylight-saving changes, and against a brute force that walks UTC minute by minute."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.business_time import Calendar

SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year: no daylight saving since 2019
NEW_YORK = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")
OFFICE = Calendar.default(SAO_PAULO)  # Monday to Friday, 09:00 to 18:00
SUNDAY = frozenset({6})


def local(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def sao_paulo(*parts: int) -> datetime:
    return local(SAO_PAULO, *parts)


# By hand (2026-05-15 is a Friday)


def test_friday_late_afternoon_plus_an_hour_is_monday_morning():
    deadline = OFFICE.add_business_minutes(sao_paulo(2026, 5, 15, 17, 30), 60)

    assert deadline == sao_paulo(2026, 5, 18, 9, 30)
    assert deadline.tzinfo is UTC
    assert OFFICE.business_minutes_between(sao_paulo(2026, 5, 15, 17, 30), deadline) == 60


def test_a_lead_arriving_on_saturday_is_counted_from_monday_opening():
    saturday = sao_paulo(2026, 5, 16, 11, 0)

    assert OFFICE.add_business_minutes(saturday, 30) == sao_paulo(2026, 5, 18, 9, 30)
    assert OFFICE.business_minutes_between(saturday, sao_paulo(2026, 5, 18, 9, 0)) == 0


def test_a_holiday_in_between_is_skipped():
    office = Calendar(
        OFFICE.work_days, time(9), time(18), frozenset({date(2026, 5, 18)}), SAO_PAULO
    )
    friday = sao_paulo(2026, 5, 15, 17, 30)

    assert office.add_business_minutes(friday, 60) == sao_paulo(2026, 5, 19, 9, 30)
    assert office.business_minutes_between(friday, sao_paulo(2026, 5, 19, 12, 0)) == 30 + 180
    assert not office.is_open(sao_paulo(2026, 5, 18, 10, 0))


def test_a_start_at_opening_counts_at_once_and_one_at_closing_waits_for_the_next_day():
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 9, 0), 60) == sao_paulo(
        2026, 5, 18, 10, 0
    )
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 18, 0), 60) == sao_paulo(
        2026, 5, 19, 10, 0
    )
    assert OFFICE.is_open(sao_paulo(2026, 5, 18, 9, 0))
    assert not OFFICE.is_open(sao_paulo(2026, 5, 18, 18, 0))
    assert OFFICE.is_open(sao_paulo(2026, 5, 18, 17, 59, 59))


def test_a_deadline_that_uses_up_the_day_falls_at_closing_not_at_the_next_opening():
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 17, 0), 60) == sao_paulo(
        2026, 5, 18, 18, 0
    )


def test_zero_minutes_is_the_first_working_instant_at_or_after_the_start():
    during = sao_paulo(2026, 5, 18, 10, 17, 3)

    assert OFFICE.add_business_minutes(during, 0) == during
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 18, 0), 0) == sao_paulo(
        2026, 5, 19, 9, 0
    )
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 16, 3, 0), 0) == sao_paulo(
        2026, 5, 18, 9, 0
    )


def test_nights_do_not_count():
    assert (
        OFFICE.business_minutes_between(sao_paulo(2026, 5, 18, 20), sao_paulo(2026, 5, 19, 8)) == 0
    )
    assert OFFICE.business_minutes_between(
        sao_paulo(2026, 5, 18, 17), sao_paulo(2026, 5, 19, 10)
    ) == (120)
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 23, 30), 15) == sao_paulo(
        2026, 5, 19, 9, 15
    )


def test_seconds_count_as_fractions_of_a_minute():
    assert OFFICE.business_minutes_between(
        sao_paulo(2026, 5, 18, 17, 59, 30), sao_paulo(2026, 5, 19, 9, 0, 45)
    ) == pytest.approx(1.25)
    assert OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 9, 0), 0.5) == sao_paulo(
        2026, 5, 18, 9, 0, 30
    )


def test_an_end_before_the_start_counts_nothing():
    assert (
        OFFICE.business_minutes_between(sao_paulo(2026, 5, 18, 12), sao_paulo(2026, 5, 18, 10)) == 0
    )


def test_ten_thousand_business_minutes_are_eighteen_days_and_a_bit():
    # 10,000 = 18 days of 540 minutes + 280: the 19th working day at 09:00 + 4h40.
    # From Monday 2026-06-01 that is Thursday 2026-06-25 (three weeks and four days later).
    deadline = OFFICE.add_business_minutes(sao_paulo(2026, 6, 1, 9, 0), 10_000)

    assert deadline == sao_paulo(2026, 6, 25, 13, 40)


def test_a_calendar_open_always_counts_real_minutes():
    always = Calendar.always(SAO_PAULO)
    start = sao_paulo(2026, 5, 16, 22, 10)

    assert always.add_business_minutes(start, 1440) == start + timedelta(days=1)
    assert always.business_minutes_between(start, start + timedelta(days=30)) == 30 * 1440
    assert always.is_open(sao_paulo(2026, 5, 17, 0, 0))


def test_closing_at_midnight_runs_to_the_end_of_the_day():
    night_shift = Calendar(frozenset(range(5)), time(22, 0), None, frozenset(), SAO_PAULO)

    assert night_shift.add_business_minutes(sao_paulo(2026, 5, 18, 23, 30), 60) == sao_paulo(
        2026, 5, 19, 22, 30
    )
    assert night_shift.is_open(sao_paulo(2026, 5, 18, 23, 59, 59))
    assert not night_shift.is_open(sao_paulo(2026, 5, 19, 0, 0))
    # Friday night ends at midnight; Saturday is not a work day.
    assert night_shift.business_minutes_between(
        sao_paulo(2026, 5, 15, 21), sao_paulo(2026, 5, 18, 23)
    ) == (120 + 60)


def test_times_in_any_zone_are_accepted():
    madrid_friday = local(MADRID, 2026, 5, 15, 22, 30)  # 17:30 in São Paulo

    assert OFFICE.add_business_minutes(madrid_friday, 60) == sao_paulo(2026, 5, 18, 9, 30)


@pytest.mark.parametrize("minutes", [-1, -0.001, float("nan"), float("-inf")])
def test_minutes_must_be_zero_or_more(minutes):
    with pytest.raises(ValueError, match="zero or more"):
        OFFICE.add_business_minutes(sao_paulo(2026, 5, 18, 10), minutes)


def test_naive_times_are_refused():
    naive = datetime(2026, 5, 18, 10)

    with pytest.raises(ValueError, match="no time zone"):
        OFFICE.add_business_minutes(naive, 10)
    with pytest.raises(ValueError, match="no time zone"):
        OFFICE.business_minutes_between(sao_paulo(2026, 5, 18, 9), naive)
    with pytest.raises(ValueError, match="no time zone"):
        OFFICE.is_open(naive)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"work_days": frozenset()}, "at least one work day"),
        ({"work_days": frozenset({7})}, "0 \\(Monday\\) to 6"),
        ({"opens": time(18), "closes": time(9)}, "before closing"),
        ({"opens": time(9), "closes": time(9)}, "before closing"),
        ({"opens": None}, "24:00"),
        ({"opens": time(9, tzinfo=UTC)}, "without a zone"),
        ({"holidays": frozenset({datetime(2026, 5, 1)})}, "local dates"),
    ],
)
def test_a_calendar_without_working_time_is_refused(fields, message):
    values = {
        "work_days": frozenset(range(5)),
        "opens": time(9),
        "closes": time(18),
        "holidays": frozenset(),
        "tz": SAO_PAULO,
    }
    with pytest.raises(ValueError, match=message):
        Calendar(**(values | fields))


def test_sets_are_kept_frozen_so_calendars_compare_and_hash():
    calendar = Calendar({0, 1, 2, 3, 4}, time(9), time(18), set(), SAO_PAULO)

    assert calendar == OFFICE
    assert hash(calendar) == hash(OFFICE)


def test_a_year_of_office_days_takes_milliseconds():
    calendar = Calendar.default(NEW_YORK)
    started = stopwatch.perf_counter()
    minutes = calendar.business_minutes_between(
        local(NEW_YORK, 2026, 1, 1), local(NEW_YORK, 2027, 1, 1)
    )
    deadline = calendar.add_business_minutes(local(NEW_YORK, 2026, 1, 1), minutes)
    elapsed = stopwatch.perf_counter() - started

    assert minutes == 261 * 540  # 2026 has 261 weekdays
    assert deadline == local(NEW_YORK, 2026, 12, 31, 18, 0)
    assert elapsed < 0.25  # a few milliseconds on a laptop; generous for a busy CI runner


# Daylight saving: New York moves its clocks at 02:00 local (2026-03-08 forward, 2026-11-01
# back), Madrid at 01:00 UTC (2026-03-29 forward, 2026-10-25 back), Lord Howe by 30 minutes.


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Madrid", date(2026, 3, 29), 23),
        ("Europe/Madrid", date(2026, 10, 25), 25),
        ("Australia/Lord_Howe", date(2026, 10, 4), 23.5),
        ("Australia/Lord_Howe", date(2026, 4, 5), 24.5),
    ],
)
def test_around_the_clock_business_minutes_are_real_minutes_on_change_days(zone, day, hours):
    tz = ZoneInfo(zone)
    always = Calendar.always(tz)
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)

    assert always.business_minutes_between(midnight, next_midnight) == hours * 60
    assert always.add_business_minutes(midnight, hours * 60) == next_midnight


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 2),  # 01:00-02:00 EST, then 03:00-04:00 EDT
        ("America/New_York", date(2026, 11, 1), 4),  # 01:00-02:00 twice, then 02:00-04:00
        ("Europe/Madrid", date(2026, 3, 29), 2),  # 01:00-02:00 CET, then 03:00-04:00 CEST
        ("Europe/Madrid", date(2026, 10, 25), 4),  # 02:00-03:00 twice
    ],
)
def test_a_night_shift_across_the_change_lasts_what_the_clock_shows(zone, day, hours):
    tz = ZoneInfo(zone)
    night = Calendar(SUNDAY, time(1), time(4), frozenset(), tz)
    saturday_noon = datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz)

    assert night.business_minutes_between(saturday_noon, saturday_noon + timedelta(days=2)) == (
        hours * 60
    )


def test_office_hours_keep_the_wall_clock_across_a_change():
    office = Calendar.default(NEW_YORK)
    friday = local(NEW_YORK, 2026, 3, 6, 17, 0)  # 22:00 UTC

    # Monday 10:00 is now EDT: 14:00 UTC, though Friday's 10:00 was 15:00 UTC.
    assert office.add_business_minutes(friday, 120) == utc(2026, 3, 9, 14, 0)
    assert office.business_minutes_between(friday, utc(2026, 3, 9, 14, 0)) == 120


def test_an_opening_the_clocks_skip_opens_at_the_jump():
    # 2026-03-08 in New York: 01:59:59 EST is followed by 03:00 EDT (07:00 UTC).
    skipped = Calendar(SUNDAY, time(2, 30), time(5), frozenset(), NEW_YORK)
    midnight = local(NEW_YORK, 2026, 3, 8)

    assert skipped.add_business_minutes(midnight, 0) == utc(2026, 3, 8, 7, 0)
    assert skipped.business_minutes_between(midnight, local(NEW_YORK, 2026, 3, 9)) == 120
    assert not skipped.is_open(utc(2026, 3, 8, 6, 59, 59))


def test_a_closing_the_clocks_skip_closes_at_the_jump():
    skipped = Calendar(SUNDAY, time(0), time(2, 30), frozenset(), NEW_YORK)
    midnight = local(NEW_YORK, 2026, 3, 8)

    assert skipped.business_minutes_between(midnight, local(NEW_YORK, 2026, 3, 9)) == 120
    assert skipped.add_business_minutes(midnight, 120) == utc(2026, 3, 8, 7, 0)


def test_an_opening_the_clocks_show_twice_opens_each_time():
    # 2026-11-01 in New York: 01:00-01:59 EDT (05:00-05:59 UTC), then 01:00-01:59 EST (06:00-
    # 06:59 UTC). Opening at 01:30 opens at 05:30 UTC, pauses at 06:00 while the clock shows
    # 01:00-01:29 again, and reopens at 06:30 UTC until 03:00 EST (08:00 UTC).
    repeated = Calendar(SUNDAY, time(1, 30), time(3), frozenset(), NEW_YORK)
    midnight = local(NEW_YORK, 2026, 11, 1)

    assert repeated.add_business_minutes(midnight, 0) == utc(2026, 11, 1, 5, 30)
    assert repeated.add_business_minutes(midnight, 30) == utc(2026, 11, 1, 6, 0)
    assert repeated.add_business_minutes(midnight, 31) == utc(2026, 11, 1, 6, 31)
    assert not repeated.is_open(utc(2026, 11, 1, 6, 15))
    assert repeated.business_minutes_between(midnight, local(NEW_YORK, 2026, 11, 2)) == 30 + 90


# Against the brute force

ZONES = [
    "America/New_York",
    "Europe/Madrid",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]
# The clock changes of 2026, in UTC, that the random starts are drawn around.
CLOCK_CHANGES = {
    "America/New_York": [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6)],
    "Europe/Madrid": [utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)],
    "Australia/Lord_Howe": [utc(2026, 4, 4, 15), utc(2026, 10, 3, 15, 30)],
    "Pacific/Chatham": [utc(2026, 4, 4, 14), utc(2026, 9, 26, 14)],
}
EPOCH = utc(2025, 1, 1)
MAX_SPAN = 10 * 1440
property_test = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("zone", "change"),
    [(zone, change) for zone, changes in CLOCK_CHANGES.items() for change in changes],
)
def test_the_listed_clock_changes_are_real(zone, change):
    tz = ZoneInfo(zone)
    before = (change - timedelta(minutes=1)).astimezone(tz).utcoffset()

    assert before != change.astimezone(tz).utcoffset()


def working_minutes(calendar: Calendar, start: datetime, count: int) -> list[bool]:
    """For each of `count` whole UTC minutes from `start`: does the team's clock show, during
    it, a working hour on a working, non-holiday date? (Every offset here is a whole number
    of minutes, so the answer holds for the whole minute.)"""
    flags = []
    for index in range(count):
        clock = (start + timedelta(minutes=index)).astimezone(calendar.tz)
        day, hour = clock.date(), clock.time()
        flags.append(
            day.weekday() in calendar.work_days
            and day not in calendar.holidays
            and calendar.opens <= hour
            and (calendar.closes is None or hour < calendar.closes)
        )
    return flags


def quarter_hour(quarter: int) -> time | None:
    return None if quarter == 96 else time(quarter // 4, quarter % 4 * 15)


@st.composite
def calendars_and_starts(draw) -> tuple[Calendar, datetime]:
    """A random calendar in a random zone and a whole-minute start: half the time (in zones
    that change their clocks) a few days before a change, which is then often a work day.
    Hours are often among the night hours the clocks move."""
    zone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone)
    work_days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    changes = CLOCK_CHANGES.get(zone, [])
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        start = change - timedelta(minutes=draw(st.integers(-720, 4 * 1440)))
        if draw(st.booleans()):
            work_days |= {change.astimezone(tz).weekday()}
    else:
        start = EPOCH + timedelta(minutes=draw(st.integers(0, 4 * 365 * 1440)))
    quarters = st.one_of(st.integers(0, 96), st.integers(0, 16))  # 00:00 to 04:00 is common
    opens, closes = sorted(draw(st.lists(quarters, min_size=2, max_size=2, unique=True)))
    first_day = start.astimezone(tz).date()
    holidays = draw(st.frozensets(st.integers(-1, 11), max_size=3))
    calendar = Calendar(
        work_days=work_days,
        opens=quarter_hour(opens),
        closes=quarter_hour(closes),
        holidays=frozenset(first_day + timedelta(days=offset) for offset in holidays),
        tz=tz,
    )
    return calendar, start


@property_test
@given(calendars_and_starts(), st.integers(0, MAX_SPAN), st.data())
def test_business_minutes_are_the_minutes_the_clock_shows_working_hours(case, span, data):
    calendar, start = case
    flags = working_minutes(calendar, start, span)

    assert calendar.business_minutes_between(start, start + timedelta(minutes=span)) == sum(flags)
    if span:
        minute = data.draw(st.integers(0, span - 1))
        second = data.draw(st.integers(0, 59))
        assert calendar.is_open(start + timedelta(minutes=minute, seconds=second)) == flags[minute]


@property_test
@given(calendars_and_starts(), st.integers(1, MAX_SPAN), st.data())
def test_a_deadline_is_the_first_instant_the_count_reaches_the_minutes(case, span, data):
    calendar, start = case
    flags = working_minutes(calendar, start, span)
    worked = [index for index, working in enumerate(flags) if working]

    if not worked:
        assert calendar.add_business_minutes(start, 0) >= start + timedelta(minutes=span)
        return
    minutes = data.draw(st.integers(1, len(worked)))
    assert calendar.add_business_minutes(start, minutes) == start + timedelta(
        minutes=worked[minutes - 1] + 1
    )
    assert calendar.add_business_minutes(start, 0) == start + timedelta(minutes=worked[0])


@property_test
@given(
    calendars_and_starts(),
    st.integers(0, 59_999_999),
    st.one_of(st.integers(0, 20_000), st.floats(0, 20_000, allow_nan=False)),
)
def test_counting_the_minutes_to_a_deadline_gives_the_minutes_back(case, microseconds, minutes):
    calendar, start = case
    start += timedelta(microseconds=microseconds)  # any instant, not only whole minutes
    deadline = calendar.add_business_minutes(start, minutes)

    if isinstance(minutes, int):
        assert calendar.business_minutes_between(start, deadline) == minutes
    else:  # a deadline is kept to the microsecond
        assert calendar.business_minutes_between(start, deadline) == pytest.approx(
            minutes, abs=1e-7
        )
    if minutes:  # and no earlier instant would do
        earlier = deadline - timedelta(microseconds=1)
        assert calendar.business_minutes_between(start, earlier) < minutes
