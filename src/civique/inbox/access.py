"""Permission-checked fetches of conversations and of contacts. Views and the API go through
these only.

Contacts are private by team (docs/decisions/0007-contact-privacy-by-team.md): an agent sees a
contact — identities, notes, history — only when the contact has a conversation the agent may
see, unless one of the agent's teams is set to see all contacts; administrators see all. Someone
who gives a contact's exact email address or phone number finds that contact anyway, so that
reception can take a new request from a person who wrote to another team.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civique.contacts.models import Contact, ContactMerge, Identity, IdentityKind
from civique.contacts.normalize import normalize_email, normalize_phone
from civique.core.models import ContactVisibility
from civique.inbox.models import Conversation, Message


def conversations_for(user) -> QuerySet[Conversation]:
    """Administrators see everything; others the conversations of their teams."""
    qs = Conversation.objects.select_related("channel", "contact", "team", "assignee", "category")
    if user.is_administrator:
        return qs
    return qs.filter(team__in=user.teams.all())


def access_conversation(user, pk: int) -> Conversation:
    conversation = conversations_for(user).filter(pk=pk).first()
    if conversation is None:
        raise Http404("Demande introuvable.")
    return conversation


def access_message(user, pk: int) -> Message:
    """A message of a conversation ``user`` may see; 404 otherwise, as for its conversation."""
    message = (
        Message.objects.select_related("conversation", "channel")
        .filter(pk=pk, conversation__in=conversations_for(user).values("pk"))
        .first()
    )
    if message is None:
        raise Http404("Message introuvable.")
    return message


def can_manage_team(user, conversation: Conversation) -> bool:
    """Transfers to another team and assignment of someone else: supervisors and administrators."""
    return user.is_administrator or (user.is_supervisor and conversation.team in user.teams.all())


SENSITIVE_PLACEHOLDER = gettext_noop("Contenu masqué : données de santé")


def can_read_text(user, message: Message) -> bool:
    """A message flagged sensitive (``meta["sensitive"]``: health data, set by moderation) is
    readable by administrators and supervisors only; others get a placeholder."""
    if not (message.meta or {}).get("sensitive"):
        return True
    return bool(user.is_administrator or user.is_supervisor)


# Contacts


def sees_all_contacts(user) -> bool:
    """Administrators, and members of a team an administrator set to « Tous les usagers »."""
    return (
        user.is_administrator
        or user.teams.filter(contact_visibility=ContactVisibility.ALL).exists()
    )


def contacts_for(user) -> QuerySet[Contact]:
    """The contacts ``user`` may see: those of a conversation they may see (as its contact or as
    the author of one of its messages), and the contacts merged into one of those (so that the
    merge can be read and undone)."""
    if sees_all_contacts(user):
        return Contact.objects.all()
    visible = conversations_for(user).values("pk")
    through_conversations = Q(
        pk__in=Conversation.objects.filter(pk__in=visible).values("contact_id")
    ) | Q(
        pk__in=Message.objects.filter(
            conversation__in=visible, author_contact__isnull=False
        ).values("author_contact_id")
    )
    seen = Contact.objects.filter(through_conversations)
    return Contact.objects.filter(Q(pk__in=seen.values("pk")) | Q(merged_into__in=seen))


def access_contact(user, pk: int, *, found: Iterable[int] = ()) -> Contact:
    """A contact ``user`` may see, or one they found by its exact email or phone (``found``:
    the ids such a search gave them); 404 otherwise, so that existence does not leak."""
    qs = Contact.objects.select_related("merged_into").filter(pk=pk)
    contact = qs.first() if pk in set(found) else qs.filter(pk__in=contacts_for(user)).first()
    if contact is None:
        raise Http404(_("Usager introuvable."))
    return contact


def exact_matches(q: str) -> list[int]:
    """Ids of the contacts holding exactly the email address or phone number ``q`` (normalised
    as the intake does; a phone also matches a WhatsApp number)."""
    q = (q or "").strip()
    match = Q(pk__in=[])
    with contextlib.suppress(ValidationError):
        match |= Q(kind=IdentityKind.EMAIL, value=normalize_email(q))
    with contextlib.suppress(ValidationError):
        match |= Q(kind__in=[IdentityKind.PHONE, IdentityKind.WHATSAPP], value=normalize_phone(q))
    if not q:
        return []
    return list(
        Identity.objects.filter(match, contact__merged_into__isnull=True)
        .values_list("contact_id", flat=True)
        .distinct()
    )


def search_contacts(user, q: str, *, exact: Iterable[int] | None = None) -> QuerySet[Contact]:
    """The contacts ``user`` may see whose name, email or phone matches ``q``, and any contact
    whose email or phone is exactly ``q`` (``exact``, when the caller computed it already);
    merged contacts are left out."""
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
    exact = exact_matches(q) if exact is None else list(exact)
    return Contact.objects.filter(Q(pk__in=qs.filter(match).values("pk")) | Q(pk__in=exact))


def contact_history(user, contact: Contact) -> QuerySet[Message]:
    """The contact's messages across channels in the conversations ``user`` may see, newest
    first. Nothing is said of the others, not even how many there are."""
    visible = conversations_for(user)
    mine = Q(conversation__contact=contact) | Q(author_contact=contact)
    return (
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


def can_merge(user) -> bool:
    """Merging or unmerging contacts: supervisors and administrators only (and then only when
    they may see every conversation moved, see ``inbox.merges``)."""
    return user.is_administrator or user.is_supervisor


def access_merge(user, pk: int) -> ContactMerge:
    """A merge whose source or target ``user`` may see; 404 otherwise, 403 for an agent."""
    merge = ContactMerge.objects.select_related("source", "target").filter(pk=pk).first()
    visible = contacts_for(user)
    if merge is None or not visible.filter(pk__in=[merge.source_id, merge.target_id]).exists():
        raise Http404(_("Fusion introuvable."))
    if not can_merge(user):
        raise PermissionDenied(
            _("Seuls les superviseurs et les administrateurs fusionnent des usagers.")
        )
    return merge
