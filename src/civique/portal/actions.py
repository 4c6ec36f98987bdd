"""The portal's one write: a citizen's request, stored durably then processed at once."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civique.channels.models import Channel
from civique.inbox.models import Message
from civique.ingest.actions import receive_and_process
from civique.ingest.models import EventState
from civique.portal.forms import RECEIPT_PREFIX, Photo

EXTERNAL_ID_PREFIX = "portail:"


class PortalUnavailable(Exception):
    """No active web form channel: the portal cannot take requests."""


def portal_channel() -> Channel:
    """The channel portal requests arrive on: ``settings.CIVIQUE_PORTAL_CHANNEL`` (an id) when
    set, else the first active channel of kind "webform"."""
    channels = Channel.objects.filter(kind="webform", is_active=True)
    wanted = getattr(settings, "CIVIQUE_PORTAL_CHANNEL", None)
    if wanted:
        channels = channels.filter(pk=wanted)
    channel = channels.order_by("pk").first()
    if channel is None:
        raise PortalUnavailable
    return channel


@dataclass
class Submission:
    reference: str  # the conversation's reference (V-123); empty when processing is delayed
    receipt: str  # the durable record's number (ENR-45), always set


def build_payload(data: dict[str, Any], external_id: str) -> dict[str, Any]:
    """The JSON document ``WebFormConnector`` parses, from a valid RequestForm's cleaned data."""
    payload: dict[str, Any] = {"external_id": external_id, "text": data["message"].strip()}
    if data.get("name"):
        payload["name"] = data["name"].strip()
    if data.get("email"):
        payload["email"] = data["email"]
    if data.get("phone"):
        payload["phone"] = data["phone"]
        if data.get("email"):
            # The connector keeps one identity (the email); the phone is kept for the agents
            # and so that the citizen can track the request with it.
            payload["meta"] = {"portail": {"phone": data["phone"]}}
    if data.get("category"):
        payload["category"] = data["category"].slug
    photo: Photo | None = data.get("photo")
    location = _location(data, photo)
    if location:
        payload["location"] = location
    if photo is not None:
        payload["attachments"] = [
            {
                "filename": photo.filename,
                "content_type": photo.content_type,
                "content_b64": base64.b64encode(photo.content).decode("ascii"),
            }
        ]
    return payload


def _location(data: dict[str, Any], photo: Photo | None) -> dict[str, Any] | None:
    location: dict[str, Any] = {}
    if data.get("latitude") is not None and data.get("longitude") is not None:
        location = {"lat": data["latitude"], "lon": data["longitude"], "source": "appareil"}
    elif photo is not None and photo.gps:
        # The photo is stripped of its EXIF before it is stored, so its position travels here.
        location = {"lat": photo.gps["lat"], "lon": photo.gps["lon"], "source": "photo"}
    if data.get("address"):
        location["address"] = data["address"].strip()
    return location or None


def submit_request(channel: Channel, data: dict[str, Any]) -> Submission:
    """Store the request durably, then run it through the pipeline so the citizen gets a
    reference at once. If processing fails, the request is kept and the worker retries it."""
    external_id = f"{EXTERNAL_ID_PREFIX}{uuid.uuid4()}"
    payload = json.dumps(build_payload(data, external_id), ensure_ascii=False).encode("utf-8")
    event = receive_and_process(channel, payload, "application/json", external_id).event
    receipt = f"{RECEIPT_PREFIX}-{event.pk}"
    if event.state != EventState.DONE or not event.message_ids:
        return Submission(reference="", receipt=receipt)
    message = Message.objects.select_related("conversation").get(pk=event.message_ids[0])
    return Submission(reference=message.conversation.reference, receipt=receipt)
