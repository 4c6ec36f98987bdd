"""The pipeline: ordered lists of small stages that turn parsed messages into messages.

Each stage is a function taking the ``Context``. ``settings.CIVIQUE_PREPARE`` lists the stages
that need no database and run before the write transaction (``prepare``); then
``settings.CIVIQUE_PIPELINE`` lists those that read and write, in one transaction per event
(``run_pipeline``). Later work (analysers, smarter routing, SLA clocks, automations) adds a stage
instead of editing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from civique.channels.connectors.base import ParsedMessage
from civique.ingest.serialise import hold_locks

if TYPE_CHECKING:
    from civique.analysis.base import Analysis
    from civique.channels.models import Channel
    from civique.contacts.models import Contact, Identity
    from civique.inbox.attachments import PreparedAttachment
    from civique.inbox.models import Conversation, Message
    from civique.ingest.models import InboundEvent


@dataclass
class Context:
    event: InboundEvent
    channel: Channel
    parsed: ParsedMessage
    index: int
    contact: Contact | None = None
    identity: Identity | None = None  # the sender's handle, when the sender is known by one
    conversation: Conversation | None = None
    message: Message | None = None
    created_conversation: bool = False
    # Set by a stage to end the run for this message (e.g. it was already stored).
    stop: bool = False
    notes: list[str] = field(default_factory=list)
    # Set when the platform's id is already taken by a different message (see persist_message).
    id_suffix: str = ""
    # Filled by the preparation stages, before the write transaction.
    html: str = ""  # the message's HTML, sanitised
    attachments: list[PreparedAttachment] = field(default_factory=list)
    analysis: Analysis | None = None  # what the analysers found in the text (inbound only)

    @property
    def occurred_at(self) -> datetime:
        """When the exchange happened, as the clocks count it.

        A platform's date is trusted within a plausible window around reception; outside it (a
        mail dated 2001, or next year) the reception time is used, so a sender's clock cannot push
        a request to the top or the bottom of the queue. Exchanges logged by an agent keep the
        time the agent gave (it is checked not to be in the future).
        """
        received = self.event.received_at
        stamp = self.parsed.platform_timestamp
        if stamp is None:
            return received
        if timezone.is_naive(stamp):
            stamp = timezone.make_aware(stamp)
        if self.channel.connector.agent_logged:
            return stamp
        if received - PLAUSIBLE_PAST <= stamp <= received + PLAUSIBLE_FUTURE:
            return stamp
        return received

    @property
    def external_id(self) -> str:
        """The message's id on its channel; derived from the event when the platform gives none."""
        base = self.parsed.external_id or f"event:{self.event.external_id}:{self.index}"
        return (base + self.id_suffix)[:255]


Stage = Callable[[Context], None]


def batch_stage(func: Callable[[list[Context]], None]) -> Any:
    """Mark a preparation stage as taking the list of an event's contexts at once (e.g. to run
    a model over every message of the event in one batch) instead of one context."""
    func.takes_contexts = True
    return func


class RetryLater(Exception):
    """Raised by a stage when the event cannot be applied yet (it names something that has not
    arrived): the event is tried again after its backoff, without a traceback in the log."""


PLAUSIBLE_PAST = timedelta(days=60)
PLAUSIBLE_FUTURE = timedelta(minutes=5)


@cache
def _stages(paths: tuple[str, ...]) -> list[Stage]:
    return [import_string(path) for path in paths]


def prepare(event: InboundEvent, parsed: list[ParsedMessage]) -> list[Context]:
    """Run the preparation stages for every parsed message, outside any transaction: each stage
    for every message in turn (a ``batch_stage`` once with the whole list)."""
    contexts = [
        Context(event=event, channel=event.channel, parsed=item, index=index)
        for index, item in enumerate(parsed)
    ]
    for stage in _stages(tuple(settings.CIVIQUE_PREPARE)):
        if getattr(stage, "takes_contexts", False):
            stage(contexts)
            continue
        for ctx in contexts:
            stage(ctx)
    return contexts


def run_pipeline(event: InboundEvent, contexts: list[Context]) -> list[Message]:
    """Run every stage for every prepared message, inside the event's write transaction; return
    the messages (new or already stored).

    First the work is serialised with any other event from the same people or thread (see
    ``ingest.serialise``), so that two workers never decide a conversation from stale reads."""
    hold_locks(event.channel, [ctx.parsed for ctx in contexts])
    messages = []
    for ctx in contexts:
        ctx.event = event
        for stage in _stages(tuple(settings.CIVIQUE_PIPELINE)):
            stage(ctx)
            if ctx.stop:
                break
        if ctx.message is not None:
            messages.append(ctx.message)
    return messages
