"""Writes of the ingest context: receiving raw events and processing them through the pipeline."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.analysis import analyse_many
from civique.channels.connectors.base import ParseError, WebhookDelivery
from civique.channels.models import Channel
from civique.core.retry import backoff
from civique.core.wakeup import wake
from civique.core.write_turn import in_write_turn
from civique.inbox.models import Message
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.parallel import Parsed
from civique.ingest.pipeline import RetryLater, prepare, run_pipeline
from civique.ingest.prepare import own_contacts
from civique.ingest.watchdog import ProcessingTimeout, time_limit

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
    claimed: bool = False,
) -> Received:
    """Write a raw delivery durably, once. Returns when it is committed.

    ``external_id`` is the platform's id for the delivery; without one, the payload's SHA-256 is
    used, so the same bytes delivered twice are stored once. Call this before acknowledging the
    delivery to the platform.
    """
    if len(payload) > settings.CIVIQUE_MAX_EVENT_BYTES:
        raise EventTooLarge(too_large(len(payload)))
    external_id = (external_id or "sha256:" + hashlib.sha256(payload).hexdigest())[:255]
    extra = {}
    if claimed:
        # Its first attempt is the caller's: no worker takes it before its backoff has passed.
        extra = {"attempts": 1, "next_attempt_at": timezone.now() + backoff(1)}

    def create() -> InboundEvent:
        with transaction.atomic():
            return InboundEvent.objects.create(
                channel=channel,
                external_id=external_id,
                payload=payload,
                content_type=content_type,
                **extra,
            )

    try:
        event = in_write_turn(create)
    except IntegrityError:
        existing = InboundEvent.objects.get(channel=channel, external_id=external_id)
        return Received(existing, created=False)
    if enqueue:
        from civique.ingest.tasks import process_inbound_events

        transaction.on_commit(lambda: wake(process_inbound_events))
    return Received(event, created=True)


def too_large(size: int) -> str:
    """Why a delivery of ``size`` bytes is refused."""
    return (
        f"Contenu de {size} octets, au-delà de la limite de "
        f"{settings.CIVIQUE_MAX_EVENT_BYTES} octets."
    )


def poll_channel_now(channel: Channel) -> int:
    """Fetch a polling channel's new deliveries, each stored durably before the platform's cursor
    moves past it; return how many were new. Not inside a transaction."""

    def store(delivery: WebhookDelivery) -> bool:
        return receive_event(
            channel, delivery.payload, delivery.content_type, delivery.external_id, enqueue=False
        ).created

    return channel.connector.poll(channel, store)


def due_queryset(now: datetime | None = None) -> QuerySet[InboundEvent]:
    """Events waiting for an attempt: pending or retrying, their backoff over."""
    return InboundEvent.objects.filter(
        state__in=[EventState.PENDING, EventState.RETRYING],
        next_attempt_at__lte=now or timezone.now(),
    )


def claim_attempt(event_id: int) -> InboundEvent | None:
    """Count an attempt before making it, in a transaction of its own.

    The event is then not due again until its backoff has passed, so a second worker skips it,
    and an event that kills its worker (memory, a crashing image decoder) cannot block the queue:
    it waits its turn, then parks. Returns None when the event is not due (done, parked, or
    claimed by another worker).
    """
    now = timezone.now()
    with transaction.atomic():
        event = (
            due_queryset(now)
            .select_for_update(skip_locked=True)
            .filter(pk=event_id)
            .select_related("channel")
            .first()
        )
        if event is None:
            return None
        event.attempts += 1
        event.next_attempt_at = now + backoff(event.attempts)
        event.save(update_fields=["attempts", "next_attempt_at"])
    return event


def process_event(event_id: int) -> InboundEvent:
    """Run one due event through the pipeline, in one transaction: all its effects, or none.

    A crash before the commit leaves the event to run again after its backoff; the unique
    external id per channel on messages makes a second run produce nothing new. Parsing happens
    before the write transaction, so SQLite's write lock is not held while a large mail is read.
    """
    event = claim_attempt(event_id)
    if event is None:
        return InboundEvent.objects.get(pk=event_id)
    if event.attempts > settings.CIVIQUE_MAX_ATTEMPTS:
        return _park(event, _("Traitement interrompu à chaque tentative (arrêt du worker)."))
    return _run_claimed(event)


def take_over_event(event_id: int, claimed_before: datetime) -> InboundEvent | None:
    """Process a pending or retrying event now, even when its backoff is not over.

    For ``civique ingest``, asked explicitly to finish what an earlier run left: the mail a
    killed run was on would otherwise wait its backoff, and a worker that may not be running.
    Only an event that is due, or whose last claim is older than ``claimed_before`` (the
    caller's start), is taken: one claimed since is in a live processor's hands. As in
    ``claim_attempt``, the attempt is counted first, in a transaction of its own, under the row's
    lock (a row another processor holds is skipped), and an event interrupted at every attempt is
    parked. Returns None when the event was not taken.
    """
    now = timezone.now()
    with transaction.atomic():
        event = (
            InboundEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=event_id, state__in=[EventState.PENDING, EventState.RETRYING])
            .select_related("channel")
            .first()
        )
        if event is None:
            return None
        claimed_at = event.next_attempt_at - backoff(event.attempts)
        if event.next_attempt_at > now and claimed_at > claimed_before:
            return None
        event.attempts += 1
        event.next_attempt_at = now + backoff(event.attempts)
        event.save(update_fields=["attempts", "next_attempt_at"])
    if event.attempts > settings.CIVIQUE_MAX_ATTEMPTS:
        return _park(event, _("Traitement interrompu à chaque tentative (arrêt du processus)."))
    return _run_claimed(event)


def receive_and_process(
    channel: Channel,
    payload: bytes,
    content_type: str,
    external_id: str = "",
    *,
    parsed: Parsed | None = None,
) -> Received:
    """Store a delivery and process it at once, for callers that answer with the result (the
    portal's reference, the API's conversation, a logged call, ``civique ingest``).

    The event is stored already claimed, so no worker's sweep takes it meanwhile; if processing
    fails, a worker retries it after its backoff. A delivery already known is returned as is.
    ``parsed``: the channel's connector's parse of this very ``payload``, done beforehand (in
    another process); used instead of parsing again, this first time only.
    """
    received = receive_event(
        channel, payload, content_type, external_id, enqueue=False, claimed=True
    )
    if not received.created:
        return received
    return Received(_run_claimed(received.event, parsed), created=True)


def _run_claimed(event: InboundEvent, parsed: Parsed | None = None) -> InboundEvent:
    """Parse (unless ``parsed``) and prepare, then run the pipeline in one transaction; record
    a failure on the event. Only the pipeline's reads and writes happen inside the transaction:
    on the embedded profile it holds the database's write lock, which the intake needs too."""
    event_id = event.pk
    try:
        with time_limit(settings.CIVIQUE_EVENT_TIME_LIMIT):
            if parsed is None:
                messages = event.channel.connector.parse(
                    event.channel, bytes(event.payload), event.content_type
                )
            else:
                messages = parsed.messages_or_raise()
            contexts = prepare(event, messages)
            with transaction.atomic():
                event = InboundEvent.objects.select_for_update().get(pk=event_id)
                if event.state == EventState.DONE:
                    return event
                messages = run_pipeline(event, contexts)
                event.state = EventState.DONE
                event.processed_at = timezone.now()
                event.message_ids = [m.pk for m in messages]
                event.last_error = ""
                event.save(update_fields=["state", "processed_at", "message_ids", "last_error"])
                return event
    except ProcessingTimeout:
        return _park(
            InboundEvent.objects.get(pk=event_id),
            _("Traitement interrompu au bout de %(s)s s : contenu trop coûteux à lire.")
            % {"s": settings.CIVIQUE_EVENT_TIME_LIMIT},
        )
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the event
        return _record_failure(event_id, exc)


def _park(event: InboundEvent, error: str) -> InboundEvent:
    event.state = EventState.PARKED
    event.last_error = error
    event.save(update_fields=["state", "last_error"])
    return event


# Failures that the same payload meets at every attempt, whatever the time: a value no column
# holds (DataError; a NUL byte, which PostgreSQL refuses, is a ValueError), a number too large
# for a float, a malformed value (ValueError, TypeError, LookupError), a rule of ours refusing
# it (ValidationError), nesting too deep. Retrying them only fills the log for hours: they are
# parked at the first attempt with their reason, for an administrator to read and replay after
# an upgrade. What may pass later (the database busy, a platform down, RetryLater) is retried.
DETERMINISTIC = (
    DataError,
    OverflowError,
    ValueError,
    TypeError,
    LookupError,
    ValidationError,
    RecursionError,
)


def _record_failure(event_id: int, exc: Exception) -> InboundEvent:
    """The attempt was counted when claimed; retry after its backoff, or park."""
    event = InboundEvent.objects.get(pk=event_id)
    if isinstance(exc, ParseError):
        return _park(event, str(exc))
    if isinstance(exc, DETERMINISTIC):
        logger.warning("Événement %s mis de côté dès le premier essai", event_id, exc_info=exc)
        reason = _(
            "Contenu impossible à traiter (%(error)s) ; un nouvel essai donnerait le même "
            "échec : mis de côté sans nouvel essai."
        ) % {"error": _describe(exc)}
        return _park(event, reason)
    if isinstance(exc, RetryLater):
        logger.info("Événement %s remis à plus tard : %s", event_id, exc)
    else:
        logger.exception("Événement %s en échec", event_id)
    error = str(exc) if isinstance(exc, RetryLater) else f"{type(exc).__name__}: {exc}"
    if event.attempts >= settings.CIVIQUE_MAX_ATTEMPTS:
        return _park(event, error)
    event.state = EventState.RETRYING
    event.last_error = error
    event.save(update_fields=["state", "last_error"])
    return event


def _describe(exc: Exception) -> str:
    """``TypeName: message``, on one line and short enough to read in a list."""
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return f"{type(exc).__name__}: {' '.join(text.split())}"[:500]


def due_events(limit: int) -> list[int]:
    return list(due_queryset().order_by("received_at", "id").values_list("pk", flat=True)[:limit])


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


def reanalyse_messages(messages: QuerySet, *, batch: int = 200, ner: bool | None = None) -> int:
    """Run the analysers again over ``messages`` (inbound ones: the caller filters), in batches
    of ``batch``, and store each result on ``Message.analysis``; return how many were updated.

    The analysis runs outside any transaction; each batch's update is one short write in the
    process's turn for SQLite's writer. Messages are walked by id, so a long run can be
    interrupted and started again. ``ner``: run the NER layer (default: the setting)."""
    ner = settings.CIVIQUE_ANALYSIS_NER if ner is None else ner
    updated = 0
    last_id = 0
    while True:
        chunk = list(
            messages.filter(pk__gt=last_id).select_related("channel").order_by("pk")[:batch]
        )
        if not chunk:
            return updated
        last_id = chunk[-1].pk
        for channel_id in {m.channel_id for m in chunk}:
            group = [m for m in chunk if m.channel_id == channel_id]
            results = analyse_many(
                [m.text for m in group],
                own_contacts=own_contacts(group[0].channel),
                public_figures=settings.CIVIQUE_PUBLIC_FIGURES,
                ner=ner,
            )
            for message, result in zip(group, results, strict=True):
                message.analysis = result.to_json()

        def write(rows=chunk) -> None:
            with transaction.atomic():
                Message.objects.bulk_update(rows, ["analysis"])

        in_write_turn(write)
        updated += len(chunk)
