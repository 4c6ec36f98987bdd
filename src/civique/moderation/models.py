"""The moderation charter, the automatic rules, the cases of the moderation queue and every
decision taken on them, and the elected officials whose comments are never hidden automatically.

Owned here so that the layers below (contacts, inbox) keep their schema: a case points at an
inbox message, an elected official at a contact.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.models import AppendOnlyModel, Team, TimestampedModel
from civique.inbox.models import Message


class ProposedAction(models.TextChoices):
    REVIEW = "review", _("Examiner")
    HIDE = "hide", _("Masquer")
    DELETE = "delete", _("Supprimer")


class CharterRule(TimestampedModel):
    """One article of the published moderation charter."""

    slug = models.SlugField(_("identifiant"), unique=True)
    article = models.CharField(_("article"), max_length=16)
    title = models.CharField(_("titre"), max_length=160)
    wording = models.TextField(_("texte public"))
    labels = models.JSONField(
        _("étiquettes des analyseurs"),
        default=list,
        blank=True,
        help_text=_("Préfixes d'étiquettes qui l'attestent, par ex. « abuse.insult », « health »."),
    )
    min_score = models.FloatField(_("score minimal"), default=0.5)
    action = models.CharField(
        _("action proposée"),
        max_length=16,
        choices=ProposedAction.choices,
        default=ProposedAction.HIDE,
    )
    # 1 (mild) to 5 (most severe): the queue shows the most severe first.
    severity = models.PositiveSmallIntegerField(_("gravité (1 à 5)"), default=3)
    # Electoral propaganda: proposes an action only during the electoral period.
    electoral_only = models.BooleanField(_("seulement en période électorale"), default=False)
    enabled = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "article"]
        verbose_name = _("règle de la charte")
        verbose_name_plural = _("règles de la charte")

    def __str__(self) -> str:
        return f"Art. {self.article} — {self.title}"

    def clean(self) -> None:
        if not 1 <= self.severity <= 5:
            raise ValidationError({"severity": _("La gravité va de 1 à 5.")})
        if not 0 <= self.min_score <= 1:
            raise ValidationError({"min_score": _("Le score est compris entre 0 et 1.")})
        if not isinstance(self.labels, list) or not all(isinstance(x, str) for x in self.labels):
            raise ValidationError({"labels": _("Donnez une liste d'étiquettes.")})


class ModerationSetup(models.Model):
    """The institution's moderation settings (one row): its electoral period (Code électoral
    L52-1) and who heads communication (escalations, elected officials' comments)."""

    electoral_period_start = models.DateField(
        _("début de la période électorale"), null=True, blank=True
    )
    electoral_period_end = models.DateField(
        _("fin de la période électorale"), null=True, blank=True
    )
    head_of_communication = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable de la communication"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("réglages de modération")
        verbose_name_plural = _("réglages de modération")

    def __str__(self) -> str:
        return str(_("Réglages de modération"))

    @classmethod
    def current(cls) -> ModerationSetup:
        setup, _created = cls.objects.get_or_create(pk=1)
        return setup

    def in_electoral_period(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        start, end = self.electoral_period_start, self.electoral_period_end
        return bool(start and end and start <= day <= end)

    def clean(self) -> None:
        start, end = self.electoral_period_start, self.electoral_period_end
        if bool(start) != bool(end):
            raise ValidationError(_("Donnez le début et la fin de la période électorale."))
        if start and end and end < start:
            raise ValidationError(_("La période électorale finit avant de commencer."))


class RuleAction(models.TextChoices):
    PROPOSE_HIDE = "propose_hide", _("Proposer de masquer")
    HIDE = "hide", _("Masquer automatiquement")
    LABEL = "label", _("Étiqueter")
    ASSIGN = "assign", _("Attribuer")
    NOTIFY = "notify", _("Signaler au responsable")


class AutoRule(TimestampedModel):
    """An ordered condition → action rule, run on every public comment as it arrives.

    Conditions left empty match everything; all given conditions must hold. ``HIDE`` acts only
    when an administrator enabled automatic hiding on the rule (``automatic_hide_enabled``) —
    e.g. health data on a hospital's page — and never on an elected official's comment."""

    name = models.CharField(_("nom"), max_length=160)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    enabled = models.BooleanField(_("active"), default=True)
    labels = models.JSONField(_("étiquettes"), default=list, blank=True)
    min_score = models.FloatField(_("score minimal"), default=0.5)
    channels = models.ManyToManyField(
        Channel, verbose_name=_("canaux (tous si vide)"), blank=True, related_name="+"
    )
    keywords = models.TextField(_("mots-clés (un par ligne)"), blank=True)
    min_hidden_before = models.PositiveIntegerField(
        _("commentaires déjà masqués de l'auteur (au moins)"), null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=16, choices=RuleAction.choices)
    charter_rule = models.ForeignKey(
        CharterRule,
        verbose_name=_("article cité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="auto_rules",
    )
    automatic_hide_enabled = models.BooleanField(
        _("masquage automatique autorisé par un administrateur"), default=False
    )
    explain_privately = models.BooleanField(
        _("expliquer à l'auteur en privé, en citant l'article"), default=False
    )
    tag = models.CharField(_("étiquette posée"), max_length=60, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent à qui attribuer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stop = models.BooleanField(_("arrêter après cette règle"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("règle automatique")
        verbose_name_plural = _("règles automatiques")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.splitlines() if k.strip()]

    def clean(self) -> None:
        if self.action == RuleAction.HIDE and self.charter_rule_id is None:
            raise ValidationError(
                {"charter_rule": _("Un masquage automatique doit citer un article de la charte.")}
            )
        if self.action == RuleAction.ASSIGN and self.assignee_id is None:
            raise ValidationError({"assignee": _("Choisissez l'agent à qui attribuer.")})
        if self.action == RuleAction.LABEL and not self.tag:
            raise ValidationError({"tag": _("Donnez l'étiquette à poser.")})
        if not 0 <= self.min_score <= 1:
            raise ValidationError({"min_score": _("Le score est compris entre 0 et 1.")})


class CaseState(models.TextChoices):
    OPEN = "open", _("À traiter")
    ESCALATED = "escalated", _("Remontée")
    HANDLED = "handled", _("Traitée")
    DISMISSED = "dismissed", _("Classée sans suite")
    DO_NOT_FEED = "do_not_feed", _("Ne pas nourrir")


# The states that keep a case in the queue.
QUEUE_STATES = (CaseState.OPEN, CaseState.ESCALATED)


class ModerationCase(TimestampedModel):
    """One public comment that needs a moderator's look: what the charter proposes and why.
    One per message, so that a replayed event proposes nothing twice."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="moderation")
    charter_rule = models.ForeignKey(
        CharterRule,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    proposed_action = models.CharField(
        _("action proposée"), max_length=16, choices=ProposedAction.choices
    )
    severity = models.PositiveSmallIntegerField(_("gravité"), default=0, db_index=True)
    score = models.FloatField(_("score"), default=0)
    state = models.CharField(
        _("état"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN, db_index=True
    )
    tags = models.JSONField(_("étiquettes posées"), default=list, blank=True)
    angry = models.BooleanField(_("colère légitime"), default=False)
    elected = models.BooleanField(_("élu"), default=False)
    sensitive = models.BooleanField(_("données de santé"), default=False)
    auto_hidden_at = models.DateTimeField(_("masqué automatiquement le"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remontée à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reasons = models.JSONField(_("raisons"), default=list, blank=True)
    # The reasons' labels, space-separated with a space on each side, to filter on.
    label_index = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["-severity", "-score", "-created_at"]
        verbose_name = _("commentaire à modérer")
        verbose_name_plural = _("file de modération")

    def __str__(self) -> str:
        return f"{self.message_id} {self.state}"


class Decision(models.TextChoices):
    PROPOSED = "proposed", _("Proposition automatique")
    AUTO_HIDE = "auto_hide", _("Masquage automatique")
    HIDE = "hide", _("Masquage")
    UNHIDE = "unhide", _("Réaffichage")
    DELETE = "delete", _("Suppression")
    REPLY_PUBLIC = "reply_public", _("Réponse publique")
    REPLY_PRIVATE = "reply_private", _("Réponse privée")
    CITE_ARTICLE = "cite_article", _("Article de la charte rappelé à l'auteur")
    BLOCK = "block", _("Blocage de l'auteur")
    DO_NOT_FEED = "do_not_feed", _("Ne pas nourrir")
    UNDO_DO_NOT_FEED = "undo_do_not_feed", _("« Ne pas nourrir » annulé")
    ESCALATE = "escalate", _("Remontée")
    CALL_TASK = "call_task", _("Rappel à faire")
    DISMISS = "dismiss", _("Classement sans suite")
    REOPEN = "reopen", _("Réouverture")
    LABEL = "label", _("Étiquette")
    ASSIGN = "assign", _("Attribution")
    NOTIFY = "notify", _("Signalement")


class ModerationDecision(AppendOnlyModel):
    """Who decided what on which comment, when, under which article. Append-only; the actor's
    name is frozen like the audit journal's."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("par"), max_length=150)
    charter_rule = models.ForeignKey(
        CharterRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.CharField(_("article"), max_length=16, blank=True)
    note = models.TextField(_("précision"), blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    frozen_message = "Une décision de modération ne se modifie pas."

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("décision de modération")
        verbose_name_plural = _("décisions de modération")

    def __str__(self) -> str:
        return f"{self.actor_label} {self.decision} {self.case_id}"


class ElectedOfficial(TimestampedModel):
    """A contact who holds an elected office: their comments follow the charter, are flagged to
    the head of communication and never hidden automatically."""

    contact = models.OneToOneField(
        Contact, verbose_name=_("usager"), on_delete=models.CASCADE, related_name="+"
    )
    mandate = models.CharField(_("mandat"), max_length=160)

    class Meta:
        verbose_name = _("élu")
        verbose_name_plural = _("élus")

    def __str__(self) -> str:
        return f"{self.contact} ({self.mandate})"


class ModeratorTeam(models.Model):
    """A team whose agents moderate its channels' public comments (least privilege: supervisors
    and administrators moderate anyway; other agents only where their team is listed)."""

    team = models.OneToOneField(Team, verbose_name=_("service"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("service modérateur")
        verbose_name_plural = _("services modérateurs")

    def __str__(self) -> str:
        return str(self.team)
