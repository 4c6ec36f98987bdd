"""What the inbox hands a connector: the operation it builds from a delivery."""

from __future__ import annotations

import pytest

from civique.channels.connectors.base import Recipient
from civique.inbox.actions import reply_privately, reply_to_conversation
from civique.inbox.models import Delivery, Message
from civique.inbox.outbound import build_operation
from tests.channels.instagram import deliver as deliver_instagram
from tests.channels.mail import ingest, mail
from tests.intake import attachment, deliver, request_from

pytestmark = pytest.mark.django_db


def first_message(channel, raw: bytes) -> Message:
    return Message.objects.get(pk=ingest(channel, raw).message_ids[0])


def test_an_email_reply_answers_the_latest_mail_of_the_contact(agent, email_channel):
    question = first_message(email_channel, mail(subject="Encombrants"))
    conversation = question.conversation
    reply = reply_to_conversation(agent, conversation, "Lundi prochain.")
    operation = build_operation(reply.delivery)
    assert operation.kind == "send"
    assert operation.recipient == Recipient("email", "renee.lefevre@orange.fr", "Renée Lefèvre")
    assert (operation.subject, operation.text) == ("Re: Encombrants", "Lundi prochain.")
    assert operation.in_reply_to == "<question-1@orange.fr>"
    assert operation.references == ["<question-1@orange.fr>"]
    assert operation.message_pk == reply.pk
    assert operation.reference == conversation.reference
    assert operation.created_at == reply.created_at
    assert operation.target_id == ""


def test_a_contact_without_a_handle_of_the_channels_kind_has_no_recipient(agent, webform_channel):
    conversation = request_from(webform_channel, phone="06 12 34 56 78")
    reply = reply_to_conversation(agent, conversation, "Nous vous rappelons.")
    operation = build_operation(reply.delivery)
    assert operation.recipient is None
    assert (operation.in_reply_to, operation.references) == ("", [])


def test_an_operation_on_a_message_targets_its_platform_id(email_channel):
    question = first_message(email_channel, mail())
    operation = build_operation(Delivery.objects.create(message=question, kind="hide"))
    assert (operation.kind, operation.target_id) == ("hide", "<question-1@orange.fr>")


def test_hiding_a_message_does_not_read_its_attachments(webform_channel):
    photo = deliver(
        webform_channel,
        email="lea@example.org",
        external_id="form-1",
        attachments=[attachment("lampadaire.txt", b"photo", "text/plain")],
    )
    assert photo.attachments.count() == 1
    operation = build_operation(Delivery.objects.create(message=photo, kind="hide"))
    assert operation.attachments == []
    assert operation.target_id == "form-1"


def test_it_tells_when_the_contact_last_wrote_for_platforms_with_a_reply_window(
    agent, email_channel
):
    question = first_message(email_channel, mail())
    reply = reply_to_conversation(agent, question.conversation, "Lundi prochain.")
    operation = build_operation(reply.delivery)
    when = question.platform_timestamp or question.created_at
    assert operation.last_inbound_at == when


def test_nobody_having_written_on_the_channel_leaves_the_last_inbound_time_out(
    agent, webform_channel
):
    conversation = request_from(webform_channel, phone="06 12 34 56 78")
    reply = reply_to_conversation(agent, conversation, "Nous vous rappelons.")
    assert build_operation(reply.delivery).last_inbound_at is None


def test_a_send_knows_when_the_contact_last_wrote_in_private(agent, email_channel):
    first_message(email_channel, mail())
    later = mail(
        message_id="<question-2@orange.fr>", extra="In-Reply-To: <question-1@orange.fr>\n"
    ).replace(b"Wed, 22 Jan 2025 10:00:00", b"Thu, 23 Jan 2025 08:30:00")
    latest = first_message(email_channel, later)
    reply = reply_to_conversation(agent, latest.conversation, "Réponse.")
    operation = build_operation(reply.delivery)
    assert operation.last_inbound_at.isoformat() == "2025-01-23T07:30:00+00:00"
    assert operation.answered_at == latest.platform_timestamp


def test_a_private_reply_knows_when_its_comment_was_written(client, agent, instagram_channel):
    deliver_instagram(client, instagram_channel, "comment-add.json")
    comment = Message.objects.get()
    answer = reply_privately(agent, comment, "Bonjour, en privé.")
    operation = build_operation(answer.delivery)
    assert (operation.kind, operation.in_reply_to) == ("reply_private", comment.external_id)
    assert operation.answered_at == comment.platform_timestamp is not None
    assert operation.answered_meta["media_id"] == comment.meta["media_id"]
    assert operation.last_inbound_at is None  # the commenter never wrote in private


def test_a_moderation_carries_no_window(email_channel):
    question = first_message(email_channel, mail())
    operation = build_operation(Delivery.objects.create(message=question, kind="hide"))
    assert operation.last_inbound_at is None
