"""Forms of the knowledge pages: articles, a search, the use of an entry, a redirection."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civique.core.access import visible_teams
from civique.inbox.models import Category
from civique.knowledge.models import ARTICLE_FIELDS, Article

MAX_QUERY = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Quelques mots de la question, avec ou sans accents."),
    )

    def clean_q(self) -> str:
        value = self.cleaned_data["q"]
        if any(ord(char) < 32 and char not in "\t\n\r" for char in value):
            raise forms.ValidationError(_("La recherche contient des caractères de contrôle."))
        return value.strip()


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = list(ARTICLE_FIELDS)
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 8}),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "keywords": _("Séparés par des virgules : les mots que les usagers emploient."),
            "team": _(
                "Vide : tous les services. Une fiche interne d'un service n'est lue que par lui."
            ),
            "is_public": _("Publiée dans la foire aux questions du portail citoyen."),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["team"].queryset = visible_teams(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("La fin de validité précède son début."))
        return data


class UseForm(forms.Form):
    """Use one entry in the reply box; ``reply-text`` is what the box holds already."""

    entry = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    suggested = forms.BooleanField(required=False)


class RedirectForm(forms.Form):
    text = forms.CharField(
        label=_("Réponse à la personne"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    forward = forms.BooleanField(
        label=_("Transmettre aussi la demande à l'organisme par courriel"), required=False
    )
    consent = forms.BooleanField(
        label=_("La personne a donné son accord pour cette transmission"),
        required=False,
        help_text=_("Obligatoire pour transmettre : ses données quittent la commune."),
    )
    confirm_public = forms.BooleanField(
        label=_("Je confirme : cette réponse sera publique, visible de tous."), required=False
    )

    def __init__(self, *args, public: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.public = public
        if public:
            self.fields["confirm_public"].required = True
            self.fields["confirm_public"].error_messages["required"] = _(
                "Cochez la case pour confirmer que la réponse sera publique."
            )
        else:
            del self.fields["confirm_public"]

    def clean(self):
        data = super().clean()
        if data.get("forward") and not data.get("consent"):
            self.add_error(
                "consent",
                _("Sans l'accord de la personne, la demande ne peut pas être transmise."),
            )
        return data
