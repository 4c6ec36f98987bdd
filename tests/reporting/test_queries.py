"""Figures read from the database: business time in each team's calendar, pauses, backlog,
moderation, and a number of queries that does not grow with the conversations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civique.channels.models import Channel
from civique.moderation.models import CharterRule, Decision, ModerationCase, ModerationDecision
from civique.reporting.filters import parse_filters
from civique.reporting.queries import Clocks, build_report, channels_for, teams_for
from civique.sla.calendar import PARIS, business_time_between
from civique.sla.policies import calendar_for

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
NOW = datetime(2026, 3, 20, 12, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def report_for(user, **params):
    filters = parse_filters(
        params,
        now=NOW,
        teams=set(teams_for(user).values_list("pk", flat=True)),
        channels=set(channels_for(user).values_list("pk", flat=True)),
    )
    return build_report(user, filters, NOW)


def test_time_to_first_answer_is_in_the_teams_business_hours(story, supervisor, email_channel):
    friday = story(email_channel, paris(2026, 3, 13, 16, 30))
    friday.agent_answers(paris(2026, 3, 16, 9, 30))
    friday.conversation.first_response_at = paris(2026, 3, 16, 9, 30)
    friday.conversation.save()

    [figures] = report_for(supervisor).channels

    # One hour on Friday, one on Monday morning: the weekend does not count.
    assert figures.durations["first_answer"].median == 2 * H


def test_the_time_waiting_for_the_citizen_is_left_out(story, supervisor, email_channel):
    s = story(email_channel, paris(2026, 3, 9, 9))
    s.status(paris(2026, 3, 9, 10), "pending")
    s.status(paris(2026, 3, 10, 9), "open")
    s.status(paris(2026, 3, 10, 11), "resolved")

    [figures] = report_for(supervisor).channels

    assert figures.durations["resolution"].median == 3 * H
    assert figures.open == 0


def test_the_backlog_ignores_the_period_and_names_the_oldest(story, supervisor, email_channel):
    old = story(email_channel, paris(2025, 11, 3, 10))
    story(email_channel, paris(2026, 3, 19, 10))

    report = report_for(supervisor, jours="7")

    assert report.backlog.total == 2
    assert report.backlog.oldest.id == old.conversation.pk
    assert report.backlog.by_age["ge15"] == 1 and report.backlog.by_age["1to4"] == 1
    assert [c.received for c in report.channels] == [1]


def test_a_supervisor_counts_only_the_moderation_of_their_teams(
    story, supervisor, facebook_channel, other_team
):
    rule = CharterRule.objects.create(slug="insultes", article="3", title="Insultes", wording="…")
    mine = story(facebook_channel, paris(2026, 3, 18, 10), visibility="public")
    theirs_channel = Channel.objects.create(kind="facebook", name="Page voirie", team=other_team)
    theirs = story(theirs_channel, paris(2026, 3, 18, 10), visibility="public")
    for s in (mine, theirs):
        message = s.conversation.messages.first()
        case = ModerationCase.objects.create(
            message=message, charter_rule=rule, proposed_action="hide", created_at=NOW - H
        )
        for decision in (Decision.HIDE, Decision.REPLY_PUBLIC, Decision.BLOCK):
            ModerationDecision.objects.create(
                case=case, decision=decision, actor_label="Chloé", created_at=NOW - H
            )

    moderation = report_for(supervisor).moderation

    assert moderation["by_rule"] == {"Art. 3 — Insultes": 1}
    assert moderation["by_decision"] == {"hidden": 1, "deleted": 0, "blocked": 1, "answered": 1}
    assert moderation["by_state"] == {"open": 1}


def test_the_queries_do_not_grow_with_the_conversations(
    story, admin_user, email_channel, other_team
):
    voirie = Channel.objects.create(kind="webform", name="Voirie", team=other_team)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            report_for(admin_user)
        return len(queries)

    for day in (9, 10):
        story(email_channel, paris(2026, 3, day, 10)).status(paris(2026, 3, day, 11), "pending")
        story(voirie, paris(2026, 3, day, 10))
    few = count_queries()
    for day in range(11, 20):
        for channel in (email_channel, voirie):
            story(channel, paris(2026, 3, day, 10)).status(paris(2026, 3, day, 11), "resolved")
    assert count_queries() == few


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_a_past_year_is_covered_by_the_fast_clock(supervisor, story, email_channel, year):
    s = story(email_channel, paris(year, 6, 1, 10))
    report = report_for(supervisor, annee=str(year))
    [row] = report.rows

    clocks = Clocks.for_period(report.filters.start, report.filters.end, NOW)

    clock = clocks(row)
    assert clock.start <= report.filters.start and clock.end >= report.filters.end
    assert clock.end >= s.conversation.created_at + timedelta(days=300)
    assert clock.end - clock.start < timedelta(days=3 * 366)


def test_a_past_years_figures_are_its_business_time(supervisor, story, email_channel):
    # Across Christmas 2021 (a Saturday) and New Year: the slow walk through the calendar
    # is the reference.
    s = story(email_channel, paris(2021, 12, 23, 16))
    s.agent_answers(paris(2021, 12, 27, 10))
    s.conversation.first_response_at = paris(2021, 12, 27, 10)
    s.conversation.save()
    s.status(paris(2022, 1, 3, 11), "resolved")
    t = story(email_channel, paris(2021, 3, 5, 17))
    t.status(paris(2021, 3, 9, 9), "resolved")
    calendar = calendar_for(email_channel.team)

    [figures] = report_for(supervisor, annee="2021").channels

    first = business_time_between(paris(2021, 12, 23, 16), paris(2021, 12, 27, 10), calendar)
    assert figures.durations["first_answer"].median == first
    resolutions = sorted(
        [
            business_time_between(paris(2021, 12, 23, 16), paris(2022, 1, 3, 11), calendar),
            business_time_between(paris(2021, 3, 5, 17), paris(2021, 3, 9, 9), calendar),
        ]
    )
    assert figures.durations["resolution"].count == 2
    assert figures.durations["resolution"].median == resolutions[0]
    assert figures.durations["resolution"].p90 == resolutions[1]
    assert report_for(supervisor, annee="2021").backlog.total == 0
