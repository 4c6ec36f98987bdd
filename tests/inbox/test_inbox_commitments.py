"""The inbox sorts by due time, filters by breach state and shows each commitment."""

from __future__ import annotations

import pytest

from civique.sla.models import Policy
from tests.intake import request_from

pytestmark = pytest.mark.django_db
INBOX = "/"


def subjects(response) -> list[str]:
    return [c.subject for c in response.context["conversations"]]


@pytest.fixture
def one_hour_to_answer(db):
    Policy.objects.filter(name="Formulaire du portail").update(
        acknowledge_within=None, answer_within=1, answer_unit="hours"
    )


def test_it_filters_the_late_conversations(client, agent, webform_channel, one_hour_to_answer):
    request_from(webform_channel, hours_ago=60, subject="Ancienne", email="a@example.org")
    request_from(webform_channel, hours_ago=0, subject="Récente", email="b@example.org")
    client.force_login(agent)

    response = client.get(INBOX, {"sla_state": "breached"})

    assert subjects(response) == ["Ancienne"]
    assert "En retard" in response.content.decode()


def test_it_sorts_by_the_nearest_due_time(client, agent, webform_channel, one_hour_to_answer):
    request_from(webform_channel, hours_ago=0, subject="Récente", email="b@example.org")
    request_from(webform_channel, hours_ago=60, subject="Ancienne", email="a@example.org")
    client.force_login(agent)

    response = client.get(INBOX, {"sort": "due"})

    assert subjects(response) == ["Ancienne", "Récente"]


def test_the_conversation_page_names_the_commitment_and_its_due_times(
    client, agent, webform_channel
):
    conversation = request_from(webform_channel, subject="Horaires", email="a@example.org")
    client.force_login(agent)

    page = client.get(f"/demandes/{conversation.pk}/").content.decode()

    assert "Formulaire du portail" in page
    assert "Première réponse attendue le" in page
    assert "Accusé de réception attendu le" in page


def test_an_unknown_breach_state_is_ignored(client, agent, webform_channel):
    request_from(webform_channel, subject="Horaires", email="a@example.org")
    client.force_login(agent)
    assert subjects(client.get(INBOX, {"sla_state": "tard"})) == ["Horaires"]
