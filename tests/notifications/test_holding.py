"""Notifications wait for the recipient's hours: nights, weekends, lunch, holidays, closures,
daylight-saving changes, part-time calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from civique.notifications.actions import deliver_due_notifications, notify, set_preferences
from civique.notifications.models import Kind, Notification
from civique.sla.models import Calendar, Closure, OpeningSlot
from tests.notifications.conftest import paris

pytestmark = pytest.mark.django_db


def _notify(user, at):
    return notify(user, Kind.ASSIGNED, "Une demande pour vous.", now=at)


def test_a_saturday_night_notification_waits_for_monday_opening(agent):
    n = _notify(agent, paris(2026, 3, 7, 3, 0))
    assert n.deliver_at == paris(2026, 3, 9, 8, 30)
    assert deliver_due_notifications(paris(2026, 3, 8, 23, 59)) == 0
    n.refresh_from_db()
    assert n.delivered_at is None
    assert deliver_due_notifications(paris(2026, 3, 9, 8, 30)) == 1
    n.refresh_from_db()
    assert n.delivered_at == paris(2026, 3, 9, 8, 30)
    assert not n.via_duty


def test_within_hours_a_notification_is_due_at_once(agent):
    n = _notify(agent, paris(2026, 3, 10, 10, 15))
    assert n.deliver_at == paris(2026, 3, 10, 10, 15)
    assert deliver_due_notifications(paris(2026, 3, 10, 10, 15)) == 1


def test_the_lunch_break_holds_until_the_afternoon(agent):
    n = _notify(agent, paris(2026, 3, 10, 12, 30))
    assert n.deliver_at == paris(2026, 3, 10, 13, 30)


def test_a_public_holiday_holds_until_the_next_working_day(agent):
    # Friday 1 May 2026 is Fête du Travail: held until Monday 4 May.
    n = _notify(agent, paris(2026, 5, 1, 10, 0))
    assert n.deliver_at == paris(2026, 5, 4, 8, 30)


def test_a_closure_of_the_team_holds_its_agents_notifications(agent, team):
    calendar = Calendar.objects.create(name="Accueil", team=team)
    for day in range(5):
        OpeningSlot.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(17))
    Closure.objects.create(calendar=calendar, starts=date(2026, 3, 10), ends=date(2026, 3, 11))
    n = _notify(agent, paris(2026, 3, 10, 10, 0))
    assert n.deliver_at == paris(2026, 3, 12, 9, 0)


def test_the_clocks_going_forward_do_not_shift_the_opening(agent):
    # Friday evening in winter time; the clocks go forward on Sunday 29 March 2026.
    n = _notify(agent, paris(2026, 3, 27, 18, 0))
    assert n.deliver_at == paris(2026, 3, 30, 8, 30)
    assert n.deliver_at.astimezone(UTC) == datetime(2026, 3, 30, 6, 30, tzinfo=UTC)


def test_the_clocks_going_back_do_not_shift_the_opening(agent):
    n = _notify(agent, paris(2026, 10, 23, 18, 0))
    assert n.deliver_at.astimezone(UTC) == datetime(2026, 10, 26, 7, 30, tzinfo=UTC)


@pytest.fixture
def part_time():
    calendar = Calendar.objects.create(name="Temps partiel lundi-mardi", personal=True)
    for day in (0, 1):
        OpeningSlot.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(12))
    return calendar


def test_a_personal_part_time_calendar_holds_off_days(agent, part_time):
    set_preferences(agent, email=False, calendar=part_time, now=paris(2026, 3, 1, 12, 0))
    n = _notify(agent, paris(2026, 3, 11, 10, 0))  # a Wednesday: not a working day for them
    assert n.deliver_at == paris(2026, 3, 16, 9, 0)


def test_a_personal_calendar_does_not_become_the_default_calendar(agent, part_time, team):
    from civique.sla.policies import calendar_row_for

    assert calendar_row_for(team).personal is False


def test_changing_hours_reschedules_what_is_held(agent, part_time):
    n = _notify(agent, paris(2026, 3, 7, 3, 0))
    assert n.deliver_at == paris(2026, 3, 9, 8, 30)
    set_preferences(agent, email=False, calendar=part_time, now=paris(2026, 3, 7, 4, 0))
    n.refresh_from_db()
    assert n.deliver_at == paris(2026, 3, 9, 9, 0)


def test_a_personal_calendar_that_never_opens_falls_back_to_the_team_hours(agent):
    empty = Calendar.objects.create(name="Vide", personal=True)
    set_preferences(agent, email=False, calendar=empty, now=paris(2026, 3, 1, 12, 0))
    n = _notify(agent, paris(2026, 3, 7, 3, 0))
    assert n.deliver_at == paris(2026, 3, 9, 8, 30)


def test_an_inactive_account_gets_nothing(agent):
    agent.is_active = False
    agent.save()
    assert _notify(agent, paris(2026, 3, 10, 10, 0)) is None
    assert not Notification.objects.exists()
