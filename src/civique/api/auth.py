"""Token authentication: ``Authorization: Bearer <token>`` (or ``Token <token>``), and the
request budget that goes with it.

The API never reads the session cookie, so it needs no CSRF token: a request carries its
credentials explicitly and a third-party page cannot make the browser add them.

Every request counts against a budget (``core.throttle.take``): the token's own
(``settings.API_RATE_LIMIT``) once it is recognised, so that one busy integration never holds
back another, even from the same address; the client address's
(``settings.API_RATE_LIMIT_ANONYMOUS``) for a request without a valid token, so that guessing
tokens is slow too. Beyond it: 429 with ``Retry-After``.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from civique.api.actions import authenticate_token
from civique.api.errors import json_rate_limited
from civique.core import throttle
from civique.core.models import User

SCHEMES = {"bearer", "token"}
PER_CREDENTIAL = "api.credential"
PER_ADDRESS = "api.address"


class RateLimited(HttpError):
    """429: the budget is spent; ``wait`` seconds until it is renewed (``Retry-After``)."""

    def __init__(self, wait: int, message: str) -> None:
        self.wait = wait
        super().__init__(429, message)


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def spend_address_budget(request: HttpRequest) -> None:
    """Count a request without a valid token against its address; raise ``RateLimited``."""
    wait = throttle.take(PER_ADDRESS, settings.API_RATE_LIMIT_ANONYMOUS, _address(request))
    if wait:
        message = _(
            "Trop de requêtes sans jeton valide depuis votre adresse : réessayez dans %(wait)s s."
        )
        raise RateLimited(wait, message % {"wait": wait})


def spend_token_budget(token_hash: str) -> None:
    wait = throttle.take(PER_CREDENTIAL, settings.API_RATE_LIMIT, token_hash)
    if wait:
        message = _(
            "Trop de requêtes avec ce jeton (limite : %(rate)s) : réessayez dans %(wait)s s."
        )
        raise RateLimited(wait, message % {"rate": settings.API_RATE_LIMIT, "wait": wait})


class TokenAuth(HttpBearer):
    """Returns the token's user, which ninja stores as ``request.auth``.

    Failures raise ``AuthenticationError`` with a French message (401), whether the header is
    missing, malformed, or names an unknown or revoked token or an inactive user; and
    ``RateLimited`` (429) when the token's budget, or the address's for a request without a
    valid token, is spent.
    """

    def __call__(self, request: HttpRequest) -> User:
        header = request.headers.get(self.header, "")
        if not header:
            spend_address_budget(request)
            raise AuthenticationError(
                message=_("Authentification requise : en-tête « Authorization: Bearer <jeton> ».")
            )
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES or not secret.strip():
            spend_address_budget(request)
            raise AuthenticationError(
                message=_("En-tête Authorization invalide : attendu « Bearer <jeton> ».")
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = authenticate_token(token)
        if api_token is None:
            spend_address_budget(request)
            raise AuthenticationError(message=_("Jeton d'API invalide ou révoqué."))
        spend_token_budget(api_token.token_hash)
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


def limit_by_address(view):
    """For the API's addresses that need no token (index, OpenAPI, documentation, unknown
    addresses): the address's budget, answered as the API answers a 429."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            spend_address_budget(request)
        except RateLimited as exc:
            return json_rate_limited(str(exc), exc.wait)
        return view(request, *args, **kwargs)

    return wrapper
