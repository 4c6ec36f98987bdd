"""Writes of the API context: issuing and revoking tokens, and taking in a message posted on an
"api" channel through the same durable intake as every other channel."""

from __future__ import annotations

import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from civique.api.models import PREFIX_LENGTH, ApiToken, hash_token
from civique.channels.models import Channel
from civique.core.audit import audit
from civique.core.models import User
from civique.ingest.actions import receive_and_process
from civique.ingest.models import InboundEvent

LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def create_token(user: User, name: str = "", *, actor: User | None = None) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:120], prefix=secret[:PREFIX_LENGTH], token_hash=hash_token(secret)
    )
    audit(actor, "apitoken.create", token, {"user": user.pk, "prefix": token.prefix})
    return IssuedToken(token, secret)


def revoke_token(token: ApiToken, *, actor: User | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(actor, "apitoken.revoke", token, {"user": token.user_id, "prefix": token.prefix})


@transaction.atomic
def revoke_tokens(user: User, prefix: str, *, actor: User | None = None) -> list[ApiToken]:
    """Revoke the user's live tokens starting with ``prefix``; return them (possibly none)."""
    tokens = list(
        ApiToken.objects.select_for_update().filter(
            user=user, prefix=prefix[:PREFIX_LENGTH], revoked_at__isnull=True
        )
    )
    for token in tokens:
        revoke_token(token, actor=actor)
    return tokens


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token matching ``secret`` for an active user, or None. Marks it used (at most
    once a minute, so that busy clients do not write on every request)."""
    if len(secret) <= PREFIX_LENGTH:
        return None
    candidates = ApiToken.objects.select_related("user").filter(prefix=secret[:PREFIX_LENGTH])
    digest = hash_token(secret)
    token = next((t for t in candidates if hmac.compare_digest(t.token_hash, digest)), None)
    if token is None or token.is_revoked or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass
class Intake:
    event: InboundEvent
    created: bool  # False when this external id had already been received


def receive_api_message(channel: Channel, payload: dict[str, Any]) -> Intake:
    """Store the message durably, then process it at once if it is new.

    ``payload`` is the structured connector's JSON document, already validated. Without an
    ``external_id`` every call is a new message; with one, a second call returns the first
    call's event untouched (idempotency). A failed processing leaves the event stored for the
    worker's periodic sweep to retry.
    """
    external_id = payload.get("external_id") or ""
    event_key = external_id or f"api:{uuid.uuid4()}"
    raw = json.dumps(payload, ensure_ascii=False).encode()
    received = receive_and_process(channel, raw, "application/json", event_key)
    return Intake(event=received.event, created=received.created)
