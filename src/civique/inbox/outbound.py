"""What the outbox hands a connector: one ``OutboundOperation`` per delivery, built here.

The inbox owns contacts, conversations and messages, so it decides who receives an answer, what
it answers and which platform ids it concerns; connectors only read the plain dataclass. The
operation is built again on every attempt from the stored rows, with the same ids each time.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.db.models.functions import Coalesce

from civique.channels.connectors.base import (
    Connector,
    OperationKind,
    OutboundAttachment,
    OutboundOperation,
    Recipient,
)
from civique.contacts.lookup import resolve_contact
from civique.contacts.normalize import normalize_identity
from civique.inbox.models import (
    SENDING_KINDS,
    Conversation,
    Delivery,
    Direction,
    Message,
    MessageVisibility,
)


def build_operation(delivery: Delivery) -> OutboundOperation:
    """The operation for ``delivery``, whatever its kind. Reads the database, never writes."""
    message = delivery.message
    conversation = message.conversation
    connector = message.channel.connector
    in_reply_to, references = _thread(conversation, message, connector)
    # A message that records what it answers (a reply to one comment) keeps to it.
    in_reply_to = message.in_reply_to or in_reply_to
    answered = _answered(message, in_reply_to)
    recipient = _recipient(conversation, connector)
    if delivery.kind == OperationKind.BLOCK:
        recipient = _author(message, connector)  # the message's own author, not the thread's
    sends = delivery.kind in SENDING_KINDS
    return OutboundOperation(
        kind=delivery.kind,
        recipient=recipient,
        subject=message.subject or conversation.subject,
        text=message.text,
        html=message.html,
        # Read from storage only to send them, not to hide the message they came with.
        attachments=[_attachment(a) for a in message.attachments.all()] if sends else [],
        in_reply_to=in_reply_to,
        references=references,
        target_id=message.external_id or "",
        message_pk=message.pk,
        reference=conversation.reference,
        created_at=message.created_at,
        meta=dict(message.meta),
        answered_at=answered.when if answered else None,
        answered_meta=dict(answered.meta) if answered else {},
        last_inbound_at=_last_private_inbound(message.channel_id, recipient) if sends else None,
    )


def _answered(message: Message, in_reply_to: str) -> Message | None:
    """The message ``in_reply_to`` names, on the same channel, if we have it."""
    if not in_reply_to:
        return None
    return (
        Message.objects.filter(channel_id=message.channel_id, external_id=in_reply_to)
        .only("platform_timestamp", "created_at", "meta")
        .first()
    )


def last_private_inbound(conversation: Conversation) -> datetime | None:
    """When the conversation's contact last wrote to us in private on its channel: what an
    answer sent now would carry in ``last_inbound_at``."""
    recipient = _recipient(conversation, conversation.channel.connector)
    return _last_private_inbound(conversation.channel_id, recipient)


def _last_private_inbound(channel_id: int, recipient: Recipient | None) -> datetime | None:
    """When ``recipient`` last wrote to us in private on the channel, whatever the
    conversation: messaging platforms count their answer window from it."""
    if recipient is None:
        return None
    return Message.objects.filter(
        channel_id=channel_id,
        direction=Direction.INBOUND,
        visibility=MessageVisibility.PRIVATE,
        author_identity__kind=recipient.identity_kind,
        author_identity__value=recipient.value,
    ).aggregate(last=Max(Coalesce("platform_timestamp", "created_at")))["last"]


def _threaded(conversation: Conversation, connector: Connector):
    """The conversation's messages with a platform id on a channel this connector's replies
    answer (``Connector.thread_kinds``), oldest first."""
    return (
        conversation.messages.filter(channel__kind__in=connector.thread_kinds)
        .exclude(external_id__isnull=True)
        .exclude(external_id="")
        .select_related("author_identity")
        .order_by("created_at", "id")
    )


def _thread(
    conversation: Conversation, message: Message, connector: Connector
) -> tuple[str, list[str]]:
    """(what ``message`` answers, the thread's ids): the latest inbound message, and the chain
    its own references started followed by every earlier id, without repeats."""
    earlier = list(_threaded(conversation, connector).exclude(pk=message.pk))
    inbound = [m for m in earlier if m.direction == Direction.INBOUND]
    parent = inbound[-1] if inbound else None
    chain: list[str] = []
    if parent is not None:
        chain += (parent.references or "").split()
    chain += [m.external_id for m in earlier]
    return (parent.external_id if parent else ""), list(dict.fromkeys(chain))


def _recipient(conversation: Conversation, connector: Connector) -> Recipient | None:
    """Who receives an answer: the handle the conversation's contact last wrote from, else their
    identities of the connector's kind, newest first. None when none is usable.

    Only the conversation's own contact is answered: a third party in copy never receives it.
    """
    kind = connector.identity_kind
    if not kind:
        return None
    last_inbound = _last_inbound(conversation, connector)
    candidates = []
    if last_inbound is not None:
        candidates.append(_handle(last_inbound, kind))
    if conversation.contact_id:
        contact = resolve_contact(conversation.contact)
        candidates += list(
            contact.identities.filter(kind=kind)
            .order_by("-created_at")
            .values_list("value", flat=True)
        )
    for candidate in filter(None, candidates):
        try:
            value = normalize_identity(kind, candidate)
        except ValidationError:
            continue
        name = conversation.contact.display_name if conversation.contact_id else ""
        return Recipient(identity_kind=kind, value=value, display_name=name)
    return None


def _last_inbound(conversation: Conversation, connector: Connector) -> Message | None:
    """The contact's own latest message on this connector's channels (not an automated one)."""
    return (
        _threaded(conversation, connector)
        .filter(
            direction=Direction.INBOUND,
            is_automated=False,
            author_contact_id=conversation.contact_id,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _author(message: Message, connector: Connector) -> Recipient | None:
    """Who wrote ``message``, as the connector's platform knows them (None: not known)."""
    value = _handle(message, connector.identity_kind) if connector.identity_kind else ""
    if not value:
        return None
    return Recipient(
        identity_kind=connector.identity_kind, value=value, display_name=message.author_name
    )


def _handle(message: Message, kind: str) -> str:
    """The handle ``message`` came from, as the platform gave it."""
    identity = message.author_identity
    if message.meta.get("from"):
        return str(message.meta["from"])
    if identity is not None and identity.kind == kind:
        return identity.value
    return ""


def _attachment(attachment) -> OutboundAttachment:
    with attachment.file.open("rb") as handle:
        content = handle.read()
    return OutboundAttachment(
        filename=attachment.filename, content_type=attachment.content_type, content=content
    )
