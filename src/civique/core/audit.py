"""Writing to the audit journal."""

from __future__ import annotations

from typing import Any

from django.db import models

from civique.core.models import AuditEvent


def audit(
    actor,
    verb: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    *,
    request=None,
) -> AuditEvent:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "système",
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        ip_address=ip,
    )


def audit_anonymous_sign_in(verb: str, account, *, request=None, changes: dict | None = None):
    """An attempt by someone not signed in on ``account`` (a User or None). A name that is no
    account is not kept: people type their password in the name field, and this journal is never
    erased."""
    return AuditEvent.objects.create(
        actor_label="anonyme",
        verb=verb,
        object_type="core.user",
        object_id=str(account.pk) if account else "",
        object_repr=account.username if account else "(compte inconnu)",
        changes=changes or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
