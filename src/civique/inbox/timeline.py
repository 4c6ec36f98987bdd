"""Appending to a conversation's timeline (the only way entries are written)."""

from __future__ import annotations

from typing import Any

from civique.inbox.models import Conversation, Message, TimelineEntry


def record(
    conversation: Conversation,
    kind: str,
    *,
    actor=None,
    message: Message | None = None,
    at=None,
    **data: Any,
) -> TimelineEntry:
    entry = TimelineEntry(
        conversation=conversation, kind=kind, actor=actor, message=message, data=data
    )
    if at is not None:
        entry.created_at = at
    entry.save()
    return entry
