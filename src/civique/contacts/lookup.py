"""Following merges: a merged contact points at the one that absorbed it (``merged_into``).

Merges chain (A into B, later B into C) and the walk stops at a contact already seen, so a
cycle left by bad data ends the walk instead of looping. Each step is one query unless
``merged_into`` was selected with the contact.
"""

from __future__ import annotations

from civique.contacts.models import Contact


def merge_chain(contact: Contact) -> list[Contact]:
    """``contact``, then each contact it was merged into in turn; the last one holds the
    identities and the history now."""
    chain, seen = [contact], {contact.pk}
    while contact.merged_into_id:
        contact = contact.merged_into
        if contact.pk in seen:
            break
        chain.append(contact)
        seen.add(contact.pk)
    return chain


def resolve_contact(contact: Contact) -> Contact:
    """Follow merges to the contact that now holds the history (``contact`` itself when it was
    never merged)."""
    return merge_chain(contact)[-1]
