"""An Instagram channel for tests, and Meta's documented payloads (fixtures/instagram/) posted
to its real webhook URL then processed by the worker."""

from __future__ import annotations

import json
import time

import pytest

from civique.channels.models import Channel
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.hooks import APP_SECRET, PAGE_ID, VERIFY_TOKEN, fixture, post_signed

IG_USER_ID = "17841405822304914"
RENEE = "1254469608573947"  # Renée's Instagram-scoped id (IGSID)
KARIM = "7089251637204418"
MEDIA = "17895695668004550"
TOP = "17865799348089039"  # Renée's top-level comment under MEDIA
PAGE_TOKEN = "jeton-de-page-de-test"


@pytest.fixture
def instagram_channel(team) -> Channel:
    """An Instagram account's channel whose webhook is signed with tests.hooks.APP_SECRET."""
    return Channel.objects.create(
        kind="instagram",
        name="Ville de Valmont (Instagram)",
        team=team,
        settings={"ig_user_id": IG_USER_ID, "page_id": PAGE_ID},
        secrets={
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "page_access_token": PAGE_TOKEN,
        },
    )


def payload(name: str, *, seconds_ago: float | None = None) -> bytes:
    """A fixture, its dates moved to ``seconds_ago`` seconds before now when given (Instagram
    dates its entries in seconds and its messaging events in milliseconds)."""
    raw = fixture("instagram", name)
    if seconds_ago is None:
        return raw
    now = time.time() - seconds_ago
    body = json.loads(raw)
    for entry in body["entry"]:
        entry["time"] = int(now * 1000) if "messaging" in entry else int(now)
        for event in entry.get("messaging", []):
            event["timestamp"] = int(now * 1000)
    return json.dumps(body).encode()


def deliver(client, channel: Channel, *bodies: bytes | str) -> None:
    """Post each body (or fixture name) to the webhook (200 expected), then let the worker
    process them all."""
    for body in bodies:
        raw = payload(body) if isinstance(body, str) else body
        assert post_signed(client, channel, raw).status_code == 200
    process_due_events()
    for event in InboundEvent.objects.all():
        assert event.state == EventState.DONE, event.last_error
