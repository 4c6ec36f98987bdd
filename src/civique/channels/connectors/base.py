"""The one small interface every connector implements.

A connector knows one kind of channel: how to turn a raw delivery into plain ``ParsedMessage``
dataclasses, how to send one outbound message, and (optionally) how to fetch new deliveries. It
never creates contacts or conversations: the ingest pipeline does that, once, for every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from civique.channels.models import Channel
    from civique.inbox.models import Message


class ParseError(Exception):
    """The raw payload cannot be read. The message is shown to administrators as is."""


class TransportError(Exception):
    """Sending or fetching failed. ``permanent`` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Sender:
    identity_kind: str  # an IdentityKind value: email, phone, facebook...
    identity_value: str  # raw; the pipeline normalises it
    display_name: str = ""


@dataclass
class ParsedAttachment:
    filename: str
    content: bytes
    declared_type: str = "application/octet-stream"
    is_inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMessage:
    external_id: str
    sender: Sender | None
    text: str = ""
    html: str = ""  # raw; the pipeline sanitises it
    subject: str = ""
    kind: str = "message"  # a MessageKind value
    direction: str = "in"  # a Direction value
    visibility: str = "private"  # a MessageVisibility value
    thread_key: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    platform_timestamp: datetime | None = None
    attachments: list[ParsedAttachment] = field(default_factory=list)
    is_automated: bool = False
    automated_reason: str = ""
    category_slug: str = ""
    location: dict[str, Any] | None = None  # {"lat": .., "lon": .., "address": ..}
    contact_id: int | None = None  # agent-logged exchanges name a known contact directly
    conversation_id: int | None = None  # ...and may name the conversation they belong to
    agent_id: int | None = None  # the agent who logged it
    meta: dict[str, Any] = field(default_factory=dict)
    # Further handles the sender gave (e.g. a phone beside the email on the web form).
    other_identities: list[Sender] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # e.g. an oversize attachment left out


@dataclass
class SendResult:
    external_id: str = ""  # the platform's id for what was sent (e.g. Message-ID)
    detail: str = ""


class Connector:
    """Base class. Subclasses set ``kind`` and ``label`` and override what they support."""

    kind: ClassVar[str]
    label: ClassVar[str]
    # Agents can answer on this channel from the conversation page.
    can_reply: ClassVar[bool] = False
    # Exchanges are logged by an agent (phone, counter), not delivered by a platform.
    agent_logged: ClassVar[bool] = False
    # The identity kind this channel's contacts are reached at.
    identity_kind: ClassVar[str] = ""
    # poll() fetches from the platform on a schedule.
    polls: ClassVar[bool] = False

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        raise NotImplementedError

    def send(self, channel: Channel, message: Message) -> SendResult:
        raise TransportError(f"Le canal {self.kind} ne permet pas de répondre.", permanent=True)

    def poll(self, channel: Channel) -> int:
        """Store new deliveries as InboundEvents; return how many were new."""
        return 0
