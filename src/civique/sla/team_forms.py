"""Forms of the « Horaires et engagements » page: a week of opening slots (one formset per
weekday), the calendar's holidays and time zone, exceptional closures and a team's policies.

Times are typed HH:MM (00:00 as a closing time means midnight), dates jj/mm/aaaa. Django
points each widget at its help text and its error (``aria-describedby`` to ``<id>_helptext``
and ``<id>_error``); ``sla/team/field.html`` gives those ids.
"""

from __future__ import annotations

from datetime import time
from itertools import pairwise

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civique.channels.registry import kind_choices
from civique.sla.models import Calendar, Closure, OpeningSlot, Policy, Weekday

TIME_FORMATS = ["%H:%M", "%Hh%M", "%H:%M:%S"]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
# A closure longer than a year is a mistake (a wrong year typed), not a closure.
MAX_CLOSURE_DAYS = 366
# Years a closure may fall in: a typo (0202, 9999) would otherwise reach the calendar.
CLOSURE_YEARS = (2000, 2100)
MIDNIGHT = time(0)
# A week must keep at least one slot: a team whose calendar never opens gets no due time.
EMPTY_WEEK = gettext_lazy(
    "Indiquez au moins une plage d'ouverture ; pour fermer le service quelques jours, "
    "ajoutez une fermeture exceptionnelle."
)


def _time_field(label: str, help_text: str = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(format="%H:%M", attrs={"size": 5, "autocomplete": "off"}),
        error_messages={"invalid": gettext_lazy("Heure attendue au format HH:MM, par ex. 08:30.")},
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=gettext_lazy("jj/mm/aaaa"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"size": 10, "autocomplete": "off"}),
        error_messages={
            "invalid": gettext_lazy("Date attendue au format jj/mm/aaaa, par ex. 24/12/2026.")
        },
    )


def minutes(moment: time, closing: bool = False) -> int:
    """Minutes since the start of the day; a closing at 00:00 is the end of the day (1440)."""
    if closing and moment == MIDNIGHT:
        return 24 * 60
    return moment.hour * 60 + moment.minute


class SlotForm(forms.ModelForm):
    opens = _time_field(gettext_lazy("Ouverture"), gettext_lazy("HH:MM"))
    closes = _time_field(gettext_lazy("Fermeture"), gettext_lazy("HH:MM ; 00:00 : minuit."))

    class Meta:
        model = OpeningSlot
        fields = ["opens", "closes"]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and minutes(closes, True) <= minutes(opens):
            self.add_error("closes", _("La fermeture doit suivre l'ouverture."))
        return data


class DaySlotsFormSet(forms.BaseInlineFormSet):
    """The slots of one weekday. The formset refuses overlapping slots."""

    weekday: int = 0

    def __init__(self, *args, weekday: int, **kwargs) -> None:
        self.weekday = weekday
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(weekday=self.weekday).order_by("opens")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.weekday = self.weekday
        return form

    @property
    def day_label(self) -> str:
        return str(Weekday(self.weekday).label)

    def slots(self) -> list[tuple[time, time]]:
        """The day's slots once valid (deleted and empty forms left out), in order."""
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            opens, closes = form.cleaned_data.get("opens"), form.cleaned_data.get("closes")
            if opens is not None and closes is not None:
                kept.append((opens, closes))
        return sorted(kept)

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        slots = self.slots()
        for (opens_a, closes_a), (opens_b, _closes_b) in pairwise(slots):
            if minutes(opens_b) < minutes(closes_a, closing=True):
                raise ValidationError(
                    _("Le %(day)s, les plages %(a)s et %(b)s se chevauchent.")
                    % {
                        "day": self.day_label,
                        "a": f"{opens_a:%H:%M}–{closes_a:%H:%M}",
                        "b": f"{opens_b:%H:%M}",
                    }
                )


SlotFormSet = forms.inlineformset_factory(
    Calendar,
    OpeningSlot,
    form=SlotForm,
    formset=DaySlotsFormSet,
    extra=1,
    can_delete=True,
    max_num=12,
    validate_max=True,
)


def week_formsets(calendar: Calendar, data=None) -> list[DaySlotsFormSet]:
    return [
        SlotFormSet(data, instance=calendar, weekday=day, prefix=f"jour{day}")
        for day in Weekday.values
    ]


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["subdivision", "timezone"]
        labels = {
            "subdivision": gettext_lazy("Jours fériés"),
            "timezone": gettext_lazy("Fuseau horaire"),
        }


