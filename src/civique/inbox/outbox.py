"""The outbox: outbound messages handed to their connector with retries and a visible status.

Delivery is at-least-once: a worker that dies after the platform accepted a message but before
the row says "sent" will send it again after the claim expires. Email carries a stable Message-ID,
so a mail client shows such a duplicate as one message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from civique.channels.connectors.base import TransportError
from civique.core.retry import backoff
from civique.inbox import timeline
from civique.inbox.models import Delivery, DeliveryState, TimelineKind

logger = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=5)


def _claim(limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        due = Q(state__in=[DeliveryState.QUEUED, DeliveryState.RETRYING], next_attempt_at__lte=now)
        stale = Q(state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        ids = list(
            Delivery.objects.select_for_update(skip_locked=settings.IS_POSTGRES)
            .filter(due | stale)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(state=DeliveryState.SENDING, claimed_at=now)
    return ids


def deliver(delivery_id: int) -> Delivery:
    delivery = Delivery.objects.select_related("message__channel", "message__conversation").get(
        pk=delivery_id
    )
    message = delivery.message
    delivery.attempts += 1
    try:
        result = message.channel.connector.send(message.channel, message)
    except TransportError as exc:
        return _failed(delivery, str(exc), exc.permanent)
    except Exception as exc:
        logger.exception("Envoi %s en échec", delivery_id)
        return _failed(delivery, f"{type(exc).__name__}: {exc}", permanent=False)
    with transaction.atomic():
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.provider_id = result.external_id[:255]
        delivery.last_error = ""
        delivery.save()
        if result.external_id and not message.external_id:
            # Replies to this message thread on it (e.g. an email's Message-ID).
            message.external_id = result.external_id[:255]
            message.save(update_fields=["external_id"])
        timeline.record(message.conversation, TimelineKind.DELIVERY, message=message, state="sent")
    return delivery


def _failed(delivery: Delivery, error: str, permanent: bool) -> Delivery:
    delivery.last_error = error
    if permanent or delivery.attempts >= settings.CIVIQUE_MAX_ATTEMPTS:
        delivery.state = DeliveryState.FAILED
    else:
        delivery.state = DeliveryState.RETRYING
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    with transaction.atomic():
        delivery.save()
        if delivery.state == DeliveryState.FAILED:
            timeline.record(
                delivery.message.conversation,
                TimelineKind.DELIVERY,
                message=delivery.message,
                state="failed",
                error=error,
            )
    return delivery


def deliver_due(limit: int = 50) -> int:
    total = 0
    while ids := _claim(limit):
        for delivery_id in ids:
            deliver(delivery_id)
        total += len(ids)
    return total
