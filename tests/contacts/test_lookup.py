"""Following merges from a contact to the one that holds its history now."""

from __future__ import annotations

import pytest

from civique.contacts.lookup import merge_chain, resolve_contact
from civique.contacts.models import Contact

pytestmark = pytest.mark.django_db


def contact(name: str, merged_into: Contact | None = None) -> Contact:
    return Contact.objects.create(display_name=name, merged_into=merged_into)


def test_a_contact_never_merged_resolves_to_itself():
    camille = contact("Camille")
    assert resolve_contact(camille) == camille
    assert merge_chain(camille) == [camille]


def test_it_follows_successive_merges_to_the_holder():
    holder = contact("Camille Durand")
    middle = contact("C. Durand", merged_into=holder)
    first = contact("Camille", merged_into=middle)
    assert resolve_contact(first) == holder
    assert merge_chain(first) == [first, middle, holder]
    assert resolve_contact(holder) == holder


def test_a_cycle_left_by_bad_data_ends_the_walk():
    a = contact("A")
    b = contact("B", merged_into=a)
    Contact.objects.filter(pk=a.pk).update(merged_into=b)
    a.refresh_from_db()
    assert merge_chain(a) == [a, b]
    assert resolve_contact(a) == b
