"""The one owner of a conversation's clocks, computed from its messages.

``recompute(conversation)`` derives every timestamp the response commitments count on from the
conversation's timeline and messages, whoever changed them (the ingest pipeline, an agent's
reply, a status change), then sends ``clocks_changed`` so the commitments (the ``sla`` app,
which sits above the inbox) compute due times, pauses and breach state. Times are when the
exchange happened: the pipeline writes a message's timeline entry at the platform's plausible
timestamp (``ctx.occurred_at``), so a comment delivered an hour late counts from when it was
written.

Inputs other work plugs in, without editing this module's callers:

- ``Message.meta["clock"] = "ignore"`` takes a message out of the waiting clocks: an inbound
  one (a moderation "do not feed" mark, a satisfaction survey's answer) no longer makes the
  conversation wait for an answer, and the pipeline does not reopen on it; an outbound one (the
  satisfaction survey) is not an answer;
- ``Message.meta["clock"] = "answer"``, or ``Message.meta["outcome"]`` in ``ANSWER_OUTCOMES``
  ("resolved" on the spot, "redirected" to a partner body), makes any message (an internal note
  included) count as an answer;
- ``Message.meta["acknowledgement"] = True`` marks an outbound message as an acknowledgement:
  it stops the acknowledgement clock, not the answer clock.

Pauses (the conversation waits for the citizen) are read by the ``sla`` app from the status
changes on the timeline.
"""

from __future__ import annotations

from datetime import datetime

from django.dispatch import Signal
from django.utils import timezone

from civique.inbox.models import Conversation, Direction, Message, Status, TimelineKind

# Sent after the clocks are saved, with ``conversation`` and ``now``.
clocks_changed = Signal()

ANSWER_OUTCOMES = frozenset({"resolved", "redirected"})
CLOCK_FIELDS = [
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "first_response_at",
    "acknowledged_at",
]


def counts_as_answer(message: Message) -> bool:
    if message.meta.get("acknowledgement") or message.meta.get("clock") == "ignore":
        return False
    if message.meta.get("clock") == "answer" or message.meta.get("outcome") in ANSWER_OUTCOMES:
        return True
    if message.direction == Direction.OUTBOUND:
        return True
    # A call or a visit an agent logged is answered as it happens.
    return message.direction == Direction.INBOUND and message.channel.connector.agent_logged


def from_a_person(message: Message) -> bool:
    """A received message a person wrote and the clocks count: not automated mail
    (auto-replies, bounces, lists), nor one marked for the clocks to ignore."""
    return (
        message.direction == Direction.INBOUND
        and not message.is_automated
        and message.meta.get("clock") != "ignore"
    )


def awaits_answer(message: Message) -> bool:
    return from_a_person(message) and not counts_as_answer(message)


def happened(conversation: Conversation) -> list[tuple[datetime, Message]]:
    """Each message with when it happened: its entry on the timeline (the pipeline writes it
    at the platform's plausible timestamp, ``ctx.occurred_at``), else when it was stored."""
    entries = conversation.timeline.filter(kind=TimelineKind.MESSAGE, message__isnull=False)
    first_entry: dict[int, datetime] = {}
    for message_id, at in entries.values_list("message_id", "created_at"):
        first_entry[message_id] = min(at, first_entry.get(message_id, at))
    messages = conversation.messages.select_related("channel")
    timed = [(first_entry.get(m.pk, m.created_at), m) for m in messages]
    return sorted(timed, key=lambda pair: (pair[0], pair[1].pk))


def compute(conversation: Conversation) -> dict[str, datetime | None]:
    """The clocks, from the conversation's messages in the order they happened."""
    clocks: dict[str, datetime | None] = dict.fromkeys(CLOCK_FIELDS)
    for when, message in happened(conversation):
        if message.direction != Direction.INTERNAL:
            clocks["last_message_at"] = when
        if message.direction == Direction.INBOUND and not message.is_automated:
            clocks["last_inbound_at"] = when
        if message.direction == Direction.OUTBOUND or counts_as_answer(message):
            clocks["acknowledged_at"] = clocks["acknowledged_at"] or when
        if counts_as_answer(message):
            clocks["first_response_at"] = clocks["first_response_at"] or when
            clocks["waiting_since"] = None
        elif awaits_answer(message):
            clocks["waiting_since"] = clocks["waiting_since"] or when
    if conversation.status in (Status.RESOLVED, Status.CLOSED):
        clocks["waiting_since"] = None
    return clocks


def recompute(conversation: Conversation, now: datetime | None = None) -> None:
    """Save the conversation's clocks and let the commitments follow. Idempotent."""
    for name, value in compute(conversation).items():
        setattr(conversation, name, value)
    conversation.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
    clocks_changed.send(sender=Conversation, conversation=conversation, now=now or timezone.now())
