"""The reporting's pure figures, from plain rows: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civique.reporting import services_publics
from civique.reporting.charts import (
    PALETTE,
    grouped_series,
    horizontal_bars,
    nice_top,
    stacked_bars,
)
from civique.reporting.figures import (
    BusinessClock,
    Row,
    age_bucket,
    backlog,
    bucket_start,
    buckets,
    channel_figures,
    judge,
    median,
    pause_periods,
    percentile,
    time_to,
    volumes,
)
from civique.reporting.tables import fr_cell, fr_number
from civique.sla.calendar import PARIS, BusinessCalendar, business_time_between

MORNING, AFTERNOON = (time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))
OFFICE = BusinessCalendar(week=dict.fromkeys(range(5), (MORNING, AFTERNOON)))
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


YEAR_2026 = (paris(2026, 1, 1), paris(2026, 12, 31))
YEAR_CLOCK = BusinessClock(OFFICE, *YEAR_2026)


def clock(start: datetime | None = None, end: datetime | None = None) -> BusinessClock:
    if start is None and end is None:
        return YEAR_CLOCK
    return BusinessClock(OFFICE, start, end)


def row(at: datetime, **fields) -> Row:
    fields.setdefault("channel", "Courriel")
    return Row(id=fields.pop("id", 1), created_at=at, **fields)


# Percentiles


def test_percentiles_use_the_nearest_rank():
    values = [timedelta(hours=h) for h in range(1, 11)]
    assert percentile(values, 0.9) == 9 * H
    assert percentile(values, 0.5) == 5 * H
    assert percentile(values, 1) == 10 * H
    assert percentile([], 0.9) is None
    assert median([3 * H]) == 3 * H


def test_the_90th_percentile_of_few_values_is_the_largest_but_one_or_the_largest():
    assert percentile([H, 2 * H, 3 * H], 0.9) == 3 * H
    # 20 values: rank ceil(18) = 18, not 19 (no float rounding up 0.9 * 20).
    assert percentile([timedelta(minutes=m) for m in range(20)], 0.9) == timedelta(minutes=17)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60), st.floats(0.01, 1))
def test_a_percentile_has_at_least_its_share_of_values_at_or_below_it(minutes, share):
    values = [timedelta(minutes=m) for m in minutes]
    found = percentile(values, share)
    assert found in values
    assert sum(v <= found for v in values) >= share * len(values) - 1e-9
    assert sum(v < found for v in values) < share * len(values)


# Business time in bulk


def test_the_clock_counts_weekends_and_lunch_breaks_out():
    # Friday 16:30 to Monday 9:30: one hour on Friday, one on Monday.
    assert clock().between(paris(2026, 3, 6, 16, 30), paris(2026, 3, 9, 9, 30)) == 2 * H
    # Across lunch.
    assert clock().between(paris(2026, 3, 4, 11), paris(2026, 3, 4, 14, 30)) == 2 * H
    # Saturday night to Monday's opening: nothing.
    assert clock().between(paris(2026, 3, 7, 3), paris(2026, 3, 9, 8, 30)) == 0 * H


def test_the_clock_skips_public_holidays():
    # 1 May 2026 is a Friday: Thursday 17:00 to Monday 9:00 is one hour.
    assert clock().between(paris(2026, 4, 30, 17), paris(2026, 5, 4, 9)) == H


def test_outside_its_range_the_clock_falls_back_to_the_calendar():
    short = clock(paris(2026, 3, 1), paris(2026, 3, 31))
    a, b = paris(2026, 2, 27, 9), paris(2026, 4, 2, 10)
    assert short.between(a, b) == business_time_between(a, b, OFFICE)


moments = st.datetimes(
    min_value=datetime(2026, 1, 2), max_value=datetime(2026, 12, 30), timezones=st.just(UTC)
)


@settings(max_examples=60, deadline=None)
@given(moments, moments)
def test_the_clock_agrees_with_the_calendar(a, b):
    assert clock().between(a, b) == business_time_between(a, b, OFFICE)


def test_business_days_count_from_the_day_the_request_is_counted_from():
    c = clock()
    monday_10 = paris(2026, 3, 9, 10)
    assert c.business_days(monday_10, paris(2026, 3, 9, 17)) == 0
    assert c.business_days(monday_10, paris(2026, 3, 10, 8, 29)) == 0
    assert c.business_days(monday_10, paris(2026, 3, 10, 8, 30)) == 1
    assert c.business_days(monday_10, paris(2026, 3, 16, 9)) == 5  # the weekend skipped
    # Saturday: counted from Monday.
    assert c.business_days(paris(2026, 3, 7, 11), paris(2026, 3, 9, 17)) == 0
    assert c.business_days(paris(2026, 3, 7, 11), paris(2026, 3, 10, 9)) == 1
    # Monday evening, after closing: counted from Tuesday.
    assert c.business_days(paris(2026, 3, 9, 19), paris(2026, 3, 10, 17)) == 0


def test_age_buckets_have_no_gap_and_no_overlap():
    assert [age_bucket(d) for d in (0, 1, 4, 5, 14, 15, 300)] == [
        "lt1",
        "1to4",
        "1to4",
        "5to14",
        "5to14",
        "ge15",
        "ge15",
    ]
    with pytest.raises(ValueError):
        age_bucket(-1)


def test_the_backlog_counts_open_requests_by_age_and_names_the_oldest():
    now = paris(2026, 6, 30, 10)
    rows = [
        row(paris(2026, 6, 30, 9), id=1),  # today
        row(paris(2026, 6, 26, 9), id=2),  # Friday: 2 open days begun since
        row(paris(2026, 6, 1, 9), id=3),  # a month
        row(paris(2026, 5, 1, 9), id=4, status="resolved"),  # not in the backlog
    ]
    found = backlog(rows, lambda r: clock(), now)
    assert found.total == 3
    assert found.by_age == {"lt1": 1, "1to4": 1, "5to14": 0, "ge15": 1}
    assert found.oldest.id == 3
    assert found.oldest_days == 21


# Pauses and steps


def test_pauses_come_from_the_status_changes():
    changes = [
        (paris(2026, 3, 9, 10), "open"),
        (paris(2026, 3, 9, 11), "pending"),
        (paris(2026, 3, 9, 12), "pending"),
        (paris(2026, 3, 10, 9), "open"),
        (paris(2026, 3, 11, 9), "pending"),
    ]
    assert pause_periods(changes) == (
        (paris(2026, 3, 9, 11), paris(2026, 3, 10, 9)),
        (paris(2026, 3, 11, 9), None),
    )


def test_time_to_a_step_leaves_the_pauses_out():
    conversation = row(
        paris(2026, 3, 9, 9),
        resolved_at=paris(2026, 3, 10, 11),
        pauses=((paris(2026, 3, 9, 10), paris(2026, 3, 10, 9)),),
    )
    # Open time 9:00 Monday to 11:00 Tuesday is 9 hours; 6 of them waited for the citizen.
    assert time_to(conversation, "resolution", clock()) == 3 * H
    assert time_to(conversation, "first_answer", clock()) is None


def test_a_commitment_is_judged_kept_missed_or_not_yet():
    due = paris(2026, 3, 10, 17, 30)
    now = paris(2026, 3, 12, 9)
    assert judge(row(due, first_answer_due_at=due, first_response_at=due), "first_answer", now)
    late = row(due, first_answer_due_at=due, first_response_at=due + timedelta(minutes=6))
    assert judge(late, "first_answer", now) is False
    assert judge(row(due, first_answer_due_at=due), "first_answer", now) is False
    assert judge(row(due, first_answer_due_at=due), "first_answer", due) is None
    assert judge(row(due), "first_answer", now) is None


def test_channel_figures_give_times_and_shares_per_channel():
    now = paris(2026, 3, 20, 12)
    start = paris(2026, 3, 9, 9)
    rows = [
        row(
            start,
            id=1,
            acknowledged_at=start,
            acknowledgement_due_at=start + H,
            first_response_at=start + 2 * H,
            first_answer_due_at=start + 4 * H,
        ),
        row(
            start,
            id=2,
            first_response_at=start + 8 * H,  # 9:00 to 17:00 with lunch: 6.5 open hours
            first_answer_due_at=start + 4 * H,
            status="resolved",
            resolved_at=start + 8 * H,
        ),
        row(start, id=3, channel="Accueil"),
    ]
    mail, counter = sorted(channel_figures(rows, lambda r: clock(), now), key=lambda f: f.channel)[
        ::-1
    ]
    assert (mail.channel, mail.received, mail.open, mail.answered) == ("Courriel", 2, 1, 2)
    assert mail.durations["first_answer"].median == 2 * H
    assert mail.durations["first_answer"].p90 == timedelta(hours=6, minutes=30)
    assert (mail.shares["first_answer"].counted, mail.shares["first_answer"].kept) == (2, 1)
    assert mail.shares["acknowledgement"].ratio == 1
    assert mail.shares["resolution"].ratio is None
    assert (counter.channel, counter.received, counter.answered) == ("Accueil", 1, 0)


# Grouping over time, in Paris


def test_weeks_and_months_are_paris_ones_across_daylight_saving():
    # Saturday 28 March 2026, 23:30 UTC is Sunday 00:30 in Paris (before the change).
    assert bucket_start(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "week") == date(2026, 3, 23)
    # Sunday 29 March, 22:30 UTC is Monday 30 March 00:30 in Paris (summer time): a new week.
    assert bucket_start(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "week") == date(2026, 3, 30)
    # 31 October 2026, 23:30 UTC is 1 November 00:30 in Paris (winter time): November.
    assert bucket_start(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "month") == date(2026, 11, 1)
    assert bucket_start(datetime(2026, 10, 31, 22, 59, tzinfo=UTC), "month") == date(2026, 10, 1)
    with pytest.raises(ValueError):
        bucket_start(datetime(2026, 1, 1, tzinfo=UTC), "day")


def test_buckets_cover_the_period_and_years_roll_over():
    assert buckets(paris(2025, 11, 15), paris(2026, 2, 1), "month") == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]
    weeks = buckets(paris(2026, 3, 4), paris(2026, 3, 30, 0, 0, 1), "week")
    assert weeks == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23),
                     date(2026, 3, 30)]  # fmt: skip


def test_volumes_count_by_key_and_period():
    periods = buckets(paris(2026, 3, 1), paris(2026, 5, 1), "month")
    rows = [
        row(paris(2026, 3, 3), channel="Courriel"),
        row(paris(2026, 3, 31, 23, 30), channel="Courriel"),  # still March in Paris
        row(paris(2026, 4, 1, 0, 30), channel="Accueil"),
        row(paris(2025, 1, 1), channel="Accueil"),  # outside the periods: not counted
    ]
    assert volumes(rows, lambda r: r.channel, "month", periods) == {
        "Accueil": [0, 1],
        "Courriel": [2, 0],
    }


# Services Publics+


def test_written_requests_are_acknowledged_within_a_week_or_not():
    now = paris(2026, 12, 31)
    at = paris(2026, 3, 2, 10)
    rows = [
        row(at, id=1, channel_kind="email", acknowledged_at=at + timedelta(days=2)),
        row(at, id=2, channel_kind="email", first_response_at=at + timedelta(days=6)),
        row(at, id=3, channel_kind="webform", acknowledged_at=at + timedelta(days=8)),
        row(at, id=4, channel_kind="api"),  # never: missed
        row(now - timedelta(days=2), id=5, channel_kind="email"),  # still within its week
        row(at, id=6, channel_kind="facebook"),  # not a written request
        row(at, id=7, channel_kind="letter", acknowledged_at=at + timedelta(days=13)),
    ]
    found = services_publics.indicators(rows, {2: 30 * H}, now)
    electronic, postal = found[0].share, found[1].share
    assert (electronic.kept, electronic.counted) == (2, 4)
    assert (postal.kept, postal.counted) == (1, 1)
    assert found[4].value == 30 * H


# French formats and charts


def test_numbers_and_dates_are_french():
    assert fr_number(1234.5, 1) == "1\u202f234,5"
    assert fr_cell(12.5) == "12,5"
    assert fr_cell(3) == "3"
    assert fr_cell(date(2026, 3, 2)) == "02/03/2026"
    assert fr_cell(None) == ""


def test_axes_end_on_round_numbers():
    assert [nice_top(v) for v in (0, 1, 3, 7, 11, 180, 2001)] == [1, 1, 5, 10, 20, 200, 5000]


def test_stacked_bars_are_as_tall_as_their_totals():
    chart = stacked_bars("t", "d", ["a", "b"], {"x": [2, 0], "y": [2, 1]})
    a, b = chart.bars
    assert (a.total, b.total) == (4, 1)
    assert [s.value for s in a.segments] == [2, 2]
    assert sum(s.height for s in a.segments) == pytest.approx(4 * b.segments[0].height)
    assert [name for name, _colour in chart.legend] == ["x", "y"]


def test_horizontal_bars_scale_to_a_hundred_percent():
    chart = horizontal_bars("t", "d", [("a", 100.0, "100 %"), ("b", None, "—")])
    assert chart.bars[0].width == chart.plot_width
    assert chart.bars[1].width == 0


def test_beyond_the_palette_the_smallest_channels_are_grouped_and_no_colour_repeats():
    series = {f"Canal {i:02}": [i, 1] for i in range(1, 12)}

    grouped = grouped_series(series, "Autres canaux")
    chart = stacked_bars("Volumes", "…", ["a", "b"], grouped)

    assert len(grouped) == len(PALETTE)
    assert list(grouped)[:-1] == [f"Canal {i:02}" for i in range(5, 12)]
    assert grouped["Autres canaux"] == [1 + 2 + 3 + 4, 4]
    assert [sum(col) for col in zip(*grouped.values(), strict=True)] == [66, 11]
    colours = [colour for _name, colour in chart.legend]
    assert len(colours) == len(set(colours)) == len(PALETTE)


def test_few_channels_are_all_charted():
    series = {f"Canal {i}": [i] for i in range(len(PALETTE))}
    assert grouped_series(series, "Autres canaux") == series
