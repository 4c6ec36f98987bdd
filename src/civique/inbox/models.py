"""Conversations (demandes), their messages, attachments, timeline and outbound deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.channels.connectors.base import OperationKind
from civique.channels.models import Channel
from civique.contacts.models import Contact
from civique.core.models import AppendOnlyModel, Team, TimestampedModel


class Category(TimestampedModel):
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    team = models.ForeignKey(
        Team, verbose_name=_("service par défaut"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_public = models.BooleanField(_("proposé sur le portail"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", _("Nouvelle")
    OPEN = "open", _("En cours")
    PENDING = "pending", _("En attente de l'usager")
    RESOLVED = "resolved", _("Résolue")
    CLOSED = "closed", _("Clôturée")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Publique")
    PRIVATE = "private", _("Privée")


class Priority(models.IntegerChoices):
    LOW = 1, _("Basse")
    NORMAL = 2, _("Normale")
    HIGH = 3, _("Haute")
    URGENT = 4, _("Urgente")


class SlaState(models.TextChoices):
    NONE = "", _("Sans engagement")
    OK = "ok", _("Dans les délais")
    AT_RISK = "at_risk", _("Bientôt en retard")
    BREACHED = "breached", _("En retard")
    PAUSED = "paused", _("En pause")
    MET = "met", _("Engagements tenus")


class Conversation(TimestampedModel):
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    visibility = models.CharField(
        _("visibilité"), max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("canal"), on_delete=models.PROTECT, related_name="conversations"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("usager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent assigné"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    priority = models.PositiveSmallIntegerField(
        _("priorité"), choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("thème"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    # Connector-defined thread key (e.g. a post id for public comments); empty for email.
    thread_key = models.CharField(_("clé de fil"), max_length=255, blank=True, db_index=True)
    location_lat = models.FloatField(_("latitude"), null=True, blank=True)
    location_lon = models.FloatField(_("longitude"), null=True, blank=True)
    location_address = models.CharField(_("adresse"), max_length=255, blank=True)
    # Clocks later SLA work counts on.
    last_message_at = models.DateTimeField(_("dernier message"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("dernier message reçu"), null=True, blank=True)
    waiting_since = models.DateTimeField(
        _("attend une réponse depuis"), null=True, blank=True, db_index=True
    )
    first_response_at = models.DateTimeField(_("première réponse"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("résolue le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("accusé de réception le"), null=True, blank=True)
    # Response commitments, computed by the sla app (inbox/clocks.py signals it; the inbox only
    # reads them): due time by name, the earliest still running, the policy and breach state.
    acknowledgement_due_at = models.DateTimeField(
        _("accusé de réception attendu le"), null=True, blank=True
    )
    first_answer_due_at = models.DateTimeField(
        _("première réponse attendue le"), null=True, blank=True
    )
    resolution_due_at = models.DateTimeField(_("résolution attendue le"), null=True, blank=True)
    next_due_at = models.DateTimeField(
        _("prochaine échéance"), null=True, blank=True, db_index=True
    )
    at_risk_at = models.DateTimeField(_("en alerte à partir du"), null=True, blank=True)
    sla_policy = models.CharField(_("engagement appliqué"), max_length=120, blank=True)
    sla_state = models.CharField(
        _("état des délais"), max_length=10, choices=SlaState.choices, blank=True, db_index=True
    )
    # Names of the commitments missed (answered late or overdue), in the order they were missed.
    sla_breaches = models.JSONField(_("engagements manqués"), default=list, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["channel", "thread_key"]),
        ]
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")

    def __str__(self) -> str:
        return f"[#{self.reference}] {self.subject}"

    @property
    def reference(self) -> str:
        return f"{settings.CIVIQUE_REFERENCE_PREFIX}-{self.pk}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Reçu")
    OUTBOUND = "out", _("Envoyé")
    INTERNAL = "internal", _("Interne")


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    COMMENT = "comment", _("Commentaire")
    REVIEW = "review", _("Avis")
    CALL = "call", _("Appel téléphonique")
    VISIT = "visit", _("Visite à l'accueil")
    NOTE = "note", _("Note interne")


class MessageVisibility(models.TextChoices):
    PUBLIC = "public", _("Publique")
    PRIVATE = "private", _("Privée")
    INTERNAL = "internal", _("Interne")


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("sens"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("nature"), max_length=16, choices=MessageKind.choices)
    visibility = models.CharField(_("visibilité"), max_length=8, choices=MessageVisibility.choices)
    author_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    # The handle the message came from: what lets a contact merge be undone exactly.
    author_identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("auteur"), max_length=200, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    text = models.TextField(_("texte"), blank=True)
    html = models.TextField(_("HTML nettoyé"), blank=True)
    # The platform's id (email Message-ID, comment id...). Unique per channel when set; NULL
    # (not "") for notes and other messages with no platform id, so they never collide.
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    platform_timestamp = models.DateTimeField(_("date sur la plateforme"), null=True, blank=True)
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now, db_index=True)
    # Automated mail (auto-reply, bounce, list): kept but never answered automatically.
    is_automated = models.BooleanField(_("message automatique"), default=False)
    # Moderation, set when the platform confirms it: hidden from the public (can be undone),
    # removed from the platform (our copy is kept, never erased).
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    removed_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    meta = models.JSONField(_("détails"), default=dict, blank=True)
    # What the analysers found in the text (civique.analysis.base.Analysis.to_json()).
    analysis = models.JSONField(_("analyse"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="message_unique_external_id_per_channel"
            )
        ]
        # A parent stored after its reply finds it by this (ingest's find_conversation).
        indexes = [models.Index(fields=["channel", "in_reply_to"], name="message_in_reply_to")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def when(self):
        return self.platform_timestamp or self.created_at

    @property
    def delivery(self) -> Delivery | None:
        """The outbox row that sends this message (outbound messages), else None. Uses the
        ``deliveries`` prefetched with the message when there are."""
        return next((d for d in self.deliveries.all() if d.kind in SENDING_KINDS), None)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class MessageRevision(models.Model):
    """An earlier text of a message that its author edited on the platform: kept, never lost.

    ``version`` is the platform's id of the edit that replaced this text, unique per message, so
    the same edit delivered twice is recorded once."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    version = models.CharField(max_length=255)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # When this text stopped being the current one (the edit's date on the platform).
    replaced_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "version"], name="messagerevision_unique_version"
            )
        ]
        verbose_name = _("version antérieure")
        verbose_name_plural = _("versions antérieures")

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.replaced_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)  # sniffed from content
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64, db_index=True)
    is_inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    meta = models.JSONField(default=dict, blank=True)  # e.g. GPS read from EXIF before stripping

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.filename


class TimelineKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    STATUS = "status", _("Changement de statut")
    ASSIGNMENT = "assignment", _("Attribution")
    TEAM = "team", _("Transfert de service")
    CATEGORY = "category", _("Changement de thème")
    PRIORITY = "priority", _("Changement de priorité")
    CONTACT = "contact", _("Changement d'usager")
    DELIVERY = "delivery", _("Envoi")
    MODERATION = "moderation", _("Modération")
    SYSTEM = "system", _("Information")


class TimelineEntry(AppendOnlyModel):
    """Typed, append-only record of everything that happened on a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline_entries"
    )
    data = models.JSONField(default=dict, blank=True)

    frozen_message = "L'historique est en ajout seul."

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("entrée de l'historique")
        verbose_name_plural = _("historique")

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.kind}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    RETRYING = "retrying", _("Nouvel essai prévu")
    FAILED = "failed", _("Échec définitif")


# The operations that deliver the message they concern (the others act on a message already
# on the platform). A message is delivered at most once.
SENDING_KINDS = (OperationKind.SEND, OperationKind.REPLY_PUBLIC, OperationKind.REPLY_PRIVATE)


class Delivery(models.Model):
    """Outbox row: one operation on the platform (send a message, hide a comment...) to hand
    to the connector, with retries. ``message`` is the message it concerns: the one sent, or
    the one hidden, deleted or edited (which may have several operations over time)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(
        _("opération"), max_length=16, choices=OperationKind.choices, default=OperationKind.SEND
    )
    state = models.CharField(
        _("état"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["message"],
                condition=models.Q(kind__in=SENDING_KINDS),
                name="delivery_one_sending_per_message",
            )
        ]
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")

    def __str__(self) -> str:
        return f"{self.message_id} {self.kind} {self.state}"
