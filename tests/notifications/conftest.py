"""A conversation of the standing team, instants in Paris time, and a supervisor's second
agent. The default calendar (from the sla migration) is Monday to Friday, 8:30–12:00 and
13:30–17:30, Paris, French public holidays."""

from __future__ import annotations

from datetime import datetime

import pytest

from civique.inbox.models import Conversation, Priority
from civique.sla.calendar import PARIS


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def conversation(email_channel, agent) -> Conversation:
    return Conversation.objects.create(
        channel=email_channel,
        team=email_channel.team,
        subject="Lampadaire en panne",
        assignee=agent,
        priority=Priority.NORMAL,
    )
