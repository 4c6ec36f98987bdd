"""Writes on contacts: creation by an agent. Merging moves conversations and messages, so it
lives above, in ``inbox.merges``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civique.contacts.models import Contact, Identity, IdentityKind
from civique.contacts.normalize import normalize_identity
from civique.core.audit import audit


class ContactError(ValueError):
    """A write on contacts refused, with a French message for the person who asked."""


class IdentityTaken(ContactError):
    """An identity given for a new contact already belongs to ``contact``."""

    def __init__(self, message: str, *, kind: str, contact: Contact) -> None:
        super().__init__(message)
        self.kind = kind
        self.contact = contact


def _identity_taken(kind: str, contact: Contact) -> IdentityTaken:
    return IdentityTaken(
        _("Ce %(kind)s appartient déjà à l'usager « %(contact)s ».")
        % {"kind": str(IdentityKind(kind).label).lower(), "contact": contact},
        kind=kind,
        contact=contact,
    )


@transaction.atomic
def create_contact(
    user,
    *,
    display_name: str,
    is_organisation: bool = False,
    email: str = "",
    phone: str = "",
) -> Contact:
    """Create a contact with optional email and phone identities. An identity that already
    belongs to someone is refused (IdentityTaken): people are never merged by name."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ContactError(_("Le nom est obligatoire."))
    wanted = []
    for kind, raw in ((IdentityKind.EMAIL, email), (IdentityKind.PHONE, phone)):
        if not (raw or "").strip():
            continue
        try:
            value = normalize_identity(kind, raw)
        except ValidationError as exc:
            raise ContactError(exc.messages[0]) from None
        existing = Identity.objects.select_related("contact").filter(kind=kind, value=value).first()
        if existing is not None:
            raise _identity_taken(kind, existing.contact)
        wanted.append((kind, value, raw.strip()))
    contact = Contact.objects.create(
        display_name=display_name[:200], is_organisation=is_organisation
    )
    for kind, value, display in wanted:
        try:
            with transaction.atomic():
                Identity.objects.create(contact=contact, kind=kind, value=value, display=display)
        except IntegrityError:
            # Taken between the check and the write by a concurrent intake.
            holder = Identity.objects.get(kind=kind, value=value).contact
            raise _identity_taken(kind, holder) from None
    audit(user, "contact.create", contact, {"identities": [[k, v] for k, v, _d in wanted]})
    return contact
