"""Due times and breach state of a conversation, in business time, with pauses.

Reads what ``civique.inbox.clocks`` computed (``acknowledged_at``, ``first_response_at``) and
the status changes on the timeline: the time a conversation spends "en attente de l'usager" is
a pause; it ends when the status changes again (the pipeline reopens a conversation when the
citizen writes). A target is counted from the conversation's start (its first message, at the
platform's timestamp), in the team's calendar with the pauses closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from civique.inbox.models import Conversation, SlaState, Status, TimelineKind
from civique.sla.calendar import (
    BusinessCalendar,
    add_business_days,
    add_business_time,
    business_time_between,
)
from civique.sla.models import Policy, Unit

TARGETS = ("acknowledgement", "first_answer", "resolution")
# "At once" (a zero commitment) is kept by what the pipeline does in the same breath (an
# automatic acknowledgement, a call answered as it is logged): a commitment counts as missed
# only past its due time plus this grace.
GRACE = timedelta(minutes=5)
FINISHED = (Status.RESOLVED, Status.CLOSED)


@dataclass
class Target:
    name: str
    due: datetime | None
    met_at: datetime | None


@dataclass
class Evaluation:
    policy: str
    state: str
    dues: dict[str, datetime | None]
    next_due: datetime | None
    at_risk_at: datetime | None
    missed: list[str]


def pause_periods(
    changes: Iterable[tuple[datetime, str]],
) -> tuple[tuple[datetime, datetime | None], ...]:
    """Periods spent waiting for the citizen, from a conversation's status changes (instant,
    new status) in time order; the last may be open. Pure: the reports read it in bulk."""
    periods: list[tuple[datetime, datetime | None]] = []
    started = None
    for at, new in changes:
        if new == Status.PENDING and started is None:
            started = at
        elif new != Status.PENDING and started is not None:
            periods.append((started, at))
            started = None
    if started is not None:
        periods.append((started, None))
    return tuple(periods)


def pauses(conversation: Conversation) -> tuple[tuple[datetime, datetime | None], ...]:
    """Periods spent waiting for the citizen, from the timeline (the last may be open)."""
    entries = conversation.timeline.filter(kind=TimelineKind.STATUS).order_by("created_at", "id")
    return pause_periods((entry.created_at, entry.data.get("new")) for entry in entries)


def target_time(
    start: datetime, amount: int, unit: str, calendar: BusinessCalendar
) -> datetime | None:
    """``start`` plus a commitment in business hours or business days."""
    if unit == Unit.DAYS:
        return add_business_days(start, amount, calendar)
    return add_business_time(start, timedelta(hours=amount), calendar)


def _due(
    start: datetime,
    amount: int | None,
    unit: str,
    calendar: BusinessCalendar,
    periods: Sequence[tuple[datetime, datetime | None]],
    met_at: datetime | None,
) -> datetime | None:
    """None when there is no such commitment, or it is not met and the clock is paused now."""
    if amount is None:
        return None
    closed = [(a, b) for a, b in periods if b is not None]
    if any(b is None for _a, b in periods):
        if met_at is None:
            return None
        closed += [(a, max(a, met_at)) for a, b in periods if b is None]
    paused_calendar = calendar.with_closed_periods(closed)
    base = target_time(start, amount, unit, calendar)
    if base is None:
        return None
    overlap = sum(
        (business_time_between(a, min(b, base), calendar) for a, b in closed if a < base),
        timedelta(0),
    )
    return add_business_time(base, overlap, paused_calendar) if overlap else base


def evaluate(
    conversation: Conversation, policy: Policy | None, calendar: BusinessCalendar, now: datetime
) -> Evaluation:
    if policy is None:
        return Evaluation("", SlaState.NONE, dict.fromkeys(TARGETS), None, None, [])
    start = conversation.created_at
    periods = pauses(conversation)
    finished = conversation.status in FINISHED
    met = {
        "acknowledgement": conversation.acknowledged_at,
        "first_answer": conversation.first_response_at,
        "resolution": conversation.resolved_at if finished else None,
    }
    amounts = {
        "acknowledgement": (policy.acknowledge_within, policy.acknowledge_unit),
        "first_answer": (policy.answer_within, policy.answer_unit),
        "resolution": (policy.resolve_within, policy.resolve_unit),
    }
    # Nothing awaits an answer (only automated mail, or messages moderation marked « ne pas
    # nourrir », meta["clock"] = "ignore"): no acknowledgement or first answer is owed.
    if conversation.waiting_since is None:
        for name in ("acknowledgement", "first_answer"):
            if met[name] is None:
                amounts[name] = (None, amounts[name][1])
    dues = {name: _due(start, *amounts[name], calendar, periods, met[name]) for name in TARGETS}
    missed = [
        name
        for name in TARGETS
        if dues[name] is not None
        and (
            (met[name] and met[name] > dues[name] + GRACE)
            or (not met[name] and not finished and now > dues[name] + GRACE)
        )
    ]
    running = [
        Target(name, dues[name], met[name])
        for name in TARGETS
        if dues[name] is not None and met[name] is None and not finished
    ]
    # Paused: the conversation waits for the citizen while a commitment is still to keep.
    paused = (
        any(b is None for _a, b in periods)
        and not finished
        and any(amounts[name][0] is not None and met[name] is None for name in TARGETS)
    )
    next_due = min((t.due for t in running), default=None)
    at_risk_at = None
    if running:
        first = min(running, key=lambda t: t.due)
        budget = business_time_between(start, first.due, calendar)
        at_risk_at = add_business_time(start, budget * policy.at_risk_percent / 100, calendar)
    if paused and not running:
        state = SlaState.PAUSED
    elif not running:
        state = SlaState.MET if not missed else SlaState.BREACHED
    elif next_due is not None and now > next_due + GRACE:
        state = SlaState.BREACHED
    elif at_risk_at is not None and now >= at_risk_at:
        state = SlaState.AT_RISK
    else:
        state = SlaState.OK
    return Evaluation(policy.name, state, dues, next_due, at_risk_at, missed)
