"""The citizen portal: make a request, see its confirmation, track it.

Views parse and check the request, then call ``actions`` (the write) or ``access`` (the read).
POSTs are rate limited per client IP (over the limit, ``Ratelimited`` is raised and
django-ratelimit's middleware answers with ``settings.RATELIMIT_VIEW``, 429). Failed tracking
lookups are also throttled per (reference, address) and per (email or phone, address), with a
growing delay (``core.throttle``): the right reference with the right email or phone always works
for its owner, whatever others tried. The lookup is a POST so that the citizen's email or phone
never lands in a URL or an access log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from civique.core import throttle
from civique.core.models import AuditEvent
from civique.core.views import throttled
from civique.ingest.actions import EventTooLarge
from civique.moderation.models import CharterRule
from civique.portal.access import find_tracked_conversation, public_messages
from civique.portal.actions import PortalUnavailable, portal_channel, submit_request
from civique.portal.forms import Reference, RequestForm, TrackForm, photo_too_large_message
from civique.portal.uploads import PhotoSizeLimit
from civique.satisfaction.actions import open_survey_for

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


# Rate limit POSTs per client IP; a refusal raises Ratelimited (see the module docstring).
limit_posts = ratelimit(key="ip", rate=portal_rate, method="POST", block=True)

# Failed lookups are counted per (reference, address) and per (email or phone, address): never
# per reference or handle alone, which anyone could exhaust to shut the real citizen out.
TRACK_THROTTLE = "portal.track"


def _lookup_keys(request: HttpRequest, reference: Reference, email: str, phone: str) -> list[tuple]:
    address = request.META.get("REMOTE_ADDR") or ""
    handles = ([f"email:{email}"] if email else []) + ([f"phone:{phone}"] if phone else [])
    return [(f"ref:{reference.kind}:{reference.number}", address)] + [(h, address) for h in handles]


def _lookup_wait(keys: list[tuple]) -> int:
    return max(throttle.wait_seconds(TRACK_THROTTLE, *key) for key in keys)


def _record_failed_lookup(keys: list[tuple]) -> None:
    """Handles are normalised by the form, so every spelling of one address or number shares a
    counter; both count, so pairing an email with a made-up phone does not dodge it."""
    rule = throttle.policy("PORTAL_TRACK_RATE_LIMIT_PER_HANDLE", "5/h")
    for key in keys:
        throttle.record_failure(rule, TRACK_THROTTLE, *key)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/unavailable.html", status=503)


@never_cache
@csrf_exempt  # checked by _home, once the photo's limit is in place (Django reads the body once)
@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    limit = PhotoSizeLimit(request)
    request.upload_handlers.insert(0, limit)
    try:
        request.POST  # noqa: B018 - parse the body here, where its limits can be answered
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        # Too much text or too many fields to read: nothing typed can be given back.
        form = RequestForm()
        form.cleaned_data = {}  # an empty form that can still carry the error
        form.add_error(
            "message",
            _(
                "Le formulaire envoyé est trop volumineux : raccourcissez votre "
                "message et envoyez-le de nouveau."
            ),
        )
        return render(request, "portal/home.html", {"form": form}, status=413)
    return _home(request, photo_too_large=limit.too_large)


@csrf_protect
@limit_posts
def _home(request: HttpRequest, *, photo_too_large: bool) -> HttpResponse:
    try:
        channel = portal_channel()
    except PortalUnavailable:
        return _unavailable(request)
    if request.method != "POST":
        return render(request, "portal/home.html", {"form": RequestForm()})
    form = RequestForm(request.POST, request.FILES)
    if photo_too_large:
        form.add_error("photo", photo_too_large_message())
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
        {"form": form, "photo_lost": photo_too_large or bool(request.FILES.get("photo"))},
    )


@require_GET
def charter(request: HttpRequest) -> HttpResponse:
    """The published moderation charter: the enabled articles, in order."""
    articles = CharterRule.objects.filter(enabled=True)
    return render(request, "portal/charter.html", {"articles": articles})


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
    keys = _lookup_keys(request, data["reference"], data["email"], data["phone"])
    wait = _lookup_wait(keys)
    if wait:
        AuditEvent.objects.create(
            actor_label="anonyme",
            verb="portal.track_throttled",
            object_type="portal.lookup",
            object_id="",
            object_repr=request.POST.get("reference", "").strip()[:255],
            changes={"attente_secondes": wait},
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        return throttled(request, wait)
    conversation = find_tracked_conversation(data["reference"], data["email"], data["phone"])
    if conversation is None:
        _record_failed_lookup(keys)
        return render(request, "portal/track.html", {"form": form, "not_found": True})
    open_survey = open_survey_for(conversation)
    context = {
        "conversation": conversation,
        "survey_url": reverse("portal:survey", args=[open_survey.token]) if open_survey else "",
        "status_text": STATUS_TEXT.get(conversation.status, conversation.get_status_display()),
        "messages_shown": public_messages(conversation),
        "service_name": (
            _("Service %(team)s") % {"team": conversation.team.name}
            if conversation.team_id
            else settings.CIVIQUE_ORGANISATION
        ),
    }
    return render(request, "portal/tracked.html", context)
