"""WhatsApp Cloud API, outbound: answers queued by the inbox, sent by the real outbox
(``deliver_due``) to the local fake of the Graph API, within and beyond the 24-hour
customer-service window, and the documented errors as the agent reads them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from civique.inbox.actions import reply_to_conversation
from civique.inbox.attachments import PreparedAttachment, save_attachment
from civique.inbox.models import Conversation, Delivery, DeliveryState, Message
from civique.inbox.outbox import deliver_due
from tests.channels.whatsapp import (
    OUR_WAMID,
    PHONE_NUMBER_ID,
    TOKEN,
    WA_ID,
    body,
    deliver,
    jpeg,
)
from tests.fakes.graph import Answer, error_body

pytestmark = pytest.mark.django_db

MESSAGES = rf"{PHONE_NUMBER_ID}/messages"
MEDIA = rf"{PHONE_NUMBER_ID}/media"
TEXT_ID = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUMwRjE2QkE3RTlCNEVEQkUzMwA="


def accepted(wamid: str) -> dict:
    """The documented answer to a send: the contact and the new message's id."""
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
        "messages": [{"id": wamid}],
    }


def conversation_written(client, channel, *, ago: float) -> Conversation:
    """The person's text message, written ``ago`` seconds before now."""
    deliver(client, channel, body("text.json", ago=ago))
    return Conversation.objects.get()


def answer(agent, conversation, text="Bonjour, l'équipe d'éclairage passe demain.") -> Delivery:
    message = reply_to_conversation(agent, conversation, text)
    deliver_due()
    return Delivery.objects.get(message=message)


def test_a_reply_within_the_window_is_sent_as_text_and_answers_the_last_message(
    client, whatsapp_channel, agent, graph_api
):
    graph_api.route("POST", MESSAGES, accepted("wamid.SORTANT1"))
    conversation = conversation_written(client, whatsapp_channel, ago=3600)
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    (call,) = graph_api.made("POST", MESSAGES)
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Bonjour, l'équipe d'éclairage passe demain.", "preview_url": False},
        "context": {"message_id": TEXT_ID},
    }
    # Statuses name this id: it is the message's own.
    assert delivery.message.external_id == "wamid.SORTANT1"
    assert delivery.provider_id == "wamid.SORTANT1"


def test_a_photo_is_uploaded_then_sent_by_id_with_the_text_as_caption(
    client, whatsapp_channel, agent, graph_api
):
    graph_api.route("POST", MEDIA, {"id": "5512093344871209"})
    graph_api.route("POST", MESSAGES, accepted("wamid.SORTANT2"))
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    photo = jpeg()
    # The reply is queued (the outbox runs below), then its photo added as the reply form would.
    message = reply_to_conversation(agent, conversation, "Voici le plan des travaux.")
    save_attachment(message, PreparedAttachment("plan.jpg", photo, "image/jpeg"))
    deliver_due()
    assert Delivery.objects.get(message=message).state == DeliveryState.SENT
    (upload,) = graph_api.made("POST", MEDIA)
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert photo in upload.body
    assert b'name="messaging_product"\r\n\r\nwhatsapp' in upload.body
    (send,) = graph_api.made("POST", MESSAGES)
    assert send.json["type"] == "image"
    assert send.json["image"] == {"id": "5512093344871209", "caption": "Voici le plan des travaux."}


def test_a_document_goes_with_its_name_after_a_long_text(
    client, whatsapp_channel, agent, graph_api
):
    graph_api.route("POST", MEDIA, {"id": "7781"})
    graph_api.route("POST", MESSAGES, accepted("wamid.SORTANT3"))
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    text = "Madame, Monsieur, " * 80  # longer than a caption
    message = reply_to_conversation(agent, conversation, text)
    pdf = b"%PDF-1.4\n%%EOF\n"
    save_attachment(message, PreparedAttachment("arrete.pdf", pdf, "application/pdf"))
    deliver_due()
    first, second = graph_api.made("POST", MESSAGES)
    assert first.json["type"] == "text"
    assert second.json["document"] == {"id": "7781", "filename": "arrete.pdf"}
    message.refresh_from_db()
    assert message.external_id == "wamid.SORTANT3"


