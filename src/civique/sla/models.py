"""Business calendars (opening hours, closures) and response commitments (policies)."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civique.core.models import Team, TimestampedModel
from civique.inbox.models import Category, Priority, Visibility


class Subdivision(models.TextChoices):
    METROPOLE = "", _("France métropolitaine")
    MOSELLE = "57", _("Moselle (57)")
    BAS_RHIN = "67", _("Bas-Rhin (67)")
    HAUT_RHIN = "68", _("Haut-Rhin (68)")
    GUADELOUPE = "971", _("Guadeloupe (971)")
    MARTINIQUE = "972", _("Martinique (972)")
    GUYANE = "973", _("Guyane (973)")
    REUNION = "974", _("La Réunion (974)")
    MAYOTTE = "976", _("Mayotte (976)")


TIMEZONES = [
    ("Europe/Paris", "Europe/Paris"),
    ("America/Guadeloupe", "America/Guadeloupe"),
    ("America/Martinique", "America/Martinique"),
    ("America/Cayenne", "America/Cayenne"),
    ("Indian/Reunion", "Indian/Reunion"),
    ("Indian/Mayotte", "Indian/Mayotte"),
]


class Calendar(TimestampedModel):
    """A team's opening hours; the calendar with no team is everyone else's."""

    name = models.CharField(_("nom"), max_length=120)
    team = models.OneToOneField(
        Team,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar",
        help_text=_("Vide : le calendrier par défaut, pour les services qui n'en ont pas."),
    )
    timezone = models.CharField(
        _("fuseau horaire"), max_length=40, choices=TIMEZONES, default="Europe/Paris"
    )
    subdivision = models.CharField(
        _("jours fériés"), max_length=4, choices=Subdivision.choices, default="", blank=True
    )
    personal = models.BooleanField(
        _("horaires d'agents"),
        default=False,
        help_text=_(
            "Un calendrier d'horaires personnels (temps partiel...) que les agents choisissent "
            "pour recevoir leurs notifications ; il ne sert à aucun service."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendrier")
        verbose_name_plural = _("calendriers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.personal:
            if self.team_id is not None:
                raise ValidationError(
                    {"team": _("Un calendrier d'horaires d'agents ne sert à aucun service.")}
                )
            return
        defaults = Calendar.objects.filter(team__isnull=True, personal=False).exclude(pk=self.pk)
        if self.team_id is None and defaults.exists():
            raise ValidationError({"team": _("Il existe déjà un calendrier par défaut.")})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class OpeningSlot(models.Model):
    """One opening of one weekday (a lunch break makes two slots the same day)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"), help_text=_("00:00 : jusqu'à minuit."))

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        verbose_name = _("plage d'ouverture")
        verbose_name_plural = _("plages d'ouverture")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is None or self.closes is None:
            return
        if self.closes != time(0) and self.closes <= self.opens:
            raise ValidationError(_("La fermeture doit suivre l'ouverture."))


class Closure(models.Model):
    """An exceptional closure, whole days from ``starts`` to ``ends`` included."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    starts = models.DateField(_("du"))
    ends = models.DateField(_("au (inclus)"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "starts"]
        verbose_name = _("fermeture exceptionnelle")
        verbose_name_plural = _("fermetures exceptionnelles")

    def __str__(self) -> str:
        return f"{self.starts:%d/%m/%Y}–{self.ends:%d/%m/%Y} {self.reason}".strip()

    def clean(self) -> None:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError(_("La fin de la fermeture précède son début."))


class Unit(models.TextChoices):
    HOURS = "hours", _("heures ouvrées")
    DAYS = "days", _("jours ouvrés")


class Escalation(models.TextChoices):
    NONE = "", _("Aucune")
    NOTIFY = "notify", _("Prévenir les responsables du service")
    RAISE = "raise", _("Relever la priorité")
    REASSIGN = "reassign", _("Retirer l'agent assigné (retour au service)")


class Policy(TimestampedModel):
    """A response commitment. Empty criteria match anything; the most specific policy wins.

    ``team`` is a criterion like the others (empty: every team), so a team's own policy beats a
    global one with the same other criteria. Names stay unique across teams: a conversation
    records the name of its policy (``Conversation.sla_policy``).
    """

    name = models.CharField(_("nom"), max_length=120, unique=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("Vide : tous les services."),
    )
    channel_kind = models.CharField(
        _("type de canal"), max_length=32, blank=True, help_text=_("Vide : tous les canaux.")
    )
    visibility = models.CharField(
        _("visibilité"), max_length=8, choices=Visibility.choices, blank=True
    )
    category = models.ForeignKey(
        Category, verbose_name=_("thème"), null=True, blank=True, on_delete=models.CASCADE
    )
    priority = models.PositiveSmallIntegerField(
        _("priorité"), choices=Priority.choices, null=True, blank=True
    )
    acknowledge_within = models.PositiveIntegerField(
        _("accusé de réception sous"), null=True, blank=True, help_text=_("0 : immédiatement.")
    )
    acknowledge_unit = models.CharField(
        _("unité"), max_length=8, choices=Unit.choices, default=Unit.HOURS
    )
    answer_within = models.PositiveIntegerField(
        _("première réponse sous"), null=True, blank=True, help_text=_("0 : sur-le-champ.")
    )
    answer_unit = models.CharField(
        _("unité"), max_length=8, choices=Unit.choices, default=Unit.HOURS
    )
    resolve_within = models.PositiveIntegerField(_("résolution sous"), null=True, blank=True)
    resolve_unit = models.CharField(
        _("unité"), max_length=8, choices=Unit.choices, default=Unit.DAYS
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("alerte à (% du délai écoulé)"), default=75
    )
    escalation = models.CharField(
        _("escalade au dépassement"), max_length=10, choices=Escalation.choices, blank=True
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 1 <= self.at_risk_percent <= 100:
            raise ValidationError({"at_risk_percent": _("Entre 1 et 100 %.")})

    @property
    def specificity(self) -> int:
        criteria = [
            self.team_id,
            self.channel_kind,
            self.visibility,
            self.category_id,
            self.priority,
        ]
        return sum(1 for c in criteria if c not in ("", None))
