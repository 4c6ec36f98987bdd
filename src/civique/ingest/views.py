"""Administrators' page of inbound events that failed: see the error, process them again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from civique.core.wakeup import wake
from civique.ingest.actions import requeue_events
from civique.ingest.models import EventState, InboundEvent
from civique.ingest.tasks import process_inbound_events

FAILED_STATES = [EventState.PARKED, EventState.RETRYING]


def _failed_events(user):
    if not user.is_administrator:
        raise PermissionDenied(_("Réservé aux administrateurs."))
    return InboundEvent.objects.filter(state__in=FAILED_STATES).select_related("channel")


@login_required
@require_GET
def failed_events(request: HttpRequest) -> HttpResponse:
    events = _failed_events(request.user).defer("payload").order_by("-received_at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "ingest/events.html", {"page": page})


def _requeue(request: HttpRequest, queryset) -> HttpResponse:
    count = requeue_events(queryset)
    if count:
        wake(process_inbound_events)
    messages.success(
        request,
        ngettext(
            "%(count)d événement remis en traitement.",
            "%(count)d événements remis en traitement.",
            count,
        )
        % {"count": count},
    )
    return redirect("ingest:events")


@login_required
@require_POST
def retry_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(_failed_events(request.user), pk=pk)
    return _requeue(request, InboundEvent.objects.filter(pk=event.pk))


@login_required
@require_POST
def retry_all(request: HttpRequest) -> HttpResponse:
    return _requeue(request, _failed_events(request.user))
