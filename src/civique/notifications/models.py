"""Notifications to agents, their preferences (hours, email) and the opt-in duty rota."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.inbox.models import Conversation
from civique.sla.calendar import PARIS
from civique.sla.models import Calendar


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Demande attribuée")
    CITIZEN_REPLIED = "citizen_replied", _("Réponse d'un usager")
    ESCALATION = "escalation", _("Engagement dépassé")
    MODERATION_URGENT = "moderation_urgent", _("Commentaire menaçant")


class Notification(models.Model):
    """One notification to one agent. ``deliver_at`` is the earliest delivery: the next opening
    of the agent's hours when it was created outside them. Until ``delivered_at`` is set it is
    invisible to the agent (held), whatever the page or the count."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("nature"), max_length=24, choices=Kind.choices)
    text = models.CharField(_("texte"), max_length=300)
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("demande"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField(_("lien"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgente"), default=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    deliver_at = models.DateTimeField(_("à remettre à partir du"), db_index=True)
    delivered_at = models.DateTimeField(_("remise le"), null=True, blank=True, db_index=True)
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    via_duty = models.BooleanField(_("remise pendant une astreinte"), default=False)

    class Meta:
        ordering = ["-deliver_at", "-id"]
        indexes = [models.Index(fields=["recipient", "delivered_at", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.text[:40]}"


class Preference(models.Model):
    """An agent's choices: email copies, and the hours notifications wait for (empty: their
    team's calendar, else the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("recevoir aussi les notifications par courriel"), default=False)
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("mes horaires"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return str(self.user)


class ShiftState(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée par l'agent")
    CANCELLED = "cancelled", _("Annulée")


class DutyShift(models.Model):
    """An emergency duty period (astreinte). Proposed by a supervisor or an administrator, it
    takes effect only once the agent accepted it (``consented_at``); the agent may decline it
    or withdraw their consent at any time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    starts = models.DateTimeField(_("début"))
    ends = models.DateTimeField(_("fin"))
    state = models.CharField(
        _("état"), max_length=10, choices=ShiftState.choices, default=ShiftState.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    consented_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)

    class Meta:
        ordering = ["starts", "id"]
        indexes = [models.Index(fields=["user", "state", "starts", "ends"])]
        verbose_name = _("astreinte")
        verbose_name_plural = _("astreintes")

    def __str__(self) -> str:
        """In Paris time, as every date the agents read (this text is also screen-reader text)."""
        starts = timezone.localtime(self.starts, PARIS)
        ends = timezone.localtime(self.ends, PARIS)
        return f"{self.user} {starts:%d/%m/%Y %H:%M}–{ends:%d/%m/%Y %H:%M}"
