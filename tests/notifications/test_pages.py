"""The bell, the notifications page, preferences and the duty rota pages: held notifications
never show, each agent sees only their own, forms are checked."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civique.notifications.actions import deliver_due_notifications, notify, propose_shift
from civique.notifications.models import DutyShift, Kind, Notification, Preference, ShiftState
from civique.sla.models import Calendar, OpeningSlot
from tests.notifications.conftest import paris

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def _notification(user, text, *, delivered: bool) -> Notification:
    if delivered:  # a past Tuesday morning, within the default hours (the sweep checks them)
        n = notify(user, Kind.ASSIGNED, text, now=paris(2026, 3, 10, 10, 0))
        deliver_due_notifications(paris(2026, 3, 10, 10, 0))
    else:
        n = notify(user, Kind.ASSIGNED, text, now=timezone.now())
        Notification.objects.filter(pk=n.pk).update(deliver_at=timezone.now() + timedelta(days=2))
    n.refresh_from_db()
    return n


def test_the_page_and_the_bell_never_show_held_notifications(client, agent):
    _notification(agent, "Tenue jusqu'au lundi", delivered=False)
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert "Tenue jusqu" not in page
    assert "Rien de nouveau." in page
    assert 'class="badge"' not in page
    assert "Droit à la déconnexion" in page


def test_delivered_notifications_are_listed_and_counted(client, agent):
    _notification(agent, "Remise ce matin", delivered=True)
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert "Remise ce matin" in page
    assert "1 notification non lue." in page
    assert '<span class="badge">1<span class="visually-hidden"> non lues' in page


def test_an_agent_cannot_read_anothers_notification(client, agent, outsider):
    theirs = _notification(outsider, "Pour un autre", delivered=True)
    client.force_login(agent)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Pour un autre" not in client.get(LIST).content.decode()


def test_a_held_notification_cannot_be_marked_read(client, agent):
    held = _notification(agent, "Tenue", delivered=False)
    client.force_login(agent)
    assert client.post(reverse("notifications:read", args=[held.pk])).status_code == 404


def test_marking_read_needs_a_post(client, agent):
    n = _notification(agent, "Remise", delivered=True)
    client.force_login(agent)
    assert client.get(reverse("notifications:read", args=[n.pk])).status_code == 405


def test_mark_one_then_all_read(client, agent):
    first = _notification(agent, "Première", delivered=True)
    second = _notification(agent, "Seconde", delivered=True)
    held = _notification(agent, "Tenue", delivered=False)
    client.force_login(agent)
    client.post(reverse("notifications:read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:read_all"))
    second.refresh_from_db()
    held.refresh_from_db()
    assert second.read_at is not None
    assert held.read_at is None


def test_anonymous_visitors_are_sent_to_the_login(client):
    assert client.get(LIST).status_code == 302


def test_preferences_are_saved_and_audited(client, agent):
    calendar = Calendar.objects.create(name="Temps partiel", personal=True)
    OpeningSlot.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=time(12))
    client.force_login(agent)
    response = client.post(
        reverse("notifications:preferences"), {"email": "on", "calendar": calendar.pk}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=agent)
    assert preference.email and preference.calendar == calendar


def test_an_unknown_calendar_is_a_clear_error(client, agent):
    client.force_login(agent)
    response = client.post(reverse("notifications:preferences"), {"calendar": "999999"})
    assert response.status_code == 400
    assert not Preference.objects.exists()


def _future_shift_data(agent) -> dict:
    starts = timezone.localtime() + timedelta(days=1)
    return {
        "user": agent.pk,
        "starts": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends": (starts + timedelta(hours=14)).strftime("%Y-%m-%dT%H:%M"),
    }


def test_a_supervisor_proposes_a_shift_the_agent_then_accepts(client, supervisor, agent):
    client.force_login(supervisor)
    response = client.post(reverse("notifications:shifts"), _future_shift_data(agent))
    assert response.status_code == 302
    shift = DutyShift.objects.get(user=agent)
    assert shift.state == ShiftState.PROPOSED and shift.created_by == supervisor
    client.force_login(agent)
    assert "Accepter l'astreinte" in client.get(LIST).content.decode()
    client.post(reverse("notifications:decide_shift", args=[shift.pk]), {"decision": "accepter"})
    shift.refresh_from_db()
    assert shift.state == ShiftState.ACCEPTED and shift.consented_at is not None


def test_a_supervisor_cannot_propose_to_another_teams_agent(client, supervisor, outsider):
    client.force_login(supervisor)
    response = client.post(reverse("notifications:shifts"), _future_shift_data(outsider))
    assert response.status_code == 400
    assert not DutyShift.objects.exists()


def test_a_shift_ending_first_is_a_clear_error(client, supervisor, agent):
    data = _future_shift_data(agent)
    data["starts"], data["ends"] = data["ends"], data["starts"]
    client.force_login(supervisor)
    response = client.post(reverse("notifications:shifts"), data)
    assert response.status_code == 400
    assert response.context["error"] == "La fin de l'astreinte doit suivre son début."


def test_agents_cannot_open_the_rota(client, agent):
    client.force_login(agent)
    assert client.get(reverse("notifications:shifts")).status_code == 403


def test_an_agent_cannot_decide_anothers_shift(client, supervisor, agent, outsider):
    now = timezone.now()
    shift = propose_shift(supervisor, agent, now + timedelta(days=1), now + timedelta(days=2))
    client.force_login(outsider)
    url = reverse("notifications:decide_shift", args=[shift.pk])
    assert client.post(url, {"decision": "accepter"}).status_code == 404
    shift.refresh_from_db()
    assert shift.state == ShiftState.PROPOSED


def test_an_unknown_decision_is_a_400(client, supervisor, agent):
    now = timezone.now()
    shift = propose_shift(supervisor, agent, now + timedelta(days=1), now + timedelta(days=2))
    client.force_login(agent)
    url = reverse("notifications:decide_shift", args=[shift.pk])
    assert client.post(url, {"decision": "peut-etre"}).status_code == 400


def test_a_supervisor_cancels_only_their_teams_shifts(
    client, supervisor, agent, outsider, admin_user
):
    now = timezone.now()
    mine = propose_shift(supervisor, agent, now + timedelta(days=1), now + timedelta(days=2))
    theirs = propose_shift(admin_user, outsider, now + timedelta(days=1), now + timedelta(days=2))
    client.force_login(supervisor)
    assert client.post(reverse("notifications:cancel_shift", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:cancel_shift", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == ShiftState.CANCELLED and theirs.state == ShiftState.PROPOSED


def test_dates_and_hours_are_french(client, agent):
    n = notify(agent, Kind.ASSIGNED, "Remise lundi", now=paris(2026, 3, 7, 3, 0))
    deliver_due_notifications(paris(2026, 3, 9, 8, 30))
    n.refresh_from_db()
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert "lundi 9 mars 2026 à 08h30" in page
    assert "Lundi : 08h30–12h00, 13h30–17h30" in page
