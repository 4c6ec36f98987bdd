"""What the demo records about itself: whether its loading went to the end."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoLoad(models.Model):
    """One row, written with the commune in the same transaction, completed after the last
    conversation. A row without ``completed_at`` is an interrupted load: ``civique setup``
    resumes it (``civique demo --resume``) instead of mistaking it for a finished one."""

    started_at = models.DateTimeField(_("commencé le"), default=timezone.now)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    conversations = models.PositiveIntegerField(_("demandes prévues"))
    seed = models.IntegerField(_("graine"))

    class Meta:
        verbose_name = _("chargement de la démo")
        verbose_name_plural = _("chargements de la démo")

    def __str__(self) -> str:
        state = "terminé" if self.completed_at else "interrompu"
        return f"Démo ({self.conversations} demandes) : {state}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
