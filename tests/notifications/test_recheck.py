"""Found in review: the sweep checks the recipient's hours again at delivery (hours changed while
held, a late sweep at night), a team week without slots, deactivated accounts, the calendars an
agent may choose, a failing scheduler step, shift decisions on stale rows, Paris times."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.urls import reverse

from civique.ingest.scheduler import run_steps
from civique.notifications.actions import (
    NotificationError,
    accept_shift,
    cancel_shift,
    deliver_due_notifications,
    notify,
    propose_shift,
    set_preferences,
)
from civique.notifications.forms import PreferencesForm
from civique.notifications.models import DutyShift, Kind, Notification, ShiftState
from civique.sla.models import Calendar, Closure, OpeningSlot
from tests.notifications.conftest import paris

pytestmark = pytest.mark.django_db

SATURDAY_3AM = paris(2026, 3, 7, 3, 0)
MONDAY = paris(2026, 3, 9, 8, 30)


def _notify(user, at):
    return notify(user, Kind.ASSIGNED, "Une demande pour vous.", now=at)


def _emailing(agent):
    agent.email = "bruno@valmont.example"
    agent.save()
    set_preferences(agent, email=True, calendar=None, now=paris(2026, 3, 1))


def test_a_closure_added_while_held_holds_it_again(agent):
    n = _notify(agent, SATURDAY_3AM)
    assert n.deliver_at == MONDAY
    default = Calendar.objects.get(team__isnull=True, personal=False)
    Closure.objects.create(calendar=default, starts=date(2026, 3, 9), ends=date(2026, 3, 9))
    assert deliver_due_notifications(MONDAY) == 0
    n.refresh_from_db()
    assert n.delivered_at is None
    assert n.deliver_at == paris(2026, 3, 10, 8, 30)
    assert deliver_due_notifications(paris(2026, 3, 10, 8, 30)) == 1


def test_a_late_sweep_at_night_holds_until_monday_and_sends_no_email(agent):
    _emailing(agent)
    n = _notify(agent, paris(2026, 3, 6, 17, 29))  # Friday, within hours
    assert n.deliver_at == paris(2026, 3, 6, 17, 29)
    assert deliver_due_notifications(SATURDAY_3AM) == 0  # the scheduler was down until now
    n.refresh_from_db()
    assert n.delivered_at is None and n.deliver_at == MONDAY
    assert mail.outbox == []
    assert deliver_due_notifications(MONDAY) == 1
    assert len(mail.outbox) == 1


def test_an_empty_team_week_falls_back_to_the_default_calendar(agent, team):
    Calendar.objects.create(name="Accueil (vide)", team=team)  # saved without any slot
    n = _notify(agent, SATURDAY_3AM)
    assert n.deliver_at == MONDAY
    assert deliver_due_notifications(SATURDAY_3AM) == 0


def test_with_no_calendar_at_all_the_built_in_week_holds(agent, team):
    Calendar.objects.all().delete()
    Calendar.objects.create(name="Accueil (vide)", team=team)
    n = _notify(agent, SATURDAY_3AM)
    assert n.deliver_at == MONDAY


def test_a_deactivated_recipient_gets_nothing_and_no_email(agent):
    _emailing(agent)
    n = _notify(agent, SATURDAY_3AM)
    agent.is_active = False
    agent.save()
    assert deliver_due_notifications(MONDAY) == 0
    n.refresh_from_db()
    assert n.delivered_at is None  # kept undelivered, not deleted
    assert mail.outbox == []


def test_preferences_offer_only_personal_calendars(agent, other_team):
    personal = Calendar.objects.create(name="Temps partiel", personal=True)
    theirs = Calendar.objects.create(name="Horaires de l'autre service", team=other_team)
    for calendar in (personal, theirs):
        OpeningSlot.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(12))
    offered = set(PreferencesForm().fields["calendar"].queryset)
    assert personal in offered
    assert theirs not in offered
    assert Calendar.objects.get(team__isnull=True, personal=False) not in offered
    with pytest.raises(NotificationError):
        set_preferences(agent, email=False, calendar=theirs)


def test_another_teams_calendar_is_refused_by_the_page(client, agent, other_team):
    theirs = Calendar.objects.create(name="Horaires de l'autre service", team=other_team)
    OpeningSlot.objects.create(calendar=theirs, weekday=0, opens=time(9), closes=time(12))
    client.force_login(agent)
    response = client.post(reverse("notifications:preferences"), {"calendar": theirs.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_calendar_helptext id_calendar_error"' in page
    assert 'id="id_calendar_helptext"' in page and 'id="id_calendar_error"' in page


def test_a_failing_scheduler_step_does_not_stop_delivery(agent, caplog):
    _notify(agent, SATURDAY_3AM)

    def broken_commitments() -> None:
        raise RuntimeError("état incohérent")

    with caplog.at_level(logging.ERROR, logger="civique.ingest.scheduler"):
        failed = run_steps(
            [
                ("sweep_commitments", broken_commitments),
                ("deliver_due_notifications", lambda: deliver_due_notifications(MONDAY)),
            ]
        )
    assert failed == ["sweep_commitments"]
    assert Notification.objects.get().delivered_at == MONDAY
    assert "sweep_commitments" in caplog.text


def test_an_acceptance_on_a_stale_shift_loses_to_a_cancellation(supervisor, agent):
    shift = propose_shift(
        supervisor,
        agent,
        paris(2026, 3, 6, 18, 0),
        paris(2026, 3, 9, 8, 0),
        now=paris(2026, 3, 5, 10, 0),
    )
    stale = DutyShift.objects.get(pk=shift.pk)
    cancel_shift(supervisor, shift, now=paris(2026, 3, 5, 11, 0))
    with pytest.raises(NotificationError):
        accept_shift(agent, stale, now=paris(2026, 3, 5, 12, 0))
    assert DutyShift.objects.get(pk=shift.pk).state == ShiftState.CANCELLED


def test_a_shift_reads_in_paris_time(supervisor, agent):
    shift = propose_shift(
        supervisor,
        agent,
        datetime(2026, 3, 6, 17, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 7, 0, tzinfo=UTC),
        now=paris(2026, 3, 5, 10, 0),
    )
    assert "06/03/2026 18:00–09/03/2026 08:00" in str(shift)
