"""What the outbox hands a connector: one ``OutboundOperation`` per delivery, built here.

The inbox owns contacts, conversations and messages, so it decides who receives an answer, what
it answers and which platform ids it concerns; connectors only read the plain dataclass. The
operation is built again on every attempt from the stored rows, with the same ids each time.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from civique.channels.connectors.base import (
    Connector,
    OutboundAttachment,
    OutboundOperation,
    Recipient,
)
from civique.contacts.lookup import resolve_contact
from civique.contacts.normalize import normalize_identity
from civique.inbox.models import SENDING_KINDS, Conversation, Delivery, Direction, Message


def build_operation(delivery: Delivery) -> OutboundOperation:
    """The operation for ``delivery``, whatever its kind. Reads the database, never writes."""
    message = delivery.message
    conversation = message.conversation
    connector = message.channel.connector
    in_reply_to, references = _thread(conversation, message, connector)
    sends = delivery.kind in SENDING_KINDS
    return OutboundOperation(
        kind=delivery.kind,
        recipient=_recipient(conversation, connector),
        subject=message.subject or conversation.subject,
        text=message.text,
        html=message.html,
        # Read from storage only to send them, not to hide the message they came with.
        attachments=[_attachment(a) for a in message.attachments.all()] if sends else [],
        # A message that records what it answers (a reply to one comment) keeps to it.
        in_reply_to=message.in_reply_to or in_reply_to,
        references=references,
        target_id=message.external_id or "",
        message_pk=message.pk,
        reference=conversation.reference,
        created_at=message.created_at,
        meta=_meta(message, conversation, connector),
    )


def _meta(message: Message, conversation: Conversation, connector: Connector) -> dict:
    """The message's own meta, plus ``last_inbound_at``: when the contact last wrote on this
    connector's channels (ISO 8601), for platforms that only answer within a window after it."""
    meta = dict(message.meta)
    last = _last_inbound(conversation, connector)
    if last is not None:
        meta["last_inbound_at"] = (last.platform_timestamp or last.created_at).isoformat()
    return meta


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
