"""When the scheduled jobs run: the weekly digest, the SLA-review meetings and their reminder.

Three settings are read here, none of them by a scheduler library:

- `DIGEST_SCHEDULE`, a day and a wall-clock time: `mon 09:00` (`Weekly`);
- `SLA_REVIEW_SCHEDULE`, a cadence anchored on the first meeting:
  `every 2 weeks thu 10:00 from 2026-12-03` (`Cadence`), or nothing for no meetings;
- `SLA_REVIEW_REMINDER_BEFORE`, how long before a meeting its reminder goes out: `24h`.

Days may be written in English or Spanish (`mon`, `monday`, `lun`, `miércoles`…). Times are
wall-clock times in the team's time zone, kept across daylight-saving changes: `mon 09:00`
is 09:00 on the office clock both before and after, so the UTC instant moves. A time the
clocks skip (spring forward) runs at the first instant after the gap; a time they repeat
(fall back) runs at the first of the two. Cadences count weeks on local calendar dates from
their first meeting, never ISO week numbers, which break at years of 53 weeks.

`period_key` names the period an occurrence belongs to; with the job's name it is the unique
key of a run in the run table, so a second firing is a no-op and a missed one is found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.i18n import t

WEEKLY_EXAMPLE = "mon 09:00"
CADENCE_EXAMPLE = "every 2 weeks thu 10:00 from 2026-12-03"
MAX_EVERY_WEEKS = 52
MAX_REMINDER_DAYS = 14


class Day(StrEnum):
    """A day of the week; the value is its canonical English abbreviation."""

    MONDAY = "mon"
    TUESDAY = "tue"
    WEDNESDAY = "wed"
    THURSDAY = "thu"
    FRIDAY = "fri"
    SATURDAY = "sat"
    SUNDAY = "sun"

    @property
    def number(self) -> int:
        """0 for Monday to 6 for Sunday, as `date.weekday()` counts."""
        return list(Day).index(self)

    @classmethod
    def of(cls, day: date) -> Day:
        return list(cls)[day.weekday()]


# Spelled without accents: words are compared after their accents are dropped.
_DAY_WORDS = {
    Day.MONDAY: "mon monday lun lunes",
    Day.TUESDAY: "tue tuesday mar martes",
    Day.WEDNESDAY: "wed wednesday mie miercoles",
    Day.THURSDAY: "thu thursday jue jueves",
    Day.FRIDAY: "fri friday vie viernes",
    Day.SATURDAY: "sat saturday sab sabado",
    Day.SUNDAY: "sun sunday dom domingo",
}
DAY_NAMES = {word: day for day, words in _DAY_WORDS.items() for word in words.split()}

_WEEKLY = re.compile(r"^(?P<day>\S+)\s+(?P<at>\S+)$")
_CADENCE = re.compile(
    r"^(?:every|cada)(?:\s+(?P<weeks>\S+))?\s+(?:weeks?|semanas?)\s+(?P<day>\S+)\s+(?P<at>\S+)"
    r"(?:\s+(?:from|desde)\s+(?P<first>\S+))?$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_WEEKS = re.compile(r"^[0-9]{1,2}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DURATION = re.compile(r"^(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?$")


class ScheduleError(ValueError):
    """A schedule setting could not be read: one sentence naming what, with an example.

    `str(error)` is the English sentence; `error.render(locale)` gives the team's language.
    `key` and `params` are the catalog entry; a `Day` among the params is rendered as the
    day's name in that language.
    """

    def __init__(self, key: str, **params: object):
        self.key = key
        self.params = params
        super().__init__(self.render("en"))

    def render(self, locale: str) -> str:
        params = {
            name: t(locale, f"schedule.day.{value}") if isinstance(value, Day) else value
            for name, value in self.params.items()
        }
        return t(locale, self.key, **params)


@dataclass(frozen=True)
class Weekly:
    """Once a week, on `day` at `at` on the team's clock: the digest's schedule."""

    day: Day
    at: time

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first run strictly after `moment`, in UTC."""
        return self._series.next_after(moment, tz)

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The last run at or before `moment`, in UTC: the one a catch-up looks for."""
        latest = self._series.latest_at_or_before(moment, tz)
        assert latest is not None  # a weekly schedule has no first run
        return latest

    def period_key(self, occurrence: datetime, tz: ZoneInfo) -> str:
        """The local date and time `occurrence` was scheduled for, like `2026-12-07T09:00`."""
        return self._series.period_key(occurrence, tz)

    def __str__(self) -> str:
        return f"{self.day} {self.at:%H:%M}"

    @property
    def _series(self) -> _Series:
        # 2001-01-01 was a Monday; a weekly schedule reaches back before it just the same.
        origin = date(2001, 1, 1) + timedelta(days=self.day.number)
        return _Series(origin=origin, step_days=7, at=self.at, has_first=False)


@dataclass(frozen=True)
class Cadence:
    """Every `every_weeks` weeks on `day` at `at`, from the meeting on `first`: SLA reviews.

    Nothing happens before `first`; after it, meetings fall on the local dates `first`,
    `first + every_weeks weeks`, and so on.
    """

    every_weeks: int
    day: Day
    at: time
    first: date

    def __post_init__(self) -> None:
        if not 1 <= self.every_weeks <= MAX_EVERY_WEEKS:
            raise ScheduleError("schedule.weeks", value=self.every_weeks, example=CADENCE_EXAMPLE)
        if Day.of(self.first) != self.day:
            example = str(Cadence(self.every_weeks, Day.of(self.first), self.at, self.first))
            raise ScheduleError(
                "schedule.first_day",
                date=self.first.isoformat(),
                actual=Day.of(self.first),
                day=self.day,
                example=example,
            )

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first meeting strictly after `moment`, in UTC (the first one, if still ahead)."""
        return self._series.next_after(moment, tz)

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """The last meeting at or before `moment`, in UTC; None before the first meeting."""
        return self._series.latest_at_or_before(moment, tz)

    def period_key(self, occurrence: datetime, tz: ZoneInfo) -> str:
        """The local date and time `occurrence` was scheduled for, like `2026-12-03T10:00`."""
        return self._series.period_key(occurrence, tz)

    def __str__(self) -> str:
        every = "every week" if self.every_weeks == 1 else f"every {self.every_weeks} weeks"
        return f"{every} {self.day} {self.at:%H:%M} from {self.first.isoformat()}"

    @property
    def _series(self) -> _Series:
        return _Series(
            origin=self.first, step_days=7 * self.every_weeks, at=self.at, has_first=True
        )


