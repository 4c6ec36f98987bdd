"""The outbox: one claim at a time, outcomes recorded only under a live claim."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civique.inbox.actions import reply_to_conversation
from civique.inbox.models import Delivery, DeliveryState
from civique.inbox.outbox import _claim_one, _failed, deliver, deliver_due
from tests.intake import request_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(webform_channel, agent) -> Delivery:
    conversation = request_from(webform_channel, email="lea@example.org")
    return reply_to_conversation(agent, conversation, "Bonjour, c'est noté.").delivery


def test_a_claimed_delivery_is_not_claimed_again(delivery):
    assert _claim_one()[0] == delivery.pk
    assert _claim_one() is None


def test_a_dead_workers_claim_is_taken_over_and_its_late_result_ignored(delivery):
    first_claim = _claim_one()
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=10)
    )
    stale_time = Delivery.objects.get(pk=delivery.pk).claimed_at
    second_id, second_time = _claim_one()
    assert second_id == delivery.pk and second_time > stale_time
    deliver(second_id, second_time)
    # The first worker wakes up late and reports a failure: it no longer holds the claim.
    _failed(Delivery.objects.get(pk=delivery.pk), first_claim[1], "délai dépassé", True)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2


def test_deliver_due_sends_everything_due_once(delivery):
    assert deliver_due() == 1
    assert deliver_due() == 0
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


def test_no_reply_leaves_on_a_deactivated_channel(webform_channel, agent):
    from civique.inbox.actions import ActionError

    conversation = request_from(webform_channel, email="lea@example.org")
    webform_channel.is_active = False
    webform_channel.save()
    with pytest.raises(ActionError, match="désactivé"):
        reply_to_conversation(agent, conversation, "Bonjour")
    assert Delivery.objects.count() == 0


def test_a_delivery_whose_worker_dies_every_time_fails_for_good(delivery, settings):
    settings.CIVIQUE_MAX_ATTEMPTS = 2
    for _ in range(2):
        assert _claim_one() is not None  # the worker dies while sending
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=10)
        )
    assert _claim_one() is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "interrompu" in delivery.last_error
    assert delivery.message.conversation.timeline.filter(kind="delivery").exists()


def test_a_message_is_sent_by_one_delivery_at_most(delivery):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(message=delivery.message, kind="reply_public")
    Delivery.objects.create(message=delivery.message, kind="hide")
    Delivery.objects.create(message=delivery.message, kind="unhide")
    assert delivery.message.deliveries.count() == 3
    assert delivery.message.delivery == delivery


def test_an_operation_the_connector_does_not_perform_fails_for_good(email_channel):
    from civique.inbox.models import Message
    from tests.channels.mail import ingest, mail

    comment = Message.objects.get(pk=ingest(email_channel, mail()).message_ids[0])
    hide = Delivery.objects.create(message=comment, kind="hide")
    assert deliver_due() == 1
    hide.refresh_from_db()
    assert hide.state == DeliveryState.FAILED
    assert hide.attempts == 1
    assert hide.last_error == (
        "Le canal « contact@valmont.example » ne permet pas de masquer un message."
    )
    entry = comment.conversation.timeline.get(kind="delivery")
    assert entry.message == comment
    assert entry.data == {"state": "failed", "operation": "hide", "error": hide.last_error}
    assert deliver_due() == 0
