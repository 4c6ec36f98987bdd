"""Cross-cutting views: health check and the rate-limit answer."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

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


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)
