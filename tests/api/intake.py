"""Messages delivered through the real intake, as any channel delivers them."""

from __future__ import annotations

import json

from civique.channels.models import Channel
from civique.inbox.models import Message
from civique.ingest.actions import process_event, receive_event


def deliver(channel: Channel, **fields) -> Message:
    """Receive and process one structured message on ``channel``, as any channel does."""
    fields.setdefault("text", "Bonjour, j'ai une question.")
    payload = json.dumps(fields).encode()
    received = receive_event(
        channel, payload, "application/json", fields.get("external_id", ""), enqueue=False
    )
    event = process_event(received.event.pk)
    assert event.state == "done", event.last_error
    return Message.objects.select_related("conversation").get(pk=event.message_ids[0])
