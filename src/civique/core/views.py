"""Cross-cutting views: health check and the rate-limit answer."""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from civique.core import throttle
from civique.core.audit import audit_anonymous_sign_in
from civique.core.models import User, WorkerHeartbeat

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


LOGIN_PAIR = "login.pair"
LOGIN_ADDRESS = "login.address"


def _account_name(request: HttpRequest) -> str:
    """The account name as authentication reads it, so " Admin" and "admin" share one count."""
    return unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def login(request: HttpRequest) -> HttpResponse:
    """Django's login view, with failed attempts throttled per account *and* address together
    (and a generous ceiling per address against spraying): an attacker's failures hold back the
    attacker's address, never the real user signing in from elsewhere. See ``core.throttle``."""
    if request.method != "POST":
        return LoginView.as_view(redirect_authenticated_user=True)(request)
    account, address = _account_name(request), _address(request)
    wait = max(
        throttle.wait_seconds(LOGIN_PAIR, account, address),
        throttle.wait_seconds(LOGIN_ADDRESS, address),
    )
    if wait:
        # A NUL (which PostgreSQL refuses in a query) is in no account name.
        named = User.objects.filter(username__iexact=account) if "\x00" not in account else None
        holder = named.first() if named is not None else None
        changes = {"attente_secondes": wait}
        audit_anonymous_sign_in("auth.login_throttled", holder, request=request, changes=changes)
        return throttled(request, wait)
    response = LoginView.as_view(redirect_authenticated_user=True)(request)
    if request.user.is_authenticated:
        throttle.reset(LOGIN_PAIR, account, address)
    else:
        throttle.record_failure(
            throttle.policy("LOGIN_RATE_LIMIT_PER_USER", "10/15m"), LOGIN_PAIR, account, address
        )
        throttle.record_failure(
            throttle.policy("LOGIN_RATE_LIMIT_PER_IP", "200/h"), LOGIN_ADDRESS, address
        )
    return response


def throttled(request: HttpRequest, wait: int) -> HttpResponse:
    """429 with the time to wait, in French and in ``Retry-After``."""
    minutes = math.ceil(wait / 60)
    delay = (
        ngettext("%(n)d seconde", "%(n)d secondes", wait) % {"n": wait}
        if wait < 60
        else ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    )
    response = render(request, "core/rate_limited.html", {"wait": wait, "delay": delay}, status=429)
    response["Retry-After"] = str(wait)
    return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The configuration's sign-in: the shared login form, or a refusal for a signed-in agent.

    Sending an agent who is already signed in (but not staff) back to the login form would
    loop: the form returns them to the configuration, which sends them to the form again.
    """
    if request.user.is_authenticated:
        return render(request, "core/admin_refused.html", status=403)
    target = redirect("login")
    if request.META.get("QUERY_STRING"):
        target["Location"] += "?" + request.META["QUERY_STRING"]
    return target


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or foreign form: a French page saying what to do, never Django's debug text."""
    return render(request, "403_csrf.html", status=403)
