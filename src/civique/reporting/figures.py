"""Pure computations of the reporting: figures from plain rows, no database.

Every function here takes plain values (``Row`` dataclasses, datetimes, calendars) so that it can
be tested without a database, and the views compute in bulk: the queries
(``reporting/queries.py``) read rows with ``values()``, build one ``BusinessClock`` per
calendar, then call these.

Preconditions: datetimes are aware; a ``BusinessClock`` covers the instants it is asked about
(outside its range it falls back to ``business_time_between``, correct but slower).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from civique.sla.calendar import PARIS, BusinessCalendar, business_time_between, open_intervals
from civique.sla.clocks import GRACE, pause_periods  # noqa: F401 - the reports read it from here

ZERO = timedelta(0)
KINDS = ("acknowledgement", "first_answer", "resolution")
# When each step happened (its due time is ``<kind>_due_at``).
DONE_FIELDS = {
    "acknowledgement": "acknowledged_at",
    "first_answer": "first_response_at",
    "resolution": "resolved_at",
}


@dataclass(frozen=True)
class Row:
    """One conversation, as the reporting reads it."""

    id: int
    created_at: datetime
    channel: str
    channel_kind: str = ""
    team_id: int | None = None
    team: str = ""
    category: str = ""
    status: str = "new"
    acknowledged_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    acknowledgement_due_at: datetime | None = None
    first_answer_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()

    def done_at(self, kind: str) -> datetime | None:
        return getattr(self, DONE_FIELDS[kind])

    def due_at(self, kind: str) -> datetime | None:
        return getattr(self, f"{kind}_due_at")

    @property
    def is_open(self) -> bool:
        return self.status not in ("resolved", "closed")


# --- Percentiles ---------------------------------------------------------------------------


def percentile(values: Iterable[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile (``share`` in 0..1]: the smallest value with at least ``share``
    of the values at or below it; None for no value."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(round(len(ordered) * share, 9)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The nearest-rank median (the lower middle value for an even count)."""
    return percentile(values, 0.5)


# --- Business time in bulk -----------------------------------------------------------------


