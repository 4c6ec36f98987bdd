"""The moderation queue's filters and its one action form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civique.analysis.base import LABELS
from civique.channels.models import Channel
from civique.core.models import Role, User
from civique.moderation.models import CaseState, CharterRule

STATE_CHOICES = [
    ("queue", _("À traiter et remontés")),
    ("mine", _("Remontés à moi")),
    *CaseState.choices,
    ("all", _("Tous")),
]


class QueueFilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=_("Canal"), queryset=Channel.objects.none(), required=False, empty_label=_("Tous")
    )
    label = forms.ChoiceField(
        label=_("Étiquette"),
        choices=[("", _("Toutes")), *LABELS.items()],
        required=False,
    )
    state = forms.ChoiceField(label=_("État"), choices=STATE_CHOICES, required=False)

    def __init__(self, channels, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels


ACTION_CHOICES = [
    ("hide", _("Masquer")),
    ("unhide", _("Réafficher")),
    ("delete", _("Supprimer")),
    ("reply_public", _("Répondre en public")),
    ("reply_private", _("Répondre en privé")),
    ("cite_article", _("Rappeler l'article à l'auteur")),
    ("block", _("Bloquer l'auteur")),
    ("do_not_feed", _("Ne pas nourrir")),
    ("undo_do_not_feed", _("Annuler « ne pas nourrir »")),
    ("escalate", _("Remonter")),
    ("call_task", _("Créer une tâche « rappeler »")),
    ("dismiss", _("Classer sans suite")),
    ("reopen", _("Remettre dans la file")),
]
NEEDS_TEXT = {"reply_public", "reply_private"}


class CaseActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ACTION_CHOICES)
    article = forms.ModelChoiceField(
        label=_("Article de la charte"),
        queryset=CharterRule.objects.filter(enabled=True),
        required=False,
        empty_label=_("Celui proposé"),
    )
    text = forms.CharField(
        label=_("Texte de la réponse"), required=False, max_length=5000, widget=forms.Textarea
    )
    to = forms.ModelChoiceField(
        label=_("Personne"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("Par défaut"),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") in NEEDS_TEXT and not (data.get("text") or "").strip():
            self.add_error("text", _("Écrivez la réponse."))
        return data


def escalation_targets():
    return User.objects.filter(is_active=True, role__in=[Role.SUPERVISOR, Role.ADMINISTRATOR])
