"""The satisfaction survey on the portal: ``/portail/avis/<token>/``, the link sent after a
resolution (``civique.satisfaction``). One answer per survey: once answered, the page thanks
and a second POST changes nothing. An unknown or altered token is a 404, an expired or replaced
survey a 410, both with a plain French page. POSTs are rate limited like the portal's forms."""

from __future__ import annotations

import contextlib

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from civique.portal.forms import ErrorSummaryMixin
from civique.portal.views import limit_posts
from civique.satisfaction.access import survey_for_token
from civique.satisfaction.actions import SurveyClosed, record_answer
from civique.satisfaction.models import COMMENT_MAX, AnsweredVia
from civique.satisfaction.parsing import clean_comment

SCORES = [
    (1, gettext_lazy("1 — pas du tout satisfait")),
    (2, gettext_lazy("2 — peu satisfait")),
    (3, gettext_lazy("3 — moyennement satisfait")),
    (4, gettext_lazy("4 — satisfait")),
    (5, gettext_lazy("5 — tout à fait satisfait")),
]


class SurveyForm(ErrorSummaryMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("Votre note"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choisissez une note de 1 à 5."),
            "invalid_choice": gettext_lazy("Choisissez une note de 1 à 5."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Votre commentaire"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": COMMENT_MAX}),
        error_messages={
            "max_length": gettext_lazy(
                "Le commentaire est trop long : %(limit_value)d caractères au plus."
            )
        },
    )

    def clean_comment(self) -> str:
        return clean_comment(self.cleaned_data.get("comment") or "")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@limit_posts
def survey(request: HttpRequest, token: str) -> HttpResponse:
    found = survey_for_token(token)
    if found is None:
        return render(request, "portal/survey_unknown.html", status=404)
    context = {"reference": found.conversation.reference}
    if found.answered_at is not None:
        return render(request, "portal/survey_thanks.html", context)
    if not found.is_open(timezone.now()):
        return render(request, "portal/survey_expired.html", context, status=410)
    if request.method != "POST":
        return render(request, "portal/survey.html", {**context, "form": SurveyForm()})
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/survey.html", {**context, "form": form}, status=422)
    # Answered meanwhile (another tab): the first answer stands.
    with contextlib.suppress(SurveyClosed):
        record_answer(
            found, form.cleaned_data["score"], form.cleaned_data["comment"], via=AnsweredVia.PORTAL
        )
    return redirect("portal:survey", token=token)
