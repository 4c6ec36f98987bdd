"""Time in the demo: when citizens write, when agents work, and dating rows in the past.

The demo writes through the real actions, which stamp rows with the current time. ``Backdater``
then moves what one step wrote to the moment the step is supposed to have happened. It updates
through ``_base_manager`` because the timeline and the audit journal refuse updates through their
normal managers: the demo only ever re-dates rows it has just created itself.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.db import connection, models
from django.utils import timezone

from civique.contacts.models import Contact, Identity
from civique.core.models import AuditEvent
from civique.inbox.models import Conversation, Delivery, Message, TimelineEntry
from civique.ingest.models import InboundEvent

PARIS = ZoneInfo("Europe/Paris")
OPENS, CLOSES = time(8, 30), time(17, 30)
# Hours of the day citizens write at, with weights (evenings are busy, nights are quiet).
CITIZEN_HOURS = [(h, 1) for h in range(0, 7)] + [(h, 6) for h in range(7, 23)] + [(23, 3)]


@dataclass
class WorkingCalendar:
    """Monday to Friday, 8:30 to 17:30 in Paris, French public holidays off."""

    now: datetime

    def __post_init__(self) -> None:
        years = range(self.now.year - 1, self.now.year + 2)
        self.holidays = holidays.country_holidays("FR", years=years)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_opening(self, moment: datetime) -> datetime:
        """The first working instant at or after ``moment``."""
        local = moment.astimezone(PARIS)
        day = local.date()
        if self.is_working_day(day) and local.time() < CLOSES:
            return max(local, datetime.combine(day, OPENS, PARIS))
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, OPENS, PARIS)

    def agent_time(self, after: datetime, rng: random.Random, max_hours: float = 30) -> datetime:
        """When an agent acts on something that arrived at ``after``: some time later, in office
        hours, never after closing."""
        moment = self.next_opening(after + timedelta(minutes=rng.uniform(10, max_hours * 60)))
        closing = datetime.combine(moment.date(), CLOSES, PARIS)
        spare = (closing - moment).total_seconds()
        return moment + timedelta(seconds=rng.uniform(0, max(0.0, spare) * 0.5))

    def office_moment(self, day: date, rng: random.Random) -> datetime:
        """A moment of a working day, for calls and counter visits (``day`` is moved forward to
        the next working day if needed)."""
        start = self.next_opening(datetime.combine(day, time(0, 0), PARIS))
        return start + timedelta(minutes=rng.uniform(0, 8.5 * 60))

    def citizen_time(self, start: datetime, end: datetime, rng: random.Random) -> datetime:
        """Any moment between ``start`` and ``end``, at the hours people actually write."""
        days = max(1, (end - start).days)
        day = (start + timedelta(days=rng.randrange(days))).astimezone(PARIS).date()
        hours, weights = zip(*CITIZEN_HOURS, strict=True)
        hour = rng.choices(hours, weights)[0]
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), PARIS)
        return min(moment, end - timedelta(minutes=rng.uniform(5, 120)))


# Rows created by one step: the model and its timestamp fields to move.
TRACKED: list[tuple[type[models.Model], tuple[str, ...]]] = [
    (Message, ("created_at",)),
    (TimelineEntry, ("created_at",)),
    (AuditEvent, ("created_at",)),
    (Delivery, ("created_at", "next_attempt_at")),
    (Contact, ("created_at", "updated_at")),
    (Identity, ("created_at",)),
    (InboundEvent, ("received_at", "next_attempt_at")),
]
CONVERSATION_CLOCKS = (
    "created_at",
    "updated_at",
    "last_message_at",
    "last_inbound_at",
    "waiting_since",
    "first_response_at",
    "resolved_at",
    "closed_at",
)


class Backdater:
    """Moves the rows a step writes to the step's moment. Precondition: nothing else writes to
    the database while the demo runs (the ids written since the last mark are the step's)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.marks = self._max_ids()

    def _max_ids(self) -> dict[type[models.Model], int]:
        quote = connection.ops.quote_name
        selects = ", ".join(
            # Table names come from our own models, quoted by the backend.
            f"(SELECT MAX({quote('id')}) FROM {quote(model._meta.db_table)})"  # noqa: S608
            for model, _ in TRACKED
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {selects}")
            row = cursor.fetchone()
        return {model: value or 0 for (model, _), value in zip(TRACKED, row, strict=True)}

    @contextmanager
    def at(self, when: datetime, conversation: Conversation | None = None):
        """Run the block, then date what it wrote at ``when``. The block may set
        ``step.conversation`` when it creates the conversation it acts on."""
        when = min(when, self.now)  # a step planned just after "now" happens now
        step = _Step(conversation)
        started = timezone.now()
        yield step
        for model, fields in TRACKED:
            model._base_manager.filter(pk__gt=self.marks[model]).update(
                **dict.fromkeys(fields, when)
            )
        InboundEvent._base_manager.filter(pk__gt=self.marks[InboundEvent]).exclude(
            processed_at=None
        ).update(processed_at=when + timedelta(seconds=2))
        if step.conversation is not None:
            _redate_conversation(step.conversation.pk, started, when)
        self.marks = self._max_ids()


@dataclass
class _Step:
    conversation: Conversation | None


def _redate_conversation(pk: int, started: datetime, when: datetime) -> None:
    """Move the conversation's clocks that the step set (those at or after ``started``)."""
    values = Conversation.objects.filter(pk=pk).values(*CONVERSATION_CLOCKS).first() or {}
    changes = {name: when for name, value in values.items() if value and value >= started}
    if changes:
        Conversation._base_manager.filter(pk=pk).update(**changes)
