"""Helpers for the Facebook Page's outbound tests: Meta's documented webhook payloads, dated
``ago`` before now, played through the real webhook URL and worker; and the Page channel with
its access token, talking to the local fake of the Graph API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civique.channels.models import Channel
from civique.inbox.models import Message
from civique.ingest.actions import process_due_events
from civique.ingest.models import EventState, InboundEvent
from tests.hooks import PAGE_ID, fixture, post_signed

PAGE_TOKEN = "jeton-de-page-de-test"
POST = f"{PAGE_ID}_872301445528771"
TOP = "872301445528771_1309664283512906"  # comment-add.json
SAME_AUTHOR_REPLY = "872301445528771_1309671950178806"  # comment-reply-same-author.json
PSID = "24871035629418337"  # messenger-text.json


def arrive(channel: Channel, name: str, ago: timedelta = timedelta(minutes=5)) -> Message:
    """The message of fixture ``name``, written ``ago`` before now, once received and processed."""
    data = json.loads(fixture("facebook", name))
    moment = timezone.now() - ago
    for entry in data["entry"]:
        for change in entry.get("changes", []):
            change["value"]["created_time"] = int(moment.timestamp())
        for event in entry.get("messaging", []):
            event["timestamp"] = int(moment.timestamp() * 1000)
    assert post_signed(Client(), channel, json.dumps(data).encode()).status_code == 200
    process_due_events()
    event = InboundEvent.objects.order_by("-id").first()
    assert event.state == EventState.DONE, event.last_error
    return Message.objects.get(pk=event.message_ids[0])


@pytest.fixture(name="page")
def page_fixture(facebook_channel) -> Channel:
    """The standing Facebook channel with its Page access token."""
    facebook_channel.secrets = {**facebook_channel.secrets, "page_access_token": PAGE_TOKEN}
    facebook_channel.save()
    return facebook_channel
