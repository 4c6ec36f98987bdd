"""Business time across weekends, holidays, lunch breaks, closures and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civique.sla.calendar import (
    PARIS,
    BusinessCalendar,
    add_business_days,
    add_business_time,
    business_time_between,
    is_open,
    next_opening,
    public_holidays,
)

MORNING, AFTERNOON = (time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))
OFFICE = BusinessCalendar(week=dict.fromkeys(range(5), (MORNING, AFTERNOON)))
ROUND_THE_CLOCK = BusinessCalendar(
    week={d: ((time(0), time(0)),) for d in range(7)}, subdivision=None
)
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_it_adds_within_a_slot():
    assert add_business_time(paris(2026, 3, 4, 9), 2 * H, OFFICE) == paris(2026, 3, 4, 11)


def test_it_skips_the_lunch_break():
    assert add_business_time(paris(2026, 3, 4, 11), 2 * H, OFFICE) == paris(2026, 3, 4, 14, 30)
    assert business_time_between(paris(2026, 3, 4, 11), paris(2026, 3, 4, 14, 30), OFFICE) == 2 * H


def test_it_skips_the_weekend():
    # Friday 16:30 + 4 hours: one on Friday, three on Monday morning.
    assert add_business_time(paris(2026, 3, 6, 16, 30), 4 * H, OFFICE) == paris(2026, 3, 9, 11, 30)


def test_a_message_on_saturday_night_counts_from_monday_opening():
    assert next_opening(paris(2026, 3, 7, 3), OFFICE) == paris(2026, 3, 9, 8, 30)
    assert add_business_time(paris(2026, 3, 7, 3), 0 * H, OFFICE) == paris(2026, 3, 9, 8, 30)
    assert business_time_between(paris(2026, 3, 7, 3), paris(2026, 3, 9, 8, 30), OFFICE) == 0 * H


def test_it_skips_public_holidays():
    # 1 May 2026 is a Friday: Thursday 17:00 + 1 hour ends on Monday 4 May.
    assert add_business_time(paris(2026, 4, 30, 17), H, OFFICE) == paris(2026, 5, 4, 9)
    # Ascension Thursday 14 May 2026.
    assert not is_open(paris(2026, 5, 14, 10), OFFICE)


def test_alsace_moselle_also_closes_on_good_friday_and_26_december():
    assert date(2026, 4, 3) not in public_holidays("", 2026)
    for department in ("57", "67", "68"):
        days = public_holidays(department, 2026)
        assert {date(2026, 4, 3), date(2026, 12, 26)} <= days
    strasbourg = BusinessCalendar(week=OFFICE.week, subdivision="67")
    assert is_open(paris(2026, 4, 3, 10), OFFICE)
    assert not is_open(paris(2026, 4, 3, 10), strasbourg)


def test_overseas_departments_close_on_their_abolition_day():
    assert date(2026, 12, 20) in public_holidays("974", 2026)  # La Réunion
    assert date(2026, 5, 27) in public_holidays("971", 2026)  # Guadeloupe
    assert date(2026, 12, 20) not in public_holidays("", 2026)


def test_an_unknown_subdivision_is_refused():
    with pytest.raises(ValueError):
        public_holidays("99", 2026)


def test_it_skips_exceptional_closures():
    closed = BusinessCalendar(week=OFFICE.week, closed_days=frozenset({date(2026, 3, 5)}))
    assert add_business_time(paris(2026, 3, 4, 17), H, closed) == paris(2026, 3, 6, 9)


def test_closed_periods_pause_the_count():
    paused = OFFICE.with_closed_periods([(paris(2026, 3, 4, 10), paris(2026, 3, 4, 15))])
    assert add_business_time(paris(2026, 3, 4, 9), 2 * H, paused) == paris(2026, 3, 4, 16)
    assert business_time_between(paris(2026, 3, 4, 9), paris(2026, 3, 4, 16), paused) == 2 * H


def test_the_night_clocks_go_forward_lasts_an_hour_less():
    # 29 March 2026, 2:00 becomes 3:00 in Paris.
    start, end = paris(2026, 3, 28, 22), paris(2026, 3, 29, 6)
    assert business_time_between(start, end, ROUND_THE_CLOCK) == 7 * H
    assert add_business_time(start, 7 * H, ROUND_THE_CLOCK) == end


def test_the_night_clocks_go_back_lasts_an_hour_more():
    # 25 October 2026, 3:00 becomes 2:00 in Paris.
    start, end = paris(2026, 10, 24, 22), paris(2026, 10, 25, 6)
    assert business_time_between(start, end, ROUND_THE_CLOCK) == 9 * H
    assert add_business_time(start, 9 * H, ROUND_THE_CLOCK) == end


def test_office_hours_keep_their_local_time_across_daylight_saving():
    # Friday before the change + 2 hours ends on Monday at 9:30 Paris time, summer time.
    due = add_business_time(paris(2026, 3, 27, 16, 30), 2 * H, OFFICE)
    assert due == paris(2026, 3, 30, 9, 30)
    assert due.utcoffset() == 2 * H
    due = add_business_time(paris(2026, 10, 23, 16, 30), 2 * H, OFFICE)
    assert due == paris(2026, 10, 26, 9, 30)
    assert due.utcoffset() == H


def test_a_slot_across_the_missing_hour_is_shorter():
    night = BusinessCalendar(week={6: ((time(1), time(4)),)}, subdivision=None)
    day = paris(2026, 3, 29)
    assert business_time_between(day, day + timedelta(days=1), night) == 2 * H


def test_business_days_end_at_the_closing_of_the_last_day():
    # Monday 10:00 + 2 business days: Wednesday's closing.
    assert add_business_days(paris(2026, 3, 2, 10), 2, OFFICE) == paris(2026, 3, 4, 17, 30)
    # Saturday counts from Monday 30 March; 15 days after it, Easter Monday (6 April) skipped.
    assert add_business_days(paris(2026, 3, 28, 10), 15, OFFICE) == paris(2026, 4, 21, 17, 30)


def test_a_calendar_that_never_opens_gives_no_due_time():
    never = BusinessCalendar(week={})
    assert add_business_time(paris(2026, 3, 2), H, never) is None
    assert next_opening(paris(2026, 3, 2), never) is None
    assert business_time_between(paris(2026, 3, 2), paris(2026, 4, 2), never) == 0 * H


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_time(datetime(2026, 3, 2, 10), H, OFFICE)


def test_measuring_backwards_is_negative():
    assert business_time_between(paris(2026, 3, 4, 11), paris(2026, 3, 4, 9), OFFICE) == -2 * H


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 12).map(lambda m: timedelta(minutes=m))
calendars = st.sampled_from(
    [
        OFFICE,
        ROUND_THE_CLOCK,
        BusinessCalendar(week=OFFICE.week, subdivision="57"),
        OFFICE.with_closed_periods([(paris(2026, 3, 4, 10), paris(2026, 3, 20, 15))]),
    ]
)


@settings(max_examples=150, deadline=None)
@given(start=moments, duration=durations, calendar=calendars)
def test_adding_then_measuring_gives_back_the_duration(start, duration, calendar):
    due = add_business_time(start, duration, calendar)
    assert business_time_between(start, due, calendar) == duration


@settings(max_examples=150, deadline=None)
@given(start=moments, a=durations, b=durations, calendar=calendars)
def test_more_time_is_never_due_earlier(start, a, b, calendar):
    a, b = sorted([a, b])
    assert add_business_time(start, a, calendar) <= add_business_time(start, b, calendar)


@settings(max_examples=150, deadline=None)
@given(x=moments, y=moments, duration=durations, calendar=calendars)
def test_a_later_start_is_never_due_earlier(x, y, duration, calendar):
    x, y = sorted([x, y])
    assert add_business_time(x, duration, calendar) <= add_business_time(y, duration, calendar)
    assert business_time_between(x, y, calendar) >= timedelta(0)
