"""API tokens: only a SHA-256 hash and an 8-character prefix are stored, never the token."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("nom"), max_length=120, blank=True)
    # The first characters of the token, shown to tell tokens apart and to revoke one.
    prefix = models.CharField(_("préfixe"), max_length=PREFIX_LENGTH, db_index=True)
    token_hash = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        label = f"{self.prefix}… ({self.user})"
        return f"{self.name} {label}" if self.name else label

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
