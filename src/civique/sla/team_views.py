"""« Horaires et engagements »: supervisors set their teams' hours, closures and commitments.

Views parse the request, fetch through ``team_actions.access_*`` (agents 403; another team 404)
and call the writes in ``team_actions``. Invalid input re-renders the page with its errors (400).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civique.sla import team_actions as actions
from civique.sla.models import Calendar, Policy
from civique.sla.policies import calendar_row_for
from civique.sla.team_forms import (
    EMPTY_WEEK,
    CalendarForm,
    ClosureForm,
    PolicyForm,
    channel_kind_choices,
    week_formsets,
)


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(actions.settings_teams(request.user).order_by("name"))
    own = set(Calendar.objects.filter(team__in=teams).values_list("team_id", flat=True))
    rows = [{"team": team, "own": team.pk in own} for team in teams]
    return render(request, "sla/team/list.html", {"rows": rows})


def _page(
    request: HttpRequest, team, *, status: int = 200, section: str = "", **forms
) -> HttpResponse:
    """The team's page; ``forms`` replace the blank ones (bound forms with their errors)."""
    own = actions.own_calendar(team)
    shown = own or calendar_row_for(None)
    kinds = dict(channel_kind_choices())
    policies = [
        {
            "policy": p,
            "criteria": " · ".join(
                str(c)
                for c in [
                    kinds.get(p.channel_kind, p.channel_kind) if p.channel_kind else "",
                    p.get_visibility_display() if p.visibility else "",
                    p.category or "",
                    p.get_priority_display() if p.priority else "",
                ]
                if c
            ),
            "editable": actions.can_edit_policy(request.user, team, p),
        }
        for p in actions.team_policies(team)
        .select_related("category", "team")
        .order_by("team", "name")
    ]
    context = {
        "team": team,
        "own": own,
        "shown": shown,
        "slots": list(shown.slots.order_by("weekday", "opens")) if shown else [],
        "closures": list(shown.closures.order_by("starts")) if shown else [],
        "calendar_form": forms.get("calendar_form")
        or (CalendarForm(instance=own) if own else None),
        "formsets": forms.get("formsets") or (week_formsets(own) if own else []),
        "closure_form": forms.get("closure_form") or ClosureForm(),
        "policies": policies,
        "preview": actions.preview(team, timezone.now()).sentences(),
        "error_section": section,
    }
    return render(request, "sla/team/detail.html", context, status=status)


def _back(team, anchor: str = "") -> HttpResponse:
    return redirect(reverse("sla:team_settings", args=[team.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def team_settings(request: HttpRequest, team_id: int) -> HttpResponse:
    return _page(request, actions.access_team(request.user, team_id))


@login_required
@require_POST
def save_hours(request: HttpRequest, team_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    own = actions.own_calendar(team)
    if own is None:
        messages.error(request, _("Ce service suit le calendrier par défaut."))
        return _back(team, "horaires")
    calendar_form = CalendarForm(request.POST, instance=own)
    formsets = week_formsets(own, request.POST)
    # Every day is validated (no short-circuit), so each shows its errors at once.
    valid = [calendar_form.is_valid()] + [formset.is_valid() for formset in formsets]
    if all(valid) and not any(formset.slots() for formset in formsets):
        # A week without any slot never opens: no due time, no hours for notifications.
        calendar_form.add_error(None, EMPTY_WEEK)
        valid.append(False)
    if not all(valid):
        return _page(
            request,
            team,
            status=400,
            section="horaires",
            calendar_form=calendar_form,
            formsets=formsets,
        )
    if actions.save_hours(request.user, team, calendar_form, formsets, request=request):
        messages.success(request, _("Horaires enregistrés ; les échéances sont recalculées."))
    else:
        messages.info(request, _("Aucun changement."))
    return _back(team, "horaires")


@login_required
@require_POST
def create_calendar(request: HttpRequest, team_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    actions.create_own_calendar(request.user, team, request=request)
    messages.success(
        request, _("Le service a désormais ses propres horaires, à modifier ci-dessous.")
    )
    return _back(team, "horaires")


@login_required
@require_POST
def use_default_calendar(request: HttpRequest, team_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    actions.use_default_calendar(request.user, team, request=request)
    messages.success(request, _("Le service suit de nouveau le calendrier par défaut."))
    return _back(team, "horaires")


@login_required
@require_POST
def add_closure(request: HttpRequest, team_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    if actions.own_calendar(team) is None:
        messages.error(request, _("Définissez d'abord des horaires propres au service."))
        return _back(team, "fermetures")
    form = ClosureForm(request.POST)
    if not form.is_valid():
        return _page(request, team, status=400, section="fermetures", closure_form=form)
    actions.add_closure(request.user, team, form, request=request)
    messages.success(request, _("Fermeture ajoutée ; les échéances sont recalculées."))
    return _back(team, "fermetures")


@login_required
@require_POST
def remove_closure(request: HttpRequest, team_id: int, closure_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    closure = actions.access_closure(team, closure_id)
    actions.remove_closure(request.user, team, closure, request=request)
    messages.success(request, _("Fermeture supprimée ; les échéances sont recalculées."))
    return _back(team, "fermetures")


@login_required
@require_http_methods(["GET", "POST"])
def edit_policy(request: HttpRequest, team_id: int, policy_id: int | None = None) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    policy = actions.access_policy(request.user, team, policy_id) if policy_id else Policy()
    form = PolicyForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST" and form.is_valid():
        actions.save_policy(request.user, team, form, request=request)
        messages.success(request, _("Engagement enregistré ; les échéances sont recalculées."))
        return _back(team, "engagements")
    context = {
        "team": team,
        "form": form,
        "policy": policy,
        "is_global": policy.pk and not policy.team_id,
    }
    return render(
        request,
        "sla/team/policy.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def toggle_policy(request: HttpRequest, team_id: int, policy_id: int) -> HttpResponse:
    team = actions.access_team(request.user, team_id)
    policy = actions.access_policy(request.user, team, policy_id)
    active = request.POST.get("actif") == "1"
    actions.set_policy_active(request.user, team, policy, active, request=request)
    if active:
        messages.success(request, _("Engagement « %(p)s » réactivé.") % {"p": policy.name})
    else:
        messages.success(request, _("Engagement « %(p)s » désactivé.") % {"p": policy.name})
    return _back(team, "engagements")
