"""Business time: when a sales team works, and deadlines counted in its working minutes.

A `Calendar` says on which weekdays a team works, between which wall-clock hours, in which
time zone, and on which local dates it does not (holidays). One rule decides everything:

    an instant is working time when the team's clock, at that instant, shows a working
    hour on a working, non-holiday date.

Business minutes are the real minutes elapsed inside working time. What the rule means when
the clocks change for daylight saving:

- A 09:00–18:00 day lasts from 09:00 to 18:00 on the office clock: 9 real hours, or 8 or 10
  when the clocks change inside it. A 24/7 calendar counts exactly the real minutes.
- A boundary the clocks skip (spring forward) takes effect as they jump past it: on a day
  the clocks go from 02:00 straight to 03:00, an opening or a closing at 02:30 happens at
  the jump, the instant the clock first shows 03:00.
- A boundary the clocks show twice (fall back) takes effect each time they show it: on a
  day that repeats 01:00–02:00, 01:00–04:00 lasts 4 real hours; a day opening at 01:30
  opens at the first 01:30, pauses while the clock shows 01:00–01:29 again, and reopens at
  the second 01:30.
- An instant belongs to the date the clock shows, so an hour repeated across midnight
  counts for the date it shows each time.

Instants come in aware (any zone) and go out in UTC. The arithmetic walks stretches of
constant UTC offset and, inside each, local dates: its cost grows with the days spanned,
never with the minutes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

ALL_DAYS = frozenset(range(7))
MONDAY_TO_FRIDAY = frozenset(range(5))

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
# Clock changes are found by reading the offset every few hours, which assumes a zone never
# changes its clocks twice within that time (none has).
_PROBE = timedelta(hours=6)
_PROBES_PER_STRETCH = 28  # a week


@dataclass(frozen=True)
class Calendar:
    """When a team works: weekdays (0 = Monday … 6 = Sunday), wall-clock hours in `tz`
    (`closes=None` is 24:00) and holidays (local dates with no work)."""

    work_days: frozenset[int]
    opens: time
    closes: time | None
    holidays: frozenset[date]
    tz: ZoneInfo

    def __post_init__(self) -> None:
        work_days = frozenset(self.work_days)
        if not work_days:
            raise ValueError("a calendar needs at least one work day")
        if any(isinstance(day, bool) or day not in ALL_DAYS for day in work_days):
            raise ValueError(f"work days are 0 (Monday) to 6 (Sunday), not {sorted(work_days)}")
        if self.opens is None:
            raise ValueError("opening at 24:00 leaves no working time; open earlier")
        for name, at in (("opens", self.opens), ("closes", self.closes)):
            if at is not None and (not isinstance(at, time) or at.tzinfo is not None):
                raise ValueError(f"{name} must be a wall-clock time without a zone, not {at!r}")
        if self.closes is not None and self.opens >= self.closes:
            raise ValueError(f"opening ({self.opens}) must come before closing ({self.closes})")
        holidays = frozenset(self.holidays)
        if any(not isinstance(day, date) or isinstance(day, datetime) for day in holidays):
            raise ValueError("holidays are local dates, not times")
        if not isinstance(self.tz, tzinfo):
            raise ValueError(f"tz must be a time zone, not {self.tz!r}")
        # Sets and lists are accepted and kept frozen, so a calendar stays hashable.
        object.__setattr__(self, "work_days", work_days)
        object.__setattr__(self, "holidays", holidays)

    @classmethod
    def always(cls, tz: ZoneInfo) -> Calendar:
        """Every minute of every day: business minutes are real minutes."""
        return cls(ALL_DAYS, time(0, 0), None, frozenset(), tz)

    @classmethod
    def default(cls, tz: ZoneInfo) -> Calendar:
        """Monday to Friday, 09:00 to 18:00 in `tz`, no holidays."""
        return cls(MONDAY_TO_FRIDAY, time(9, 0), time(18, 0), frozenset(), tz)

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` (aware) is working time."""
        local = _utc(moment, "moment").replace(tzinfo=UTC).astimezone(self.tz)
        return self._works_on(local.date()) and self._within_hours(local.time())

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The UTC instant at which `minutes` business minutes have passed since `start`: the
        deadline of a task started then. Time before the next opening does not count;
        `minutes == 0` gives the first working instant at or after `start`. A deadline that
        uses up a day exactly falls at its closing, not at the next opening."""
        begin = _utc(start, "start")
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"business minutes must be zero or more, not {minutes}")
        left = timedelta(minutes=minutes)
        for opened, closed in self._working_stretches(begin):
            if closed - opened >= left:
                return (opened + left).replace(tzinfo=UTC)
            left -= closed - opened
        raise AssertionError("working time never runs out: a calendar has a work day")

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes elapsed from `start` to `end` (both aware), seconds included as
        fractions of a minute; 0 when `end` is not after `start`."""
        begin, finish = _utc(start, "start"), _utc(end, "end")
        elapsed = timedelta(0)
        if finish > begin:
            for opened, closed in self._working_stretches(begin):
                if opened >= finish:
                    break
                elapsed += min(closed, finish) - opened
        return elapsed / timedelta(minutes=1)

    def _works_on(self, day: date) -> bool:
        return day.weekday() in self.work_days and day not in self.holidays

    def _within_hours(self, clock: time) -> bool:
        return self.opens <= clock and (self.closes is None or clock < self.closes)

    def _working_stretches(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working time from `start` on (naive UTC), as consecutive `[opened, closed)`
        intervals in order; pieces may touch. It never ends."""
        for begin, end, offset in self._steady_offsets(start):
            # While the offset holds, the clock shows `instant + offset`: each working day
            # is one interval, its local hours shifted by the offset, clipped to the stretch.
            day, last = (begin + offset).date(), (end + offset).date()
            while day <= last:
                if self._works_on(day):
                    opened = datetime.combine(day, self.opens) - offset
                    if self.closes is None:
                        closed = datetime.combine(day + _DAY, time(0, 0)) - offset
                    else:
                        closed = datetime.combine(day, self.closes) - offset
                    opened, closed = max(opened, begin), min(closed, end)
                    if opened < closed:
                        yield opened, closed
                day += _DAY

    def _steady_offsets(self, start: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
        """Consecutive `[begin, end)` stretches from `start` on (naive UTC), each at most a
        week long, over which the clock keeps one UTC offset."""
        begin, offset = start, self._offset_at(start)
        while True:
            end = begin
            for _ in range(_PROBES_PER_STRETCH):
                probe = end + _PROBE
                if self._offset_at(probe) != offset:
                    end = self._clock_change(end, probe, offset)
                    break
                end = probe
            yield begin, end, offset
            begin, offset = end, self._offset_at(end)

    def _clock_change(self, before: datetime, after: datetime, offset: timedelta) -> datetime:
        """The first instant of `(before, after]` whose offset is no longer `offset`."""
        while after - before > _TICK:
            middle = before + (after - before) // 2
            if self._offset_at(middle) == offset:
                before = middle
            else:
                after = middle
        return after

    def _offset_at(self, instant: datetime) -> timedelta:
        offset = instant.replace(tzinfo=UTC).astimezone(self.tz).utcoffset()
        assert offset is not None  # an aware local time always has one
        return offset


def _utc(moment: datetime, name: str) -> datetime:
    """`moment` as a naive UTC datetime; a naive `moment` is refused, as its zone is unknown."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} ({moment.isoformat()}) has no time zone; give an aware time")
    return moment.astimezone(UTC).replace(tzinfo=None)


