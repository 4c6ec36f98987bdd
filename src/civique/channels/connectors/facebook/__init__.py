"""Facebook Page connector: the Page's comments (``feed``) and its Messenger conversations,
delivered by one webhook. Comments are parsed in ``feed.py``, Messenger events in
``messenger.py``; the subscription check and signature are Meta's (``meta.py``); answers,
moderation and Messenger messages go out through the Graph API in ``outbound.py``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from civique.channels.connectors.base import (
    OutboundOperation,
    ParsedMessage,
    ParseError,
    SendResult,
    SettingSpec,
)
from civique.channels.connectors.facebook.feed import parse_change
from civique.channels.connectors.facebook.messenger import parse_messaging
from civique.channels.connectors.facebook.outbound import PERFORMERS, send_notice
from civique.channels.connectors.facebook.posts import add_post_context
from civique.channels.connectors.meta import (
    MetaWebhookConnector,
    as_id,
    as_list,
    as_str,
    load_object,
)

if TYPE_CHECKING:
    from civique.channels.models import Channel

# The settings Facebook's own words name; Instagram and WhatsApp reuse them.
META_APP_SETTINGS = (
    SettingSpec("app_secret", secret=True),
    SettingSpec("verify_token", secret=True),
)


class FacebookConnector(MetaWebhookConnector):
    kind = "facebook"
    label = "Page Facebook"
    identity_kind = "facebook"
    account_setting = "page_id"
    can_reply = True
    send_window = True
    operations = frozenset(PERFORMERS)
    thread_kinds = ("facebook",)
    setting_specs = (
        SettingSpec("page_id"),
        SettingSpec("page_access_token", secret=True),
        *META_APP_SETTINGS,
    )

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        """One stored entry (or a whole body) of ``object: "page"`` → comments and messages.

        The webhook stores each entry on its Page's channel; an entry of a Page that has no
        channel here stays on the channel that received it and is parked, with the Page's id.
        """
        page_id = as_str((channel.settings or {}).get("page_id"), "page_id")
        result: list[ParsedMessage] = []
        for entry in load_object(payload, "page"):
            entry_page = as_id(entry.get("id"), "entry.id")
            if page_id and entry_page and entry_page != page_id:
                raise ParseError(
                    f"Entrée de la Page {entry_page}, qui n'est pas celle de ce canal "
                    f"({page_id}) : créez un canal pour cette Page, puis renvoyez l'événement "
                    "depuis la plateforme."
                )
            own_page = page_id or entry_page
            for change in as_list(entry.get("changes"), "changes"):
                result.extend(parse_change(change, own_page))
            for event in as_list(entry.get("messaging"), "messaging"):
                result.extend(parse_messaging(event, own_page))
        add_post_context(channel, result)
        return result

    def perform(self, channel: Channel, operation: OutboundOperation) -> SendResult:
        return PERFORMERS[operation.kind](channel, operation)

    def send_notice(self, last_inbound_at: datetime | None, now: datetime) -> str:
        return send_notice(last_inbound_at, now)
