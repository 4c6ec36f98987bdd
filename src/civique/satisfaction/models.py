"""A satisfaction survey offered after a conversation is resolved, and its answer."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.inbox.models import Conversation, Message

COMMENT_MAX = 1000
TOKEN_SALT = "civique.satisfaction.survey"  # noqa: S105 - a signing namespace, not a secret


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class SentVia(models.TextChoices):
    CHANNEL = "channel", _("Sur le canal")
    LINK = "link", _("Par lien (page de suivi)")


class AnsweredVia(models.TextChoices):
    CHANNEL = "channel", _("Sur le canal")
    PORTAL = "portal", _("Sur le portail")


class Survey(models.Model):
    """One per resolution episode of a conversation. The link's token is the nonce signed with
    the secret key (``token``): the database alone does not give working links."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("demande")
    )
    resolved_at = models.DateTimeField(_("résolue le"))
    nonce = models.CharField(max_length=64, unique=True, default=new_nonce, editable=False)
    sent_at = models.DateTimeField(_("proposée le"), default=timezone.now, db_index=True)
    sent_via = models.CharField(_("proposée"), max_length=16, choices=SentVia.choices)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("raison"), max_length=255, blank=True)
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    closed_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("note"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=COMMENT_MAX)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_via = models.CharField(
        _("répondue"), max_length=16, choices=AnsweredVia.choices, blank=True
    )
    answer_message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("enquête de satisfaction")
        verbose_name_plural = _("enquêtes de satisfaction")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(answered_at__isnull=True, closed_at__isnull=True),
                name="satisfaction_one_open_survey",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="satisfaction_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation.reference} ({self.sent_at:%Y-%m-%d})"

    @property
    def token(self) -> str:
        return signing.Signer(salt=TOKEN_SALT).sign(self.nonce)

    def is_open(self, now: datetime) -> bool:
        return self.answered_at is None and self.closed_at is None and now < self.expires_at
