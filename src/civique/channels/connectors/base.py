"""The one small interface every connector implements.

A connector knows one kind of channel: how to turn a raw delivery into plain ``ParsedMessage``
dataclasses, how to perform one ``OutboundOperation`` (send, reply, hide...), and (optionally) how
to fetch new deliveries. It never reads or creates contacts, conversations or messages: the ingest
pipeline turns what it parses into them, and the inbox decides what each operation carries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from civique.channels.models import Channel


class ParseError(Exception):
    """The raw payload cannot be read. The message is shown to administrators as is."""


class TransportError(Exception):
    """Sending or fetching failed. ``permanent`` failures are not retried; ``retry_after``
    (seconds) is the platform's own wait before the next attempt (a rate limit), when it says."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class WebhookRefused(Exception):
    """The request does not come from the platform (wrong verify token): answered with 403."""


@dataclass(frozen=True)
class SettingSpec:
    """One setting a connector knows. Secrets go to ``Channel.secrets`` (encrypted), the others
    to ``Channel.settings``; ``kind`` says how a value typed on the command line is read."""

    name: str
    secret: bool = False
    kind: type = str  # str, int or bool


@dataclass
class WebhookRequest:
    """What a platform sent to ``/hooks/<kind>/<channel id>/``, as plain data.

    ``headers`` has lower-cased names; ``query`` keeps the last value of each parameter.
    """

    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    content_type: str = ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class WebhookDelivery:  # also what a polling connector hands to ``store``
    """One delivery to store as one ``InboundEvent``. Without a platform ``external_id``,
    ``receive_event`` uses the payload's SHA-256, so the same bytes twice are stored once.

    ``account`` names the platform account it is for (a Page id...) when the platform posts the
    events of several accounts to one URL: it is then stored on that account's channel.
    """

    payload: bytes
    content_type: str = "application/json"
    external_id: str = ""
    account: str = ""


# Writes one delivery durably (an InboundEvent) and says whether it was new: handed to
# ``Connector.poll`` by the ingest app, so that a connector never imports the layers above it.
Store = Callable[[WebhookDelivery], bool]


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
    # A platform edit: the external id of the message this new text replaces (this message's own
    # ``external_id`` then names the version, so the same edit delivered twice is one edit).
    edit_of: str = ""
    # The platform removed the message whose id is ``external_id`` (text may be empty).
    removed: bool = False
    # The platform hid (True) or showed again (False) the message whose id is ``external_id``
    # (someone acted on the platform itself); None: no such change.
    hidden: bool | None = None
    # A delivery status of one of our outbound messages, named by its platform id (the id the
    # connector returned in ``SendResult.external_id``): "sent", "delivered", "read" or
    # "failed" (the platform's reason, in French where known, in ``text``). Nothing else of this
    # ParsedMessage is stored.
    status_of: str = ""
    status: str = ""


class OperationKind(models.TextChoices):
    """What an outbound operation does on the platform (labels complete "ne permet pas de...")."""

    SEND = "send", gettext_lazy("transmettre un message")
    REPLY_PUBLIC = "reply_public", gettext_lazy("répondre en public à un commentaire")
    REPLY_PRIVATE = "reply_private", gettext_lazy("répondre en privé à un commentaire public")
    HIDE = "hide", gettext_lazy("masquer un message")
    UNHIDE = "unhide", gettext_lazy("réafficher un message masqué")
    DELETE = "delete", gettext_lazy("supprimer un message")
    EDIT = "edit", gettext_lazy("modifier une de nos réponses")
    BLOCK = "block", gettext_lazy("bloquer l'auteur d'un message")


@dataclass
class Recipient:
    identity_kind: str  # an IdentityKind value
    value: str  # normalised
    display_name: str = ""


@dataclass
class OutboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class OutboundOperation:
    """Everything a connector needs to act once on the platform, decided by the inbox.

    The same operation is built again for every attempt and carries the same ids, so that a
    connector can make a retry idempotent (email derives its Message-ID from ``message_pk``).
    """

    kind: str  # an OperationKind value
    recipient: Recipient | None = None  # who receives a send or a reply; None if nobody known
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[OutboundAttachment] = field(default_factory=list)
    # What it answers: the platform id of the message replied to, and the thread's earlier ids
    # (oldest first) for platforms that chain them (email's References).
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    # The platform id acted on by hide, unhide, delete and edit (block acts on ``recipient``,
    # the message's author).
    target_id: str = ""
    # Our own ids: the message's primary key (stable across retries), the conversation's
    # reference (e.g. "V-12", shown as "[#V-12]" in an email's subject), and when it was written.
    message_pk: int | None = None
    reference: str = ""
    created_at: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # The message answered (``in_reply_to``), as stored: when it was written on the platform
    # and the details its connector parsed (a comment's post and parent...). None and {} when
    # it is not known here. Platforms limit some answers in time (a private reply to a comment).
    answered_at: datetime | None = None
    answered_meta: dict[str, Any] = field(default_factory=dict)
    # When the recipient last wrote to us in private on this channel (None: never, as far as
    # we know). Messaging platforms close their answer window some time after it.
    last_inbound_at: datetime | None = None


