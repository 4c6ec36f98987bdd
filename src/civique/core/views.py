"""Cross-cutting views: health check and the rate-limit answer."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.decorators import ratelimit

from civique.core.models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=90)


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker liveness; 503 when either is down."""
    report: dict = {"database": "ok", "worker": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        last = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True)
        last_seen = last.first()
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        return JsonResponse({"database": "down", "worker": "unknown"}, status=503)
    if last_seen is None:
        report["worker"] = "never seen"
        status = 503
    else:
        age = (timezone.now() - last_seen).total_seconds()
        report["worker_last_seen_seconds"] = round(age, 1)
        if age > WORKER_STALE_AFTER.total_seconds():
            report["worker"] = "stale"
            status = 503
    return JsonResponse(report, status=status)


def _rate(setting: str):
    return lambda group, request: getattr(settings, setting)


def _account_key(group: str, request: HttpRequest) -> str:
    """The account name as authentication reads it, so " Admin" and "admin" share one count."""
    return unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()


@ratelimit(key="ip", rate=_rate("LOGIN_RATE_LIMIT_PER_IP"), method="POST", block=True)
@ratelimit(key=_account_key, rate=_rate("LOGIN_RATE_LIMIT_PER_USER"), method="POST", block=True)
def login(request: HttpRequest) -> HttpResponse:
    """Django's login view, with attempts limited per account name and per address."""
    return LoginView.as_view(redirect_authenticated_user=True)(request)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or foreign form: a French page saying what to do, never Django's debug text."""
    return render(request, "403_csrf.html", status=403)
