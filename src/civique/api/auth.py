"""Token authentication: ``Authorization: Bearer <token>`` (or ``Token <token>``).

The API never reads the session cookie, so it needs no CSRF token: a request carries its
credentials explicitly and a third-party page cannot make the browser add them.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from civique.api.actions import authenticate_token
from civique.core.models import User

SCHEMES = {"bearer", "token"}


class TokenAuth(HttpBearer):
    """Returns the token's user, which ninja stores as ``request.auth``.

    Failures raise ``AuthenticationError`` with a French message (401), whether the header is
    missing, malformed, or names an unknown or revoked token or an inactive user.
    """

    def __call__(self, request: HttpRequest) -> User:
        header = request.headers.get(self.header, "")
        if not header:
            raise AuthenticationError(
                message=_("Authentification requise : en-tête « Authorization: Bearer <jeton> ».")
            )
        scheme, _sep, secret = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES or not secret.strip():
            raise AuthenticationError(
                message=_("En-tête Authorization invalide : attendu « Bearer <jeton> ».")
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = authenticate_token(token)
        if api_token is None:
            raise AuthenticationError(message=_("Jeton d'API invalide ou révoqué."))
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user
