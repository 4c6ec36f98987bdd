"""The registry of connected accounts (channels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civique.core.fields import EncryptedJSONField
from civique.core.models import Team, TimestampedModel


class Channel(TimestampedModel):
    """One connected account: a mailbox, the web form, the counter of the town hall..."""

    kind = models.CharField(_("type"), max_length=32, db_index=True)
    name = models.CharField(_("nom"), max_length=120)
    team = models.ForeignKey(
        Team, verbose_name=_("service"), on_delete=models.PROTECT, related_name="channels"
    )
    settings = models.JSONField(_("réglages"), default=dict, blank=True)
    secrets = EncryptedJSONField(_("secrets"), blank=True, default=dict)
    # Connector-owned progress marker (e.g. IMAP UIDVALIDITY and last UID).
    cursor = models.JSONField(_("curseur"), default=dict, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # Set when fetching failed for good (e.g. a refused password); sending still works. Cleared by
    # an administrator once fixed, or by setting a new secret.
    polling_suspended = models.BooleanField(_("relève suspendue"), default=False)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_error_at = models.DateTimeField(_("date de la dernière erreur"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("dernière relève"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("canal")
        verbose_name_plural = _("canaux")

    def __str__(self) -> str:
        return self.name

    @property
    def connector(self):
        from civique.channels.registry import get_connector

        return get_connector(self.kind)