# How far back `business_minutes_before` looks, and how finely it finds the instant.
_LONGEST_SEARCH = timedelta(days=3660)
_TICK = timedelta(microseconds=1)


def business_day_minutes(calendar: Calendar) -> int:
    """The minutes of one working day on `calendar` (1,440 for a calendar open all day)."""
    opens = calendar.opens.hour * 60 + calendar.opens.minute
    if calendar.closes is None:
        return 24 * 60 - opens
    return calendar.closes.hour * 60 + calendar.closes.minute - opens


def business_days_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole working days of business time from `start` to `end`."""
    minutes = calendar.business_minutes_between(start, end)
    return int(minutes // business_day_minutes(calendar) + 1e-9)


def business_minutes_before(calendar: Calendar, end: datetime, minutes: float) -> datetime:
    """The latest instant (to the microsecond) from which `minutes` business minutes have
    passed by `end`: a lead idle since then or earlier is idle that long."""
    span = timedelta(days=7)
    while calendar.business_minutes_between(end - span, end) < minutes:
        if span >= _LONGEST_SEARCH:
            return end - span
        span *= 2
    early, late = end - span, end  # `minutes` have passed since `early`, not since `late`
    while late - early > _TICK:
        middle = early + (late - early) / 2
        if calendar.business_minutes_between(middle, end) >= minutes:
            early = middle
        else:
            late = middle
    return early
