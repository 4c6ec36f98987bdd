"""The outbox: outbound operations (send a message, hide a comment...) handed to their
connector with retries and a visible status.

Each delivery is one operation of a kind the connector declares (``Connector.operations``); any
other kind fails for good with a clear message. The connector receives a plain
``OutboundOperation`` built by ``inbox.outbound``, never our models.

A worker claims one delivery at a time (state "sending" with a claim time) and records the outcome
only while its claim still holds, so two workers never both record a result for one delivery.
Delivery is at-least-once: a worker that dies after the platform accepted a message but before
the row says "sent" will send it again once the claim expires. Email carries a stable Message-ID,
so a mail client shows such a duplicate as one message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.channels.connectors.base import (
    OperationKind,
    SendResult,
    TransportError,
    unsupported,
)
from civique.core.retry import backoff
from civique.inbox import timeline
from civique.inbox.models import SENDING_KINDS, Delivery, DeliveryState, Message, TimelineKind
from civique.inbox.outbound import build_operation

logger = logging.getLogger(__name__)
# Longer than any connector's network timeouts: a live worker never loses its claim.
CLAIM_TIMEOUT = timedelta(minutes=5)


def due_deliveries(now: datetime | None = None) -> QuerySet[Delivery]:
    """Deliveries to attempt: queued or retrying with their backoff over, or claimed by a
    worker that has not reported for longer than CLAIM_TIMEOUT."""
    now = now or timezone.now()
    due = Q(state__in=[DeliveryState.QUEUED, DeliveryState.RETRYING], next_attempt_at__lte=now)
    stale = Q(state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    return Delivery.objects.filter(due | stale)


def _claim_one() -> tuple[int, datetime] | None:
    """Take the next due delivery (or one whose worker died); return its id and claim time.

    A delivery whose worker died on each of its last attempts fails for good here, like an
    inbound event that kills its worker: otherwise it would be retried forever."""
    now = timezone.now()
    while True:
        with transaction.atomic():
            delivery = (
                due_deliveries(now)
                .select_for_update(skip_locked=True)
                .select_related("message__conversation")
                .order_by("next_attempt_at", "id")
                .first()
            )
            if delivery is None:
                return None
            if delivery.state == DeliveryState.SENDING and (
                delivery.attempts >= settings.CIVIQUE_MAX_ATTEMPTS
            ):
                _give_up(delivery)
                continue
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        return delivery.pk, now


def _give_up(delivery: Delivery) -> None:
    error = _("Envoi interrompu à chaque tentative (arrêt du worker).")
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, last_error=error)
    _record(delivery, DeliveryState.FAILED, error=error)


def _record(delivery: Delivery, state: str, **data) -> None:
    """The delivery's outcome on its conversation's timeline."""
    message = delivery.message
    timeline.record(
        message.conversation,
        TimelineKind.DELIVERY,
        message=message,
        state=state,
        operation=delivery.kind,
        **data,
    )


def _mine(delivery_id: int, claimed_at: datetime):
    """The delivery, only while this worker's claim holds."""
    return Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.SENDING, claimed_at=claimed_at
    )


def deliver(delivery_id: int, claimed_at: datetime) -> Delivery:
    """Perform one claimed delivery through its connector and record the outcome."""
    delivery = Delivery.objects.select_related(
        "message__channel", "message__conversation__contact"
    ).get(pk=delivery_id)
    channel = delivery.message.channel
    connector = channel.connector
    try:
        if not connector.supports(delivery.kind):
            raise unsupported(channel, delivery.kind)
        result = connector.perform(channel, build_operation(delivery))
    except TransportError as exc:
        return _failed(delivery, claimed_at, str(exc), exc.permanent, exc.retry_after)
    except Exception as exc:
        logger.exception("Envoi %s en échec", delivery_id)
        return _failed(delivery, claimed_at, f"{type(exc).__name__}: {exc}", permanent=False)
    return _sent(delivery, claimed_at, result)


# What a moderation changes on its message once the platform has confirmed it.
EFFECTS = {
    OperationKind.HIDE: lambda now: {"hidden_at": now},
    OperationKind.UNHIDE: lambda now: {"hidden_at": None},
    OperationKind.DELETE: lambda now: {"removed_at": now},
}


def _sent(delivery: Delivery, claimed_at: datetime, result: SendResult) -> Delivery:
    message = delivery.message
    now = timezone.now()
    with transaction.atomic():
        updated = _mine(delivery.pk, claimed_at).update(
            state=DeliveryState.SENT,
            sent_at=now,
            provider_id=result.external_id[:255],
            last_error="",
        )
        if not updated:
            logger.warning("Envoi %s : réclamé par un autre worker entre-temps.", delivery.pk)
            delivery.refresh_from_db()
            return delivery
        if delivery.kind in SENDING_KINDS and result.external_id and not message.external_id:
            _take_platform_id(message, result.external_id[:255])
        if delivery.kind in EFFECTS:
            Message.objects.filter(pk=message.pk).update(**EFFECTS[delivery.kind](now))
        _record(delivery, DeliveryState.SENT)
    delivery.refresh_from_db()
    return delivery


def _take_platform_id(message: Message, external_id: str) -> None:
    """Replies to ``message`` thread on the platform's id for it (e.g. an email's Message-ID).
    The platform may have posted its echo of our message to the webhook, stored as a message of
    its own, before this send was recorded: that copy then keeps the id (ids are unique per
    channel) and the send is still recorded, once."""
    try:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(external_id=external_id)
    except IntegrityError:
        logger.info(
            "Envoi du message %s : son écho est déjà enregistré (%s).", message.pk, external_id
        )
        return
    message.external_id = external_id


def _failed(
    delivery: Delivery,
    claimed_at: datetime,
    error: str,
    permanent: bool,
    retry_after: float | None = None,
) -> Delivery:
    """Record a failed attempt: retry after the backoff, or the platform's own wait when it
    asks for a longer one (a rate limit); or fail for good."""
    final = permanent or delivery.attempts >= settings.CIVIQUE_MAX_ATTEMPTS
    wait = max(backoff(delivery.attempts), timedelta(seconds=min(retry_after or 0, 86_400)))
    with transaction.atomic():
        updated = _mine(delivery.pk, claimed_at).update(
            state=DeliveryState.FAILED if final else DeliveryState.RETRYING,
            last_error=error,
            next_attempt_at=timezone.now() + wait,
        )
        if updated and final:
            _record(delivery, DeliveryState.FAILED, error=error)
    delivery.refresh_from_db()
    return delivery


def deliver_due() -> int:
    """Send every due delivery, one claim at a time; return how many were attempted."""
    total = 0
    while claim := _claim_one():
        deliver(*claim)
        total += 1
    return total
