"""Building data through the real intake, as the channels deliver it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from django.utils import timezone

from civique.channels.models import Channel
from civique.inbox.models import Conversation, Message
from civique.ingest.actions import process_event, receive_event
from civique.ingest.models import EventState


def deliver(channel: Channel, **fields) -> Message:
    """Receive and process one structured message (web form, phone...) on ``channel``."""
    fields.setdefault("text", "Bonjour, le lampadaire de ma rue est en panne.")
    payload = json.dumps(fields).encode()
    received = receive_event(
        channel, payload, "application/json", fields.get("external_id", ""), enqueue=False
    )
    event = process_event(received.event.pk)
    assert event.state == "done", event.last_error
    return Message.objects.select_related("conversation").get(pk=event.message_ids[0])


def request_from(channel: Channel, *, hours_ago: float = 1, **fields) -> Conversation:
    """A citizen's request sent ``hours_ago`` hours ago; returns its conversation."""
    when = timezone.now() - timedelta(hours=hours_ago)
    fields.setdefault("occurred_at", when.isoformat())
    return deliver(channel, **fields).conversation


def attachment(filename: str, content: bytes, content_type: str) -> dict:
    return {
        "filename": filename,
        "content_b64": base64.b64encode(content).decode(),
        "content_type": content_type,
    }


def ingest_mail(channel: Channel, raw: bytes) -> Message:
    """Receive and process one raw email on ``channel``; the message it became."""
    event = receive_event(channel, raw, "message/rfc822", enqueue=False).event
    event = process_event(event.pk)
    assert event.state == EventState.DONE, event.last_error
    return Message.objects.get(pk=event.message_ids[0])


def mail(
    sender: str,
    message_id: str,
    text: str = "Le trottoir est cassé.",
    *,
    subject: str = "Trottoir",
    extra: str = "",
) -> bytes:
    """A plain-text email to the standing mailbox (``extra``: more header lines)."""
    headers = [
        f"From: {sender}",
        "To: contact@valmont.example",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if extra:
        headers.append(extra)
    return ("\r\n".join(headers) + "\r\n\r\n" + text).encode()
