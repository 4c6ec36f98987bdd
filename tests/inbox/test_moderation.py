"""Hiding, showing again and deleting a message, and answering a public comment in private:
queued by the inbox actions, then claimed, retried and given up by the outbox like a reply.

No real connector hides comments yet (email only sends), so the mechanics of hide and unhide run
against a connector defined here and registered for the test: it stands at the network edge, in
place of a platform's API, and records what it was asked to do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.channels.connectors.base import (
    OperationKind,
    OutboundOperation,
    SendResult,
    TransportError,
)
from civique.channels.connectors.structured import StructuredConnector
from civique.channels.models import Channel
from civique.channels.registry import all_connectors
from civique.core.models import AuditEvent
from civique.inbox.actions import (
    ActionError,
    delete_message,
    hide_message,
    reply_privately,
    unhide_message,
)
from civique.inbox.models import Delivery, DeliveryState, Message
from civique.inbox.outbox import deliver_due
from tests.channels.mail import ingest, mail
from tests.intake import deliver

pytestmark = pytest.mark.django_db


class PageConnector(StructuredConnector):
    """A platform that hides and shows comments again; ``outcomes`` scripts its answers."""

    kind = "page-test"
    label = "Page (test)"
    identity_kind = "facebook"
    operations = frozenset({OperationKind.HIDE, OperationKind.UNHIDE})

    def __init__(self) -> None:
        self.calls: list[OutboundOperation] = []
        self.outcomes: list[TransportError] = []

    def perform(self, channel, operation: OutboundOperation) -> SendResult:
        self.calls.append(operation)
        if self.outcomes:
            raise self.outcomes.pop(0)
        return SendResult(detail="ok")


@pytest.fixture
def platform():
    connectors = all_connectors()
    connectors[PageConnector.kind] = PageConnector()
    yield connectors[PageConnector.kind]
    del connectors[PageConnector.kind]


@pytest.fixture
def comment(platform, team) -> Message:
    channel = Channel.objects.create(kind=PageConnector.kind, name="Page de Valmont", team=team)
    return deliver(
        channel,
        external_id="post-1_comment-7",
        identity_kind="facebook",
        identity_value="psid-42",
        name="Karim B.",
        kind="comment",
        visibility="public",
        text="Encore les encombrants sur le trottoir !",
    )


def make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_hiding_a_comment_reaches_the_platform_then_marks_it_hidden(agent, comment, platform):
    delivery = hide_message(agent, comment)
    comment.refresh_from_db()
    assert comment.hidden_at is None  # not before the platform confirms
    assert deliver_due() == 1
    (operation,) = platform.calls
    assert (operation.kind, operation.target_id) == ("hide", "post-1_comment-7")
    delivery.refresh_from_db()
    comment.refresh_from_db()
    assert (delivery.kind, delivery.state, delivery.message) == ("hide", "sent", comment)
    assert comment.hidden_at is not None
    timeline = comment.conversation.timeline
    assert timeline.get(kind="moderation").data == {"operation": "hide"}
    assert timeline.get(kind="moderation").actor == agent
    assert timeline.get(kind="delivery").data == {"state": "sent", "operation": "hide"}
    assert AuditEvent.objects.filter(verb="message.hide", actor=agent).count() == 1


def test_a_hidden_comment_is_shown_again(agent, comment, platform):
    hide_message(agent, comment)
    deliver_due()
    comment.refresh_from_db()
    unhide_message(agent, comment)
    deliver_due()
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert [c.kind for c in platform.calls] == ["hide", "unhide"]
    assert [d.kind for d in comment.deliveries.order_by("id")] == ["hide", "unhide"]
    assert comment.delivery is None  # the comment was never ours to send


def test_a_temporary_refusal_is_retried_after_its_backoff(agent, comment, platform):
    platform.outcomes = [TransportError("Limite d'appels atteinte.")]
    delivery = hide_message(agent, comment)
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_error == "Limite d'appels atteinte."
    assert delivery.next_attempt_at > timezone.now()
    assert deliver_due() == 0  # not before its backoff
    make_due(delivery)
    deliver_due()
    delivery.refresh_from_db()
    comment.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert comment.hidden_at is not None


def test_it_gives_up_after_the_last_attempt(agent, comment, platform, settings):
    settings.CIVIQUE_MAX_ATTEMPTS = 2
    platform.outcomes = [TransportError("Service indisponible.")] * 2
    delivery = hide_message(agent, comment)
    deliver_due()
    make_due(delivery)
    deliver_due()
    delivery.refresh_from_db()
    comment.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert comment.hidden_at is None
    failed = comment.conversation.timeline.get(kind="delivery")
    assert failed.data == {"state": "failed", "operation": "hide", "error": "Service indisponible."}


def test_a_permanent_refusal_is_not_retried(agent, comment, platform):
    platform.outcomes = [TransportError("Commentaire introuvable.", permanent=True)]
    delivery = hide_message(agent, comment)
    deliver_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 1)


def test_a_second_moderation_waits_for_the_first(agent, comment, platform):
    platform.outcomes = [TransportError("Limite d'appels atteinte.")]
    hide_message(agent, comment)
    deliver_due()
    with pytest.raises(ActionError, match="déjà en cours"):
        delete_message(agent, comment)


def test_a_hidden_comment_is_not_hidden_twice(agent, comment, platform):
    hide_message(agent, comment)
    deliver_due()
    comment.refresh_from_db()
    with pytest.raises(ActionError, match="déjà masqué"):
        hide_message(agent, comment)
    assert Delivery.objects.count() == 1


def test_the_moderation_is_shown_on_the_conversation_page(client, agent, comment, platform):
    hide_message(agent, comment)
    deliver_due()
    client.force_login(agent)
    page = client.get(f"/demandes/{comment.conversation.pk}/").content.decode()
    assert "Masquage demandé" in page
    assert "Message masqué sur la plateforme" in page
    assert "Masqué sur la plateforme" in page


# --- What a channel cannot do is refused before it is queued -------------------------------


def test_an_operation_the_channel_does_not_perform_is_refused(agent, comment, platform):
    with pytest.raises(ActionError) as refused:
        delete_message(agent, comment)
    assert str(refused.value) == (
        "Le canal « Page de Valmont » ne permet pas de supprimer un message."
    )
    with pytest.raises(ActionError, match="ne permet pas de répondre en privé"):
        reply_privately(agent, comment, "Pouvez-vous nous donner l'adresse ?")
    assert Delivery.objects.count() == 0
    assert not comment.conversation.timeline.filter(kind="moderation").exists()
    assert not AuditEvent.objects.filter(verb__startswith="message.").exists()


def test_email_cannot_hide_a_mail(agent, email_channel):
    received = Message.objects.get(pk=ingest(email_channel, mail()).message_ids[0])
    with pytest.raises(ActionError, match="ne permet pas de masquer un message"):
        hide_message(agent, received)


def test_a_private_reply_needs_a_public_comment(agent, email_channel):
    received = Message.objects.get(pk=ingest(email_channel, mail()).message_ids[0])
    with pytest.raises(ActionError, match="commentaire public"):
        reply_privately(agent, received, "Bonjour.")


def test_a_note_is_not_on_any_platform(agent, comment, platform):
    from civique.inbox.actions import add_note

    note = add_note(agent, comment.conversation, "À surveiller.")
    with pytest.raises(ActionError, match="pas publié"):
        delete_message(agent, note)


# --- From the conversation page ----------------------------------------------------------------


def moderate(client, conversation, message: Message, operation: str):
    return client.post(
        f"/demandes/{conversation.pk}/moderer/",
        {"moderation-message": message.pk, "moderation-operation": operation},
    )


def test_an_agent_hides_a_comment_from_the_conversation_page(client, agent, comment, platform):
    client.force_login(agent)
    page = f"/demandes/{comment.conversation.pk}/"
    assert "Masquer sur la plateforme" in client.get(page).content.decode()
    assert moderate(client, comment.conversation, comment, "hide").status_code == 302
    assert Delivery.objects.get().kind == "hide"
    deliver_due()
    shown = client.get(page).content.decode()
    assert "Réafficher sur la plateforme" in shown
    assert "Masquer sur la plateforme" not in shown


def test_a_refused_moderation_is_explained_on_the_page(client, agent, comment, platform):
    client.force_login(agent)
    response = moderate(client, comment.conversation, comment, "delete")
    assert response.status_code == 422
    assert "ne permet pas de supprimer un message" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_a_message_of_another_conversation_cannot_be_moderated(
    client, agent, comment, platform, webform_channel
):
    other = deliver(webform_channel, email="lea@example.org")
    client.force_login(agent)
    assert moderate(client, other.conversation, comment, "hide").status_code == 422
    assert Delivery.objects.count() == 0


def test_an_outsider_cannot_moderate(client, outsider, comment, platform):
    client.force_login(outsider)
    assert moderate(client, comment.conversation, comment, "hide").status_code == 404
    assert Delivery.objects.count() == 0


def test_email_conversations_show_no_moderation_buttons(client, agent, email_channel):
    received = Message.objects.get(pk=ingest(email_channel, mail()).message_ids[0])
    client.force_login(agent)
    page = client.get(f"/demandes/{received.conversation.pk}/").content.decode()
    assert "moderation-operation" not in page