def test_beyond_the_window_the_channels_approved_template_carries_the_answer(
    client, whatsapp_channel, agent, graph_api
):
    whatsapp_channel.settings.update(template_name="reponse_mairie", template_language="fr")
    whatsapp_channel.save()
    graph_api.route("POST", MESSAGES, accepted("wamid.MODELE1"))
    conversation = conversation_written(client, whatsapp_channel, ago=25 * 3600)
    delivery = answer(agent, conversation, "Bonjour,\nle lampadaire est réparé.")
    assert delivery.state == DeliveryState.SENT, delivery.last_error
    (call,) = graph_api.made("POST", MESSAGES)
    assert call.json["type"] == "template"
    assert call.json["template"] == {
        "name": "reponse_mairie",
        "language": {"code": "fr"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Bonjour, le lampadaire est réparé."}],
            }
        ],
    }
    assert delivery.message.external_id == "wamid.MODELE1"


def test_beyond_the_window_without_template_it_refuses_before_calling_and_says_why(
    client, whatsapp_channel, agent, graph_api
):
    conversation = conversation_written(client, whatsapp_channel, ago=25 * 3600)
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1
    assert "n'a pas écrit sur WhatsApp depuis plus de 24 heures" in delivery.last_error
    assert "template_name" in delivery.last_error
    assert not graph_api.calls


def test_a_template_meta_refuses_is_explained(client, whatsapp_channel, agent, graph_api):
    whatsapp_channel.settings.update(template_name="inconnu", template_language="fr")
    whatsapp_channel.save()
    error = error_body(132001, 0, "OAuthException", "Template name does not exist")
    graph_api.route("POST", MESSAGES, Answer(404, error))
    conversation = conversation_written(client, whatsapp_channel, ago=25 * 3600)
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("WhatsApp refuse le modèle « inconnu » (fr)")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("expired_token", "jeton d'accès de ce canal a expiré"),
        ("whatsapp_window", "modèle approuvé"),  # the window closed on Meta's side (131047)
    ],
)
def test_documented_errors_fail_for_good_in_plain_french(
    client, whatsapp_channel, agent, graph_api, error, words
):
    graph_api.fail("POST", MESSAGES, error)
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.FAILED
    assert words in delivery.last_error


def test_a_rate_limit_is_retried_after_the_platforms_wait(
    client, whatsapp_channel, agent, graph_api
):
    usage = {PHONE_NUMBER_ID: [{"type": "whatsapp", "estimated_time_to_regain_access": 15}]}
    error = error_body(130429, 0, "OAuthException", "Rate limit hit")
    graph_api.route(
        "POST",
        MESSAGES,
        Answer(400, error, headers={"X-Business-Use-Case-Usage": json.dumps(usage)}),
    )
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    before = timezone.now()
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.RETRYING
    assert "limite le nombre d'envois" in delivery.last_error
    assert delivery.next_attempt_at >= before + timedelta(minutes=15)


def test_a_contact_without_whatsapp_number_is_refused_clearly(
    client, whatsapp_channel, agent, graph_api
):
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    conversation.contact.identities.all().delete()
    Message.objects.update(author_identity=None)
    delivery = answer(agent, conversation)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("Aucun numéro WhatsApp connu")
    assert not graph_api.calls


def test_the_platforms_statuses_show_how_far_our_answer_got(
    client, whatsapp_channel, agent, graph_api
):
    graph_api.route("POST", MESSAGES, accepted(OUR_WAMID))
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    delivery = answer(agent, conversation)
    assert delivery.message.external_id == OUR_WAMID
    # Read arrives before delivered (WhatsApp does not promise the order): read stays.
    deliver(client, whatsapp_channel, "status-sent.json", "status-read.json")
    deliver(client, whatsapp_channel, "status-delivered.json")
    message = Message.objects.get(pk=delivery.message.pk)
    assert message.meta["platform_status"] == "read"
    assert Message.objects.filter(direction="out").count() == 1
    client.force_login(agent)
    page = client.get(f"/demandes/{conversation.pk}/").content.decode()
    assert "Sur la plateforme : <strong>lu</strong>" in " ".join(page.split())


def test_a_failed_status_puts_the_platforms_reason_on_the_timeline(
    client, whatsapp_channel, agent, graph_api
):
    graph_api.route("POST", MESSAGES, accepted(OUR_WAMID))
    conversation = conversation_written(client, whatsapp_channel, ago=600)
    answer(agent, conversation)
    deliver(client, whatsapp_channel, "status-failed.json")
    entry = conversation.timeline.get(kind="delivery", data__state="failed")
    assert entry.data["error"]
    assert Message.objects.get(external_id=OUR_WAMID).meta["platform_status"] == "failed"
