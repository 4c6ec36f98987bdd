"""Connectors whose payload is a JSON document we produce ourselves: the portal's web form,
agent-logged phone calls and counter visits, and the generic API channel."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civique.channels.connectors.base import (
    Connector,
    OperationKind,
    OutboundOperation,
    ParsedAttachment,
    ParsedMessage,
    ParseError,
    Sender,
    SendResult,
    SettingSpec,
)


def _load(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"Contenu JSON illisible : {exc}") from None
    if not isinstance(data, dict):
        raise ParseError("Le contenu doit être un objet JSON.")
    return data


MAX_ID = 2**63 - 1  # the database's bigint


def _when(raw: Any) -> datetime | None:
    if not raw:
        return None
    try:
        value = parse_datetime(str(raw))
    except ValueError:  # well formed, but no such date (2025-02-30)
        value = None
    if value is None:
        raise ParseError(f"Date illisible : {str(raw)[:100]!r}")
    return value


def _location(raw: Any) -> dict[str, Any] | None:
    """``{"lat", "lon", "address"}`` with finite coordinates on the globe, or None."""
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise ParseError("Localisation invalide.")
    lat, lon = raw.get("lat"), raw.get("lon")
    if lat is None and lon is None:
        return {"lat": None, "lon": None, "address": str(raw.get("address") or "")}
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError, OverflowError):
        raise ParseError("Localisation invalide : lat et lon doivent être des nombres.") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails both comparisons too
        raise ParseError("Localisation invalide : lat de -90 à 90, lon de -180 à 180.")
    return {"lat": lat, "lon": lon, "address": str(raw.get("address") or "")}


def _id(data: dict[str, Any], name: str) -> int | None:
    """An id our own forms wrote (contact, conversation, agent): a positive bigint, or None."""
    raw = data.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        value = 0
    if isinstance(raw, bool) or not 1 <= value <= MAX_ID:
        raise ParseError(f"Identifiant invalide dans « {name} » : {str(raw)[:40]!r}")
    return value


def _sender(data: dict[str, Any]) -> Sender | None:
    name = str(data.get("name") or "").strip()
    if data.get("email"):
        return Sender("email", str(data["email"]), name)
    if data.get("phone"):
        return Sender("phone", str(data["phone"]), name)
    if data.get("identity_kind") and data.get("identity_value"):
        return Sender(str(data["identity_kind"]), str(data["identity_value"]), name)
    return None


def _other_identities(data: dict[str, Any]) -> list[Sender]:
    """A phone given beside an email is kept as a second identity."""
    if data.get("email") and data.get("phone"):
        return [Sender("phone", str(data["phone"]), str(data.get("name") or "").strip())]
    return []


def _attachments(data: dict[str, Any]) -> list[ParsedAttachment]:
    result = []
    for item in data.get("attachments") or []:
        try:
            content = base64.b64decode(item["content_b64"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise ParseError("Pièce jointe mal encodée (base64 attendu).") from None
        result.append(
            ParsedAttachment(
                filename=str(item.get("filename") or "piece-jointe"),
                content=content,
                declared_type=str(item.get("content_type") or "application/octet-stream"),
            )
        )
    return result


class StructuredConnector(Connector):
    default_kind = "message"

    def parse(self, channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        data = _load(payload)
        text = str(data.get("text") or "").strip()
        if not text and not data.get("attachments"):
            raise ParseError("Message vide.")
        location = _location(data.get("location"))
        meta = data.get("meta") or {}
        if not isinstance(meta, dict):
            raise ParseError("Métadonnées invalides : un objet JSON est attendu.")
        return [
            ParsedMessage(
                external_id=str(data.get("external_id") or ""),
                sender=_sender(data),
                text=text,
                subject=str(data.get("subject") or "").strip()[:255],
                kind=str(data.get("kind") or self.default_kind),
                direction=str(data.get("direction") or "in"),
                visibility=str(data.get("visibility") or "private"),
                thread_key=str(data.get("thread_key") or ""),
                platform_timestamp=_when(data.get("occurred_at")),
                attachments=_attachments(data),
                category_slug=str(data.get("category") or ""),
                location=location,
                contact_id=_id(data, "contact_id"),
                conversation_id=_id(data, "conversation_id"),
                agent_id=_id(data, "agent_id"),
                meta=dict(meta),
                other_identities=_other_identities(data),
            )
        ]


class WebFormConnector(StructuredConnector):
    kind = "webform"
    label = "Formulaire du portail"
    identity_kind = "email"
    setting_specs = (SettingSpec("reply_channel", kind=int),)
    # Answers are shown on the portal's tracking page and, when the citizen gave an address,
    # sent by email through the email channel named in settings["reply_channel"].
    can_reply = True
    operations = frozenset({OperationKind.SEND})
    thread_kinds = ("email",)

    def perform(self, channel, operation: OutboundOperation) -> SendResult:
        """Email the answer through ``settings["reply_channel"]`` when the contact has an email
        address; otherwise it is only published on the portal's tracking page."""
        from civique.channels.models import Channel

        reply_channel_id = str((channel.settings or {}).get("reply_channel") or "")
        email_channel = (
            Channel.objects.filter(pk=int(reply_channel_id), kind="email", is_active=True).first()
            if reply_channel_id.isdigit()
            else None
        )
        if email_channel is None or operation.recipient is None:
            return SendResult(detail=_("publié sur la page de suivi"))
        return email_channel.connector.perform(email_channel, operation)


class PhoneConnector(StructuredConnector):
    kind = "phone"
    label = "Téléphone"
    agent_logged = True
    identity_kind = "phone"
    default_kind = "call"


class CounterConnector(StructuredConnector):
    kind = "counter"
    label = "Accueil physique"
    agent_logged = True
    default_kind = "visit"


class ApiConnector(StructuredConnector):
    kind = "api"
    label = "API"
    identity_kind = "api"