class ClosureForm(forms.ModelForm):
    starts = _date_field(gettext_lazy("Du"))
    ends = _date_field(gettext_lazy("Au (inclus)"))

    class Meta:
        model = Closure
        fields = ["starts", "ends", "reason"]
        labels = {"reason": gettext_lazy("Motif")}

    def _clean_year(self, name: str):
        value = self.cleaned_data[name]
        low, high = CLOSURE_YEARS
        if not low <= value.year <= high:
            raise ValidationError(
                _("Indiquez une année entre %(low)s et %(high)s.") % {"low": low, "high": high}
            )
        return value

    def clean_starts(self):
        return self._clean_year("starts")

    def clean_ends(self):
        return self._clean_year("ends")

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends:
            if ends < starts:
                self.add_error("ends", _("La fin de la fermeture précède son début."))
            elif (ends - starts).days + 1 > MAX_CLOSURE_DAYS:
                self.add_error(
                    "ends",
                    _("Une fermeture dure au plus %(n)s jours.") % {"n": MAX_CLOSURE_DAYS},
                )
        return data

    def _post_clean(self) -> None:
        # The model's own check says the same as ours; one message per mistake is enough.
        if "ends" in self.errors:
            return
        super()._post_clean()


# Kinds that policies name without a connector yet (postal mail is logged by hand).
OTHER_KINDS = {"letter": gettext_lazy("Courrier postal")}


def channel_kind_choices(current: str = "") -> list[tuple[str, str]]:
    """Every connector's kind, and a kind a policy already names (``letter``...)."""
    choices = [("", _("Tous les canaux")), *kind_choices()]
    known = {kind for kind, _label in choices}
    named = Policy.objects.exclude(channel_kind__in=known).values_list("channel_kind", flat=True)
    others = set(named) | ({current} - known if current else set())
    return choices + [(kind, str(OTHER_KINDS.get(kind, kind))) for kind in sorted(others)]


class PolicyForm(forms.ModelForm):
    channel_kind = forms.ChoiceField(label=gettext_lazy("Type de canal"), required=False)

    class Meta:
        model = Policy
        fields = [
            "name",
            "channel_kind",
            "visibility",
            "category",
            "priority",
            "acknowledge_within",
            "acknowledge_unit",
            "answer_within",
            "answer_unit",
            "resolve_within",
            "resolve_unit",
            "at_risk_percent",
            "escalation",
            "is_active",
        ]
        labels = {
            "name": gettext_lazy("Nom"),
            "visibility": gettext_lazy("Visibilité"),
            "category": gettext_lazy("Thème"),
            "priority": gettext_lazy("Priorité"),
            "acknowledge_within": gettext_lazy("Accusé de réception sous"),
            "acknowledge_unit": gettext_lazy("Unité de l'accusé de réception"),
            "answer_within": gettext_lazy("Première réponse sous"),
            "answer_unit": gettext_lazy("Unité de la première réponse"),
            "resolve_within": gettext_lazy("Résolution sous"),
            "resolve_unit": gettext_lazy("Unité de la résolution"),
            "at_risk_percent": gettext_lazy("« Bientôt en retard » à (% du délai écoulé)"),
            "escalation": gettext_lazy("Escalade au dépassement"),
            "is_active": gettext_lazy("Actif"),
        }
        error_messages = {
            "name": {"unique": gettext_lazy("Un engagement porte déjà ce nom.")},
        }
        help_texts = {
            "acknowledge_within": gettext_lazy("Vide : pas d'engagement ; 0 : immédiatement."),
            "answer_within": gettext_lazy("Vide : pas d'engagement ; 0 : sur-le-champ."),
            "resolve_within": gettext_lazy("Vide : pas d'engagement."),
            "at_risk_percent": gettext_lazy("Entre 1 et 100."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel_kind"].choices = channel_kind_choices(self.instance.channel_kind)
        for name in ("visibility", "priority"):
            self.fields[name].choices = [("", _("Toutes")), *list(self.fields[name].choices)[1:]]
        self.fields["category"].empty_label = _("Tous les thèmes")
        for name in ("acknowledge_within", "answer_within", "resolve_within"):
            self.fields[name].validators.append(MaxValueValidator(10_000))
            self.fields[name].widget.attrs.update({"min": 0, "max": 10_000})
        self.fields["at_risk_percent"].widget.attrs.update({"min": 1, "max": 100})

    def clean_at_risk_percent(self) -> int:
        value = self.cleaned_data["at_risk_percent"]
        if not 1 <= value <= 100:
            raise ValidationError(_("Entre 1 et 100 %."))
        return value

    def _post_clean(self) -> None:
        super()._post_clean()
        # The model says the same about the share; keep one message.
        if "at_risk_percent" in self.errors:
            self.errors["at_risk_percent"] = self.error_class(
                list(dict.fromkeys(self.errors["at_risk_percent"]))
            )
