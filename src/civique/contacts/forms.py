"""Forms of the contact pages: search and new contact (logging an exchange: inbox.contact_forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civique.contacts.normalize import normalize_email, normalize_phone


class ContactSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un usager"),
        help_text=_(
            "Nom, adresse électronique ou numéro de téléphone. Un usager dont vous ne suivez "
            "aucune demande n'apparaît que si vous donnez son adresse ou son numéro exacts."
        ),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ContactCreateForm(forms.Form):
    display_name = forms.CharField(label=_("Nom"), max_length=200)
    is_organisation = forms.BooleanField(
        label=_("Il s'agit d'une organisation (association, entreprise…)"), required=False
    )
    email = forms.CharField(
        label=_("Adresse électronique (facultatif)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        help_text=_("Par exemple 06 12 34 56 78 ou +32 2 123 45 67."),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"].strip()
        if raw:
            normalize_email(raw)  # raises a French ValidationError
        return raw

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if raw:
            normalize_phone(raw)
        return raw
