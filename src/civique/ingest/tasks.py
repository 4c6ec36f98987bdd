"""Background tasks (Django Tasks API). The task queue only wakes workers up: the state lives on
InboundEvent and Delivery rows, so a lost or duplicated task loses or duplicates nothing."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from civique.channels.connectors.base import TransportError
from civique.channels.models import Channel
from civique.core.wakeup import wake

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
def poll_channel(channel_id: int) -> int:
    """Fetch new deliveries of one polling channel (e.g. an IMAP mailbox)."""
    channel = Channel.objects.get(pk=channel_id)
    if not channel.is_active or channel.polling_suspended:
        return 0
    from civique.ingest.actions import poll_channel_now

    try:
        count = poll_channel_now(channel)
    except Exception as exc:  # noqa: BLE001 - the error is shown on the channel
        _record_poll_failure(channel, exc)
        return 0
    fields = ["last_polled_at"]
    channel.last_polled_at = timezone.now()
    if channel.last_error:
        channel.last_error = ""
        fields.append("last_error")
    channel.save(update_fields=fields)
    if count:
        wake(process_inbound_events)
    return count


def _record_poll_failure(channel: Channel, exc: Exception) -> None:
    """Show the error on the channel. A permanent one (a refused password) suspends polling only
    (replies still leave): polling again every minute would risk locking the account."""
    channel.last_error = (
        str(exc) if isinstance(exc, TransportError) else f"{type(exc).__name__}: {exc}"
    )
    channel.last_error_at = timezone.now()
    fields = ["last_error", "last_error_at"]
    if isinstance(exc, TransportError) and exc.permanent:
        channel.polling_suspended = True
        channel.last_error = _("Relève suspendue : %(e)s") % {"e": exc}
        fields.append("polling_suspended")
    channel.save(update_fields=fields)
    logger.warning("Relève du canal %s en échec : %s", channel.pk, channel.last_error)
