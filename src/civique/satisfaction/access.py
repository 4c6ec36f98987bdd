"""The only way the portal fetches a survey: its signed token."""

from __future__ import annotations

from django.core import signing

from civique.satisfaction.models import TOKEN_SALT, Survey


def survey_for_token(token: str) -> Survey | None:
    """The survey ``token`` names, or None for a forged, altered or unknown token."""
    if not token or len(token) > 200:
        return None
    try:
        nonce = signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Survey.objects.select_related("conversation").filter(nonce=nonce).first()
