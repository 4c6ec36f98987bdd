"""Replies leave over SMTP, to a real server (aiosmtpd on 127.0.0.1), through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.utils import timezone

from civique.channels.connectors.email.smtp import message_id_for
from civique.contacts.models import Contact
from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Conversation, Delivery, DeliveryState, Message
from civique.inbox.outbox import deliver_due
from civique.ingest.actions import process_event, receive_event
from tests.channels.mail import eml, ingest, mail
from tests.smtp import Recorder, free_port

pytestmark = pytest.mark.smtp

CITIZEN_ID = "<000a01db6660$4f2e1c30$ed8a5490$@orange.fr>"


@pytest.fixture
def recorder(smtp_server) -> Recorder:
    return smtp_server[1]


@pytest.fixture
def conversation(smtp_channel) -> Conversation:
    event = ingest(smtp_channel, eml("depot-sauvage-windows-1252.eml"))
    return Message.objects.get(pk=event.message_ids[0]).conversation


def answer(agent, conversation: Conversation, text: str) -> Message:
    message = reply_to_conversation(agent, conversation, text)
    deliver_due()
    message.refresh_from_db()
    return message


def test_a_reply_leaves_threaded_with_plain_and_html_parts(agent, conversation, recorder):
    message = answer(agent, conversation, "Bonjour Madame,\nNous passons demain.\n<b>Merci</b>")
    ((mail_from, rcpt_tos, sent),) = recorder.received
    assert mail_from == "contact@valmont.example"
    assert rcpt_tos == ["renee.lefevre@orange.fr"]
    assert sent["From"] == "Ville de Valmont <contact@valmont.example>"
    assert sent["To"] == "Renée Lefèvre <renee.lefevre@orange.fr>"
    token = f"[#{conversation.reference}]"
    assert sent["Subject"] == f"Re: Dépôt sauvage rue des Tilleuls {token}"
    assert sent["In-Reply-To"] == CITIZEN_ID
    assert sent["References"] == CITIZEN_ID
    assert sent["Date"]
    assert "Auto-Submitted" not in sent
    # Line ends as they travel over SMTP: CRLF.
    plain = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = sent.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert plain == "Bonjour Madame,\nNous passons demain.\n<b>Merci</b>\n"
    assert "Bonjour Madame,<br>\nNous passons demain.<br>\n&lt;b&gt;Merci&lt;/b&gt;" in html
    assert message.delivery.state == DeliveryState.SENT
    assert message.external_id == sent["Message-ID"]
    assert message.external_id == message_id_for(message.pk, "contact@valmont.example")
    assert message.external_id.endswith("@valmont.example>")
    assert message.delivery.provider_id == message.external_id


def test_an_attachment_of_our_reply_travels_with_it(agent, conversation, recorder):
    import hashlib

    from django.core.files.base import ContentFile

    from civique.inbox.models import Attachment

    message = reply_to_conversation(agent, conversation, "Voici le plan.")
    content = b"%PDF-1.4 plan de collecte"
    Attachment.objects.create(
        message=message,
        file=ContentFile(content, name="plan.pdf"),
        filename="plan-collecte.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    deliver_due()
    (attached,) = recorder.mails[0].iter_attachments()
    assert attached.get_filename() == "plan-collecte.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == content


def test_the_citizens_answer_to_our_reply_threads_back(agent, conversation, smtp_channel):
    ours = answer(agent, conversation, "Nous passons demain.")
    reply = mail(
        sender="Renée Lefèvre <renee.lefevre@orange.fr>",
        subject="Re: Dépôt sauvage rue des Tilleuls",  # no token: the headers alone thread
        message_id="<merci-1@orange.fr>",
        extra=f"In-Reply-To: {ours.external_id}\nReferences: {CITIZEN_ID} {ours.external_id}\n",
    )
    event = ingest(smtp_channel, reply)
    assert Message.objects.get(pk=event.message_ids[0]).conversation == conversation
    assert Conversation.objects.count() == 1


def test_a_second_reply_carries_the_whole_chain(agent, conversation, smtp_channel, recorder):
    ours = answer(agent, conversation, "Nous passons demain.")
    follow_up = mail(
        sender="renee.lefevre@orange.fr",
        subject="Re: Dépôt sauvage",
        message_id="<relance-2@orange.fr>",
        extra=f"In-Reply-To: {ours.external_id}\nReferences: {CITIZEN_ID} {ours.external_id}\n",
    )
    ingest(smtp_channel, follow_up)
    answer(agent, conversation, "C'est fait.")
    sent = recorder.mails[-1]
    assert sent["In-Reply-To"] == "<relance-2@orange.fr>"
    assert sent["References"].split() == [CITIZEN_ID, ours.external_id, "<relance-2@orange.fr>"]
    assert sent["Subject"].count(f"[#{conversation.reference}]") == 1


def test_the_reference_token_is_not_repeated(agent, conversation, recorder):
    conversation.subject = f"Dépôt sauvage [#{conversation.reference}]"
    conversation.save()
    answer(agent, conversation, "Bien noté.")
    assert recorder.mails[0]["Subject"] == f"Re: Dépôt sauvage [#{conversation.reference}]"


def test_a_refused_recipient_fails_the_delivery_for_good(agent, conversation, recorder):
    recorder.refuse_rcpt = "550 5.1.1 Utilisateur inconnu"
    message = answer(agent, conversation, "Bonjour.")
    delivery = message.delivery
    assert delivery.state == DeliveryState.FAILED
    assert "550" in delivery.last_error and "Utilisateur inconnu" in delivery.last_error
    assert conversation.timeline.filter(kind="delivery", data__state="failed").exists()
    assert message.external_id is None


def test_a_temporary_refusal_is_retried_later(agent, conversation, recorder):
    recorder.refuse_rcpt = "451 4.7.1 Réessayez plus tard"
    delivery = answer(agent, conversation, "Bonjour.").delivery
    assert delivery.state == DeliveryState.RETRYING
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


def test_a_retry_sends_the_same_message_id(agent, conversation, recorder):
    recorder.refuse_data = "451 4.3.0 Disque plein"
    message = answer(agent, conversation, "Bonjour.")
    assert message.delivery.state == DeliveryState.RETRYING
    first_id = recorder.received[0][2]["Message-ID"]
    recorder.refuse_data = ""
    Delivery.objects.filter(pk=message.delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    deliver_due()
    message.refresh_from_db()
    assert message.delivery.state == DeliveryState.SENT
    assert recorder.mails[0]["Message-ID"] == first_id == message.external_id


def test_an_unreachable_server_is_retried(agent, conversation, smtp_channel):
    smtp_channel.settings["smtp_port"] = free_port()  # nothing listens there
    smtp_channel.save()
    delivery = answer(agent, conversation, "Bonjour.").delivery
    assert delivery.state == DeliveryState.RETRYING
    assert "injoignable" in delivery.last_error


def test_a_contact_without_email_fails_with_a_clear_message(agent, smtp_channel, recorder):
    conversation = Conversation.objects.create(
        channel=smtp_channel, contact=Contact.objects.create(display_name="Sans adresse")
    )
    delivery = answer(agent, conversation, "Bonjour.").delivery
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("Aucune adresse électronique connue pour cet usager")
    assert recorder.received == []


def test_missing_smtp_settings_fail_with_a_clear_message(agent, conversation, smtp_channel):
    del smtp_channel.settings["smtp_host"]
    smtp_channel.save()
    delivery = answer(agent, conversation, "Bonjour.").delivery
    assert delivery.state == DeliveryState.FAILED
    assert "smtp_host" in delivery.last_error


# --- Authentication ---------------------------------------------------------------------------


@pytest.fixture
def auth_server():
    recorder = Recorder()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"mairie"
            and (auth_data.password == b"s3cret-smtp")
        )
        # handled=False: aiosmtpd itself answers "535" on failure.
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(("password", "state"), [("s3cret-smtp", "sent"), ("faux", "failed")])
def test_it_logs_in_with_the_channel_secret(agent, email_channel, auth_server, password, state):
    controller, recorder = auth_server
    email_channel.settings.update(
        smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="none", smtp_user="mairie"
    )
    email_channel.secrets = {"smtp_password": password}
    email_channel.save()
    event = ingest(email_channel, eml("depot-sauvage-windows-1252.eml"))
    conversation = Message.objects.get(pk=event.message_ids[0]).conversation
    delivery = answer(agent, conversation, "Bonjour.").delivery
    assert delivery.state == state
    assert password not in delivery.last_error
    assert len(recorder.mails) == (1 if state == "sent" else 0)


# --- The web form answers by email through its reply channel ---------------------------------


def webform_conversation(webform_channel, **fields) -> Conversation:
    import json

    payload = {"name": "Lucie Bernard", "text": "Le trottoir est défoncé.", **fields}
    received = receive_event(
        webform_channel, json.dumps(payload).encode(), "application/json", enqueue=False
    )
    event = process_event(received.event.pk)
    return Message.objects.get(pk=event.message_ids[0]).conversation


def test_a_web_form_answer_goes_by_email_through_the_reply_channel(
    agent, webform_channel, smtp_channel, recorder
):
    webform_channel.settings = {"reply_channel": smtp_channel.pk}
    webform_channel.save()
    conversation = webform_conversation(webform_channel, email="Lucie.Bernard@Free.fr")
    message = answer(agent, conversation, "Nous intervenons lundi.")
    ((_from, rcpt_tos, sent),) = recorder.received
    assert rcpt_tos == ["lucie.bernard@free.fr"]
    assert f"[#{conversation.reference}]" in sent["Subject"]
    assert "In-Reply-To" not in sent
    assert message.delivery.state == DeliveryState.SENT
    assert message.external_id == sent["Message-ID"]


def test_a_web_form_answer_without_email_is_published_on_the_portal(
    agent, webform_channel, smtp_channel, recorder
):
    webform_channel.settings = {"reply_channel": smtp_channel.pk}
    webform_channel.save()
    conversation = webform_conversation(webform_channel, phone="06 12 34 56 78")
    message = answer(agent, conversation, "Nous intervenons lundi.")
    assert message.delivery.state == DeliveryState.SENT
    assert recorder.received == []


def test_a_web_form_without_reply_channel_publishes_only(agent, webform_channel, recorder):
    conversation = webform_conversation(webform_channel, email="lucie.bernard@free.fr")
    assert answer(agent, conversation, "Nous intervenons lundi.").delivery.state == "sent"
    assert recorder.received == []
