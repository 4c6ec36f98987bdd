"""WhatsApp Cloud API connector: one WhatsApp Business phone number.

Inbound (``inbound.py``): the ``messages`` webhook field of a WhatsApp Business Account — the
person's messages (text, media, location, shared contacts, button replies) and the delivery
statuses of ours. Media are fetched from the Graph API while parsing (``media.py``). Outbound
(``send.py``): text and media within the 24-hour customer-service window, the channel's approved
template beyond it. The subscription check and signature are Meta's (``meta.py``).

Meta posts the events of every number of a Business Account to the app's one callback URL, and
``entry[].id`` names the Business Account, not the number: each change is therefore stored as
its own event, on the channel of the number named in ``value.metadata.phone_number_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civique.channels.connectors.base import (
    OperationKind,
    OutboundOperation,
    ParsedMessage,
    ParseError,
    SendResult,
    SettingSpec,
    WebhookDelivery,
)
from civique.channels.connectors.facebook import META_APP_SETTINGS
from civique.channels.connectors.meta import (
    MetaWebhookConnector,
    as_dict,
    as_id,
    as_list,
    as_str,
    canonical_json,
    load_object,
)
from civique.channels.connectors.whatsapp.inbound import parse_status, parse_value
from civique.channels.connectors.whatsapp.media import MediaFetcher
from civique.channels.connectors.whatsapp.send import send, window_open

if TYPE_CHECKING:
    from civique.channels.models import Channel

OBJECT = "whatsapp_business_account"


class WhatsAppConnector(MetaWebhookConnector):
    kind = "whatsapp"
    label = "WhatsApp"
    identity_kind = "whatsapp"
    account_setting = "phone_number_id"
    can_reply = True
    operations = frozenset({OperationKind.SEND})
    thread_kinds = ("whatsapp",)
    setting_specs = (
        SettingSpec("phone_number_id"),
        SettingSpec("access_token", secret=True),
        *META_APP_SETTINGS,
        # The approved template sent beyond the 24-hour window, and its language (e.g. "fr").
        SettingSpec("template_name"),
        SettingSpec("template_language"),
    )

    def entry_deliveries(self, kind: Any, entry: Any) -> list[WebhookDelivery]:
        """One delivery per change, for the number it names (``entry.id`` is the Business
        Account, shared by its numbers)."""
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list) or not changes:
            return super().entry_deliveries(kind, entry)
        return [
            WebhookDelivery(
                canonical_json(
                    {"object": kind, "entry": [{"id": entry.get("id"), "changes": [c]}]}
                ),
                account=_change_number(c),
            )
            for c in changes
        ]

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        """One stored change (or a whole body) → the person's messages and our statuses.

        May call the Graph API to fetch media: a temporary failure raises ``TransportError``
        (the event is retried), a permanent one keeps the message with a notice."""
        number = as_str((channel.settings or {}).get("phone_number_id"), "phone_number_id")
        fetcher = MediaFetcher(channel)
        result: list[ParsedMessage] = []
        for entry in load_object(payload, OBJECT):
            for change in as_list(entry.get("changes"), "changes"):
                change = as_dict(change, "changes[]")
                if change.get("field") != "messages":
                    continue  # account, template and quality updates: nothing to answer
                value = as_dict(change.get("value"), "value")
                _check_number(value, number)
                result += parse_value(value, fetcher)
                result += [
                    parsed
                    for status in as_list(value.get("statuses"), "statuses")
                    if (parsed := parse_status(status)) is not None
                ]
        return result

    def perform(self, channel: Channel, operation: OutboundOperation) -> SendResult:
        return send(channel, operation)

    def free_message_allowed(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Free-form text only within the 24-hour customer-service window (a template beyond,
        which carries an agent's answer, not an automatic message)."""
        return window_open(last_inbound_at, now)


def _change_number(change: Any) -> str:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        return ""
    metadata = change["value"].get("metadata")
    number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    if isinstance(number, bool) or not isinstance(number, str | int):
        return ""
    return str(number)[:128]


def _check_number(value: dict[str, Any], number: str) -> None:
    metadata = value.get("metadata")
    metadata = as_dict(metadata, "metadata") if metadata is not None else {}
    given = as_id(metadata.get("phone_number_id"), "metadata.phone_number_id")
    if number and given and given != number:
        raise ParseError(
            f"Événement du numéro WhatsApp {given}, qui n'est pas celui de ce canal ({number}) : "
            "créez un canal pour ce numéro, puis renvoyez l'événement depuis la plateforme."
        )
