"""Every error the API answers is JSON with a ``detail`` field, in French, never a stack trace."""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger("civique.api")

BODY_ARGUMENT = "payload"  # the name every view gives its request body

# Pydantic error types, in French. Placeholders come from the error's context.
MESSAGES = {
    "missing": N_("Champ obligatoire."),
    "extra_forbidden": N_("Champ inconnu."),
    "string_too_short": N_("Ne doit pas être vide."),
    "string_too_long": N_("Trop long : {max_length} caractères au plus."),
    "string_type": N_("Texte attendu."),
    "int_parsing": N_("Nombre entier attendu."),
    "int_type": N_("Nombre entier attendu."),
    "int_from_float": N_("Nombre entier attendu."),
    "int_parsing_size": N_("Nombre entier trop grand."),
    "string_unicode": N_("Texte UTF-8 attendu."),
    "string_pattern_mismatch": N_("Valeur non reconnue."),
    "control_character": N_(
        "Caractère de contrôle interdit (octet nul ou autre ; seuls la tabulation et les "
        "retours à la ligne sont admis)."
    ),
    "date_too_early": N_("Date antérieure à 1900."),
    "date_too_late": N_("Date de plus d'un jour dans le futur."),
    "timezone_aware": N_("La date doit porter un fuseau horaire (ex. +02:00 ou Z)."),
    "finite_number": N_("Nombre fini attendu."),
    "bool_type": N_("Booléen attendu (true ou false)."),
    "list_type": N_("Liste JSON attendue."),
    "json_invalid": N_("JSON invalide."),
    "json_type": N_("JSON attendu."),
    "float_parsing": N_("Nombre attendu."),
    "float_type": N_("Nombre attendu."),
    "bool_parsing": N_("Booléen attendu (true ou false)."),
    "greater_than_equal": N_("Doit être supérieur ou égal à {ge}."),
    "less_than_equal": N_("Doit être inférieur ou égal à {le}."),
    "literal_error": N_("Valeur non autorisée : attendu {expected}."),
    "datetime_parsing": N_("Date et heure ISO 8601 attendues (ex. 2025-05-12T09:30:00+02:00)."),
    "datetime_from_date_parsing": N_("Date et heure ISO 8601 attendues."),
    "datetime_type": N_("Date et heure ISO 8601 attendues."),
    "model_attributes_type": N_("Objet JSON attendu."),
    "model_type": N_("Objet JSON attendu."),
    "dict_type": N_("Objet JSON attendu."),
}
# A pydantic error we did not foresee still answers in French (its type stays in "type").
FALLBACK = N_("Valeur invalide.")
# Our own validators raise ValueError with a French message; pydantic prefixes it.
OWN_MESSAGES = {"value_error", "assertion_error"}


def _context(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """Pydantic joins a literal's choices with an English "or"."""
    if kind == "literal_error" and "expected" in context:
        expected = str(context["expected"]).replace(" or ", " ou ")
        return {**context, "expected": expected}
    return context


def _error_item(error: dict[str, Any]) -> dict[str, Any]:
    kind = error.get("type", "")
    context = _context(kind, error.get("ctx") or {})
    template = MESSAGES.get(kind)
    if kind in OWN_MESSAGES:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        message = message.removeprefix("Assertion failed, ")
    else:
        try:
            message = _(template or FALLBACK).format(**context)
        except (KeyError, IndexError):
            message = _(FALLBACK)
    # A body location names our view's argument ("payload") after "body": it means nothing to
    # the client, so it is left out.
    loc = [str(part) for part in error.get("loc", [])]
    if loc[:2] == ["body", BODY_ARGUMENT]:
        loc = ["body", *loc[2:]]
    return {"loc": loc, "msg": message, "type": kind}


def _where(loc: list[str]) -> str:
    """``body.location.lat`` reads better as ``location.lat``."""
    return ".".join(loc[1:])


def _validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    errors = [_error_item(error) for error in exc.errors]
    summary = "; ".join(
        f"{_where(e['loc'])} : {e['msg'].rstrip('.')}" if _where(e["loc"]) else e["msg"].rstrip(".")
        for e in errors
    )
    detail = _("Données invalides — %(summary)s.") % {"summary": summary}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = _("Corps de la requête illisible : un objet JSON en UTF-8 est attendu.")
    response = api.create_response(request, {"detail": message}, status=exc.status_code)
    if isinstance(exc, AuthenticationError):
        response["WWW-Authenticate"] = 'Bearer realm="civique"'
    wait = getattr(exc, "wait", None)
    if exc.status_code == 429 and wait:
        response["Retry-After"] = str(wait)
    return response


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    detail = str(exc) or _("Ressource introuvable.")
    return api.create_response(request, {"detail": detail}, status=404)


def _server_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    logger.error(
        "Erreur de l'API sur %s %s", request.method, request.path, exc_info=exc, stack_info=False
    )
    detail = _("Erreur interne du serveur ; elle est consignée pour les administrateurs.")
    return api.create_response(request, {"detail": detail}, status=500)


def install_exception_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, lambda r, e: _validation_error(r, e, api))
    api.add_exception_handler(HttpError, lambda r, e: _http_error(r, e, api))
    api.add_exception_handler(Http404, lambda r, e: _not_found(r, e, api))
    api.add_exception_handler(Exception, lambda r, e: _server_error(r, e, api))


def limit_body_size(api: NinjaAPI, max_bytes: int):
    """A ninja ``decorate_view`` decorator: 413 when the body exceeds ``max_bytes``, checked
    before the body is parsed."""

    def decorator(run):
        @wraps(run)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
                too_big = declared > max_bytes or len(request.body) > max_bytes
            except (ValueError, RequestDataTooBig):
                too_big = True
            if too_big:
                detail = _("Contenu trop volumineux : %(max)s octets au plus.") % {"max": max_bytes}
                return api.create_response(request, {"detail": detail}, status=413)
            return run(request, *args, **kwargs)

        return wrapper

    return decorator


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def json_index(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """/api/v1/ itself: where the description and the documentation are."""
    return _json(
        {
            "name": "Civique API",
            "version": "1",
            "openapi": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
        }
    )


def json_rate_limited(detail: str, wait: int) -> JsonResponse:
    response = _json({"detail": detail}, status=429)
    response["Retry-After"] = str(wait)
    return response


def json_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return _json({"detail": _("Adresse inconnue dans l'API : %s") % request.path}, status=404)


def json_method_not_allowed(view):
    """Ninja answers an unsupported method with a plain-text 405; say it in JSON."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            detail = _("Méthode %(method)s non autorisée ici (permises : %(allowed)s).") % {
                "method": request.method,
                "allowed": allowed,
            }
            json_response = _json({"detail": detail}, status=405)
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper
