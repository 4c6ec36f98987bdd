"""What Meta's webhooks share (Facebook Pages, Instagram, WhatsApp Cloud API).

- Subscription check (Graph API « Webhooks — Getting Started », Verification Requests): a GET
  with ``hub.mode=subscribe``, ``hub.verify_token`` and ``hub.challenge``; the endpoint echoes the
  challenge when the token is the one set in the app dashboard.
- Event notifications: a POST whose body is signed in ``X-Hub-Signature-256: sha256=<hex>``, the
  HMAC-SHA256 of the raw body with the app secret.
- A body is ``{"object": ..., "entry": [...]}`` and may batch many entries: each entry is stored
  as one event, so that one unreadable entry parks alone and a redelivery batched differently
  still stores nothing new. An app subscribed to several accounts (Pages...) posts all their
  entries to one callback URL: each entry names its account in ``entry[].id``.

Plus small readers that turn a wrong JSON type into a ``ParseError`` (parked with its reason)
instead of a ``TypeError`` retried five times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import formats, timezone

from civique.channels.connectors.base import (
    Connector,
    ParseError,
    TransportError,
    WebhookDelivery,
    WebhookRefused,
    WebhookRequest,
)

if TYPE_CHECKING:
    from civique.channels.models import Channel

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_ID_LENGTH = 128


def _secret(channel: Channel, name: str) -> str:
    return str((channel.secrets or {}).get(name) or "")


class MetaWebhookConnector(Connector):
    """Subscription check, signature and batch splitting for every Meta platform."""

    webhook = True
    # The setting holding the id Meta puts in ``entry[].id`` (a Page id for Facebook).
    account_setting: ClassVar[str] = ""

    def webhook_account(self, channel: Channel) -> str:
        return str((channel.settings or {}).get(self.account_setting) or "")

    def free_message_allowed(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Messenger and Instagram Direct: a plain response within 24 hours of the person's last
        private message (the HUMAN_AGENT tag beyond is for answers an agent wrote)."""
        if last_inbound_at is None:
            return False
        return messaging_type(last_inbound_at, now) == {"messaging_type": "RESPONSE"}

    def handshake(self, channel: Channel, request: WebhookRequest) -> str | None:
        if request.query.get("hub.mode") != "subscribe":
            return None
        expected = _secret(channel, "verify_token")
        given = request.query.get("hub.verify_token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRefused()
        return request.query.get("hub.challenge", "")

    def verify_webhook(self, channel: Channel, request: WebhookRequest) -> bool:
        secret = _secret(channel, "app_secret")
        prefix, _sep, given = request.header(SIGNATURE_HEADER).partition("=")
        if not secret or prefix.strip().lower() != "sha256" or not given:
            return False
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(
            given.strip().lower().encode("utf-8", "replace"), expected.encode()
        )

    def webhook_deliveries(
        self, channel: Channel, request: WebhookRequest
    ) -> list[WebhookDelivery]:
        whole = [WebhookDelivery(request.body, "application/json")]
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return whole
        if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
            return whole
        kind = data.get("object")
        return [
            delivery for entry in data["entry"] for delivery in self.entry_deliveries(kind, entry)
        ] or whole

    def entry_deliveries(self, kind: Any, entry: Any) -> list[WebhookDelivery]:
        """What to store for one ``entry`` of a body whose ``object`` is ``kind``: the entry
        alone, for the account it names. Must not raise, whatever ``entry`` is."""
        return [
            WebhookDelivery(
                canonical_json({"object": kind, "entry": [entry]}), account=_entry_account(entry)
            )
        ]


def _entry_account(entry: Any) -> str:
    account = entry.get("id") if isinstance(entry, dict) else None
    if isinstance(account, bool) or not isinstance(account, str | int):
        return ""
    return str(account)[:MAX_ID_LENGTH]


def canonical_json(data: dict[str, Any]) -> bytes:
    """The same entry always gives the same bytes (hence the same event id)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


# --- Readers for parse() ---------------------------------------------------------------------


def load_object(payload: bytes, expected: str) -> list[dict[str, Any]]:
    """The entries of a payload whose ``object`` is ``expected``; ParseError otherwise."""
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        raise ParseError("Contenu JSON illisible.") from None
    data = as_dict(data, "le contenu")
    if data.get("object") != expected:
        raise ParseError(
            f"Objet « {str(data.get('object'))[:40]} » inattendu (« {expected} » attendu)."
        )
    return [as_dict(entry, "entry") for entry in as_list(data.get("entry"), "entry")]


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"Champ « {what} » : objet JSON attendu.")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"Champ « {what} » : liste attendue.")
    return value


def as_str(value: Any, what: str) -> str:
    """A string or a number as text ("" when absent)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParseError(f"Champ « {what} » : texte attendu.")
    return str(value)


def as_id(value: Any, what: str) -> str:
    """A platform id: short text (Meta's ids are digits, sometimes joined by ``_``)."""
    text = as_str(value, what)
    if len(text) > MAX_ID_LENGTH:
        raise ParseError(f"Champ « {what} » : identifiant de plus de {MAX_ID_LENGTH} caractères.")
    return text


def from_epoch(value: Any) -> datetime | None:
    """A Unix time in seconds or milliseconds (Meta uses both), as a number or a numeric string;
    None when absent or unreadable (the pipeline then uses the reception time)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- Shared by the Meta connectors' parse() (appended: Facebook's copies can move here) -----


def account_entries(
    payload: bytes, expected: str, account_id: str, account_label: str
) -> list[tuple[dict[str, Any], str]]:
    """The entries of a payload of object ``expected``, each with the account it is read for:
    the channel's ``account_id``, else the entry's own id. An entry of another account raises
    ParseError naming it (``account_label``: "de la Page", "du compte Instagram"...)."""
    found = []
    for entry in load_object(payload, expected):
        entry_account = as_id(entry.get("id"), "entry.id")
        if account_id and entry_account and entry_account != account_id:
            raise ParseError(
                f"Entrée {account_label} {entry_account}, alors que ce canal reçoit "
                f"{account_id} : créez un canal pour ce compte, puis renvoyez l'événement "
                "depuis la plateforme."
            )
        found.append((entry, account_id or entry_account))
    return found


def participant(event: dict[str, Any], side: str) -> str:
    """The id of a messaging event's ``sender`` or ``recipient`` ("" when absent)."""
    value = event.get(side)
    return as_id(as_dict(value, side).get("id"), f"{side}.id") if value is not None else ""


def attachment_links(message: dict[str, Any]) -> list[dict[str, str]]:
    """A messaging message's ``attachments``: each ``{"type", "url"}`` (a link to Meta's
    servers; ``parse`` downloads nothing)."""
    found = []
    for item in as_list(message.get("attachments"), "attachments"):
        item = as_dict(item, "attachments[]")
        payload = item.get("payload")
        payload = as_dict(payload, "attachments[].payload") if payload is not None else {}
        found.append(
            {
                "type": as_str(item.get("type"), "attachments[].type"),
                "url": as_str(payload.get("url"), "attachments[].payload.url"),
            }
        )
    return found


# --- Meta's messaging windows (Messenger, Instagram Direct) ---------------------------------

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def messaging_type(last_inbound_at: datetime, now: datetime) -> dict[str, str] | None:
    """What Meta's Send API allows ``now``, counted from the person's last private message: a
    plain response within 24 hours, the HUMAN_AGENT tag up to 7 days; None beyond."""
    elapsed = now - last_inbound_at
    if elapsed <= STANDARD_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if elapsed <= HUMAN_AGENT_WINDOW:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    return None


def local_moment(moment: datetime) -> str:
    """A date and time as the agent reads them (local time, the locale's format)."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def refuse(text: str) -> TransportError:
    """A refusal before any call: the platform would refuse too, so a retry cannot help."""
    return TransportError(text, permanent=True)
