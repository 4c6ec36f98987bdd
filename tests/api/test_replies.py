from civique.inbox.models import Delivery, Message
from tests.intake import deliver


def url(conversation_id: int) -> str:
    return f"/api/v1/conversations/{conversation_id}/replies"


def reply(client, headers, conversation_id, **body):
    return client.post(url(conversation_id), body, content_type="application/json", headers=headers)


def test_a_reply_creates_an_outbound_message_with_a_queued_delivery(
    client, agent, auth, webform_channel
):
    conversation = deliver(webform_channel, email="lea@example.org").conversation

    response = reply(client, auth(agent), conversation.pk, text="  Bonjour, c'est noté.  ")

    assert response.status_code == 201
    body = response.json()
    message = Message.objects.get(pk=body["id"])
    assert message.direction == "out" and message.text == "Bonjour, c'est noté."
    assert message.author_agent == agent
    assert Delivery.objects.get(message=message).state == "queued"
    assert body["delivery"]["state"] == "queued" and body["delivery"]["attempts"] == 0
    assert body["conversation_id"] == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.first_response_at is not None


def test_a_reply_may_set_the_status(client, agent, auth, webform_channel):
    conversation = deliver(webform_channel, email="lea@example.org").conversation

    reply(client, auth(agent), conversation.pk, text="C'est réglé.", status="resolved")

    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.resolved_at is not None


def test_replying_on_a_phone_conversation_gives_409_with_the_action_error(
    client, agent, auth, phone_channel
):
    conversation = deliver(phone_channel, phone="06 12 34 56 78", text="Appel").conversation

    response = reply(client, auth(agent), conversation.pk, text="Bonjour")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Le canal « Standard » ne permet pas de répondre : "
        "consignez un appel ou une visite."
    }
    assert not Message.objects.filter(direction="out").exists()


def test_an_empty_reply_or_an_unknown_status_is_refused(client, agent, auth, webform_channel):
    conversation = deliver(webform_channel, email="lea@example.org").conversation
    headers = auth(agent)

    blank = reply(client, headers, conversation.pk, text="   ")
    missing = reply(client, headers, conversation.pk)
    bad_status = reply(client, headers, conversation.pk, text="Oui", status="oublié")

    assert blank.status_code == missing.status_code == bad_status.status_code == 422
    assert blank.json()["errors"][0]["loc"] == ["body", "text"]
    assert missing.json()["errors"][0]["msg"] == "Champ obligatoire."
    assert bad_status.json()["errors"][0]["loc"] == ["body", "status"]
    assert not Message.objects.filter(direction="out").exists()


def test_an_outsider_cannot_reply(client, outsider, auth, webform_channel):
    conversation = deliver(webform_channel, email="lea@example.org").conversation

    response = reply(client, auth(outsider), conversation.pk, text="Bonjour")

    assert response.status_code == 404
    assert not Message.objects.filter(direction="out").exists()
