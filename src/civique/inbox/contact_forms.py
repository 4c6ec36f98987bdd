"""The form of logging a call or a visit with a contact (it offers the contact's conversations,
hence here in inbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.channels.models import Channel
from civique.channels.registry import all_connectors
from civique.contacts.models import Contact
from civique.core.access import visible_teams
from civique.inbox.access import conversations_for
from civique.inbox.actions import OUTCOMES
from civique.inbox.models import Category, MessageKind

# Before this, a typed date is a slip (year 1 cannot even be stored on every database).
EARLIEST_EXCHANGE = datetime(1900, 1, 1, tzinfo=UTC)


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Channel) -> str:
        kind = MessageKind(obj.connector.default_kind).label
        return f"{kind} — {obj.name}"


class ConversationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} — {obj.subject or '…'} ({obj.get_status_display()})"


def agent_logged_channels(user):
    kinds = [kind for kind, connector in all_connectors().items() if connector.agent_logged]
    return Channel.objects.filter(is_active=True, kind__in=kinds, team__in=visible_teams(user))


def _now_in_minutes():
    return timezone.localtime().replace(second=0, microsecond=0)


class LogExchangeForm(forms.Form):
    channel = ChannelChoiceField(
        label=_("Type d'échange et canal"), queryset=Channel.objects.none(), empty_label=None
    )
    direction = forms.ChoiceField(
        label=_("Sens"),
        choices=[
            ("in", _("Reçu : l'usager nous a contactés ou s'est présenté")),
            ("out", _("Émis : nous avons contacté l'usager")),
        ],
        initial="in",
        widget=forms.RadioSelect,
    )
    occurred_at = forms.DateTimeField(
        label=_("Date et heure"),
        initial=_now_in_minutes,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée en minutes (facultatif)"), required=False, min_value=0, max_value=24 * 60
    )
    summary = forms.CharField(
        label=_("Résumé de l'échange"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    outcome = forms.ChoiceField(
        label=_("Issue"), choices=list(OUTCOMES.items()), initial="follow_up"
    )
    subject = forms.CharField(
        label=_("Objet (facultatif, pour une nouvelle demande)"), required=False, max_length=255
    )
    category = forms.ModelChoiceField(
        label=_("Thème (facultatif)"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Aucun"),
    )

    def __init__(self, *args, user, contact: Contact, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = agent_logged_channels(user)
        # The contact's conversations this user may see; added here as it depends on both.
        self.fields["conversation"] = ConversationChoiceField(
            label=_("Demande concernée"),
            queryset=conversations_for(user).filter(contact=contact).order_by("-id"),
            required=False,
            empty_label=_("Nouvelle demande"),
        )
        self.order_fields(
            [
                "channel",
                "direction",
                "occurred_at",
                "duration_minutes",
                "summary",
                "outcome",
                "conversation",
                "subject",
                "category",
            ]
        )

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timedelta(minutes=5):
            raise ValidationError(_("La date de l'échange est dans le futur."))
        if value < EARLIEST_EXCHANGE:
            raise ValidationError(_("La date de l'échange est antérieure à 1900 : vérifiez-la."))
        return value