class BusinessClock:
    """Business time of one calendar over a range, by prefix sums of its open intervals:
    ``between(a, b)`` is two binary searches instead of a walk through the calendar."""

    def __init__(self, calendar: BusinessCalendar, start: datetime, end: datetime) -> None:
        self.calendar = calendar
        self.start, self.end = start, end
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        self.before: list[timedelta] = []  # open time before each interval, from ``start``
        total = ZERO
        for opens, closes in open_intervals(start, calendar):
            if opens >= end:
                break
            self.starts.append(opens)
            self.ends.append(closes)
            self.before.append(total)
            total += closes - opens
        # The first opening of each open day, and those days, in order.
        self.day_openings = sorted({self._local_day(s): s for s in reversed(self.starts)}.values())
        self.open_days = [self._local_day(s) for s in self.day_openings]

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.calendar.tz).date()

    def _covers(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end

    def _open_before(self, moment: datetime) -> timedelta:
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return ZERO
        return self.before[index] + min(moment, self.ends[index]) - self.starts[index]

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Open time from ``a`` to ``b`` (negative when ``b < a``)."""
        if not (self._covers(a) and self._covers(b)):
            return business_time_between(a, b, self.calendar)
        return self._open_before(b) - self._open_before(a)

    def next_opening(self, moment: datetime) -> datetime | None:
        index = bisect.bisect_right(self.ends, moment)
        if index >= len(self.starts):
            return None
        return max(self.starts[index], moment)

    def business_days(self, since: datetime, now: datetime) -> int:
        """Open days begun after the day ``since`` counts from, up to ``now``: a request is
        counted from the open day it arrives in (or, outside hours, the next one), as the
        commitments in business days are (``sla.calendar.add_business_days``). A request older
        than the clock's start is counted from there (a lower bound); ``now`` is within the
        clock's range."""
        opening = self.next_opening(max(since, self.start))
        if opening is None or opening > now:
            return 0
        after = bisect.bisect_right(self.open_days, self._local_day(opening))
        upto = bisect.bisect_right(self.day_openings, now)
        return max(0, upto - after)


def paused_time(
    clock: BusinessClock,
    start: datetime,
    end: datetime,
    pauses: Iterable[tuple[datetime, datetime | None]],
) -> timedelta:
    """Business time within ``start``–``end`` spent in the pauses (an open pause runs on)."""
    total = ZERO
    for pause_start, pause_end in pauses:
        a = max(start, pause_start)
        b = min(end, pause_end or end)
        if b > a:
            total += clock.between(a, b)
    return total


def time_to(row: Row, kind: str, clock: BusinessClock) -> timedelta | None:
    """Business time from the request to its acknowledgement, first answer or resolution,
    without the pauses; None when it has not happened."""
    done = row.done_at(kind)
    if done is None:
        return None
    elapsed = clock.between(row.created_at, done) - paused_time(
        clock, row.created_at, done, row.pauses
    )
    return max(ZERO, elapsed)


# --- Grouping over time --------------------------------------------------------------------


def bucket_start(moment: datetime, by: str, tz=PARIS) -> date:
    """The local day starting ``moment``'s week (Monday) or month."""
    day = moment.astimezone(tz).date()
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown grouping {by!r}")


def buckets(start: datetime, end: datetime, by: str, tz=PARIS) -> list[date]:
    """Every bucket from ``start``'s to the one holding the last instant before ``end``."""
    first = bucket_start(start, by, tz)
    last = bucket_start(end - timedelta(microseconds=1), by, tz)
    found = []
    day = first
    while day <= last:
        found.append(day)
        if by == "week":
            day += timedelta(days=7)
        else:
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def volumes(
    rows: Iterable[Row], key: Callable[[Row], str], by: str, periods: list[date]
) -> dict[str, list[int]]:
    """Requests received by ``key`` (channel, category, team) and period, in ``periods``
    order; keys sorted by name."""
    index = {day: i for i, day in enumerate(periods)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    for row in rows:
        position = index.get(bucket_start(row.created_at, by))
        if position is not None:
            counts[key(row)][position] += 1
    return dict(sorted(counts.items()))


# --- Per channel ---------------------------------------------------------------------------


@dataclass
class Durations:
    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None

    @classmethod
    def of(cls, values: list[timedelta]) -> Durations:
        return cls(len(values), median(values), percentile(values, 0.9))


@dataclass
class Share:
    """Commitments kept among those that could be judged: met, or past their due time."""

    counted: int = 0
    kept: int = 0

    @property
    def ratio(self) -> float | None:
        return self.kept / self.counted if self.counted else None


def judge(row: Row, kind: str, now: datetime) -> bool | None:
    """True when the commitment was kept, False when missed, None when there is none to judge
    (no due time, or still running). Kept: done by its due time plus ``sla.clocks.GRACE``."""
    due, done = row.due_at(kind), row.done_at(kind)
    if due is None:
        return None
    if done is not None:
        return done <= due + GRACE
    return False if now > due + GRACE else None


@dataclass
class ChannelFigures:
    channel: str
    received: int = 0
    open: int = 0
    durations: dict[str, Durations] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return self.durations["first_answer"].count


def channel_figures(
    rows: Iterable[Row], clocks: Callable[[Row], BusinessClock], now: datetime
) -> list[ChannelFigures]:
    """One entry per channel (sorted by name): received, still open, business time to each
    step (median, 90th percentile) and the share of each commitment kept."""
    times: dict[str, dict[str, list[timedelta]]] = defaultdict(lambda: {k: [] for k in KINDS})
    found: dict[str, ChannelFigures] = {}
    for row in rows:
        figures = found.setdefault(
            row.channel, ChannelFigures(row.channel, shares={k: Share() for k in KINDS})
        )
        figures.received += 1
        figures.open += row.is_open
        for kind in KINDS:
            elapsed = time_to(row, kind, clocks(row))
            if elapsed is not None:
                times[row.channel][kind].append(elapsed)
            verdict = judge(row, kind, now)
            if verdict is not None:
                figures.shares[kind].counted += 1
                figures.shares[kind].kept += verdict
    for name, figures in found.items():
        figures.durations = {k: Durations.of(times[name][k]) for k in KINDS}
    return [found[name] for name in sorted(found)]


# --- Backlog -------------------------------------------------------------------------------

# (label key, lowest age in business days, highest excluded)
AGE_BUCKETS = (("lt1", 0, 1), ("1to4", 1, 5), ("5to14", 5, 15), ("ge15", 15, None))


def age_bucket(days: int) -> str:
    for key, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days < high):
            return key
    raise ValueError("negative age")


@dataclass
class Backlog:
    total: int = 0
    by_age: dict[str, int] = field(default_factory=dict)
    oldest: Row | None = None
    oldest_days: int = 0


def backlog(rows: Iterable[Row], clocks: Callable[[Row], BusinessClock], now: datetime) -> Backlog:
    """Open requests by age in business days (``AGE_BUCKETS``), and the oldest."""
    result = Backlog(by_age={key: 0 for key, _low, _high in AGE_BUCKETS})
    for row in rows:
        if not row.is_open:
            continue
        days = clocks(row).business_days(row.created_at, now)
        result.total += 1
        result.by_age[age_bucket(days)] += 1
        if result.oldest is None or (row.created_at, row.id) < (
            result.oldest.created_at,
            result.oldest.id,
        ):
            result.oldest, result.oldest_days = row, days
    return result


def count_by(rows: Iterable[Row], key: Callable[[Row], str]) -> dict[str, int]:
    return dict(sorted(Counter(key(row) for row in rows).items()))