@dataclass
class SendResult:
    external_id: str = ""  # the platform's id for what was sent (e.g. Message-ID)
    detail: str = ""


def unsupported(channel: Channel, kind: str) -> TransportError:
    """The permanent failure of an operation the channel's connector does not perform."""
    label = OperationKind(kind).label if kind in OperationKind.values else kind
    return TransportError(
        _("Le canal « %(channel)s » ne permet pas de %(operation)s.")
        % {"channel": channel.name, "operation": label},
        permanent=True,
    )


class Connector:
    """Base class. Subclasses set ``kind`` and ``label`` and override what they support."""

    kind: ClassVar[str]
    label: ClassVar[str]
    # Agents can answer on this channel from the conversation page.
    can_reply: ClassVar[bool] = False
    # The OperationKind values perform() accepts; the outbox fails any other for good.
    operations: ClassVar[frozenset[str]] = frozenset()
    # The channel kinds whose platform ids this connector's replies answer and chain
    # (the web form answers by email: it threads on email).
    thread_kinds: ClassVar[tuple[str, ...]] = ()
    # Exchanges are logged by an agent (phone, counter), not delivered by a platform.
    agent_logged: ClassVar[bool] = False
    # The identity kind this channel's contacts are reached at.
    identity_kind: ClassVar[str] = ""
    # poll() fetches from the platform on a schedule.
    polls: ClassVar[bool] = False
    # The platform delivers to /hooks/<kind>/<channel id>/ (see the webhook methods below).
    webhook: ClassVar[bool] = False
    # Private messages may only be sent for some time after the person's last one (a
    # messaging window): the conversation page asks ``send_notice`` what to tell the agent.
    send_window: ClassVar[bool] = False
    # The settings ``civique channel create --setting`` accepts for this kind.
    setting_specs: ClassVar[tuple[SettingSpec, ...]] = ()

    def parse(self, channel: Channel, payload: bytes, content_type: str) -> list[ParsedMessage]:
        raise NotImplementedError

    def supports(self, kind: str) -> bool:
        return kind in self.operations

    def send_notice(self, last_inbound_at: datetime | None, now: datetime) -> str:
        """What the agent should know, before writing, about a private message sent ``now``
        to someone who last wrote at ``last_inbound_at`` (a messaging window closing...);
        "" when nothing. French, shown above the reply box."""
        return ""

    def free_message_allowed(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """True when the platform accepts, ``now``, a private message nobody wrote for this
        person (an automatic one: no agent tag) from someone who last wrote at
        ``last_inbound_at`` (None: never). Messaging platforms with a window override it."""
        return True

    def perform(self, channel: Channel, operation: OutboundOperation) -> SendResult:
        """Do ``operation`` on the platform through ``channel``. Raise ``TransportError``
        (``permanent=True`` when a retry cannot succeed). Only kinds in ``operations`` arrive."""
        raise unsupported(channel, operation.kind)

    def poll(self, channel: Channel, store: Store) -> int:
        """Fetch new deliveries and hand each to ``store`` (which writes it durably as an
        InboundEvent and says whether it was new) before moving the platform's cursor past it;
        return how many were new."""
        return 0

    # --- Webhooks (connectors with ``webhook = True``) -------------------------------------

    def handshake(self, channel: Channel, request: WebhookRequest) -> str | None:
        """The body answering a subscription check (a GET), or None when ``request`` is not one.
        Raise ``WebhookRefused`` when it is one but its token is wrong."""
        return None

    def verify_webhook(self, channel: Channel, request: WebhookRequest) -> bool:
        """True when ``request`` is signed by the platform. Compare with ``hmac.compare_digest``;
        a channel without its secret verifies nothing (False)."""
        return False

    def webhook_account(self, channel: Channel) -> str:
        """The platform account ``channel`` stands for (matched to ``WebhookDelivery.account``)."""
        return ""

    def webhook_deliveries(
        self, channel: Channel, request: WebhookRequest
    ) -> list[WebhookDelivery]:
        """Split a verified request into what to store. Called only after ``verify_webhook``;
        must not raise on a malformed body: store it whole, ``parse`` will park it."""
        return [WebhookDelivery(request.body, request.content_type or "application/octet-stream")]