Schedule = Weekly | Cadence


def parse_weekly(text: str) -> Weekly:
    """`DIGEST_SCHEDULE`: a day and a 24-hour time, like `mon 09:00` or `Lunes 9:00`."""
    if not text.strip():
        raise ScheduleError("schedule.empty", example=WEEKLY_EXAMPLE)
    match = _WEEKLY.match(text.strip())
    if match is None:
        raise ScheduleError("schedule.weekly", text=text.strip(), example=WEEKLY_EXAMPLE)
    return Weekly(
        _day(match["day"], example=WEEKLY_EXAMPLE), _time(match["at"], example=WEEKLY_EXAMPLE)
    )


def parse_cadence(text: str) -> Cadence:
    """`SLA_REVIEW_SCHEDULE`: `every 2 weeks thu 10:00 from 2026-12-03`, `every week …`, or
    in Spanish `cada 2 semanas jue 10:00 desde 2026-12-03`. The date is the first meeting and
    must fall on the day named."""
    if not text.strip():
        raise ScheduleError("schedule.empty", example=CADENCE_EXAMPLE)
    match = _CADENCE.match(text.strip())
    if match is None:
        raise ScheduleError("schedule.cadence", text=text.strip(), example=CADENCE_EXAMPLE)
    every_weeks = 1 if match["weeks"] is None else _weeks(match["weeks"])
    day = _day(match["day"], example=CADENCE_EXAMPLE)
    at = _time(match["at"], example=CADENCE_EXAMPLE)
    if match["first"] is None:
        raise ScheduleError("schedule.first_missing", text=text.strip(), example=CADENCE_EXAMPLE)
    return Cadence(every_weeks, day, at, _date(match["first"]))


