"""Helpers for WhatsApp tests: the documented fixtures (re-dated when a test needs a recent
message), posting them through the worker, and the fake Graph API's media routes. The channel is
the ``whatsapp_channel`` fixture of tests/conftest.py."""

from __future__ import annotations

import hashlib
import io
import json
import time

from PIL import Image

from civique.channels.models import Channel
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.fakes.graph import Answer, FakeGraph
from tests.hooks import fixture, post_signed

PHONE_NUMBER_ID = "318726540019284"
WA_ID = "33612345678"
TOKEN = "jeton-whatsapp-de-test"
OUR_WAMID = "wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def body(name: str, *, ago: float | None = None, number: str | None = None) -> bytes:
    """The fixture ``name``; its messages dated ``ago`` seconds before now when given, and
    addressed to ``number`` when given."""
    data = json.loads(fixture("whatsapp", name))
    value = data["entry"][0]["changes"][0]["value"]
    if ago is not None:
        for message in value.get("messages", []):
            message["timestamp"] = str(int(time.time() - ago))
    if number is not None:
        value["metadata"]["phone_number_id"] = number
    return json.dumps(data).encode()


def deliver(client, channel: Channel, *bodies: bytes | str, done: bool = True) -> None:
    """Post each body (or fixture name) to the webhook, then let the worker process them."""
    for item in bodies:
        raw = fixture("whatsapp", item) if isinstance(item, str) else item
        assert post_signed(client, channel, raw).status_code == 200
    process_due_events()
    if done:
        for event in InboundEvent.objects.all():
            assert event.state == EventState.DONE, event.last_error


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 180, 40)).save(out, "JPEG")
    return out.getvalue()


def serve_media(graph: FakeGraph, media_id: str, content: bytes, mime_type: str, **info) -> None:
    """Declare the two documented calls that fetch a media: its URL, then its bytes."""
    answer = {
        "messaging_product": "whatsapp",
        "url": f"{graph.url}/media-bytes/{media_id}",
        "mime_type": mime_type,
        "sha256": hashlib.sha256(content).hexdigest(),
        "file_size": len(content),
        "id": media_id,
    }
    answer.update(info)
    graph.route("GET", media_id, answer)
    graph.route("GET", f"media-bytes/{media_id}", Answer(raw=content, content_type=mime_type))
