"""A JSON field encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("CIVIQUE_ENCRYPTION_KEYS est vide.")
    derived = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"civique-secrets:" + k.encode()).digest()))
        for k in keys
    ]
    return MultiFernet(derived)


def encrypt_value(value: Any) -> str:
    token = _fernet(tuple(settings.ENCRYPTION_KEYS)).encrypt(json.dumps(value).encode())
    return token.decode()


def decrypt_value(token: str) -> Any:
    try:
        raw = _fernet(tuple(settings.ENCRYPTION_KEYS)).decrypt(token.encode())
    except InvalidToken:
        raise ImproperlyConfigured(
            "Un secret chiffré ne peut pas être déchiffré : CIVIQUE_ENCRYPTION_KEYS a changé "
            "sans garder l'ancienne clé."
        ) from None
    return json.loads(raw)


class EncryptedJSONField(models.TextField):
    """Stores a JSON value encrypted; reads give the plain value back. Never logged or shown."""

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        if value is None or value == "":
            return {}
        return decrypt_value(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("gAAAA"):
            return decrypt_value(value)
        return value

    def get_prep_value(self, value: Any) -> str:
        return encrypt_value(value if value is not None else {})
