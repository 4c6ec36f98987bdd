"""The agent's notifications page (the bell), preferences, and the duty rota."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civique.notifications import access, actions
from civique.notifications.forms import PreferencesForm, ShiftForm
from civique.notifications.hours import hours_for, week_lines
from civique.notifications.models import DutyShift, Preference, ShiftState

PAGE_SIZE = 100


def _hours_context(request: HttpRequest) -> dict:
    hours = hours_for(request.user)
    return {"hours_source": hours.source, "hours_lines": week_lines(hours)}


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    notifications = list(
        access.visible_notifications(user)
        .select_related("conversation")
        .order_by("-delivered_at", "-id")[:PAGE_SIZE]
    )
    shifts = DutyShift.objects.filter(
        user=user, state__in=[ShiftState.PROPOSED, ShiftState.ACCEPTED], ends__gt=now
    ).select_related("created_by")
    context = {
        "unread": [n for n in notifications if n.read_at is None],
        "read": [n for n in notifications if n.read_at is not None],
        "shifts": shifts,
        "can_manage_shifts": access.can_manage_shifts(user),
        **_hours_context(request),
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.notification_for(request.user, pk)
    actions.mark_read(request.user, notification)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    messages.success(request, _("%(n)s notification(s) marquée(s) comme lue(s).") % {"n": count})
    return redirect("notifications:list")


SHIFT_DECISIONS = {
    "accepter": (
        actions.accept_shift,
        _("Astreinte acceptée. Vous pouvez la retirer à tout moment."),
    ),
    "refuser": (actions.decline_shift, _("Astreinte refusée.")),
    "retirer": (actions.withdraw_shift, _("Vous n'êtes plus d'astreinte sur cette période.")),
}


@login_required
@require_POST
def decide_shift(request: HttpRequest, pk: int) -> HttpResponse:
    shift = access.own_shift(request.user, pk)
    decision = request.POST.get("decision", "")
    if decision not in SHIFT_DECISIONS:
        return HttpResponse(
            _("Décision inconnue."), status=400, content_type="text/plain; charset=utf-8"
        )
    action, done = SHIFT_DECISIONS[decision]
    try:
        action(request.user, shift)
    except actions.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(done))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = Preference.objects.filter(user=request.user).first()
    initial = {"email": current.email, "calendar": current.calendar} if current else {}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.set_preferences(
            request.user,
            email=form.cleaned_data["email"],
            calendar=form.cleaned_data["calendar"],
        )
        messages.success(request, _("Préférences enregistrées."))
        return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    context = {"form": form, **_hours_context(request)}
    return render(request, "notifications/preferences.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def shifts(request: HttpRequest) -> HttpResponse:
    """Supervisors and administrators propose and cancel duty shifts for their agents."""
    user = request.user
    if not access.can_manage_shifts(user):
        raise PermissionDenied(_("Réservé aux superviseurs et aux administrateurs."))
    agents = access.managed_agents(user)
    form = ShiftForm(request.POST or None, agents=agents)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.propose_shift(user, data["user"], data["starts"], data["ends"])
        except actions.NotificationError as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("Astreinte proposée : elle ne vaut qu'une fois acceptée par l'agent.")
            )
            return redirect("notifications:shifts")
    now = timezone.now()
    context = {
        "form": form,
        "error": error,
        "current": access.managed_shifts(user).filter(
            state__in=[ShiftState.PROPOSED, ShiftState.ACCEPTED], ends__gt=now
        ),
        "past": access.managed_shifts(user)
        .exclude(state__in=[ShiftState.PROPOSED, ShiftState.ACCEPTED], ends__gt=now)
        .order_by("-starts")[:50],
    }
    status = 400 if (form.errors or error) else 200
    return render(request, "notifications/shifts.html", context, status=status)


@login_required
@require_POST
def cancel_shift(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_manage_shifts(request.user):
        raise PermissionDenied(_("Réservé aux superviseurs et aux administrateurs."))
    shift = access.managed_shift(request.user, pk)
    try:
        actions.cancel_shift(request.user, shift)
    except actions.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Astreinte annulée."))
    return redirect("notifications:shifts")
