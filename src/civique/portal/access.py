"""The only way the portal fetches a conversation: a reference plus the citizen's own handle.

Any mismatch, unknown reference or unprocessed receipt gives ``None`` alike, so that the answer
never tells whether a reference exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civique.contacts.lookup import merge_chain
from civique.contacts.models import Identity
from civique.inbox.models import Conversation, Direction, Message, MessageKind, MessageVisibility
from civique.ingest.models import EventState, InboundEvent
from civique.portal.forms import Reference

# What a citizen sees of a conversation: exchanges, never notes, calls or visits logged by agents.
PUBLIC_KINDS = [MessageKind.MESSAGE, MessageKind.COMMENT, MessageKind.REVIEW]


def _conversation_for(reference: Reference) -> Conversation | None:
    conversations = Conversation.objects.select_related("contact", "team", "category")
    if reference.kind == "conversation":
        return conversations.filter(pk=reference.number).first()
    event = InboundEvent.objects.filter(
        pk=reference.number, channel__kind="webform", state=EventState.DONE
    ).first()
    if event is None or not event.message_ids:
        return None
    message = Message.objects.filter(pk=event.message_ids[0]).only("conversation_id").first()
    return conversations.filter(pk=message.conversation_id).first() if message else None


def _contact_ids(conversation: Conversation) -> list[int]:
    """The conversation's contact and those it was merged into: identities move with a merge."""
    return [contact.pk for contact in merge_chain(conversation.contact)]


def _holds_handle(conversation: Conversation, email: str, phone: str) -> bool:
    if conversation.contact_id is None:
        return False
    handles = Q(pk__in=[])
    if email:
        handles |= Q(kind="email", value=email)
    if phone:
        handles |= Q(kind="phone", value=phone)
    contact_ids = _contact_ids(conversation)
    if Identity.objects.filter(handles, contact_id__in=contact_ids).exists():
        return True
    # A request given with both an email and a phone records the phone on its message.
    return (
        bool(phone)
        and conversation.messages.filter(
            direction=Direction.INBOUND, channel__kind="webform", meta__portail__phone=phone
        ).exists()
    )


def find_tracked_conversation(reference: Reference, email: str, phone: str) -> Conversation | None:
    """The conversation named by ``reference`` if its contact holds ``email`` or ``phone``
    (both already normalised: lower-case email, E.164 phone), else None."""
    if not email and not phone:
        return None
    conversation = _conversation_for(reference)
    if conversation is None or not _holds_handle(conversation, email, phone):
        return None
    return conversation


def public_messages(conversation: Conversation) -> QuerySet[Message]:
    """The citizen's own messages and the administration's answers to them, oldest first."""
    mine = Q(direction=Direction.INBOUND, is_automated=False)
    if conversation.contact_id:
        mine &= Q(author_contact_id__in=_contact_ids(conversation))
    else:
        mine &= Q(pk__in=[])
    answers = Q(direction=Direction.OUTBOUND)
    return (
        conversation.messages.filter(mine | answers)
        .filter(kind__in=PUBLIC_KINDS)
        .exclude(visibility=MessageVisibility.INTERNAL)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
