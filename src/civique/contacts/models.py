"""Contacts (usagers) and their identities on each channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.core.models import TimestampedModel


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Adresse électronique")
    PHONE = "phone", _("Téléphone")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    X = "x", _("X")
    MASTODON = "mastodon", _("Mastodon")
    GOOGLE = "google", _("Avis Google")
    API = "api", _("Identifiant externe (API)")


class Contact(TimestampedModel):
    display_name = models.CharField(_("nom"), max_length=200, blank=True)
    is_organisation = models.BooleanField(_("organisation"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    # Set when this contact was merged into another one; the merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("usager")
        verbose_name_plural = _("usagers")

    def __str__(self) -> str:
        return self.display_name or _("Usager n°%(id)s") % {"id": self.pk}


class Identity(models.Model):
    """One handle of a contact on one channel kind. ``value`` is normalised (see normalize.py)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("type"), max_length=20, choices=IdentityKind.choices)
    value = models.CharField(_("valeur"), max_length=255)
    display = models.CharField(_("libellé"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")
        ]
        verbose_name = _("identifiant")
        verbose_name_plural = _("identifiants")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.display or self.value}"


class ContactMerge(models.Model):
    """A merge of ``source`` into ``target``, recorded so that it can be undone exactly."""

    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    identity_ids = models.JSONField(default=list)
    conversation_ids = models.JSONField(default=list)
    message_ids = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"
