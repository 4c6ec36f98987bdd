"""Supervisors' dashboard of commitments (« Tableau de bord des engagements ») and its CSV."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civique.inbox.access import conversations_for
from civique.sla.reporting import channel_figures, figures_csv, hours, received_between

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_supervisor or user.is_administrator):
        raise PermissionDenied(_("Réservé aux superviseurs et aux administrateurs."))
    days = request.GET.get("jours", "30")
    error = "" if days in PERIODS else _("Période inconnue : 7, 30, 90 ou 365 jours.")
    days = days if days in PERIODS else "30"
    now = timezone.now()
    visible = received_between(conversations_for(user), now - timedelta(days=PERIODS[days]), now)
    rows = channel_figures(visible, now)
    if request.GET.get("format") == "csv":
        response = HttpResponse(figures_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="engagements-{days}j.csv"'
        return response
    table = [
        {
            "row": r,
            "share": None if r.kept_share is None else round(100 * r.kept_share),
            "median": hours(r.median_first_answer),
            "p90": hours(r.p90_first_answer),
        }
        for r in rows
    ]
    context = {"table": table, "days": days, "periods": PERIODS, "error": error}
    return render(request, "sla/dashboard.html", context, status=400 if error else 200)
