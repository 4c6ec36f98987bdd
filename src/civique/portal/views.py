"""The citizen portal: make a request, see its confirmation, track it.

Views parse and check the request, then call ``actions`` (the write) or ``access`` (the read).
POSTs are rate limited per client IP; the tracking lookup is also limited per email or phone
asked about, whatever the IP, so that references (sequential) cannot be walked for one person.
It is a POST so that the citizen's email or phone never lands in a URL or an access log.
Over a limit, ``Ratelimited`` is raised and django-ratelimit's middleware answers with
``settings.RATELIMIT_VIEW`` (429).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from civique.ingest.actions import EventTooLarge
from civique.portal.access import find_tracked_conversation, public_messages
from civique.portal.actions import PortalUnavailable, portal_channel, submit_request
from civique.portal.forms import RequestForm, TrackForm

SESSION_KEY = "portal_submission"

# Plain-French status for citizens; the agents' labels are terser.
STATUS_TEXT = {
    "new": gettext_lazy("Reçue : elle va être confiée au service concerné."),
    "open": gettext_lazy("En cours de traitement par nos services."),
    "pending": gettext_lazy(
        "En attente d'une information de votre part : voyez le dernier message."
    ),
    "resolved": gettext_lazy("Traitée : une réponse vous a été apportée."),
    "closed": gettext_lazy("Clôturée."),
}


def portal_rate(group: str, request: HttpRequest) -> str:
    """Read at each request, so that the setting can change without a restart (and in tests)."""
    return settings.PORTAL_RATE_LIMIT


def handle_rate(group: str, request: HttpRequest) -> str:
    """Tracking lookups allowed per email or phone, from any IP; read at each request too."""
    return getattr(settings, "PORTAL_TRACK_RATE_LIMIT_PER_HANDLE", "5/h")


# Rate limit POSTs per client IP; a refusal raises Ratelimited (see the module docstring).
limit_posts = ratelimit(key="ip", rate=portal_rate, method="POST", block=True)


def _check_handle_limit(
    request: HttpRequest, email: str, phone: str, *, count: bool = False
) -> None:
    """Raise ``Ratelimited`` when a handle given is over its limit of unsuccessful lookups;
    with ``count``, record one more. Handles are normalised, so every spelling of one address
    or number shares a counter (the cache key is a hash, never the handle). Only lookups that
    find nothing count: the citizen following their own request is never locked out, while
    someone trying references against another person's email soon is. Both handles count, so
    pairing someone's email with a made-up phone does not dodge the limit."""
    handles = ([f"email:{email}"] if email else []) + ([f"phone:{phone}"] if phone else [])
    over = [
        is_ratelimited(
            request,
            group="portal.track.handle",
            key=lambda group, request, handle=handle: handle,
            rate=handle_rate,
            increment=count,
        )
        for handle in handles
    ]
    if any(over):
        raise Ratelimited


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/unavailable.html", status=503)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts
def home(request: HttpRequest) -> HttpResponse:
    try:
        channel = portal_channel()
    except PortalUnavailable:
        return _unavailable(request)
    if request.method != "POST":
        return render(request, "portal/home.html", {"form": RequestForm()})
    form = RequestForm(request.POST, request.FILES)
    if form.is_spam:
        # A robot filled the honeypot: say thank you, keep nothing.
        request.session[SESSION_KEY] = {"reference": "", "receipt": ""}
        return redirect("portal:thanks")
    if form.is_valid():
        try:
            submission = submit_request(channel, form.cleaned_data)
        except EventTooLarge:
            form.add_error(
                "photo", _("La photo est trop lourde : choisissez une image plus légère.")
            )
        else:
            request.session[SESSION_KEY] = {
                "reference": submission.reference,
                "receipt": submission.receipt,
            }
            return redirect("portal:thanks")
    return render(
        request,
        "portal/home.html",
        {"form": form, "photo_lost": bool(request.FILES.get("photo"))},
    )


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    submission = request.session.get(SESSION_KEY)
    if not submission:
        return redirect("portal:home")
    return render(request, "portal/thanks.html", {"submission": submission})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form})
    data = form.cleaned_data
    _check_handle_limit(request, data["email"], data["phone"])
    conversation = find_tracked_conversation(data["reference"], data["email"], data["phone"])
    if conversation is None:
        _check_handle_limit(request, data["email"], data["phone"], count=True)
        return render(request, "portal/track.html", {"form": form, "not_found": True})
    context = {
        "conversation": conversation,
        "status_text": STATUS_TEXT.get(conversation.status, conversation.get_status_display()),
        "messages_shown": public_messages(conversation),
        "service_name": (
            _("Service %(team)s") % {"team": conversation.team.name}
            if conversation.team_id
            else settings.CIVIQUE_ORGANISATION
        ),
    }
    return render(request, "portal/tracked.html", context)