def parse_optional_cadence(text: str) -> Cadence | None:
    """`parse_cadence`, or None when nothing is set: no SLA-review meetings."""
    return parse_cadence(text) if text.strip() else None


def parse_duration(text: str) -> timedelta:
    """`SLA_REVIEW_REMINDER_BEFORE`: days, hours and minutes, like `24h`, `90m`, `2d` or
    `1h30m`. More than zero, at most 14 days."""
    value = text.strip()
    if not value:
        raise ScheduleError("schedule.empty", example="24h")
    match = _DURATION.match(re.sub(r"\s+", "", value.lower()))
    if match is None:
        raise ScheduleError("schedule.duration", value=value)
    days, hours, minutes = (int(part or 0) for part in match.groups())
    total = (days * 24 + hours) * 60 + minutes  # an int first: 10**20d must not overflow
    if total == 0:
        raise ScheduleError("schedule.duration_zero", value=value)
    if total > MAX_REMINDER_DAYS * 24 * 60:
        raise ScheduleError("schedule.duration_long", value=value, days=MAX_REMINDER_DAYS)
    return timedelta(minutes=total)


def _day(word: str, *, example: str) -> Day:
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().casefold()
    day = DAY_NAMES.get(plain)
    if day is None:
        raise ScheduleError("schedule.weekday", value=word, example=example)
    return day


def _time(word: str, *, example: str) -> time:
    match = _TIME.match(word)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleError("schedule.time", value=word, example=example)
    return time(int(match[1]), int(match[2]))


def _weeks(word: str) -> int:
    if not _WEEKS.match(word) or not 1 <= int(word) <= MAX_EVERY_WEEKS:
        raise ScheduleError("schedule.weeks", value=word, example=CADENCE_EXAMPLE)
    return int(word)


def _date(word: str) -> date:
    try:
        if _DATE.match(word):
            return date.fromisoformat(word)
    except ValueError:
        pass
    raise ScheduleError("schedule.date", value=word, example=CADENCE_EXAMPLE)


@dataclass(frozen=True)
class _Series:
    """Runs at `at` on every `step_days`-th local date counted from `origin` (both ways,
    unless the series `has_first`)."""

    origin: date
    step_days: int
    at: time
    has_first: bool

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        # One step back: a run lands on its date or, past a skipped day, later; never earlier.
        index = self._index_on_or_before(_local_date(moment, tz)) - 1
        if self.has_first:
            index = max(index, 0)
        while (run := self._run(index, tz)) <= moment:
            index += 1
        return run

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        index = self._index_on_or_before(_local_date(moment, tz)) + 1  # one step of margin
        while index >= 0 or not self.has_first:
            if (run := self._run(index, tz)) <= moment:
                return run
            index -= 1
        return None

    def period_key(self, occurrence: datetime, tz: ZoneInfo) -> str:
        # A run moved past a gap can land on the next local date (a skipped day), hence -1.
        near = self._index_on_or_before(_local_date(occurrence, tz))
        for index in (near, near - 1):
            if (index >= 0 or not self.has_first) and self._run(index, tz) == occurrence:
                return f"{self._date(index).isoformat()}T{self.at:%H:%M}"
        raise ValueError(f"{occurrence.isoformat()} is not a run of this schedule")

    def _date(self, index: int) -> date:
        return self.origin + timedelta(days=index * self.step_days)

    def _index_on_or_before(self, day: date) -> int:
        return (day - self.origin).days // self.step_days

    def _run(self, index: int, tz: ZoneInfo) -> datetime:
        return _wall_clock_instant(self._date(index), self.at, tz)


def _wall_clock_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant the clocks in `tz` show `at` on `day`: the first of two when they fall
    back, the first instant after the gap when they spring forward past it."""
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: the earlier of two readings
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # In a gap, fold=0 reads the time with the offset before the change (landing after it)
    # and fold=1 with the offset after (landing before it): the change lies between.
    before, after = local.replace(fold=1).astimezone(UTC), instant
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
        if middle.astimezone(tz).utcoffset() == after.astimezone(tz).utcoffset():
            after = middle
        else:
            before = middle
    return after


def _local_date(moment: datetime, tz: ZoneInfo) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; schedules need an aware time")
    return moment.astimezone(tz).date()
