"""The filters: every value checked where it enters; anything else is a French 400 or 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civique.reporting.filters import FilterError, parse_filters
from civique.reporting.tables import TABLE_SLUGS
from civique.sla.calendar import PARIS

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)


def parse(**params):
    return parse_filters(params, now=NOW, teams={3, 4}, channels={7}, tables=TABLE_SLUGS)


def test_by_default_the_last_30_days_by_week():
    f = parse()
    assert (f.days, f.year, f.by, f.team_id, f.channel_id) == (30, None, "week", None, None)
    assert (f.start, f.end) == (NOW - timedelta(days=30), NOW)


def test_a_year_runs_from_1_january_paris_time_to_now_at_most():
    f = parse(annee="2025", jours="7")
    assert f.year == 2025 and f.days is None
    assert f.start == datetime(2025, 1, 1, tzinfo=PARIS)
    assert f.end == datetime(2026, 1, 1, tzinfo=PARIS)
    assert f.by == "month"
    assert parse(annee="2026").end == NOW
    with pytest.raises(FilterError):
        parse(annee="2027")


def test_a_year_of_365_days_is_grouped_by_month_unless_asked():
    assert parse(jours="365").by == "month"
    assert parse(jours="365", par="semaine").by == "week"


def test_teams_and_channels_not_seen_are_not_found():
    with pytest.raises(FilterError) as error:
        parse(service="5")
    assert error.value.status == 404
    with pytest.raises(FilterError) as error:
        parse(canal="8")
    assert error.value.status == 404
    assert parse(service="3", canal="7").team_id == 3


def test_the_query_gives_back_the_same_filters():
    f = parse(annee="2025", service="4", par="semaine")
    assert parse(**f.query()) == f


values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["7", "30", "90", "365", "2025", "2026", "3", "7", "semaine", "mois", "csv"]),
    st.integers(-10, 10_000).map(str),
)
names = st.sampled_from(["jours", "annee", "service", "canal", "par", "format", "tableau", "x"])


@given(st.dictionaries(names, values, max_size=6))
def test_any_parameters_give_filters_or_a_clear_error(params):
    try:
        f = parse(**params)
    except FilterError as error:
        assert error.status in (400, 404)
        assert error.message
        return
    assert f.start < f.end <= NOW
    assert f.by in ("week", "month")
    assert f.team_id in (None, 3, 4) and f.channel_id in (None, 7)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(names, values, max_size=5))
def test_the_page_never_fails_on_odd_parameters(client, supervisor, params):
    client.force_login(supervisor)
    response = client.get("/engagements/", params)
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert "Traceback" not in response.content.decode()
