"""Instagram connector: a professional Instagram account through the Graph API (Instagram API
with Facebook Login), its comments, @mentions and Instagram Direct conversations, delivered by
one webhook (object ``instagram``).

Comments and mentions are parsed in ``comments.py``, Direct events in ``direct.py``; what it does
on the platform is in ``operations.py``. The subscription check and the signature are Meta's
(``meta.py``), as for a Facebook Page; the channel is named in ``entry[].id`` by ``ig_user_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from civique.channels.connectors.base import (
    OperationKind,
    OutboundOperation,
    ParsedMessage,
    SendResult,
    SettingSpec,
)
from civique.channels.connectors.facebook import META_APP_SETTINGS
from civique.channels.connectors.graph import GraphClient
from civique.channels.connectors.instagram.comments import parse_change
from civique.channels.connectors.instagram.direct import parse_messaging
from civique.channels.connectors.instagram.operations import OPERATIONS, send_notice
from civique.channels.connectors.meta import (
    MetaWebhookConnector,
    account_entries,
    as_list,
    as_str,
)

if TYPE_CHECKING:
    from civique.channels.models import Channel


LABEL = "du compte Instagram"


class InstagramConnector(MetaWebhookConnector):
    kind = "instagram"
    label = "Compte Instagram"
    identity_kind = "instagram"
    account_setting = "ig_user_id"
    can_reply = True
    send_window = True
    thread_kinds = ("instagram",)
    operations = frozenset(
        {
            OperationKind.SEND,
            OperationKind.REPLY_PUBLIC,
            OperationKind.REPLY_PRIVATE,
            OperationKind.HIDE,
            OperationKind.UNHIDE,
            OperationKind.DELETE,
        }
    )
    setting_specs = (
        SettingSpec("ig_user_id"),
        SettingSpec("page_id"),
        SettingSpec("page_access_token", secret=True),
        *META_APP_SETTINGS,
    )

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        """One stored entry (or a whole body) of ``object: "instagram"`` → comments, mentions
        and Direct messages.

        An entry of an account that has no channel here stays on the channel that received it
        and is parked, with the account's id.
        """
        account_id = as_str((channel.settings or {}).get("ig_user_id"), "ig_user_id")
        result: list[ParsedMessage] = []
        for entry, account in account_entries(payload, "instagram", account_id, LABEL):
            for change in as_list(entry.get("changes"), "changes"):
                result.extend(parse_change(change, account, entry.get("time")))
            for event in as_list(entry.get("messaging"), "messaging"):
                result.extend(parse_messaging(event, account))
        return result

    def perform(self, channel: Channel, operation: OutboundOperation) -> SendResult:
        token = str((channel.secrets or {}).get("page_access_token") or "")
        return OPERATIONS[operation.kind](GraphClient(token), channel, operation)

    def send_notice(self, last_inbound_at: datetime | None, now: datetime) -> str:
        return send_notice(last_inbound_at, now)
