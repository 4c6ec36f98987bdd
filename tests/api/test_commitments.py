"""The API exposes each conversation's commitments: policy, due times by name, breach state."""

from datetime import timedelta

from django.utils import timezone

from civique.inbox.actions import change_status
from civique.inbox.models import Conversation
from civique.sla.models import Policy
from tests.intake import deliver

URL = "/api/v1/conversations"


def test_a_portal_request_shows_its_policy_and_due_times(client, agent, auth, webform_channel):
    message = deliver(webform_channel, email="lea@example.org", text="Horaires de la mairie ?")

    item = client.get(URL, headers=auth(agent)).json()["items"][0]

    conversation = Conversation.objects.get(pk=message.conversation_id)
    commitments = item["commitments"]
    assert commitments["policy"] == "Formulaire du portail"
    assert commitments["state"] == "ok"
    assert commitments["breaches"] == []
    assert set(commitments["due"]) == {"acknowledgement", "first_answer", "resolution"}
    assert commitments["due"]["resolution"] is None
    assert commitments["due"]["first_answer"] == timezone.localtime(
        conversation.first_answer_due_at
    ).isoformat(timespec="seconds")
    assert commitments["next_due_at"] == commitments["due"]["acknowledgement"]
    assert item["acknowledged_at"] is None


def test_it_filters_and_sorts_by_breach_state_and_due_time(
    client, agent, auth, webform_channel, supervisor
):
    Policy.objects.filter(name="Formulaire du portail").update(
        acknowledge_within=None, answer_within=1, answer_unit="hours"
    )
    long_ago = (timezone.now() - timedelta(days=2)).isoformat()
    late = deliver(webform_channel, email="a@example.org", occurred_at=long_ago)
    fresh = deliver(webform_channel, email="b@example.org")
    paused = deliver(webform_channel, email="c@example.org")
    change_status(supervisor, paused.conversation, "pending")

    def refs(query):
        response = client.get(f"{URL}?{query}", headers=auth(agent))
        assert response.status_code == 200
        return [i["id"] for i in response.json()["items"]]

    assert refs("sla_state=breached") == [late.conversation_id]
    assert refs("sla_state=late") == [late.conversation_id]
    assert refs("sla_state=paused") == [paused.conversation_id]
    assert refs("sort=due")[:2] == [late.conversation_id, fresh.conversation_id]


def test_a_bad_breach_state_is_a_clear_error(client, agent, auth):
    response = client.get(f"{URL}?sla_state=tard", headers=auth(agent))
    assert response.status_code == 422
