"""The durable inbound log: everything a channel delivers is written here first."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.channels.models import Channel


class EventState(models.TextChoices):
    PENDING = "pending", _("En attente")
    DONE = "done", _("Traité")
    RETRYING = "retrying", _("Nouvelle tentative prévue")
    PARKED = "parked", _("En échec (à examiner)")


class InboundEvent(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="events")
    external_id = models.CharField(_("identifiant externe"), max_length=255)
    payload = models.BinaryField(_("contenu brut"))
    content_type = models.CharField(_("type de contenu"), max_length=100)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    state = models.CharField(
        _("état"), max_length=16, choices=EventState.choices, default=EventState.PENDING
    )
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    processed_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    message_ids = models.JSONField(_("messages produits"), default=list, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="inboundevent_unique_per_channel"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("événement entrant")
        verbose_name_plural = _("événements entrants")

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.external_id} ({self.state})"


class Tombstone(models.Model):
    """A platform's news about a message we have not received yet: it was removed, or hidden.

    Platforms deliver out of order (a removal before the comment it removes): the news is kept
    here, and the message takes that state when it arrives."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255)
    removed_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="tombstone_unique_per_channel"
            )
        ]
        verbose_name = _("nouvelle anticipée")
        verbose_name_plural = _("nouvelles anticipées")

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.external_id}"


class ImportProgress(models.Model):
    """How far ``civique ingest`` got in one mbox or Maildir for one channel, so that a run
    interrupted in a large import starts again where it stopped instead of reading everything
    again. ``position`` is where the next mail starts (a byte offset in an mbox, a rank in a
    Maildir); every mail before it was taken in (stored, then processed or reported). It is
    trusted only while ``fingerprint`` still matches the source (see ``ingest.progress``).
    Kept in the database, beside the events it vouches for: a database emptied or replaced takes
    its progress with it."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=1000)
    fingerprint = models.CharField(_("empreinte"), max_length=64)
    position = models.BigIntegerField(_("position"), default=0)
    mails = models.PositiveIntegerField(_("courriels lus"), default=0)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source"], name="importprogress_unique_per_channel"
            )
        ]
        verbose_name = _("avancement d'import")
        verbose_name_plural = _("avancements d'import")

    def __str__(self) -> str:
        return f"{self.source} ({self.mails})"
