"""Permission-checked fetches of contacts.

Every agent may find any contact: reception must be able to find a person who never wrote before,
or who wrote to another team. What a contact's page shows of their history is limited to the
conversations the user may see (``inbox.access.conversations_for``).
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from civique.contacts.models import Contact, ContactMerge
from civique.contacts.normalize import normalize_phone


def contacts_for(user) -> QuerySet[Contact]:
    return Contact.objects.all()


def access_contact(user, pk: int) -> Contact:
    contact = contacts_for(user).select_related("merged_into").filter(pk=pk).first()
    if contact is None:
        raise Http404("Usager introuvable.")
    return contact


def can_merge(user) -> bool:
    """Merging or unmerging contacts: supervisors and administrators only."""
    return user.is_administrator or user.is_supervisor


def access_merge(user, pk: int) -> ContactMerge:
    merge = ContactMerge.objects.select_related("source", "target").filter(pk=pk).first()
    if merge is None:
        raise Http404("Fusion introuvable.")
    if not can_merge(user):
        raise PermissionDenied(
            "Seuls les superviseurs et les administrateurs fusionnent des usagers."
        )
    return merge


def search_contacts(user, q: str) -> QuerySet[Contact]:
    """Contacts whose name, email or phone matches ``q``; merged contacts are left out."""
    qs = contacts_for(user).filter(merged_into__isnull=True)
    q = (q or "").strip()
    if not q:
        return qs
    match = (
        Q(display_name__icontains=q)
        | Q(identities__value__icontains=q.lower())
        | Q(identities__display__icontains=q)
    )
    with contextlib.suppress(ValidationError):  # not a phone number: name and email only
        match |= Q(identities__value=normalize_phone(q))
    return qs.filter(match).distinct()


def contact_history(user, contact: Contact):
    """The contact's messages across channels in the conversations ``user`` may see, newest
    first, and how many of the contact's conversations are in teams the user cannot see."""
    from django.db.models import Min
    from django.db.models.functions import Coalesce

    from civique.inbox.access import conversations_for
    from civique.inbox.models import Conversation, Message

    visible = conversations_for(user)
    mine = Q(conversation__contact=contact) | Q(author_contact=contact)
    messages = (
        Message.objects.filter(mine, conversation__in=visible.values("pk"))
        .select_related("channel", "conversation", "author_agent")
        # The time the timeline gives the message: the sender's date when plausible, else its
        # reception (a mail dated 2001 must not sink to the bottom of the history).
        .annotate(
            at=Coalesce(
                Min("timeline_entries__created_at", filter=Q(timeline_entries__kind="message")),
                "created_at",
            )
        )
        .order_by("-at", "-id")
    )
    hidden = (
        Conversation.objects.filter(contact=contact).exclude(pk__in=visible.values("pk")).count()
    )
    return messages, hidden
