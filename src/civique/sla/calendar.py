"""Business time: opening hours, public holidays and closures, counted in real elapsed time.

Pure functions over a ``BusinessCalendar`` (no database). A calendar is a week of opening slots
in local time (several a day: a lunch break is two slots), a set of closed days (public
holidays, exceptional closures) and closed instants (a conversation's pauses, added by the
clocks). Every slot is turned into an aware interval through its time zone on its own day, so a
daylight-saving change is handled where it happens: a slot from 1:00 to 4:00 on the night the
clocks go forward lasts two real hours, three on an ordinary night, four when they go back.

Preconditions: datetimes are aware (naive ones are refused), durations are not negative.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")
ZERO = timedelta(0)
# How far ahead the functions look for an opening before giving up (a calendar with no slot).
HORIZON_DAYS = 3 * 366

# Subdivisions of the ``holidays`` library by French département number. Alsace (67, 68) is one
# subdivision there ("6AE"), Moselle (57) another; both add Good Friday and 26 December. Overseas
# départements add the abolition of slavery on their own date.
SUBDIVISIONS = {
    "": None,
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}

Slot = tuple[time, time]


@cache
def _holidays(subdivision: str, year: int) -> frozenset[date]:
    days = holidays.country_holidays("FR", subdiv=SUBDIVISIONS[subdivision], years=year)
    return frozenset(days)


def public_holidays(subdivision: str, year: int) -> frozenset[date]:
    """French public holidays of ``year`` for a département ("" for metropolitan France)."""
    if subdivision not in SUBDIVISIONS:
        raise ValueError(f"unknown subdivision {subdivision!r}")
    return _holidays(subdivision, year)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening slots by weekday (0 = Monday), closed days and closed instants.

    ``closes`` may be midnight (``time(0)``) for a slot that runs to the end of the day.
    """

    week: dict[int, tuple[Slot, ...]]
    tz: ZoneInfo = PARIS
    subdivision: str | None = ""  # None: no public holidays
    closed_days: frozenset[date] = frozenset()
    closed_periods: tuple[tuple[datetime, datetime], ...] = ()

    def is_closed_day(self, day: date) -> bool:
        if day in self.closed_days:
            return True
        return self.subdivision is not None and day in public_holidays(self.subdivision, day.year)

    def with_closed_periods(self, periods: list[tuple[datetime, datetime]]) -> BusinessCalendar:
        """The same calendar, also closed during ``periods`` (a conversation's pauses)."""
        extra = tuple((_utc(a), _utc(b)) for a, b in periods if b > a)
        return BusinessCalendar(
            week=self.week,
            tz=self.tz,
            subdivision=self.subdivision,
            closed_days=self.closed_days,
            closed_periods=tuple(sorted(self.closed_periods + extra)),
        )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)


def _day_slots(day: date, calendar: BusinessCalendar) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals in UTC, holidays and closures applied."""
    if calendar.is_closed_day(day):
        return []
    slots = []
    for opens, closes in calendar.week.get(day.weekday(), ()):
        start = datetime.combine(day, opens, calendar.tz).astimezone(UTC)
        end_day = day + timedelta(days=1) if closes == time(0) else day
        end = datetime.combine(end_day, closes, calendar.tz).astimezone(UTC)
        if end > start:
            slots.append((start, end))
    return sorted(slots)


def _minus(
    interval: tuple[datetime, datetime], holes: tuple[tuple[datetime, datetime], ...]
) -> list[tuple[datetime, datetime]]:
    pieces = [interval]
    for hole_start, hole_end in holes:
        next_pieces = []
        for start, end in pieces:
            if hole_end <= start or hole_start >= end:
                next_pieces.append((start, end))
                continue
            if start < hole_start:
                next_pieces.append((start, hole_start))
            if hole_end < end:
                next_pieces.append((hole_end, end))
        pieces = next_pieces
    return pieces


def open_intervals(
    start: datetime, calendar: BusinessCalendar
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) from ``start`` onwards, in order, clipped to begin at ``start``.

    Stops after ``HORIZON_DAYS`` days, so a calendar that never opens ends the iteration.
    """
    start = _utc(start)
    # Local day before, for a slot of the previous day that is still open (running to midnight
    # or across a time-zone offset).
    day = start.astimezone(calendar.tz).date() - timedelta(days=1)
    for _ in range(HORIZON_DAYS):
        for slot in _day_slots(day, calendar):
            for piece_start, piece_end in _minus(slot, calendar.closed_periods):
                if piece_end <= start:
                    continue
                yield max(piece_start, start), piece_end
        day += timedelta(days=1)


def is_open(moment: datetime, calendar: BusinessCalendar) -> bool:
    moment = _utc(moment)
    for start, _end in open_intervals(moment, calendar):
        return start == moment
    return False


def next_opening(moment: datetime, calendar: BusinessCalendar) -> datetime | None:
    """``moment`` itself when open, else the start of the next opening (None: never opens)."""
    for start, _end in open_intervals(moment, calendar):
        return start.astimezone(moment.tzinfo)
    return None


def add_business_time(
    start: datetime, duration: timedelta, calendar: BusinessCalendar
) -> datetime | None:
    """The instant when ``duration`` of open time has passed since ``start``.

    A zero duration gives ``start`` when open, else the next opening. None when the calendar
    does not open enough within the horizon. The result is in ``start``'s time zone.
    """
    if duration < ZERO:
        raise ValueError("negative duration")
    left = duration
    for interval_start, interval_end in open_intervals(start, calendar):
        length = interval_end - interval_start
        if left <= length:
            return (interval_start + left).astimezone(start.tzinfo)
        left -= length
    return None


def business_time_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Open time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    a, b = _utc(a), _utc(b)
    if b < a:
        return -business_time_between(b, a, calendar)
    total = ZERO
    for interval_start, interval_end in open_intervals(a, calendar):
        if interval_start >= b:
            break
        total += min(interval_end, b) - interval_start
    return total


def add_business_days(start: datetime, days: int, calendar: BusinessCalendar) -> datetime | None:
    """The end of the ``days``-th open day after the day ``start`` falls in (or opens on).

    A request received on Monday, given 2 business days, is due at Wednesday's closing; one
    received on Saturday is counted from Monday. Zero days: the next opening.
    """
    if days < 0:
        raise ValueError("negative duration")
    first = next_opening(start, calendar)
    if first is None or days == 0:
        return first
    day = first.astimezone(calendar.tz).date()
    counted = 0
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        slots = [
            s for slot in _day_slots(day, calendar) for s in _minus(slot, calendar.closed_periods)
        ]
        if slots:
            counted += 1
            if counted == days:
                return slots[-1][1].astimezone(start.tzinfo)
    return None
