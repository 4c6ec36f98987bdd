"""The administrators' page of failed inbound events, and processing them again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civique.ingest.models import EventState, InboundEvent

pytestmark = pytest.mark.django_db
EVENTS = "/evenements/"


@pytest.fixture
def parked(webform_channel) -> InboundEvent:
    return InboundEvent.objects.create(
        channel=webform_channel,
        external_id="evt-1",
        payload=b'{"email": "a@example.org", "text": "Bonjour"}',
        content_type="application/json",
        state=EventState.PARKED,
        attempts=5,
        last_error="OperationalError: <base> verrouillée",
    )


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_page_is_for_administrators_only(client, agent, parked):
    client.force_login(agent)

    assert client.get(EVENTS).status_code == 403
    assert client.post(reverse("ingest:retry", args=[parked.pk])).status_code == 403
    assert client.post(reverse("ingest:retry_all")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(EVENTS).status_code == 302


def test_an_administrator_sees_parked_events_with_their_escaped_error(
    client, admin_user, parked, webform_channel
):
    InboundEvent.objects.create(
        channel=webform_channel, external_id="ok", payload=b"{}", state=EventState.DONE
    )
    client.force_login(admin_user)

    response = client.get(EVENTS)

    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].object_list] == [parked.pk]
    assert "OperationalError: &lt;base&gt; verrouillée" in response.text
    assert "Portail citoyen" in response.text


def test_retrying_an_event_processes_it_again(client, admin_user, parked, immediate_tasks):
    client.force_login(admin_user)

    response = client.post(reverse("ingest:retry", args=[parked.pk]))

    assert response["Location"] == EVENTS
    parked.refresh_from_db()
    assert parked.state == EventState.DONE
    assert parked.message_ids


def test_retrying_all_puts_every_failed_event_back_in_the_queue(
    client, admin_user, parked, webform_channel
):
    retrying = InboundEvent.objects.create(
        channel=webform_channel,
        external_id="evt-2",
        payload=b"{}",
        state=EventState.RETRYING,
        attempts=2,
        last_error="x",
    )
    client.force_login(admin_user)

    response = client.post(reverse("ingest:retry_all"), follow=True)

    parked.refresh_from_db()
    retrying.refresh_from_db()
    assert (parked.state, retrying.state) == (EventState.PENDING, EventState.PENDING)
    assert parked.attempts == 0
    assert "2 événements remis en traitement" in response.text
