"""Merging two contacts and undoing it: it moves conversations and messages, so it lives here,
above contacts.

Automation never merges: a merge is proposed by a person and confirmed on a confirmation page.
A merge records exactly what it moved, so that undoing it moves exactly that back. Both need
rights on every conversation they move: a supervisor who cannot see one of them is refused as a
whole (``MergeRefused``), never given a partial merge.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from civique.contacts.models import Contact, ContactMerge, Identity
from civique.core.audit import audit
from civique.inbox import timeline
from civique.inbox.access import can_merge, conversations_for
from civique.inbox.actions import ActionError
from civique.inbox.models import Conversation, Message, TimelineKind


class MergeRefused(ActionError):
    """The user may not move every conversation concerned: nothing was changed (HTTP 403)."""


def _check_rights(user, conversation_ids) -> None:
    if not can_merge(user):
        raise MergeRefused(
            _("Seuls les superviseurs et les administrateurs fusionnent des usagers.")
        )
    wanted = set(conversation_ids)
    allowed = set(conversations_for(user).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise MergeRefused(
            # Neutral: saying why would reveal that another team handles this person.
            _("Vous ne pouvez pas fusionner ces usagers : demandez à un administrateur.")
        )


def _record_on_conversations(user, conversation_ids, **data) -> None:
    for conversation in Conversation.objects.filter(pk__in=conversation_ids).order_by("pk"):
        timeline.record(conversation, TimelineKind.CONTACT, actor=user, **data)


@transaction.atomic
def merge_contacts(user, source: Contact, target: Contact) -> ContactMerge:
    """Move ``source``'s identities, conversations and messages to ``target``; mark ``source``
    as merged into ``target``. Supervisors and administrators who may see every conversation
    moved (MergeRefused otherwise, before anything is written)."""
    _check_rights(user, [])
    source = Contact.objects.select_for_update().get(pk=source.pk)
    target = Contact.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk:
        raise ActionError(_("Un usager ne peut pas être fusionné avec lui-même."))
    if source.merged_into_id:
        raise ActionError(_("« %(c)s » a déjà été fusionné.") % {"c": source})
    if target.merged_into_id:
        raise ActionError(
            _("« %(c)s » a été fusionné dans une autre fiche : choisissez celle-ci.")
            % {"c": target}
        )
    identity_ids = list(source.identities.values_list("pk", flat=True))
    conversation_ids = list(
        Conversation.objects.filter(contact=source).values_list("pk", flat=True)
    )
    message_ids = list(Message.objects.filter(author_contact=source).values_list("pk", flat=True))
    affected = set(conversation_ids) | set(
        Message.objects.filter(pk__in=message_ids).values_list("conversation_id", flat=True)
    )
    _check_rights(user, affected)
    Identity.objects.filter(pk__in=identity_ids).update(contact=target)
    Conversation.objects.filter(pk__in=conversation_ids).update(contact=target)
    Message.objects.filter(pk__in=message_ids).update(author_contact=target)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    merge = ContactMerge.objects.create(
        source=source,
        target=target,
        identity_ids=identity_ids,
        conversation_ids=conversation_ids,
        message_ids=message_ids,
        actor=user,
    )
    _record_on_conversations(user, affected, old=str(source), new=str(target), merge=merge.pk)
    audit(
        user,
        "contact.merge",
        target,
        {
            "source": source.pk,
            "merge": merge.pk,
            "identities": identity_ids,
            "conversations": conversation_ids,
            "messages": message_ids,
        },
    )
    return merge


def _arrived_since(merge: ContactMerge) -> tuple[list[int], list[int]]:
    """What reached the target since the merge through the source's identities: those messages,
    and the conversations they opened (whose first message is one of them). They go back with
    the identities; a conversation the target also wrote in since stays with the target."""
    messages = Message.objects.filter(
        author_identity_id__in=merge.identity_ids,
        author_contact=merge.target,
        created_at__gte=merge.created_at,
    )
    target_wrote_since = (
        Message.objects.filter(author_contact=merge.target, created_at__gte=merge.created_at)
        .exclude(author_identity_id__in=merge.identity_ids)
        .values("conversation")
    )
    opened = (
        Conversation.objects.filter(contact=merge.target, pk__in=messages.values("conversation"))
        .annotate(first_message=Min("messages__id"))
        .filter(first_message__in=messages.values("pk"))
        .exclude(pk__in=target_wrote_since)
    )
    return list(messages.values_list("pk", flat=True)), list(opened.values_list("pk", flat=True))


@transaction.atomic
def undo_merge(user, merge: ContactMerge) -> ContactMerge:
    """Move back exactly what ``merge`` moved (what is still on the target) and make the source
    a contact of its own again. The same rights as the merge: every conversation moved back."""
    _check_rights(user, [])
    merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ActionError(_("Cette fusion a déjà été annulée."))
    source, target = merge.source, merge.target
    if target.merged_into_id:
        raise ActionError(
            _(
                "« %(target)s » a depuis été fusionné dans « %(other)s » : "
                "annulez d'abord cette fusion-là."
            )
            % {"target": target, "other": target.merged_into}
        )
    later_messages, later_conversations = _arrived_since(merge)
    affected = (
        set(merge.conversation_ids)
        | set(later_conversations)
        | set(
            Message.objects.filter(pk__in=[*merge.message_ids, *later_messages]).values_list(
                "conversation_id", flat=True
            )
        )
    )
    _check_rights(user, affected)
    Identity.objects.filter(pk__in=merge.identity_ids, contact=target).update(contact=source)
    Conversation.objects.filter(
        pk__in=[*merge.conversation_ids, *later_conversations], contact=target
    ).update(contact=source)
    Message.objects.filter(
        pk__in=[*merge.message_ids, *later_messages], author_contact=target
    ).update(author_contact=source)
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    _record_on_conversations(
        user, affected, old=str(target), new=str(source), merge=merge.pk, undo=True
    )
    audit(
        user,
        "contact.merge_undo",
        source,
        {
            "target": target.pk,
            "merge": merge.pk,
            "messages_since": later_messages,
            "conversations_since": later_conversations,
        },
    )
    return merge
