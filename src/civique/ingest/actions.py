"""Writes of the ingest context: receiving raw events and processing them through the pipeline."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from civique.channels.connectors.base import ParseError
from civique.channels.models import Channel
from civique.core.retry import backoff
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.pipeline import run_pipeline
from civique.ingest.wakeup import wake

logger = logging.getLogger(__name__)


class EventTooLarge(ValueError):
    pass


@dataclass
class Received:
    event: InboundEvent
    created: bool


def receive_event(
    channel: Channel,
    payload: bytes,
    content_type: str,
    external_id: str = "",
    *,
    enqueue: bool = True,
) -> Received:
    """Write a raw delivery durably, once. Returns when it is committed.

    ``external_id`` is the platform's id for the delivery; without one, the payload's SHA-256 is
    used, so the same bytes delivered twice are stored once. Call this before acknowledging the
    delivery to the platform.
    """
    if len(payload) > settings.CIVIQUE_MAX_EVENT_BYTES:
        raise EventTooLarge(
            f"Contenu de {len(payload)} octets, au-delà de la limite de "
            f"{settings.CIVIQUE_MAX_EVENT_BYTES} octets."
        )
    external_id = (external_id or "sha256:" + hashlib.sha256(payload).hexdigest())[:255]
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel, external_id=external_id, payload=payload, content_type=content_type
            )
    except IntegrityError:
        existing = InboundEvent.objects.get(channel=channel, external_id=external_id)
        return Received(existing, created=False)
    if enqueue:
        from civique.ingest.tasks import process_inbound_events

        transaction.on_commit(lambda: wake(process_inbound_events))
    return Received(event, created=True)


def process_event(event_id: int) -> InboundEvent:
    """Run one event through the pipeline, in one transaction: all its effects, or none.

    A crash before the commit leaves the event pending, so it runs again; the unique external id
    per channel on messages makes a second run produce nothing new.
    """
    try:
        with transaction.atomic():
            event = InboundEvent.objects.select_for_update().get(pk=event_id)
            if event.state == EventState.DONE:
                return event
            parsed = event.channel.connector.parse(
                event.channel, bytes(event.payload), event.content_type
            )
            messages = run_pipeline(event, parsed)
            event.state = EventState.DONE
            event.processed_at = timezone.now()
            event.message_ids = [m.pk for m in messages]
            event.last_error = ""
            event.attempts += 1
            event.save(
                update_fields=["state", "processed_at", "message_ids", "last_error", "attempts"]
            )
            return event
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the event
        return _record_failure(event_id, exc)


def _record_failure(event_id: int, exc: Exception) -> InboundEvent:
    event = InboundEvent.objects.get(pk=event_id)
    event.attempts += 1
    permanent = isinstance(exc, ParseError)
    if isinstance(exc, ParseError):
        event.last_error = str(exc)
    else:
        event.last_error = f"{type(exc).__name__}: {exc}"
        logger.exception("Événement %s en échec", event_id)
    if permanent or event.attempts >= settings.CIVIQUE_MAX_ATTEMPTS:
        event.state = EventState.PARKED
    else:
        event.state = EventState.RETRYING
        event.next_attempt_at = timezone.now() + backoff(event.attempts)
    event.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    return event


def due_events(limit: int) -> list[int]:
    return list(
        InboundEvent.objects.filter(
            state__in=[EventState.PENDING, EventState.RETRYING], next_attempt_at__lte=timezone.now()
        )
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def process_due_events(limit: int | None = None) -> int:
    """Process one batch of due events; return how many were taken."""
    ids = due_events(limit or settings.CIVIQUE_INGEST_BATCH)
    for event_id in ids:
        process_event(event_id)
    return len(ids)


def requeue_events(queryset) -> int:
    """Put events back to pending so they are processed again (replay, or retry of parked ones).

    Replaying a processed event is harmless: messages are unique per channel and external id.
    """
    return queryset.update(
        state=EventState.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
