"""Conversations built at fixed instants, so every clock is checked at a known time."""

from __future__ import annotations

from datetime import datetime

import pytest

from civique.inbox import timeline
from civique.inbox.models import (
    Conversation,
    Direction,
    Message,
    MessageKind,
    MessageVisibility,
    TimelineKind,
)
from civique.sla.calendar import PARIS


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


class Story:
    """Writes a conversation's history the way the pipeline and the actions do (a timeline
    entry at the time each exchange happened), at the instants a test chooses."""

    def __init__(self, channel, at: datetime, *, visibility: str = "private", **fields):
        self.conversation = Conversation.objects.create(
            channel=channel,
            team=channel.team,
            visibility=visibility,
            subject="Lampadaire",
            created_at=at,
            **fields,
        )
        self.citizen_writes(at)

    def _message(self, at, direction, **meta) -> Message:
        message = Message.objects.create(
            conversation=self.conversation,
            channel=self.conversation.channel,
            direction=direction,
            kind=MessageKind.MESSAGE,
            visibility=MessageVisibility.PRIVATE,
            text="…",
            created_at=at,
            is_automated=meta.pop("is_automated", False),
            meta=meta,
        )
        timeline.record(self.conversation, TimelineKind.MESSAGE, message=message, at=at)
        return message

    def citizen_writes(self, at: datetime, **meta) -> Message:
        return self._message(at, Direction.INBOUND, **meta)

    def agent_answers(self, at: datetime, **meta) -> Message:
        return self._message(at, Direction.OUTBOUND, **meta)

    def status(self, at: datetime, new: str) -> None:
        old = self.conversation.status
        self.conversation.status = new
        if new in ("resolved", "closed"):
            self.conversation.resolved_at = at
        self.conversation.save()
        timeline.record(self.conversation, TimelineKind.STATUS, old=old, new=new, at=at)


@pytest.fixture
def story():
    return Story
