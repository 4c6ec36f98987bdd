"""Background tasks (Django Tasks API). The task queue only wakes workers up: the state lives on
InboundEvent and Delivery rows, so a lost or duplicated task loses or duplicates nothing."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from civique.channels.models import Channel

logger = logging.getLogger(__name__)


@task()
def process_inbound_events() -> int:
    """Process due inbound events in batches until none is left."""
    from civique.ingest.actions import process_due_events

    total = 0
    while taken := process_due_events():
        total += taken
    return total


@task()
def deliver_outbox() -> int:
    from civique.inbox.outbox import deliver_due

    return deliver_due()


@task()
def poll_channel(channel_id: int) -> int:
    """Fetch new deliveries of one polling channel (e.g. an IMAP mailbox)."""
    channel = Channel.objects.get(pk=channel_id)
    if not channel.is_active:
        return 0
    try:
        count = channel.connector.poll(channel)
    except Exception as exc:  # noqa: BLE001 - the error is shown on the channel
        channel.last_error = f"{type(exc).__name__}: {exc}"
        channel.last_error_at = timezone.now()
        channel.save(update_fields=["last_error", "last_error_at"])
        logger.warning("Relève du canal %s en échec : %s", channel_id, channel.last_error)
        return 0
    fields = ["last_polled_at"]
    channel.last_polled_at = timezone.now()
    if channel.last_error:
        channel.last_error = ""
        fields.append("last_error")
    channel.save(update_fields=fields)
    if count:
        process_inbound_events.enqueue()
    return count
