"""Shared kernel: teams, agents, the audit journal and worker liveness."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class ContactVisibility(models.TextChoices):
    """Which contacts (usagers) the members of a team see: identities, notes, history. See
    docs/decisions/0007-contact-privacy-by-team.md; the rule itself is ``inbox.access``."""

    CONVERSATIONS = "conversations", _("Les usagers des demandes du service")
    ALL = "all", _("Tous les usagers")


class Team(TimestampedModel):
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("adresse du service"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_visibility = models.CharField(
        _("usagers visibles"),
        max_length=20,
        choices=ContactVisibility.choices,
        default=ContactVisibility.CONVERSATIONS,
        help_text=_(
            "Par défaut, les agents du service ne voient que les usagers de ses demandes (et "
            "ceux qu'ils retrouvent par leur adresse électronique ou leur téléphone exacts). "
            "« Tous les usagers » convient à un accueil général ; chaque changement est "
            "inscrit au journal d'audit."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    SUPERVISOR = "supervisor", _("Superviseur")
    AGENT = "agent", _("Agent")


class User(AbstractUser):
    """An agent of the administration. Rights come from the role and the teams."""

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(
        Team, verbose_name=_("services"), blank=True, related_name="members"
    )

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ce journal est en ajout seul : aucune modification possible.")

    def delete(self):
        raise TypeError("Ce journal est en ajout seul : aucune suppression possible.")


class AppendOnlyModel(models.Model):
    """A journal's row: written once, then never changed (its queryset refuses updates and
    deletions too). ``frozen_message`` says what the refusal says."""

    frozen_message = "Ce journal est en ajout seul : aucune modification possible."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError(self.frozen_message)
        super().save(*args, **kwargs)


class AuditEvent(AppendOnlyModel):
    """Who did what, frozen: the actor's name is copied so that it survives the account."""

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("acteur"), max_length=150)
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=64)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64)
    object_repr = models.CharField(_("objet"), max_length=255, blank=True)
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    frozen_message = "Un événement d'audit ne se modifie pas."

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.object_type}:{self.object_id}"

    def delete(self, *args, **kwargs):
        raise TypeError("Un événement d'audit ne se supprime pas.")


class WorkerHeartbeat(models.Model):
    """Written by each worker process every few seconds; /healthz reads it."""

    name = models.CharField(max_length=128, unique=True)
    pid = models.IntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
