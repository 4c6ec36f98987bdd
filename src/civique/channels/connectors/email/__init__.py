"""Email connector: IMAP in, SMTP out. Parsing lives in parse.py, transport in imap.py/smtp.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civique.channels.connectors.base import (
    Connector,
    OperationKind,
    OutboundOperation,
    ParsedMessage,
    SendResult,
    SettingSpec,
    Store,
)

if TYPE_CHECKING:
    from civique.channels.models import Channel


class EmailConnector(Connector):
    kind = "email"
    label = "Courriel"
    can_reply = True
    operations = frozenset({OperationKind.SEND})
    thread_kinds = ("email",)
    identity_kind = "email"
    polls = True
    # docs/connectors.md, « Email », lists what each one means.
    setting_specs = (
        SettingSpec("address"),
        SettingSpec("display_name"),
        SettingSpec("imap_host"),
        SettingSpec("imap_port", kind=int),
        SettingSpec("imap_security"),
        SettingSpec("imap_user"),
        SettingSpec("imap_folder"),
        SettingSpec("imap_mark_seen", kind=bool),
        SettingSpec("smtp_host"),
        SettingSpec("smtp_port", kind=int),
        SettingSpec("smtp_security"),
        SettingSpec("smtp_user"),
        SettingSpec("tls_ca_file"),
        SettingSpec("imap_password", secret=True),
        SettingSpec("smtp_password", secret=True),
    )

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        """One raw RFC 5322 message (``message/rfc822``) → one ParsedMessage."""
        from civique.channels.connectors.email.parse import parse_email

        return [parse_email(payload)]

    def perform(self, channel: Channel, operation: OutboundOperation) -> SendResult:
        """Send ``operation`` (kind "send") as an email through ``channel``'s SMTP settings
        (``channel`` may not be the conversation's: the web form answers through an email
        channel)."""
        from civique.channels.connectors.email.smtp import send_reply

        return send_reply(channel, operation)

    def poll(self, channel: Channel, store: Store) -> int:
        """Fetch new mail from ``channel``'s IMAP folder; return how many events are new."""
        from civique.channels.connectors.email.imap import poll_mailbox

        return poll_mailbox(channel, store)
