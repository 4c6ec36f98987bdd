from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civique.core.models import User
from civique.sla.models import Calendar


class PreferencesForm(forms.Form):
    email = forms.BooleanField(
        label=_("Recevoir aussi mes notifications par courriel (pendant mes horaires)"),
        required=False,
    )
    calendar = forms.ModelChoiceField(
        label=_("Mes horaires"),
        queryset=Calendar.objects.filter(personal=True, slots__isnull=False)
        .distinct()
        .order_by("name"),
        required=False,
        empty_label=_("Les horaires de mon service"),
        help_text=_(
            "Choisissez un calendrier d'horaires personnels si vous travaillez à temps partiel."
        ),
    )


class ShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none())
    starts = forms.DateTimeField(
        label=_("Début"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends = forms.DateTimeField(
        label=_("Fin"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, agents=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = agents if agents is not None else User.objects.none()
